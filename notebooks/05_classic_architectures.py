# ---
# jupyter:
#   accelerator: GPU
#   colab:
#     gpuType: T4
#     provenance: []
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 05: Classic architectures, from LeNet to DenseNet
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/open-cnn-course/cnn-course/blob/main/notebooks/05_classic_architectures.ipynb)
#
# The lectures' case studies, LeNet-5, AlexNet, VGG, GoogLeNet (Inception), Xception,
# ResNet and DenseNet, as code you can read, count and train (ZF Net in prose). We count every
# network's parameters and check the counts against the papers and `keras.applications`,
# work out where the savings of 3x3 stacks, 1x1 bottlenecks and separable convolutions come
# from, plot the ImageNet results that made these networks famous, repeat the experiment
# that motivated residual connections, and train a small member of each family (three of
# them in fast mode).
#
# The committed outputs come from fast mode on a CPU (tiny subsets, a few epochs), so
# their accuracies are low and their times are CPU times. In full mode the same code
# trains on more data for longer, downloads CIFAR-10 (Fashion-MNIST is the planned
# fallback when it cannot be downloaded), and repeats the degradation experiment at depths
# 8, 20 and 56 (the paper's plain networks had 20 to 56 layers; its residual ones also 110
# and 1202). **How long:** fast mode takes
# under a minute (56 s on TensorFlow and 44 s on JAX under nbval, idle 2-core CPU,
# 2026-11-29; README); full mode, on the Fashion-MNIST stand-in, took 2 hours on a 2-core
# CPU with TensorFlow, with other jobs sharing the machine (2026-11-29, an upper bound:
# the degradation cell 89 minutes, the seven families 31); CIFAR-10's larger colour
# images take longer. On a GPU it is faster; not measured here. In full
# mode every training prints one line per epoch and the long loops show a progress bar.

# %% [markdown]
# ## What you will learn
# - The layers of LeNet-5, AlexNet, VGG-16, GoogLeNet, Xception, ResNet-50 and
#   DenseNet-121, and how many parameters each has (ours, the papers', Keras's).
# - Why two 3x3 convolutions beat one 5x5 (the same 5x5 receptive field, fewer weights,
#   one more nonlinearity), why Inception puts 1x1 convolutions before its 3x3 and 5x5,
#   and what a depthwise-separable convolution saves, in parameters and multiply-adds.
# - How the ImageNet top-5 error fell from 26 % to 3 % between 2011 and 2016, which of
#   those numbers are challenge entries and which are papers, and what top-5, multi-crop
#   and ensembles mean.
# - The *degradation problem*: a deeper plain network trains worse than a shallower one,
#   and its residual twin of the same depth trains better than it (shown in every mode;
#   in fast mode the residual network has not yet caught up with the shallow plain one),
#   and what the gradients at initialisation do and do not explain.
# - How an Inception module, a residual block and a dense block are wired, with the
#   shapes each family's blocks produce.
# - How the families compare in accuracy, parameters and training time on a small
#   dataset.

# %% [markdown]
# ## Setup

# %%
# In Colab, install the course helpers (course_utils, data_download) from GitHub.
# --no-deps: Colab's own TensorFlow, Keras, NumPy and Jupyter are never reinstalled.
import sys

if "google.colab" in sys.modules:
    import subprocess

    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "git+https://github.com/open-cnn-course/cnn-course.git@main"], check=True)

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from course_utils import architectures as arch
from course_utils import ilsvrc
from course_utils.env import enable_gpu_memory_growth
from course_utils.epoch_timer import EpochTimer  # lesson 04's callback
from course_utils.figures import draw_block_diagram, use_course_style
from course_utils.image_datasets import load_preferred
from course_utils.jax_max_pool import speed_up_max_pool_gradient
from course_utils.mode import by_mode, describe_mode, is_fast_mode
from course_utils.numpy_initialization import build_with_numpy_weights
from course_utils.parameter_counts import (conv_multiply_adds, conv_parameters, count_of, count_parameters,
                                           count_parameters_by_layer, separable_multiply_adds,
                                           separable_parameters)
from course_utils.seed import set_seed
from course_utils.weight_gradients import conv_kernel_gradient_norms
from tqdm.auto import tqdm  # progress bars in full mode (disabled in fast mode)

print(describe_mode())
rng = set_seed(42)
enable_gpu_memory_growth()
speed_up_max_pool_gradient()  # JAX on a CPU only (else nothing): max-pooling's gradient, faster, identical results
use_course_style()
print("Keras", keras.__version__, "on", keras.backend.backend())

# %% [markdown]
# Two helpers do the bookkeeping. `count_parameters(build)` builds a network without
# allocating its weights (Keras's `StatelessScope` gives every variable a shape but no
# value), so counting VGG-16's 138 million parameters takes milliseconds instead of half a
# gigabyte. `build_with_numpy_weights(build)` builds a network whose initial weights NumPy
# draws from the same distributions as Keras's initializers: on the JAX backend every new
# weight shape would otherwise compile its own random-number program, seconds per network.
#
# ## 1. The networks, counted
#
# Every builder in `course_utils.architectures` has the paper's defaults (ImageNet-sized
# input, 1000 classes) and a `small=True` variant for 28x28 or 32x32 images. Read them: each
# is a page of Keras. The published figures: LeNet-5, LeCun et al. 1998; AlexNet,
# Krizhevsky et al. 2012; VGG-16, Simonyan and Zisserman 2015, Table 2; GoogLeNet, Szegedy
# et al. 2015, Table 1; Xception, Chollet 2017; ResNet-50, the figure usually quoted for He
# et al. 2016 (torchvision's count); DenseNet-121, Huang et al. 2017.

# %%
# NBVAL_CHECK_OUTPUT
published_millions = {"LeNet-5": 0.06, "AlexNet": 60, "VGG-16": 138, "GoogLeNet": 6.8,
                      "Xception": 22.9, "ResNet-50": 25.6, "DenseNet-121": 8.0}
ours = {"LeNet-5": count_parameters(arch.lenet5),
        "AlexNet": count_parameters(arch.alexnet),
        "VGG-16": count_parameters(arch.vgg16),
        "GoogLeNet": count_parameters(arch.googlenet),
        "Xception": count_parameters(arch.xception),
        "ResNet-50": count_parameters(arch.resnet50),
        "DenseNet-121": count_parameters(arch.densenet121)}
keras_applications = {"VGG-16": keras.applications.VGG16, "Xception": keras.applications.Xception,
                      "ResNet-50": keras.applications.ResNet50, "DenseNet-121": keras.applications.DenseNet121}
keras_counts = {name: count_parameters(build, weights=None) for name, build in keras_applications.items()}

print(f"{'network':<13}{'ours: trainable':>17}{'+ BN statistics':>17}{'published':>11}{'keras.applications':>20}")
for name, count in ours.items():
    theirs = f"{keras_counts[name].total:,}" if name in keras_counts else "-"
    print(f"{name:<13}{count.trainable:>17,}{count.non_trainable:>17,}{published_millions[name]:>10}M{theirs:>20}")
print("ResNet-50 with a bias in every convolution, as keras.applications has it:",
      f"{count_parameters(arch.resnet50, use_bias=True).total:,}")
googlenet_layers = [layer for layer in arch.googlenet().layers
                    if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))]
googlenet_biases = sum(int(layer.bias.shape[0]) for layer in googlenet_layers)
print(f"GoogLeNet: {googlenet_biases:,} biases; {ours['GoogLeNet'].trainable - googlenet_biases:,} weights "
      f"(the paper's Table 1: 6,797.7K = {6797.7 * 1024:,.0f} with K = 1024)")
# Table 1's "params" column, in K = 1024 weights, beside the weights of the same rows built
# from the table's own filter columns (#1x1, #3x3 reduce, ...), which our builder follows.
table1_params = {"conv1": 2.7, "conv2": 112, "inception_3a": 159, "inception_3b": 380, "inception_4a": 364,
                 "inception_4b": 437, "inception_4c": 463, "inception_4d": 580, "inception_4e": 840,
                 "inception_5a": 1072, "inception_5b": 1388, "classifier": 1000}
weights_by_row = dict.fromkeys(table1_params, 0)
for layer in googlenet_layers:
    row = next(row for row in table1_params if layer.name.startswith(row))
    weights_by_row[row] += int(np.prod(layer.kernel.shape))
print("Table 1, row by row: params listed, and the weights its filter columns give")
for row, listed in table1_params.items():
    print(f"  {row:<13} listed {listed:>6}K, filters {weights_by_row[row] / 1024:7.1f}K")

# %% [markdown]
# Every count is pinned in `tests/test_architectures.py`. The differences are all
# explained:
#
# - **LeNet-5**: ours has 61,706 parameters. The 1998 paper's "60,000" connects each of
#   C3's 16 maps to only some of S2's 6 maps (1,516 weights instead of 2,416), has trainable
#   coefficients in its subsampling layers (12 + 32) and fixed RBF output units:
#   156 + 12 + 1,516 + 32 + 48,120 + 10,164 = 60,000 exactly.
# - **AlexNet** was trained on two GPUs; its conv2, conv4 and conv5 see only the channels
#   on their own GPU (`groups=2` in Keras), hence the paper's 60 million. On one GPU it
#   would have 62.4 million (`alexnet(grouped=False)`).
# - **VGG-16, Xception, DenseNet-121** are equal to `keras.applications`, parameter for
#   parameter; so is ResNet-50 once its convolutions get the (useless, batch normalisation
#   follows) biases Keras gives them. The "+ BN statistics" column is batch
#   normalisation's moving mean and variance, which Keras counts but training does not change.
# - **GoogLeNet**: the paper's Table 1 lists the weights of each layer (its "K" is 1024:
#   inception 3a has 163,328 = 159.5 x 1024 weights, listed as 159K). The column sums to
#   6,797.7K: the "6.8M" of the table above reads K as 1000, but with K = 1024 it is 6.96
#   million weights; our count adds the 8,280 biases
#   (one per convolution filter and output unit), printed above. Our 6,990,272 weights
#   are 29,427 more than the column's sum because our layers follow the table's filter
#   columns, and for some rows its params column does not (printed above, row by row):
#   conv1's 7x7 filters on 3 colour channels have 9.2K weights, not the 2.7K listed;
#   inception 4c, 4d, 4e and 5b have 7 to 35K more than listed and 5a 54K fewer. Conv2
#   and the classifier agree exactly, the other rows within 3K. The paper itself says
#   "uses 12× fewer parameters than the winning architecture of Krizhevsky et al [9] from
#   two years ago" (about
#   5 million against 60); the lecture's "GoogLeNet only 5M" is that round figure, and the
#   CS231n notes' "4M" another. Table 1 and our count agree on about 7 million.
#
# **"VGG ~180M"?** The lecture quotes about 180 million parameters for VGG. The paper's own
# Table 2 gives 133 to 144 million for its configurations A to E: 138M for VGG-16 and
# 144M for VGG-19, and we count 138,357,544. No VGG configuration reaches 180M at its
# 224x224 input. What makes VGG big is its first dense layer, and that layer is the one
# part whose size depends on the input:

# %%
# NBVAL_CHECK_OUTPUT
layers_of_vgg = count_parameters_by_layer(arch.vgg16)
convolutions = sum(n for name, n in layers_of_vgg.items() if "conv" in name)
print(f"VGG-16: 13 convolutions {convolutions / 1e6:.1f}M, fc1 {layers_of_vgg['fc1'] / 1e6:.1f}M "
      f"({layers_of_vgg['fc1'] / sum(layers_of_vgg.values()):.0%} of all), fc2 {layers_of_vgg['fc2'] / 1e6:.1f}M, "
      f"predictions {layers_of_vgg['predictions'] / 1e6:.1f}M")
for side in (224, 256, 288):
    print(f"  input {side}x{side}: {count_parameters(arch.vgg16, input_shape=(side, side, 3)).total / 1e6:6.1f}M parameters")
print(f"VGG-19 (three more 512-channel convolutions): "
      f"{count_parameters(keras.applications.VGG19, weights=None).total / 1e6:.1f}M")

# %% [markdown]
# Three quarters of VGG-16 is that one dense layer (7 x 7 x 512 inputs times 4096
# outputs). We could not trace the slide's 180M to any VGG configuration: it is more than
# VGG-19's 144M, and a VGG-16 would need an input of about 256x256 or larger to come near
# it (printed above). The lecture's point stands with the true figures: AlexNet 61M, VGG
# 138M, GoogLeNet 7M, so the progress was not brute force. GoogLeNet replaced the dense
# layers by global average pooling, an idea it took, with its 1x1 convolutions, from
# *Network in Network* (Lin, Chen and Yan 2014). Where the parameters sit is not where the
# work is: in VGG-16 the 13 convolutions hold about a tenth of the weights (printed
# above) but do almost all of the multiply-adds, and the first ones, on 224x224x64 maps,
# hold most of the activation memory; the dense layers hold most of the weights and do
# little computation (the CS231n notes tabulate it layer by layer).
#
# These counts matter in practice too: every `keras.applications` model counted here can
# be downloaded with ImageNet weights (`weights="imagenet"`) and reused on a new task,
# freezing it and training a new classifier on top (*transfer learning*).
#
# ## 2. Where the savings come from
#
# ### Two 3x3 convolutions instead of one 5x5
#
# VGG uses only 3x3 kernels. Two of them in a row see a 5x5 window of the input (each
# output of the second sees 3x3 outputs of the first, each of which sees 3x3 inputs), with
# fewer weights and one more nonlinearity. For C channels in and out:

# %%
# NBVAL_CHECK_OUTPUT
channels = 256
one_5x5 = conv_parameters(5, channels, channels, bias=False)
two_3x3 = 2 * conv_parameters(3, channels, channels, bias=False)
print(f"C = {channels}: one 5x5: 25 C^2 = {one_5x5:,} weights; two 3x3: 18 C^2 = {two_3x3:,} "
      f"({1 - two_3x3 / one_5x5:.0%} fewer)")
print(f"three 3x3 (7x7 receptive field): 27 C^2 = {3 * conv_parameters(3, channels, channels, bias=False):,} "
      f"against one 7x7: 49 C^2 = {conv_parameters(7, channels, channels, bias=False):,}")

# The receptive field, measured: put a 1 on each input pixel in turn (one image per
# pixel) and see which of them reach the centre output of two stacked 3x3 convolutions.
stack = keras.Sequential([keras.Input((11, 11, 1)), keras.layers.Conv2D(1, 3, kernel_initializer="ones"),
                          keras.layers.Conv2D(1, 3, kernel_initializer="ones")])
probes = np.eye(11 * 11, dtype="float32").reshape(-1, 11, 11, 1)
reaches_centre = keras.ops.convert_to_numpy(stack(probes))[:, 3, 3, 0].reshape(11, 11) > 0
rows, cols = np.nonzero(reaches_centre)
print(f"one output of two stacked 3x3 convolutions sees a {np.ptp(rows) + 1}x{np.ptp(cols) + 1} input window")

# %% [markdown]
# ### Inception: 1x1 bottlenecks
#
# An Inception module runs a 1x1, a 3x3 and a 5x5 convolution and a 3x3 max pooling side by
# side and concatenates their outputs. Applied directly to a thick input (the *naive*
# module) the 3x3 and 5x5 are expensive, and the pooled branch passes every input channel
# on, so the output grows from module to module. GoogLeNet first reduces the channels with
# 1x1 convolutions. Module 3a, on a 28x28x192 input:

# %%
# NBVAL_CHECK_OUTPUT
def module_model(bottleneck):
    inputs = keras.Input((28, 28, 192))
    return keras.Model(inputs, arch.inception_module(inputs, *arch.GOOGLENET_MODULES["3a"], bottleneck=bottleneck))


def module_multiply_adds(model):
    """Sum over the module's convolutions of weights x output positions."""
    return sum(conv_multiply_adds(layer.kernel_size[0], layer.kernel.shape[2], layer.filters, 28, 28)
               for layer in model.layers if isinstance(layer, keras.layers.Conv2D))


for bottleneck in (False, True):
    model = build_with_numpy_weights(module_model, bottleneck)
    label = "with 1x1 bottlenecks" if bottleneck else "naive"
    print(f"{label:>21}: output {model.output_shape[1:]}, {model.count_params():>7,} parameters, "
          f"{module_multiply_adds(model) / 1e6:5.0f}M multiply-adds per image")

# %% [markdown]
# The module as a drawing (module 3a's channel counts):

# %%
fig, ax = plt.subplots(figsize=(6, 2.6))
draw_block_diagram(ax, {
    "in": (0.5, 0.08, "input 28x28x192"),
    "a": (0.12, 0.5, "1x1, 64"), "b1": (0.37, 0.35, "1x1, 96"), "b2": (0.37, 0.65, "3x3, 128"),
    "c1": (0.63, 0.35, "1x1, 16"), "c2": (0.63, 0.65, "5x5, 32"),
    "d1": (0.88, 0.35, "3x3 max pool"), "d2": (0.88, 0.65, "1x1, 32"),
    "out": (0.5, 0.92, "concatenate: 28x28x256")},
    [("in", "a"), ("in", "b1"), ("b1", "b2"), ("in", "c1"), ("c1", "c2"), ("in", "d1"), ("d1", "d2"),
     ("a", "out"), ("b2", "out"), ("c2", "out"), ("d2", "out")], title="Inception module (3a)")
plt.show()

# %% [markdown]
# The bottlenecks cut the parameters and the computation by more than half and keep the
# output at 256 channels instead of 416. (Count the naive module by hand: $1 \cdot 192 \cdot
# 64 + 9 \cdot 192 \cdot 128 + 25 \cdot 192 \cdot 32$ weights, plus 224 biases.)
#
# ### Depthwise-separable convolutions (Xception)
#
# Xception takes the factorisation to its extreme: a k x k convolution of each channel on
# its own (*depthwise*), then a 1x1 convolution that mixes the channels (*pointwise*). We
# count both by formula and compare with Keras's layers:

# %%
# NBVAL_CHECK_OUTPUT
c_in, c_out, size, side = 128, 256, 3, 56


def single_layer(layer):
    return keras.Sequential([keras.Input((side, side, c_in)), layer])


keras_regular = count_parameters(single_layer, keras.layers.Conv2D(c_out, size, padding="same")).total
keras_separable = count_parameters(single_layer, keras.layers.SeparableConv2D(c_out, size, padding="same")).total
print(f"{c_in} -> {c_out} channels, {size}x{size}, on a {side}x{side} map:")
print(f"  regular:   {conv_parameters(size, c_in, c_out):>7,} parameters (Keras {keras_regular:,}), "
      f"{conv_multiply_adds(size, c_in, c_out, side, side) / 1e6:6.1f}M multiply-adds")
print(f"  separable: {separable_parameters(size, c_in, c_out):>7,} parameters (Keras {keras_separable:,}), "
      f"{separable_multiply_adds(size, c_in, c_out, side, side) / 1e6:6.1f}M multiply-adds")
print(f"  ratio {separable_parameters(size, c_in, c_out, bias=False) / conv_parameters(size, c_in, c_out, bias=False):.3f}"
      f" = 1/C_out + 1/k^2 = {1 / c_out + 1 / size ** 2:.3f}")

# %% [markdown]
# A separable convolution costs about $1/C_{out} + 1/k^2$ of a regular one, close to a ninth
# for a 3x3 kernel and many output channels. Chollet (2017) built Xception from these
# (36 convolutional layers, nearly all separable, with shortcuts) to the size of Inception V3 (22.9M against 23.6M parameters)
# and it did better than Inception V3 at the same parameter count: 79.0 % against 78.2 %
# top-1 on ImageNet, and more on Google's internal JFT data set (350 million images,
# 17,000 classes, trained on 60 GPUs), the lecture's "works better than Inception V3 with
# same number of parameters".
# `arch.separable_conv` writes it as its two steps (`DepthwiseConv2D`, then a 1x1
# `Conv2D`), and `tests/test_architectures.py` checks that it computes exactly what
# `SeparableConv2D` computes.
#
# ## 3. The ImageNet challenge, 2010-2016
#
# The ILSVRC classification task: 1.2 million training images, 1000 classes, and the
# *top-5 error*, the fraction of test images whose true class is not among the network's
# five best guesses. The *top-1 error* (the best guess is wrong) is much larger: the
# lecture's "(17% 20% +)"; AlexNet had 37.5 % top-1 against 17.0 % top-5 on the 2010 test
# set (Krizhevsky et al. 2012, Table 1). Top-5 forgives a plausible second guess, which
# matters when an image holds several objects or the classes are fine-grained dog breeds.
#
# Two kinds of numbers appear below, and we keep them apart. *Challenge entries* were
# submitted to ILSVRC that year and ranked on its test server; *paper results* were
# published outside the challenge. The CNN results among them are ensembles evaluated on
# many crops (the lecture's "what's missing from the picture"; the 2010-2011 winners used
# hand-made features with SVMs): AlexNet averaged five networks,
# GoogLeNet seven networks on 144 crops per image, ResNet six networks. A single network on
# one centre crop does several points worse.
#
# Sources: Russakovsky et al., *ImageNet Large Scale Visual Recognition Challenge*, IJCV
# 2015 (2010-2014 and the human 5.1 %, with Karpathy's 2014 blog post); Krizhevsky et al.
# 2012 (AlexNet: 16.4 % on the challenge's data, 15.3 % for their entry averaging seven
# CNNs, two of them also pre-trained on all 15 million images of ImageNet Fall 2011); He et al. 2016 (ResNet,
# 3.57 %); the ILSVRC 2016 results (Trimps-Soushen, 2.99 %); and three papers: He et al.
# 2015 (PReLU-net, 4.94 %), Ioffe and Szegedy 2015 (BN-Inception, 4.82 %), Szegedy et al.
# 2017 (an ensemble of one Inception-v4 and three Inception-ResNet-v2, 3.08 %, the
# lecture's "2016" figure). The lecture's slide on 2016 reads "No more ImageNet
# classification ... No breakthroughs comparable to ResNet": the classification task did
# run in 2016 (Trimps-Soushen won it) and for the last time in 2017, without a
# breakthrough like ResNet's.

# %%
# NBVAL_CHECK_OUTPUT
for result in ilsvrc.RESULTS:
    print(f"{result.year}  {result.name:<21} {result.top5_error:5.2f} %  {result.kind:<11} {result.note}")
alexnet_result = next(r for r in ilsvrc.RESULTS if r.name == "AlexNet")
alexnet_extra = next(r for r in ilsvrc.RESULTS if r.kind == "extra data")
runner_up = next(r for r in ilsvrc.RESULTS if r.year == 2012 and r.name.startswith("runner-up"))
print(f"AlexNet's margin in 2012: {runner_up.top5_error - alexnet_result.top5_error:.1f} points on the "
      f"challenge's data, {runner_up.top5_error - alexnet_extra.top5_error:.1f} with extra data")
print(f"first below the human {ilsvrc.HUMAN_TOP5_ERROR} %: among challenge entries "
      f"{ilsvrc.first_below_human('challenge').name}, among papers {ilsvrc.first_below_human('paper').name}")

# %%
fig, ax = plt.subplots(figsize=(9, 4))
winners = ilsvrc.winners()
years = [r.year for r in winners]
ax.bar(years, [r.top5_error for r in winners], color=["tab:blue" if r.convolutional else "tab:gray" for r in winners],
       label="challenge winner (bars)")
for result in winners:
    ax.text(result.year, result.top5_error + 0.5, f"{result.name}\n{result.top5_error:g} %", ha="center", fontsize=8)
# Paper results (not challenge entries) as markers right of their year's bar, named in the
# legend, so that no label sits on a bar.
for result, marker in zip(ilsvrc.paper_results(), "D^v"):
    ax.plot(result.year + 0.5, result.top5_error, marker, color="tab:orange", ms=7,
            label=f"paper: {result.name}, {result.top5_error:g} %")
ax.axhline(ilsvrc.HUMAN_TOP5_ERROR, color="tab:red", ls="--", lw=1, label=f"human, {ilsvrc.HUMAN_TOP5_ERROR} %")
ax.set_xticks(years)
ax.set_xlim(2009.4, 2016.8)
ax.set_ylabel("top-5 error (%)")
ax.set_ylim(0, 33)
ax.legend(loc="upper right", fontsize=8)
ax.set_title("ILSVRC classification: the winning entry of each year (grey: before CNNs)")
plt.show()

# %% [markdown]
# Among challenge entries ResNet was the first below the human 5.1 %; two papers of
# February 2015 (PReLU-net, then BN-Inception) had got there first. **ZF Net** (Zeiler and
# Fergus 2014; the 2013 winning entry, Clarifai, scored 11.7 %, the paper's own ensemble
# of six networks 14.8 %) is AlexNet with its first layer changed from 11x11 filters at
# stride 4 to 7x7 at stride 2 (one variant also widened layers 3-5 to 512, 1024, 512). They
# found that change by looking: their *deconvnet* projects a feature map back to pixel
# space, and it showed AlexNet's first-layer filters to be a mix of very high and very low
# frequencies with few in between, and its second-layer features aliased by the first
# layer's stride of 4.

# %% [markdown]
# ## 4. The degradation problem, and residual connections
#
# He et al. (2016) trained "plain" networks of 20 and 56 layers on CIFAR-10: the deeper
# one had the *higher training error*. In their words, "such degradation is not caused by
# overfitting, and adding more layers to a suitably deep model leads to higher training
# error" (overfitting would show as a *lower* training error). Nor is it a lack of capacity: a 56-layer network could copy the 20-layer one and
# make its other 36 layers the identity. So the optimiser fails to find that solution.
# Their fix lets each block learn a deviation from the identity, $y = x + F(x)$; the
# identity is then the easy default ($F = 0$).
#
# `arch.cifar_resnet(depth, residual)` is the paper's CIFAR network: a 3x3 convolution,
# three stages of basic blocks (two 3x3 convolutions each, 16, 32 and 64 channels), global
# average pooling, a dense classifier; depth = 6n + 2. With `residual=False` the shortcuts
# are gone; they carry no weights (zero-padding where the shape changes, option A), so plain
# and residual networks of one depth have exactly the same parameters. One basic block:

# %%
fig, ax = plt.subplots(figsize=(4.5, 2.8))
draw_block_diagram(ax, {
    "in": (0.3, 0.06, "x"), "c1": (0.3, 0.27, "3x3 conv, BN, ReLU"), "c2": (0.3, 0.5, "3x3 conv, BN"),
    "add": (0.3, 0.72, "+"), "relu": (0.3, 0.93, "ReLU"), "id": (0.8, 0.4, "identity\n(or 1x1 conv / zero pad)")},
    [("in", "c1"), ("c1", "c2"), ("c2", "add"), ("in", "id"), ("id", "add"), ("add", "relu")],
    title="Residual block: y = ReLU(x + F(x))")
plt.show()

# %% [markdown]
# Without the right-hand path the block is the *plain* block of the same network.
#
# ### What the gradients look like at initialisation
#
# One batch, one backward pass, before any training: $\lVert \partial L / \partial W
# \rVert$ for every convolution kernel, from the first layer to the last
# (`conv_kernel_gradient_norms`, written once for TensorFlow and once for JAX). Raw norms
# are not quite comparable across stages whose kernels have different sizes; and with
# batch normalisation after every convolution the loss does not change when a kernel is
# scaled, so what a step of SGD does to a layer is set by $\lVert \partial L / \partial W
# \rVert / \lVert W \rVert$. We print and plot both.

# %%
data = load_preferred(train_size=by_mode(fast=1024, full=20480), test_size=by_mode(fast=500, full=5000))
# CIFAR-10 when it can be downloaded; Fashion-MNIST, which the offline mirror has, is the
# planned fallback (the same code runs on either).
print("dataset:", data.name)
print("training images", data.x_train.shape, "test images", data.x_test.shape)

gradient_depth = 56
gradient_batch = slice(0, by_mode(fast=64, full=128))
gradient_norms = {}
for residual in (False, True):
    model = build_with_numpy_weights(arch.cifar_resnet, gradient_depth, residual=residual,
                                     input_shape=data.input_shape, num_classes=data.num_classes, seed=1)
    gradient_norms[model.name] = conv_kernel_gradient_norms(model, data.x_train[gradient_batch],
                                                            data.y_train[gradient_batch])
    kernel_norms = np.array([np.linalg.norm(keras.ops.convert_to_numpy(layer.kernel)) for layer in model.layers
                             if isinstance(layer, keras.layers.Conv2D)])
    gradient_norms[model.name + " relative"] = gradient_norms[model.name] / kernel_norms
spread = {}
for name, norms in gradient_norms.items():
    spread[name] = norms.max() / norms.min()
    measure = "||dL/dW|| / ||W||" if name.endswith("relative") else "||dL/dW||"
    print(f"{name.split()[0]:>9}: {measure:<17} first kernel {norms[0]:.3g}, last {norms[-1]:.3g}; "
          f"largest / smallest = {spread[name]:,.0f}")

# The plain network's gradients differ by orders of magnitude more from layer to layer,
# raw and relative to the weights alike.
assert spread["plain56"] > 20 * spread["resnet56"], spread
assert spread["plain56 relative"] > 20 * spread["resnet56 relative"], spread

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.3))
for ax, relative in zip(axes, (False, True)):
    for name, norms in gradient_norms.items():
        if name.endswith("relative") == relative:
            ax.semilogy(np.arange(1, len(norms) + 1), norms, "o-", ms=2, label=name.split()[0])
    ax.set_xlabel("convolution (1 = next to the input)")
    ax.set_title("||dL/dW|| / ||W||" if relative else "||dL/dW||")
    ax.legend(fontsize=9)
fig.suptitle(f"Gradients per layer at initialisation, {gradient_depth} layers")
fig.tight_layout()
plt.show()

# %% [markdown]
# What this shows, and what it does not. In the plain network with batch normalisation
# after every convolution, the gradient *grows* layer after layer on its way back to the
# input (the ratio is printed above); in the residual network the sum $x + F(x)$ passes it
# back through the identity paths and varies far less (5-fold against 1,804-fold here;
# 21-fold against 8,674-fold relative to the weights). This is not the
# vanishing gradient of lesson 03 (which shrank through sigmoids): it is *explosion at
# initialisation*, which batch normalisation itself causes in deep plain stacks (Yang et
# al. 2019, *A Mean Field Theory of Batch Normalization*), with gradients that look more
# and more like noise the deeper the stack (Balduzzi et al. 2017, *The Shattered
# Gradients Problem*, where shortcuts are the remedy).
#
# He et al. (2016, section 4.1, on their ImageNet plain networks of 18 and 34 layers) read
# their own plain networks differently: "These plain
# networks are trained with BN, which ensures forward propagated signals to have non-zero
# variances. We also verify that the backward propagated gradients exhibit healthy norms
# with BN. So neither forward nor backward signals vanish." They conjecture instead that
# deep plain networks "may have exponentially low convergence rates". Both readings agree
# that degradation is an optimisation problem, not overfitting; none of this printout
# proves which mechanism causes it, and the training runs below show the effect itself.
#
# ### Training error by depth
#
# Now train plain and residual networks of several depths on the same images with the
# same optimiser (SGD with momentum, as in the paper) and compare their *training* error
# (Keras's running mean over each epoch). Fast mode keeps it small enough for CI's 90 s
# budget for the whole lesson and still shows the effect: a shallow plain network (8 layers), a deeper one (32)
# and its residual twin, 8 channels wide, six epochs on 384 images shrunk to half their
# side (2x2 means). Full mode trains 8, 20 and 56 layers of both kinds, 16 channels wide,
# ten epochs on 20,480 full-size images. **How long:** in fast mode, about 20 s on an
# idle 2-core CPU (TensorFlow, 2026-11-29; most of it compiling the two 32-layer networks); full mode took 89
# minutes there with other jobs sharing the machine (2026-11-29, an upper bound). On a
# GPU it is faster; not measured here.

# %%
degradation_runs = by_mode(fast=((False, 8), (False, 32), (True, 32)),
                           full=tuple((residual, depth) for residual in (False, True) for depth in (8, 20, 56)))
degradation_epochs = by_mode(fast=6, full=10)
degradation_images = by_mode(fast=384, full=20480)
degradation_width = by_mode(fast=8, full=16)
degradation_batch = by_mode(fast=64, full=128)
shrink = by_mode(fast=2, full=1)  # fast mode: 2x2 means, a quarter of the work per image
count, height, width, colours = data.x_train[:degradation_images].shape
degradation_x = data.x_train[:degradation_images].reshape(
    count, height // shrink, shrink, width // shrink, shrink, colours).mean(axis=(2, 4))
degradation_y = data.y_train[:degradation_images]
training_error = {}
for residual, depth in tqdm(degradation_runs, desc="degradation networks", disable=is_fast_mode()):
    set_seed(42)
    model = build_with_numpy_weights(arch.cifar_resnet, depth, residual=residual, width=degradation_width,
                                     input_shape=degradation_x.shape[1:], num_classes=data.num_classes, seed=depth)
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    history = model.fit(degradation_x, degradation_y, batch_size=degradation_batch, epochs=degradation_epochs,
                        verbose=by_mode(fast=0, full=2))
    training_error[(residual, depth)] = [1 - a for a in history.history["accuracy"]]
    print(f"{model.name:>9}: training error by epoch "
          + " ".join(f"{error:.2f}" for error in training_error[(residual, depth)]))

# Judged on the mean training error over the epochs (the area under each curve), which
# varies less from run to run than the last epoch's on a few hundred images.
mean_error = {run: float(np.mean(errors)) for run, errors in training_error.items()}
shallow_plain = mean_error[(False, min(depth for _, depth in degradation_runs))]
deepest = max(depth for _, depth in degradation_runs)
deep_plain, deep_residual = mean_error[(False, deepest)], mean_error[(True, deepest)]
print(f"mean training error over the epochs: plain {degradation_runs[0][1]} layers {shallow_plain:.2f}, "
      f"plain {deepest} {deep_plain:.2f}, residual {deepest} {deep_residual:.2f}")
# A margin per mode that noise cannot fake (a broken or shortcut-less "residual" network
# fails it): in trial runs the gaps were about 0.2 in fast mode and 0.3 in full mode.
margin = by_mode(fast=0.1, full=0.03)
assert deep_plain > shallow_plain + margin, ("no degradation among the plain networks", training_error)
assert deep_residual < deep_plain - margin, ("the residual network trained no better", training_error)

# %%
fig, ax = plt.subplots(figsize=(7, 3.5))
for (residual, depth), errors in training_error.items():
    ax.plot(np.arange(1, len(errors) + 1), errors, "o-" if residual else "s--",
            label=f"{'residual' if residual else 'plain'}, {depth} layers")
ax.axhline(0.9, color="gray", lw=1, ls=":")
ax.text(1, 0.87, "chance", color="gray", fontsize=8, va="top")
ax.set_xlabel("epoch")
ax.set_ylabel("training error")
ax.set_ylim(0, 1)
ax.set_title(f"Degradation: training error, {len(degradation_x)} images")
ax.legend(fontsize=9)
plt.show()

# %% [markdown]
# The deeper plain network trains markedly worse than the shallow one, on the very images
# it is trained on, though it could have copied the shallow one and made its other layers
# the identity; its residual twin, same layers and same weights count, trains far better
# than the plain 32-layer network (the printed errors; asserted), though in six epochs on
# 384 images not yet as well as the 8-layer one. Full mode trains 8, 20 and 56 layers
# of both kinds for ten epochs on 20,480 images and asserts the same. Run on a 2-core CPU
# (Fashion-MNIST, TensorFlow, 16 channels, full-size images, 2026-11-29), it printed these
# training errors after ten epochs (mean over the epochs: plain 8 layers 0.13, plain 56
# 0.43, residual 56 0.12):
#
# | depth | plain | residual |
# |---|---|---|
# | 8 | 0.07 | 0.07 |
# | 20 | 0.07 | 0.06 |
# | 56 | 0.21 | 0.06 |
#
# The 56-layer plain network has three times the training error of the 20-layer one,
# though it could have copied it: that is the degradation. With shortcuts, 20 and 56 layers
# train equally well here, and better than any plain network. He et al. (their Figure 6
# and Table 6, on CIFAR-10 and for much longer) went further: from 20 to 110 layers the
# deeper residual network had the lower training and test error; at 1202 layers the
# training error stayed as low but the test error rose (7.93 % against 6.43 %), which they
# attribute to overfitting. Run full mode on a GPU and compare.
#
# The pre-activation variant (He et al. 2016b) moves batch normalisation and ReLU before
# each convolution, so that nothing at all sits on the identity path between blocks:
# `arch.basic_block(..., preactivation=True)` and `arch.cifar_resnet(..., preactivation=True)`.
# ResNet-50 and deeper use *bottleneck* blocks (1x1 down, 3x3, 1x1 up: `arch.bottleneck_block`).
#
# Shortcuts made depth cheap: He et al. trained ResNets of 152 layers on ImageNet (their
# ILSVRC 2015 entry; 8 times deeper than VGG and with fewer multiply-adds) and 1202 on
# CIFAR-10; with pre-activation blocks, 200 layers on ImageNet and 1001 on CIFAR (He et al.
# 2016b), the lecture's "200 on ImageNet and even 1001 on CIFAR". The residual block was
# soon in other architectures: Inception-ResNet (Szegedy et al. 2017), Xception (whose
# blocks carry shortcuts), detection (Faster R-CNN with a ResNet backbone won COCO 2015), and the skips
# of segmentation networks (lesson 07).
#
# ## 5. Accuracy, parameters and training time
#
# The small variant of each family, trained on the same images with the same recipe
# (Adam, batch 32). Training time is the mean time of an epoch after the first, so that it
# leaves out the first epoch's compilation of the training step. In fast mode only three
# families train (LeNet-5, AlexNet and VGG); full mode trains all seven.
#
# First what each small variant does to an image: the output shape after every block
# (pooling, Inception module, residual addition, dense-block concatenation), input first.

# %%
small_models = arch.small_models(data.input_shape, data.num_classes)
block_layers = (keras.layers.Add, keras.layers.Concatenate, keras.layers.MaxPooling2D, keras.layers.AveragePooling2D,
                keras.layers.GlobalAveragePooling2D, keras.layers.Flatten, keras.layers.Dense)


def block_shapes(build):
    """Output shapes after each block of ``build()``, built without weights (count_parameters)."""
    shapes = []

    def build_and_record():
        model = build()
        shapes.append(model.input_shape[1:])
        shapes.extend(layer.output.shape[1:] for layer in model.layers if isinstance(layer, block_layers))
        return model

    parameters = count_parameters(build_and_record).trainable
    unique = [shape for index, shape in enumerate(shapes) if index == 0 or shape != shapes[index - 1]]
    return parameters, " > ".join("x".join(str(size) for size in shape) for shape in unique)


for name, build in small_models.items():
    parameters, shapes = block_shapes(build)
    print(f"{name} ({parameters:,} parameters): {shapes}")

# %% [markdown]
# The pattern of the lecture is visible in every row: the maps shrink (28 to 14 to 7 or
# smaller) while the channels grow, and the older families end in dense layers while the
# newer ones end in global average pooling. DenseNet's row grows by its growth rate, 8
# channels, at every layer of a block and halves at each transition (section 6).
#
# **How long:** fast mode trains three families in about 10 s (TensorFlow, idle 2-core
# CPU, 2026-11-29); full mode trains
# seven for ten epochs each: 31 minutes on a 2-core CPU with other jobs sharing it
# (2026-11-29; the per-epoch times of the table below come from an earlier, quieter run).
# On a GPU it is faster; not measured here.

# %%
comparison_epochs = by_mode(fast=2, full=10)
# Fast mode trains the three cheapest: on a 2-core CPU each of the other four costs 15 to
# 37 s for its two epochs (ResNet-20 34 s on TensorFlow, Xception 37 s on JAX); together
# they cost several times the three.
families = by_mode(fast=("LeNet-5", "AlexNet", "VGG"), full=tuple(small_models))
comparison = {}
for name in tqdm(families, desc="families", disable=is_fast_mode()):
    build = small_models[name]
    set_seed(42)
    model = build_with_numpy_weights(build, seed=42)
    model.compile(optimizer=keras.optimizers.Adam(2e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    timer = EpochTimer()
    model.fit(data.x_train, data.y_train, batch_size=32, epochs=comparison_epochs, verbose=by_mode(fast=0, full=2),
              callbacks=[timer])
    _, accuracy = model.evaluate(data.x_test, data.y_test, batch_size=500, verbose=0)
    comparison[name] = (accuracy, count_of(model).trainable, float(np.mean(timer.after_first)))

print(f"{data.name}: {len(data.x_train)} training images, {comparison_epochs} epochs, "
      f"{len(data.x_test)} test images")
print(f"{'family':<11}{'test accuracy':>14}{'parameters':>12}{'s / epoch':>11}")
for name, (accuracy, parameters, seconds) in sorted(comparison.items(), key=lambda item: -item[1][0]):
    print(f"{name:<11}{accuracy:>14.3f}{parameters:>12,}{seconds:>11.2f}")

accuracies = np.array([accuracy for accuracy, _, _ in comparison.values()])
# Chance is 10 %. Thresholds per mode and dataset that a broken network cannot reach.
floor, best_floor = {"fashion-mnist": by_mode(fast=(0.2, 0.6), full=(0.8, 0.88)),
                     "cifar10": by_mode(fast=(0.15, 0.25), full=(0.35, 0.55))}[data.name]
assert accuracies.min() >= floor and accuracies.max() >= best_floor, comparison

# %%
fig, ax = plt.subplots(figsize=(7, 4))
for name, (accuracy, parameters, seconds) in comparison.items():
    ax.scatter(parameters, accuracy, s=40 + 400 * seconds / max(s for _, _, s in comparison.values()))
    ax.annotate(name, (parameters, accuracy), textcoords="offset points", xytext=(6, 4), fontsize=9)
ax.set_xscale("log")
ax.set_xlabel("trainable parameters")
ax.set_ylabel("test accuracy")
ax.set_title(f"Small variants on {data.name} (marker area: training time per epoch)")
plt.show()

# %% [markdown]
# Read the table with care: in fast mode each network saw about a thousand images twice, so
# the ranking says more about how quickly a family starts learning than about what it can
# reach, and the times are those of an idle 2-core CPU. Full mode trains all seven families
# for ten epochs on twenty times the data. Run on a 2-core CPU (Fashion-MNIST, 20,480
# training and 5,000 test images), it gave the table below; run again on 2026-11-29, it
# gave the same accuracies to the third digit, with epochs up to twice as long while other
# jobs shared the machine:
#
# | family | test accuracy | parameters | s / epoch |
# |---|---|---|---|
# | ResNet-20 | 0.884 | 269,434 | 56.83 |
# | GoogLeNet | 0.881 | 61,866 | 16.64 |
# | DenseNet | 0.877 | 46,362 | 33.78 |
# | VGG | 0.877 | 200,378 | 10.89 |
# | Xception | 0.876 | 27,338 | 18.44 |
# | LeNet-5 | 0.870 | 61,706 | 3.84 |
# | AlexNet | 0.870 | 238,042 | 11.63 |
#
# All seven end within 1.4 points of each other, while an epoch costs 15 times more for
# ResNet-20 than for LeNet-5: on small grey images after ten epochs, the families differ
# far more in cost than in accuracy. Their differences in accuracy are what the ImageNet
# table of section 3 shows, on much harder data. Note also how little the parameter count
# says on its own: the small ResNet-20 has more weights than the small AlexNet, but spends
# them on convolutions, not dense layers.
#
# ## 6. DenseNet: concatenate instead of add
#
# ResNet is one way to give the signal more than one path through a deep network. The
# lecture names others: *Highway networks* (Srivastava et al. 2015, shortcuts with learned
# gates, before ResNet), *stochastic depth* (Huang et al. 2016, which drops whole residual
# blocks at random during training, so that the network trains as an ensemble of shallower
# ones) and *FractalNet* (Larsson et al. 2017, many paths of different depths without any
# identity shortcut). DenseNet (Huang et al. 2017) takes the idea furthest:
#
# - In a **dense block** every layer receives the feature maps of *all* earlier layers of
#   the block, **concatenated** along the channels (not summed, as ResNet does), and adds
#   its own. Nothing learned is overwritten; later layers can reuse early features.
# - Each layer adds the same number of channels, the **growth rate** $k$ (32 in
#   DenseNet-121). A block that receives $C_0$ channels and has $L$ layers outputs
#   $C_0 + L\,k$: layer $\ell$ sees $C_0 + (\ell - 1)k$ channels.
# - Because those inputs get wide, each layer first applies a **1x1 bottleneck**
#   convolution to $4k$ channels, then its 3x3 convolution to $k$ (BN-ReLU before each:
#   "DenseNet-B").
# - Between blocks, **transition layers** (BN, a 1x1 convolution that halves the channels,
#   2x2 average pooling) shrink the maps and the width ("DenseNet-C"; both: DenseNet-BC).
#
# DenseNet-121's first block, measured: 64 channels in, 6 layers, growth rate 32.

# %%
# NBVAL_CHECK_OUTPUT
def first_dense_block():
    block_input = keras.Input((56, 56, 64))
    block_output = arch.dense_block(block_input, 6, 32)
    return keras.Model(block_input, [block_output, arch.transition_layer(block_output)])


shapes_seen = []


def record_concatenations():
    model = first_dense_block()
    shapes_seen.extend(layer.output.shape[-1] for layer in model.layers if isinstance(layer, keras.layers.Concatenate))
    shapes_seen.append(model.outputs[1].shape[1:])
    return model


block_count = count_parameters(record_concatenations)
print("channels after each layer's concatenation:", shapes_seen[:-1], "= 64 + l x 32")
print("after the transition layer:", shapes_seen[-1], "(channels halved, map halved)")
print(f"parameters of block and transition: {block_count.trainable:,}")

# %%
fig, ax = plt.subplots(figsize=(6, 2.4))
draw_block_diagram(ax, {
    "x0": (0.08, 0.3, "x0\nC0"), "h1": (0.3, 0.75, "BN-ReLU-1x1\nBN-ReLU-3x3"), "x1": (0.3, 0.3, "[x0, x1]\nC0+k"),
    "h2": (0.55, 0.75, "BN-ReLU-1x1\nBN-ReLU-3x3"), "x2": (0.55, 0.3, "[x0, x1, x2]\nC0+2k"),
    "t": (0.85, 0.3, "transition\n1x1 conv, 2x2 avg pool")},
    [("x0", "h1"), ("h1", "x1"), ("x0", "x1"), ("x1", "h2"), ("h2", "x2"), ("x1", "x2"), ("x2", "t")],
    title="Dense block: each layer's k new channels are concatenated")
plt.show()

# %% [markdown]
# In DenseNet-121 the growth rate is small (32) against the width a block reaches (up to
# 1024 channels): every layer adds a little to a shared "collective knowledge", the
# lecture's phrase. DenseNet-121 has 8.0M parameters against ResNet-50's 25.6M (section
# 1); Huang et al. report that a 20M-parameter DenseNet-201 matches the ImageNet error of a
# ResNet-101 with more than 40M.

# %% [markdown]
# ## Key points
# - LeNet-5 (61.7k parameters in its modern form), AlexNet (61M, two GPU halves), VGG-16
#   (138M, three quarters in the first dense layer), GoogLeNet (7.0M: 6.99M weights from
#   Table 1's filter columns, whose params column sums to 6.96M, + 8,280 biases; the
#   paper's "12× fewer" than AlexNet), Xception (22.9M), ResNet-50 (25.6M),
#   DenseNet-121 (8.0M): counted here, and equal to `keras.applications` with batch
#   normalisation's statistics counted (ResNet-50 once its convolutions get Keras's biases).
#   The lecture's "VGG ~180M" is no VGG configuration; VGG-16 has 138M, VGG-19 144M.
# - Two 3x3 convolutions see the same 5x5 window as one 5x5 (measured), with 18 C^2
#   instead of 25 C^2 weights and one more nonlinearity. 1x1 bottlenecks cut an Inception
#   module's cost by more than half; a separable convolution costs about 1/C_out + 1/k^2
#   of a regular one.
# - ImageNet top-5 error (challenge entries; the CNNs are ensembles on many crops): 26.2 %
#   for the best entry without a CNN in 2012 (the runner-up), 16.4 % for AlexNet (15.3 % with extra data), 3.57 % for ResNet
#   in 2015, the first entry below the human 5.1 %; 2.99 % in 2016. Papers (PReLU-net,
#   BN-Inception) passed 5.1 % first; Inception-v4's 3.08 % is a paper result.
# - Degradation: a deeper plain network trains *worse* on its own training images, and
#   its residual twin trains far better (plotted and asserted above). At initialisation the plain
#   BN network's gradients grow by orders of magnitude towards the input (explosion caused
#   by batch normalisation: Yang et al. 2019, Balduzzi et al. 2017), the residual one's
#   vary 5-fold (21-fold relative to the weights) against 1,804-fold (8,674); He et al. themselves found "healthy norms" and conjecture slow
#   convergence, not vanishing gradients.
# - DenseNet concatenates instead of adding: a block outputs $C_0 + L\,k$ channels
#   (growth rate $k$); 1x1 bottlenecks and transition layers keep its width in check.

# %% [markdown]
# ## Exercises
#
# Each exercise has a solution cell (collapsed in Colab: click "Show code" to see it) and
# a check cell. In your own copy, write your answer in place of the solution and run the
# check: it prints "Correct", or which case went wrong and what was expected.
# `exercise_1.hint()` gives a nudge and `exercise_1.solution()` a worked solution.

# %%
from course_utils.exercises import NotDoneYet
from course_utils.exercises.lesson05 import exercise_1, exercise_2

# %% [markdown]
# ### Exercise 1: a residual block
#
# Write `residual_block(x, filters, strides=1)`, the original ResNet basic block, with
# Keras layers: a 3x3 convolution (`strides`, 'same' padding, no bias), batch
# normalisation, ReLU, a second 3x3 convolution (no bias), batch normalisation; then add
# the shortcut and apply ReLU. The shortcut is `x` itself when the shape does not change,
# otherwise a 1x1 convolution with the same stride (no bias) and batch normalisation.
# The check builds your block on four input shapes and configurations, compares the
# output shapes and parameter counts with a reference, compares the outputs when both
# have the same non-zero weights, and sets every convolution weight to zero to see that
# the identity gets through.

# %% [markdown]
# #### Solution

# %%
# @title Solution { display-mode: "form" }
def residual_block(x, filters, strides=1):
    ### BEGIN SOLUTION
    layers = keras.layers
    y = layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=False)(x)
    y = layers.ReLU()(layers.BatchNormalization()(y))
    y = layers.Conv2D(filters, 3, padding="same", use_bias=False)(y)
    y = layers.BatchNormalization()(y)
    shortcut = x
    if strides != 1 or x.shape[-1] != filters:  # the shape changes: project
        shortcut = layers.Conv2D(filters, 1, strides=strides, use_bias=False)(x)
        shortcut = layers.BatchNormalization()(shortcut)
    return layers.ReLU()(layers.Add()([y, shortcut]))
    ### END SOLUTION

# %%
exercise_1.check(residual_block)
# exercise_1.hint()
# exercise_1.solution()

# %% [markdown]
# ### Exercise 2: channels out of a dense block
#
# DenseNet-121's third dense block receives 256 channels and has 24 layers with growth
# rate 32. How many channels does the block output (before the transition layer that
# follows it)? Work it out, then confirm with `arch.dense_block`.

# %% [markdown]
# #### Solution

# %%
# @title Solution { display-mode: "form" }
dense_block_channels = ...  # your answer: a whole number
### BEGIN SOLUTION
dense_block_channels = 256 + 24 * 32  # every layer's 32 new channels are concatenated to its input


def third_dense_block():
    block_input = keras.Input((14, 14, 256))
    return keras.Model(block_input, arch.dense_block(block_input, 24, 32))


print("Keras:", build_with_numpy_weights(third_dense_block).output_shape)
### END SOLUTION

# %%
exercise_2.check(dense_block_channels)
