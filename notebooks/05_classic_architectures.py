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
# The lectures' case studies, LeNet-5, AlexNet, ZF Net, VGG, GoogLeNet (Inception),
# Xception, ResNet and DenseNet, as code you can read, count and train. We count every
# network's parameters and check the counts against the papers and `keras.applications`,
# work out where the savings of 3x3 stacks, 1x1 bottlenecks and separable convolutions come
# from, plot the ImageNet results that made these networks famous, repeat the experiment
# that motivated residual connections, and train a small member of each family.
#
# The committed outputs come from fast mode on a CPU (tiny subsets, one or two epochs), so
# their accuracies are low and their times are CPU times. On a Colab GPU in full mode the
# same code trains on more data for longer, downloads CIFAR-10, and repeats the
# degradation experiment at the paper's depths.

# %% [markdown]
# ## What you will learn
# - The layers of LeNet-5, AlexNet, VGG-16, GoogLeNet, Xception, ResNet-50 and
#   DenseNet-121, and how many parameters each has (ours, the papers', Keras's).
# - Why two 3x3 convolutions beat one 5x5, why Inception puts 1x1 convolutions before its
#   3x3 and 5x5, and what a depthwise-separable convolution saves, in parameters and
#   multiply-adds.
# - How the ImageNet top-5 error fell from 26 % to 3 % between 2011 and 2016.
# - The *degradation problem*: a deeper plain network trains worse, a residual one does
#   not, and what the gradients at initialisation show.
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
from course_utils.figures import use_course_style
from course_utils.image_datasets import load_preferred
from course_utils.mode import by_mode, describe_mode
from course_utils.numpy_initialization import build_with_numpy_weights
from course_utils.parameter_counts import (conv_multiply_adds, conv_parameters, count_of, count_parameters,
                                           count_parameters_by_layer, separable_multiply_adds,
                                           separable_parameters)
from course_utils.seed import set_seed
from course_utils.weight_gradients import conv_kernel_gradient_norms

print(describe_mode())
rng = set_seed(42)
enable_gpu_memory_growth()
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
#   inception 3a has 163,328 = 159.5 x 1024 weights, listed as 159K); they add up to
#   about 6.8M. Ours adds the biases.
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
# layers by global average pooling.
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
# for a 3x3 kernel and many output channels.
# `arch.separable_conv` writes it as its two steps (`DepthwiseConv2D`, then a 1x1
# `Conv2D`), and `tests/test_architectures.py` checks that it computes exactly what
# `SeparableConv2D` computes.
#
# ## 3. The ImageNet challenge, 2010-2016
#
# The ILSVRC classification task: 1.2 million training images, 1000 classes, and the
# *top-5 error*, the fraction of test images whose true class is not among the network's
# five best guesses. Sources: Russakovsky et al., *ImageNet Large Scale Visual Recognition
# Challenge*, IJCV 2015 (2010-2014 and the human 5.1 %, with Karpathy's 2014 blog post);
# He et al. 2016 (ResNet, 3.57 %); Szegedy et al. 2017 (Inception-v4, 3.08 %, a paper
# result rather than a challenge entry).

# %%
# NBVAL_CHECK_OUTPUT
for result in ilsvrc.RESULTS:
    print(f"{result.year}  {result.name:<16} {result.top5_error:5.2f} %  {result.note}")
alexnet_result = next(r for r in ilsvrc.RESULTS if r.name == "AlexNet")
runner_up = next(r for r in ilsvrc.RESULTS if r.year == 2012 and r is not alexnet_result)
print(f"AlexNet's margin in 2012: {runner_up.top5_error - alexnet_result.top5_error:.1f} points; "
      f"first below the human {ilsvrc.HUMAN_TOP5_ERROR} %: {ilsvrc.first_below_human().name}")

# %%
fig, ax = plt.subplots(figsize=(8, 3.8))
winners = ilsvrc.winners()
ax.bar([str(r.year) for r in winners], [r.top5_error for r in winners],
       color=["tab:blue" if r.convolutional else "tab:gray" for r in winners])
for position, result in enumerate(winners):
    ax.text(position, result.top5_error + 0.5, f"{result.name}\n{result.top5_error:g} %", ha="center", fontsize=9)
ax.axhline(ilsvrc.HUMAN_TOP5_ERROR, color="tab:red", ls="--")
ax.text(-0.4, ilsvrc.HUMAN_TOP5_ERROR + 0.5, f"human, {ilsvrc.HUMAN_TOP5_ERROR} %", color="tab:red")
ax.set_ylabel("top-5 error (%)")
ax.set_ylim(0, 33)
ax.set_title("ILSVRC classification: best result per year (grey: before CNNs)")
plt.show()

# %% [markdown]
# ## 4. The degradation problem, and residual connections
#
# He et al. (2016) trained "plain" networks of 20 and 56 layers on CIFAR-10: the deeper
# one had the *higher training error*. Not overfitting (that would lower the training
# error), and not a lack of capacity: a 56-layer network could copy the 20-layer one and
# make its other 36 layers the identity. So the optimiser fails to find that solution.
# Their fix lets each block learn a deviation from the identity, $y = x + F(x)$; the
# identity is then the easy default ($F = 0$).
#
# `arch.cifar_resnet(depth, residual)` is the paper's CIFAR network: a 3x3 convolution,
# three stages of basic blocks (two 3x3 convolutions each, 16, 32 and 64 channels), global
# average pooling, a dense classifier; depth = 6n + 2. With `residual=False` the shortcuts
# are gone; they carry no weights (zero-padding where the shape changes, option A), so plain
# and residual networks of one depth have exactly the same parameters.
#
# ### What the gradients look like at initialisation
#
# One batch, one backward pass, before any training: $\lVert \partial L / \partial W
# \rVert$ for every convolution kernel, from the first layer to the last
# (`conv_kernel_gradient_norms`, written once for TensorFlow and once for JAX).

# %%
data = load_preferred(train_size=by_mode(fast=1024, full=20480), test_size=by_mode(fast=500, full=5000))
print("dataset:", data.why)
print("training images", data.x_train.shape, "test images", data.x_test.shape)

gradient_depth = 56
gradient_batch = slice(0, by_mode(fast=64, full=128))
gradient_norms = {}
for residual in (False, True):
    model = build_with_numpy_weights(arch.cifar_resnet, gradient_depth, residual=residual,
                                     input_shape=data.input_shape, num_classes=data.num_classes, seed=1)
    gradient_norms[model.name] = conv_kernel_gradient_norms(model, data.x_train[gradient_batch],
                                                            data.y_train[gradient_batch])
spread = {}
for name, norms in gradient_norms.items():
    spread[name] = norms.max() / norms.min()
    print(f"{name:>9}: {len(norms)} kernels; gradient norm at the first {norms[0]:.3g}, at the last "
          f"{norms[-1]:.3g}; largest / smallest = {spread[name]:,.0f}")

# The plain network's gradients differ by orders of magnitude more from layer to layer.
assert spread["plain56"] > 20 * spread["resnet56"], spread

# %%
fig, ax = plt.subplots(figsize=(8, 3.5))
for name, norms in gradient_norms.items():
    ax.semilogy(np.arange(1, len(norms) + 1), norms, "o-", ms=3, label=name)
ax.set_xlabel("convolution (1 = next to the input)")
ax.set_ylabel("||dL/dW|| at initialisation")
ax.set_title(f"Gradient norms per layer, {gradient_depth} layers")
ax.legend()
plt.show()

# %% [markdown]
# In the residual network every kernel's gradient has a similar size: the sum $x + F(x)$
# passes the gradient from the loss straight back through the identity paths to every
# block. In the plain network, with batch normalisation after every convolution, the
# gradient grows layer after layer on its way back to the input; the printout above gives
# the ratio. (Without batch normalisation it would shrink instead, as in lesson 03: either
# way a deep plain stack distorts the gradient, and no single learning rate suits layers
# whose gradients differ by that much.)
#
# ### Training error by depth
#
# Now train plain and residual networks of several depths on the same images with the
# same optimiser (SGD with momentum, as in the paper) and compare their *training* error.

# %%
degradation_depths = by_mode(fast=(8, 14), full=(8, 20, 56))
degradation_epochs = by_mode(fast=1, full=10)
degradation_images = by_mode(fast=512, full=20480)
training_error = {}
for residual in (False, True):
    for depth in degradation_depths:
        set_seed(42)
        model = build_with_numpy_weights(arch.cifar_resnet, depth, residual=residual,
                                         input_shape=data.input_shape, num_classes=data.num_classes, seed=depth)
        model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
        history = model.fit(data.x_train[:degradation_images], data.y_train[:degradation_images],
                            batch_size=128, epochs=degradation_epochs, verbose=0)
        training_error[(residual, depth)] = [1 - a for a in history.history["accuracy"]]
        print(f"{model.name:>9}: training error after {degradation_epochs} epoch(s) "
              f"{training_error[(residual, depth)][-1]:.3f}")

deepest, shallower = degradation_depths[-1], degradation_depths[-2]
if by_mode(fast=False, full=True):  # one epoch on 512 images (fast mode) shows nothing reliable
    plain_deepest = training_error[(False, deepest)][-1]
    assert plain_deepest > training_error[(False, shallower)][-1], "no degradation among the plain networks"
    assert training_error[(True, deepest)][-1] < plain_deepest, "the residual network trained no better"

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.5), sharey=True)
for ax, residual in zip(axes, (False, True)):
    for depth in degradation_depths:
        errors = training_error[(residual, depth)]
        ax.plot(np.arange(1, len(errors) + 1), errors, "o-", label=f"{depth} layers")
    ax.set_title("residual" if residual else "plain")
    ax.set_xlabel("epoch")
    ax.legend()
axes[0].set_ylabel("training error")
plt.show()

# %% [markdown]
# In fast mode these runs are far too short to show anything (one epoch on a few hundred
# images, depths 8 and 14): they only prove that the code runs. Full mode trains 8, 20 and
# 56 layers for ten epochs on 20,480 images, and asserts that the deepest plain network
# trains worse than the next one and than the residual network of its depth. Run once on a
# 2-core CPU (Fashion-MNIST, TensorFlow), it gave these training errors after ten epochs:
#
# | depth | plain | residual |
# |---|---|---|
# | 8 | 0.072 | 0.071 |
# | 20 | 0.071 | 0.058 |
# | 56 | 0.188 | 0.060 |
#
# The 56-layer plain network has more than twice the training error of the 20-layer one,
# though it could have copied it: that is the degradation. With shortcuts, 20 and 56 layers
# train equally well here, and better than any plain network. He et al. (their Figure 6, on
# CIFAR-10 and for much longer) went one step further: among their residual networks the
# deepest had the lowest error. Run full mode on a GPU and compare.
#
# The pre-activation variant (He et al. 2016b) moves batch normalisation and ReLU before
# each convolution, so that nothing at all sits on the identity path between blocks:
# `arch.basic_block(..., preactivation=True)` and `arch.cifar_resnet(..., preactivation=True)`.
# ResNet-50 and deeper use *bottleneck* blocks (1x1 down, 3x3, 1x1 up: `arch.bottleneck_block`).
#
# ## 5. Accuracy, parameters and training time
#
# The small variant of each family, trained on the same images with the same recipe
# (Adam, batch 32). Training time is the mean time of an epoch after the first, so that it
# leaves out the first epoch's compilation of the training step. In fast mode only four
# families train (LeNet-5, AlexNet, VGG and ResNet-20); full mode trains all seven.

# %%
comparison_epochs = by_mode(fast=2, full=10)
small_models = arch.small_models(data.input_shape, data.num_classes)
# Fast mode trains four of the seven: compiling the training steps of the other three
# (dozens of layers each) alone would take most of CI's time budget.
families = by_mode(fast=("LeNet-5", "AlexNet", "VGG", "ResNet-20"), full=tuple(small_models))
comparison = {}
for name in families:
    build = small_models[name]
    set_seed(42)
    model = build_with_numpy_weights(build, seed=42)
    model.compile(optimizer=keras.optimizers.Adam(2e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    timer = EpochTimer()
    model.fit(data.x_train, data.y_train, batch_size=32, epochs=comparison_epochs, verbose=0, callbacks=[timer])
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
# reach, and the times are CPU times on a busy machine. Full mode trains all seven families
# for ten epochs on twenty times the data. Run once on a 2-core CPU (Fashion-MNIST, 20,480
# training and 5,000 test images), it gave:
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

# %% [markdown]
# ## Key points
# - LeNet-5 (61.7k parameters in its modern form), AlexNet (61M, two GPU halves), VGG-16
#   (138M, three quarters in the first dense layer), GoogLeNet (7M), ResNet-50 (25.6M),
#   DenseNet-121 (8.0M): counted here, and equal to `keras.applications` where it has them.
#   The lecture's "VGG ~180M" is no VGG configuration; VGG-16 has 138M, VGG-19 144M.
# - Two 3x3 convolutions see a 5x5 window with 18 C^2 instead of 25 C^2 weights.
#   1x1 bottlenecks cut an Inception module's cost by more than half; a separable
#   convolution costs about 1/k^2 of a regular one.
# - The ImageNet top-5 error fell from 26.2 % (the best method without a CNN, 2012) to
#   16.4 % (AlexNet) and 3.57 % (ResNet, 2015), below the human 5.1 %.
# - Degradation: deeper plain networks train *worse* (He et al. 2016). Residual blocks
#   $y = x + F(x)$ keep the gradient at a similar size in every layer; at initialisation
#   the plain network's gradients differ by orders of magnitude from layer to layer.
# - DenseNet concatenates instead of adding; 1x1 bottlenecks and transition layers keep
#   its width in check.

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
# The check builds your block on hidden input shapes and configurations, compares the
# output shape and parameter count with a reference, and sets every convolution weight to
# zero to see that the identity gets through.

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
