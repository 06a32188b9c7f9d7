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
# # Lesson 07: U-Net segmentation
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/open-cnn-course/cnn-course/blob/main/notebooks/07_unet_segmentation.ipynb)
#
# So far every network answered one question per image: *which digit is this?* The
# lectures close with a harder task, **segmentation**: "not only identify the class(es)
# of the objects in the image but locate them pixelwise". The network now answers for
# every pixel. We build the tools for that one at a time: the 1x1 convolution that
# replaces dense layers, the transposed convolution that makes feature maps bigger again,
# and the **U-Net** of Ronneberger, Fischer and Brox (2015, [arXiv:1505.04597](https://arxiv.org/abs/1505.04597)),
# which the lecture calls a "Network used for biomedical image segmentation... (but
# generic segmentation architecture)".
# We train it on microscopy-like images of touching cells made on the fly, with the
# paper's weight map that teaches the network to separate touching cells, measure it
# with pixel accuracy, IoU and Dice, and in full mode train the same code on photographs
# of cats and dogs (Oxford-IIIT Pet; offline, a small synthetic stand-in in the same
# archive format). The lesson ends with the lectures' five conclusions: new
# architectures, not only brute force; several paths through a network (ResNet,
# DenseNet, the U-Net's skips) seem beneficial; 1-D convolutions for time series and 3-D
# for video; segmentation as well as classification; and GPUs.
#
# The committed outputs come from **fast mode on a CPU** (64x64 images, a small U-Net, a
# few epochs). In full mode the images are larger, the network wider and deeper and the
# training longer: in its one run (2-core CPU, TensorFlow, 2026-11-29; README) section 7's
# U-Net reached a test Dice of 0.977 (fast mode's is printed below), section 8 found
# 4,393 of 4,441 cells (99 %) with the border term against 3,350 (75 %) without, and the
# stand-in pets reached a Dice of 0.990, against 0.415 for predicting "all pet".

# %% [markdown]
# ## What you will learn
# - What a segmentation network outputs, and how a fully convolutional network (FCN)
#   replaces dense layers with 1x1 convolutions and then upsamples.
# - The transposed convolution by hand, as loops and as the gradient of a convolution,
#   equal to `keras.layers.Conv2DTranspose`.
# - The U-Net: contracting path, expanding path and skip connections ("copy and crop");
#   why the paper's network has about 31 million weights and ours far fewer.
# - The paper's weight map, which weighs the thin gaps between touching cells, and its
#   measured effect on how many cells come out as separate objects, with the border term
#   measured on its own.
# - Pixel accuracy, IoU and Dice, including what they say about empty masks.
# - The lectures' conclusions: 1-D convolutions for signals, 3-D convolutions for video.
#
# **How long it takes.** Fast mode (the committed outputs) is meant to take under 2
# minutes on an idle 2-core CPU (CI's limit for this lesson), longer when other jobs
# share the cores. Full mode trains two U-Nets on 1,500 larger images and one on the pets: on a
# 2-core CPU the whole lesson took 56 minutes once, partly shared with other jobs, with the
# offline stand-in for the pets (TensorFlow, 2026-11-29; each training cell says beforehand
# what it took); the real pets are 4.6 times as many photos: expect about two and a half
# hours there. On a GPU it is
# faster (not measured here). In full mode every training prints one line per epoch.

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
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
from scipy import ndimage

from course_utils.convolution import conv2d_backward
from course_utils.env import enable_gpu_memory_growth
from course_utils.figures import show_jpeg, use_course_style
from course_utils.jax_max_pool import speed_up_max_pool_gradient
from course_utils.mode import by_mode, describe_mode, is_fast_mode
from course_utils.seed import set_seed
from course_utils.segmentation_metrics import (count_separated_objects, mean_dice, mean_iou,
                                               per_image_dice, pixel_accuracy)
from course_utils.synthetic_cells import make_cells
from course_utils.unet import build_unet, paper_unet, valid_output_size
from course_utils.unet_figure import draw_unet
from course_utils.weight_map import class_balance_weights, unet_weight_map

print(describe_mode())
print("Keras", keras.__version__, "on", keras.backend.backend())
rng = set_seed(42)
enable_gpu_memory_growth()
speed_up_max_pool_gradient()  # JAX on a CPU only (else nothing): max-pooling's gradient, faster, identical results
use_course_style()  # figures at 72 dpi; noisy images are shown as JPEG to stay small

# %% [markdown]
# ## 1. From classification to segmentation
#
# A classifier maps an image to one vector of class scores. A segmentation network maps
# an image of H x W pixels to H x W vectors of class scores: a **label per pixel**. For
# the cells below there are two classes, background (0) and cell (1), and the target is
# a mask the size of the image.
#
# The lessons' CNNs ended with `Flatten` and `Dense`, which throw the pixel layout away.
# A **fully convolutional network** (FCN, Long, Shelhamer and Darrell 2015) has no dense
# layer: a dense layer applied to the channel vector of every pixel is a convolution with
# a 1x1 kernel, so it keeps the layout and accepts images of any size. The same weights
# in both layers give the same numbers:

# %%
# NBVAL_CHECK_OUTPUT
features = rng.normal(size=(1, 4, 4, 8)).astype("float32")  # a 4x4 feature map, 8 channels
dense = keras.layers.Dense(3)
one_by_one = keras.layers.Conv2D(3, kernel_size=1)
dense.build((None, 8))
one_by_one.build((None, 4, 4, 8))
weights, bias = rng.normal(size=(8, 3)).astype("float32"), np.zeros(3, "float32")
dense.set_weights([weights, bias])
one_by_one.set_weights([weights.reshape(1, 1, 8, 3), bias])  # (kh, kw, in, out)

per_pixel = keras.ops.convert_to_numpy(dense(features.reshape(16, 8))).reshape(1, 4, 4, 3)
convolved = keras.ops.convert_to_numpy(one_by_one(features))
print("Dense on every pixel:", per_pixel.shape, "| 1x1 convolution:", convolved.shape)
print("the same numbers:", np.allclose(per_pixel, convolved, atol=1e-5))

# %% [markdown]
# The pooling layers of a CNN make the feature maps small (that is what lets deep layers
# see a large part of the image). To get back to one label per input pixel, an FCN
# **upsamples**; the layer it learns to do that with is the transposed convolution.

# %% [markdown]
# ## 2. The transposed convolution by hand
#
# A convolution with stride 2 maps a 5x5 image to a 2x2 output (lesson 02). A transposed
# convolution goes the other way: every input pixel **stamps** a copy of the kernel,
# scaled by its value, into the output, and the stamps are `stride` pixels apart and
# add up where they overlap. An input of side n becomes (n - 1) * stride + kernel.

# %%
# NBVAL_CHECK_OUTPUT
def transposed_conv2d_loops(x, kernel, stride):
    """One channel: x (n, n), kernel (k, k) -> ((n - 1) * stride + k, same)."""
    n, k = x.shape[0], kernel.shape[0]
    output = np.zeros(((n - 1) * stride + k,) * 2)
    for i in range(n):
        for j in range(n):
            output[i * stride:i * stride + k, j * stride:j * stride + k] += x[i, j] * kernel
    return output


x_small = np.array([[1.0, 2.0], [3.0, 4.0]])
kernel = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 2.0]])
by_loops = transposed_conv2d_loops(x_small, kernel, stride=2)
print(by_loops)

# %% [markdown]
# Where does the name come from? A convolution is linear, so the stride-2 convolution of
# a 5x5 image with our 3x3 kernel is a matrix C (4x25) times the flattened image; column
# j of C is the convolution of the image that is 1 at pixel j and 0 elsewhere. The
# transposed convolution is multiplication by C transposed (25x4): a 2x2 input gives
# 25 numbers, a 5x5 image (this is how *Dive into Deep Learning*, section "Transposed
# Convolution", introduces it):

# %%
# NBVAL_CHECK_OUTPUT
def strided_conv2d(image, kernel, stride):
    """The lesson 02 convolution (cross-correlation), valid, one channel."""
    k = kernel.shape[0]
    n = (image.shape[0] - k) // stride + 1
    return np.array([[np.sum(image[i * stride:i * stride + k, j * stride:j * stride + k] * kernel)
                      for j in range(n)] for i in range(n)])


unit_images = np.eye(25).reshape(25, 5, 5)  # image j: 1 at pixel j
C = np.stack([strided_conv2d(unit, kernel, 2).ravel() for unit in unit_images], axis=1)
print("C:", C.shape, "| C.T @ x, reshaped to 5x5, equal to the loops:",
      np.allclose((C.T @ x_small.ravel()).reshape(5, 5), by_loops))

# %% [markdown]
# Multiplying by C transposed is exactly what backpropagation does to send the gradient
# of the convolution's output back to its input. So lesson 02's backward pass,
# `conv2d_backward`, computes a transposed convolution when we hand it our small input
# as "the gradient of the output":

# %%
# NBVAL_CHECK_OUTPUT
grad_input, _, _ = conv2d_backward(grad_output=x_small.reshape(1, 2, 2, 1),
                                   x=np.zeros((1, 5, 5, 1)), w=kernel.reshape(3, 3, 1, 1), stride=2)
print("as the gradient of a convolution, equal to the loops:",
      np.allclose(grad_input[0, :, :, 0], by_loops))

transposed = keras.layers.Conv2DTranspose(1, kernel_size=3, strides=2, padding="valid", use_bias=False)
transposed.build((None, 2, 2, 1))
transposed.set_weights([kernel.reshape(3, 3, 1, 1)])  # (kh, kw, out channels, in channels)
by_keras = keras.ops.convert_to_numpy(transposed(x_small.reshape(1, 2, 2, 1).astype("float32")))
print("keras.layers.Conv2DTranspose, equal to the loops:", np.allclose(by_keras[0, :, :, 0], by_loops))

# %% [markdown]
# The stamps of a 3x3 kernel 2 pixels apart **overlap unevenly**: count how many stamps
# cover each output pixel (a transposed convolution of ones with a kernel of ones):

# %%
# NBVAL_CHECK_OUTPUT
print("kernel 3, stride 2: stamps per output pixel\n",
      transposed_conv2d_loops(np.ones((2, 2)), np.ones((3, 3)), stride=2).astype(int))
print("kernel 2, stride 2:\n", transposed_conv2d_loops(np.ones((2, 2)), np.ones((2, 2)), stride=2).astype(int))

# %% [markdown]
# With kernel 3 the middle row and column get two stamps (where they cross, the centre
# pixel gets four) and the others one: stacked in a generator, this uneven overlap paints a regular
# **checkerboard artifact** on the output (Odena, Dumoulin and Olah 2016, "Deconvolution
# and Checkerboard Artifacts", Distill), which is why upsampling is often done by
# resizing and then convolving (`build_unet(upsampling="nearest")`). With kernel 2 and
# stride 2, as in the U-Net, the stamps do not overlap: every input pixel becomes a
# learned 2x2 patch, and the map doubles in size.

# %% [markdown]
# ## 3. The U-Net
#
# The U-Net (figure 1 of the paper) is an FCN in the shape of a U:
#
# - a **contracting path**: blocks of two 3x3 convolutions, each followed by a ReLU, then
#   a 2x2 max-pooling with stride 2; the number of channels doubles at every level (64, 128, 256, 512, 1024);
# - an **expanding path**: a 2x2 up-convolution that doubles the size and halves the
#   channels, then the **skip connection**, a concatenation with the contracting path's
#   feature map of the same scale (fine detail that the pooling threw away), and again
#   two 3x3 convolutions;
# - a 1x1 convolution to one score per class for every pixel.
#
# The paper's network uses **unpadded** ("valid") convolutions: a 3x3 kernel has no
# full window at the 1-pixel rim of its input, so each convolution loses 1 pixel at
# every edge, 2 off the side length, and a block of two loses 4. The contracting path's
# map is therefore larger than the expanding path's map it is joined to (136 against
# 104 at the third level below): the paper **copies** it across and **crops** its
# centre to the smaller size before the concatenation ("copy and crop" in figure 1;
# `Cropping2D` in `build_unet`). The border lost on the way is why a 572x572 tile gives
# a 388x388 map, and why the paper predicts large images tile by tile with overlapping
# inputs (below). The drawing, from the same arithmetic (bar height: side;
# bar width: channels; side and channels printed beside each bar):

# %%
fig, axis = plt.subplots(figsize=(8, 3.4))
draw_unet(axis, input_size=572, depth=4, base_width=64, padding="valid")
axis.set_title("the paper's U-Net (after its figure 1)")
plt.tight_layout()
plt.show()

# %% [markdown]
# `course_utils.unet.build_unet` writes it with the depth, the width and the kind of
# upsampling as parameters (read its source: it is short). The paper's configuration:

# %%
# NBVAL_CHECK_OUTPUT
paper_network = paper_unet(kernel_initializer="zeros")  # zeros: we only count the weights
print(f"the paper's U-Net: input {paper_network.input_shape[1:]}, output "
      f"{paper_network.output_shape[1:]}, {paper_network.count_params():,} weights")
print("output side computed by hand:", valid_output_size(572, depth=4))
del paper_network  # 124 MB of weights we do not train

# %% [markdown]
# 31 million weights, most of them in the deepest levels (a 3x3 convolution from 512 to
# 1024 channels alone has 4.7 million).
#
# **Overlap-tile.** Because the output is 184 pixels smaller than the input, the paper
# segments an image of any size tile by tile: to predict a 388x388 square it feeds the
# 572x572 square around it, so the input tiles overlap by 184 pixels; at the image's
# edge, where there is no context, it mirrors the image (section 1 and figure 2 of the
# paper). Every
# output pixel then sees its full context, and the tiles join without seams.
# For small images of cells we need far less:
# padded convolutions (the output has the input's size), less depth, a fraction of the
# width, and batch normalisation so that it trains in a few epochs.

# %%
# NBVAL_CHECK_OUTPUT
image_size = by_mode(fast=64, full=96)
depth = by_mode(fast=3, full=4)
base_width = by_mode(fast=8, full=12)


def make_unet(channels=1, size=image_size):
    return build_unet((size, size, channels), num_classes=2, depth=depth, base_width=base_width,
                      upsampling="transpose", padding="same", batch_norm=True)


unet = make_unet()
print(f"our U-Net: depth {depth}, base width {base_width}, {unet.count_params():,} weights")
for layer in unet.layers:  # the feature map after every block: down the U and up again
    if layer.name.endswith("relu2"):
        print(f"  {layer.name.removesuffix('_relu2'):>10}: {layer.output.shape[1:]}")
print(f"  {'logits':>10}: {unet.output_shape[1:]}")

# %% [markdown]
# ## 4. Data: touching cells, made on the fly
#
# The paper segments cells in light-microscopy images, and its hard cases are cells that
# touch. `course_utils.synthetic_cells.make_cells` draws images like that: elliptical
# cells of different brightness with texture, many pressed against each other, faint
# dark lines where they touch, blurry debris, uneven illumination, blur and noise. For
# every image it also returns the **instance mask** (0 for background, 1..K for the
# cells) and the **foreground mask** (cell or not). As in the paper's ground truth, the
# pixels where two cells touch are background: a thin gap separates them. The data are
# generated from a seed, so every run sees the same images.

# %%
n_train = by_mode(fast=384, full=1500)  # fast: a multiple of the batch of 16, so no short last batch
n_test = by_mode(fast=200, full=500)
train_cells = make_cells(n_train, size=image_size, seed=1)
test_cells = make_cells(n_test, size=image_size, seed=2)
print(f"{n_train} training and {n_test} test images of {image_size}x{image_size} pixels")
print(f"cells per image: {np.mean([m.max() for m in train_cells.instances]):.1f} on average; "
      f"foreground: {train_cells.foreground.mean():.1%} of the pixels")

# %%
fig, axes = plt.subplots(3, 5, figsize=(7.5, 4.8))
for column in range(5):
    axes[0, column].imshow(train_cells.images[column, ..., 0], cmap="gray", vmin=0, vmax=1)
    axes[1, column].imshow(np.ma.masked_equal(train_cells.instances[column], 0), cmap="tab20",
                           interpolation="nearest")
    axes[2, column].imshow(train_cells.foreground[column], cmap="gray", interpolation="nearest")
for row, title in enumerate(["image", "instances", "foreground"]):
    axes[row, 0].set_ylabel(title)
for axis in axes.flat:
    axis.set_xticks([])
    axis.set_yticks([])
plt.tight_layout()
show_jpeg(fig, quality=50)

# %% [markdown]
# **Augmentation for segmentation.** With real data there are few annotated images (the
# paper's EM data set had 30 training images of 512x512, its cell data sets 35 and 20
# partially annotated ones), so they are augmented, and every geometric change must be
# applied to the image and its mask **together**: a flipped image with an unflipped mask
# teaches nonsense. Of the paper's augmentations, elastic deformations "seem to be the key
# concept to train a segmentation network with very few annotated images": "random
# displacement vectors on a coarse 3 by 3 grid", "sampled from a Gaussian distribution
# with 10 pixels standard deviation", with "per-pixel displacements ... computed using
# bicubic interpolation" (section 3.1). The image is resampled with interpolation, the
# mask with nearest neighbour, so that labels stay labels. Our generator makes as many
# images as we like, so the training below does not augment; here is what it would do
# (2 pixels of standard deviation: our choice for 64- or 96-pixel images; the paper
# uses 10 pixels):

# %%
def flip_pair(image, mask, axis=1):
    """The same mirror image of the image and of its mask."""
    return np.flip(image, axis=axis), np.flip(mask, axis=axis)


def elastic_pair(image, mask, generator, grid=3, pixels=2.0):
    """The paper's elastic deformation, one displacement field for image and mask."""
    side = mask.shape[0]
    coarse = generator.normal(0, pixels, size=(2, grid, grid))  # a (dy, dx) per grid point
    dy, dx = (ndimage.zoom(field, side / grid, order=3) for field in coarse)  # cubic spline (the paper: "bicubic")
    rows, columns = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    where = [rows + dy, columns + dx]
    return (ndimage.map_coordinates(image, where, order=1, mode="reflect"),
            ndimage.map_coordinates(mask, where, order=0, mode="reflect"))


augment_rng = np.random.default_rng(0)
image, mask = train_cells.images[0, ..., 0], train_cells.instances[0]
deformed_image, deformed_mask = elastic_pair(image, mask, augment_rng)
pairs = [("original", (image, mask)), ("flipped", flip_pair(image, mask)),
         ("elastic", (deformed_image, deformed_mask))]
print("labels after the elastic deformation are still labels:",
      set(np.unique(deformed_mask)) <= set(np.unique(mask)))
fig, axes = plt.subplots(2, 3, figsize=(5.4, 3.8))
for column, (title, (shown_image, shown_mask)) in enumerate(pairs):
    axes[0, column].imshow(shown_image, cmap="gray", vmin=0, vmax=1)
    axes[0, column].set_title(title)
    axes[1, column].imshow(np.ma.masked_equal(shown_mask, 0), cmap="tab20", interpolation="nearest")
for axis in axes.flat:
    axis.set_xticks([])
    axis.set_yticks([])
plt.tight_layout()
show_jpeg(fig, quality=50)

# %% [markdown]
# ## 5. The weight map
#
# With a plain pixel-wise cross-entropy, the one-or-two-pixel gaps between touching cells
# hardly count: they are a few percent of the pixels, and predicting "cell" across them
# costs little. Then two touching cells come out as one blob. The paper's answer
# (equation 2) is to weigh each pixel's loss by
#
# $$w(x) = w_c(x) + w_0 \exp\left(-\frac{(d_1(x) + d_2(x))^2}{2\sigma^2}\right)$$
#
# where $w_c$ balances the two classes, $d_1$ and $d_2$ are, in the paper's words, "the
# distance to the border of the nearest cell" and "the distance to the border of the
# second nearest cell", $w_0 = 10$ and $\sigma \approx 5$ pixels. The second term, the
# **border term**, is large only where two cells are close on **both** sides: in the gaps.
# `course_utils.weight_map.unet_weight_map` computes it from the instance masks (one SciPy
# distance transform per cell).
#
# Two choices of ours to know about. $w_c$ here gives each class half of the total
# weight: a cell pixel weighs 1 / (2 x 19 %), about 2.6, a background pixel about 0.6.
# And the border term is added to **background pixels only** (`background_only=True`,
# our choice; the paper's equation does not restrict it): inside a
# cell $d_1 = 0$, and the term would also weigh up each cell's own rim next to a
# neighbour, which is not the gap we want learnt.

# %%
started = time.perf_counter()
train_weights = unet_weight_map(train_cells.instances, w0=10, sigma=5)
print(f"weight maps for {n_train} images in {time.perf_counter() - started:.1f} s")
print(f"mean weight: {train_weights.mean():.2f}; largest: {train_weights.max():.2f}")
# The gaps, from the labels alone (not from the weights): background pixels with two
# different cells within 2 pixels, i.e. two labels in their 5x5 window.
labels = train_cells.instances
nearby_largest = ndimage.maximum_filter(labels, size=(1, 5, 5))
nearby_smallest = ndimage.minimum_filter(np.where(labels > 0, labels, labels.max() + 1), size=(1, 5, 5))
gaps = (labels == 0) & (nearby_smallest <= labels.max()) & (nearby_smallest != nearby_largest)
print(f"gaps between touching cells (background within 2 pixels of two cells): {gaps.mean():.1%} of "
      f"the pixels, mean weight {train_weights[gaps].mean():.2f}; other background "
      f"{train_weights[(labels == 0) & ~gaps].mean():.2f}; cells {train_weights[labels > 0].mean():.2f}")

# %%
example = int(np.argmax([len(np.unique(m)) for m in train_cells.instances[:20]]))
fig, axes = plt.subplots(1, 3, figsize=(10, 3.4))
axes[0].imshow(train_cells.images[example, ..., 0], cmap="gray", vmin=0, vmax=1)
axes[0].set_title("image")
axes[1].imshow(train_cells.foreground[example], cmap="gray", interpolation="nearest")
axes[1].set_title("foreground (with gaps)")
shown = axes[2].imshow(train_weights[example], cmap="magma", interpolation="nearest")
axes[2].set_title("weight map")
fig.colorbar(shown, ax=axes[2], fraction=0.046)
for axis in axes:
    axis.set_xticks([])
    axis.set_yticks([])
plt.tight_layout()
plt.show()

# %% [markdown]
# The bright lines of the weight map are the gaps: there a wrong answer costs several
# times as much as at an average pixel (compare the mean weights printed above).

# %% [markdown]
# ## 6. How good is a segmentation? Pixel accuracy, IoU and Dice
#
# With TP, FP and FN the true positive, false positive and false negative pixels:
#
# - **pixel accuracy**: the fraction of pixels labelled right;
# - **IoU** (intersection over union): TP / (TP + FP + FN);
# - **Dice**: 2 TP / (2 TP + FP + FN), which equals 2 IoU / (1 + IoU) for each image
#   (means over images differ slightly).
#
# For an image with no object at all, and a prediction with none, both would be 0/0: we
# count that as a perfect 1, and an empty prediction for an image with an object (or the
# reverse) as 0. `course_utils.segmentation_metrics` implements them with that convention
# (and refuses an empty stack of masks rather than return NaN); the scores below are
# means over test images. Before training anything: what do trivial
# answers score?

# %%
all_background = np.zeros_like(test_cells.foreground)
all_foreground = np.ones_like(test_cells.foreground)
for name, guess in [("all background", all_background), ("all foreground", all_foreground)]:
    print(f"{name:>15}: pixel accuracy {pixel_accuracy(guess, test_cells.foreground):.3f}, "
          f"IoU {mean_iou(guess, test_cells.foreground):.3f}, "
          f"Dice {mean_dice(guess, test_cells.foreground):.3f}")

# The best single brightness threshold, chosen on the training images.
thresholds = np.linspace(0.1, 0.9, 33)
train_scores = [mean_dice(train_cells.images[:200, ..., 0] > t, train_cells.foreground[:200])
                for t in thresholds]
best_threshold = thresholds[int(np.argmax(train_scores))]
threshold_dice = mean_dice(test_cells.images[..., 0] > best_threshold, test_cells.foreground)
print(f"{'threshold ' + format(best_threshold, '.3f'):>15}: Dice {threshold_dice:.3f}")

# %% [markdown]
# "All background" has a high pixel accuracy and a Dice of 0: pixel accuracy rewards the
# majority class, which is why segmentation is scored with IoU or Dice. A brightness
# threshold falls short, probably because of the uneven illumination and the debris. The network
# must do clearly better than all of these.

# %% [markdown]
# ## 7. Training the U-Net with the weight map
#
# Keras computes the pixel-wise cross-entropy for labels of shape (N, H, W) and logits
# of shape (N, H, W, 2), and multiplies each pixel's loss by `sample_weight` when that
# has the shape (N, H, W): that is the whole weighted loss. The same function trains on
# the cells and, in section 9, on photographs. In full mode it prints one line per epoch.
#
# **How long:** in fast mode about 15 s per network on an idle 2-core CPU (14 s here,
# 15 s in section 8; TensorFlow, 2026-11-29; the committed run below, slower: 33 s). Full mode does about 65 times the arithmetic (3.9 times the
# images, 2.25 times the pixels, 2.5 times the epochs, and 2.9 times the multiply-adds
# per pixel in the wider network, one level deeper). Measured once (TensorFlow,
# 2026-11-29): this section's network took 1,013 s, about 17 minutes, partly with other
# jobs sharing the machine, and section 8's 748 s, about 12 minutes, on the idle machine
# (64 to 92 s per epoch): about 29 minutes for the two; on a GPU it is faster (not
# measured here).

# %%
epochs = by_mode(fast=4, full=10)
batch_size = 16


def train_segmenter(model, images, foreground, pixel_weights, epochs=epochs, peak_learning_rate=3e-3):
    """Adam with a cosine-decaying learning rate; cross-entropy per pixel, times its weight."""
    steps = -(-len(images) // batch_size) * epochs
    schedule = keras.optimizers.schedules.CosineDecay(peak_learning_rate, steps, alpha=0.05)
    model.compile(optimizer=keras.optimizers.Adam(schedule),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    started = time.perf_counter()
    history = model.fit(images, foreground, sample_weight=pixel_weights, epochs=epochs,
                        batch_size=batch_size, verbose=by_mode(fast=0, full=2))
    seconds = time.perf_counter() - started
    print(f"trained {epochs} epochs on {len(images)} images in {seconds:.0f} s; "
          f"loss {history.history['loss'][0]:.3f} -> {history.history['loss'][-1]:.3f}")
    return seconds


def predict_foreground(model, images):
    """The class with the larger logit, per pixel."""
    return np.argmax(model.predict(images, batch_size=100, verbose=0), axis=-1).astype(np.uint8)


set_seed(42)
unet = make_unet()
weighted_seconds = train_segmenter(unet, train_cells.images, train_cells.foreground, train_weights)
predicted = predict_foreground(unet, test_cells.images)
test_dice = mean_dice(predicted, test_cells.foreground)
print(f"test: pixel accuracy {pixel_accuracy(predicted, test_cells.foreground):.3f}, "
      f"IoU {mean_iou(predicted, test_cells.foreground):.3f}, Dice {test_dice:.3f}")

# %%
# The learning outcome. "All foreground" and the best threshold score far below these.
min_dice = by_mode(fast=0.85, full=0.95)
assert test_dice >= min_dice, f"U-Net test Dice {test_dice:.3f} < {min_dice}"
assert test_dice > threshold_dice + 0.05, "the U-Net should beat a brightness threshold clearly"

# %% [markdown]
# **Another answer to class imbalance: the Dice loss.** Instead of weighing the pixels,
# one can minimise 1 - Dice directly, computed on the predicted probabilities so that it
# has a gradient ("soft" Dice; Milletari, Navab and Ahmadi 2016, V-Net). Dice counts
# only the foreground's overlap, so the many easy background pixels cannot dominate it.
# It is often added to the cross-entropy. On our trained network, for the first 50 test
# images (the soft value is larger: a pixel predicted with probability 0.8 counts 0.8):

# %%
def soft_dice_loss(foreground, logits, smooth=1.0):
    """1 - the mean over images of (2 sum(p t) + smooth) / (sum(p) + sum(t) + smooth),
    p the probability of 'cell'; smooth makes two empty masks score 1, as in section 6."""
    probability = keras.ops.softmax(logits, axis=-1)[..., 1]
    truth = keras.ops.cast(foreground, probability.dtype)
    overlap = keras.ops.sum(probability * truth, axis=(1, 2))
    total = keras.ops.sum(probability, axis=(1, 2)) + keras.ops.sum(truth, axis=(1, 2))
    return 1.0 - keras.ops.mean((2.0 * overlap + smooth) / (total + smooth))


test_logits = unet.predict(test_cells.images[:50], verbose=0)
print(f"soft Dice loss {float(soft_dice_loss(test_cells.foreground[:50], test_logits)):.3f}; "
      f"1 - Dice of the hard masks {1 - mean_dice(predicted[:50], test_cells.foreground[:50]):.3f}")


# %% [markdown]
# Predictions beside the ground truth for the test images where the network did worst
# (lowest Dice); the sections below show typical ones:

# %%
def show_predictions(indices, title):
    fig, axes = plt.subplots(3, len(indices), figsize=(1.6 * len(indices), 5))
    dice_each = per_image_dice(predicted, test_cells.foreground)
    for column, index in enumerate(indices):
        axes[0, column].imshow(test_cells.images[index, ..., 0], cmap="gray", vmin=0, vmax=1)
        axes[1, column].imshow(test_cells.foreground[index], cmap="gray", interpolation="nearest")
        axes[2, column].imshow(predicted[index], cmap="gray", interpolation="nearest")
        axes[2, column].set_xlabel(f"Dice {dice_each[index]:.2f}")
    for row, name in enumerate(["image", "truth", "prediction"]):
        axes[row, 0].set_ylabel(name)
    for axis in axes.flat:
        axis.set_xticks([])
        axis.set_yticks([])
    fig.suptitle(title)
    plt.tight_layout()
    show_jpeg(fig, quality=50)


worst = np.argsort(per_image_dice(predicted, test_cells.foreground))[:4]
show_predictions(worst, "the four worst test images")

# %% [markdown]
# Typical mistakes to look for in the worst images: specks predicted on debris or on
# noise in brightly lit corners, dim cells partly missed, rims a pixel too wide or too
# narrow, and gaps not cut all the way through. These are the places where the image
# itself is ambiguous.

# %% [markdown]
# ## 8. Does the border term separate touching cells?
#
# Dice counts pixels. Whether touching cells come out as **separate objects** is a
# different question: we split the predicted foreground into connected regions and count
# a true cell as found when one region covers it with IoU above 0.5
# (`count_separated_objects`). Two touching cells predicted as one blob count as at most
# one found.
#
# The weight map changes two things at once compared with a plain cross-entropy: the
# class balance $w_c$ and the border term. To measure the **border term alone**, the
# comparison is the same network trained with $w_c$ only (the weight map without its
# border term); everything else (data, seed, epochs, schedule) is the same.
#
# **How long:** like section 7, about 15 s in fast mode on an idle 2-core CPU, and about 12
# minutes in full mode there (748 s on the idle machine, measured once, 2026-11-29);
# faster on a GPU (not measured here).

# %%
set_seed(42)
balanced_unet = make_unet()
balanced_seconds = train_segmenter(balanced_unet, train_cells.images, train_cells.foreground,
                                   class_balance_weights(train_cells.foreground))
balanced_predicted = predict_foreground(balanced_unet, test_cells.images)

found_weighted, total_cells = count_separated_objects(predicted, test_cells.instances)
found_balanced, _ = count_separated_objects(balanced_predicted, test_cells.instances)
print(f"{total_cells} cells in the test images")
print(f"  w_c + border term (the weight map): {found_weighted} found as separate objects "
      f"({found_weighted / total_cells:.0%}), Dice {mean_dice(predicted, test_cells.foreground):.3f}")
print(f"  w_c only (no border term):          {found_balanced} found as separate objects "
      f"({found_balanced / total_cells:.0%}), Dice {mean_dice(balanced_predicted, test_cells.foreground):.3f}")

# %%
# The learning outcome of the border term: it at least halves the cells that are not
# found on their own (merged with a neighbour, or missed).
missed_weighted, missed_balanced = total_cells - found_weighted, total_cells - found_balanced
print(f"cells not found: {missed_weighted} with the border term, {missed_balanced} without")
assert missed_weighted <= 0.5 * missed_balanced, (missed_weighted, missed_balanced)
assert found_weighted >= by_mode(fast=0.75, full=0.85) * total_cells, found_weighted

# %% [markdown]
# The class balance alone does not separate the cells: it weighs every cell pixel up
# (about 2.6 against 0.6 for background), so where in doubt the network probably says
# "cell", and the narrow gaps between touching cells are the pixels most in doubt. The border
# term weighs exactly those gap pixels up, and with it the cells come apart, while the
# Dice changes by only a few hundredths: the two networks agree on almost every pixel,
# and the difference is in the few gap pixels that decide whether a cell can be counted.
# Each connected region of the predictions in its own colour:

# %%
crowded = np.argsort([-len(np.unique(m)) for m in test_cells.instances])[:4]
fig, axes = plt.subplots(3, 4, figsize=(6.8, 5.2))
for column, index in enumerate(crowded):
    axes[0, column].imshow(test_cells.images[index, ..., 0], cmap="gray", vmin=0, vmax=1)
    for row, prediction in ((1, predicted), (2, balanced_predicted)):
        regions, count = ndimage.label(prediction[index])
        axes[row, column].imshow(np.ma.masked_equal(regions, 0), cmap="tab20", interpolation="nearest")
        axes[row, column].set_xlabel(f"{count} regions, {test_cells.instances[index].max()} cells")
for row, name in enumerate(["image", "weight map", "w_c only"]):
    axes[row, 0].set_ylabel(name)
for axis in axes.flat:
    axis.set_xticks([])
    axis.set_yticks([])
plt.tight_layout()
show_jpeg(fig, quality=50)

# %% [markdown]
# ## 9. The same code on photographs: Oxford-IIIT Pet
#
# Nothing above is specific to cells. The lesson trains the same U-Net builder with the
# same `train_segmenter` on the Oxford-IIIT Pet photographs (Parkhi et al. 2012): 37
# breeds of cats and dogs with **trimaps** marking pet, background and outline, which
# `course_utils.pet_segmentation` turns into a pet/background mask. There are no
# touching instances here, so the weight map is the class balance $w_c$ alone.
#
# The real archives are about 800 MB. In full mode the lesson downloads them (Colab, or
# a local mirror). In fast mode (CI), or when the download fails, it writes a small
# **stand-in** instead: synthetic photos of one animal on a cluttered background, with
# trimaps, packed in the official archive layout and read by the same loader
# (`write_stand_in_archives`, `load_stand_in_pets`). Everything from the archive to the
# U-Net is then the real code path; the pictures are not real photographs, and their
# scores say nothing about Oxford-IIIT Pet. The printed "Dataset:" line says which one
# ran.
#
# **How long:** the stand-in in fast mode trains 60 steps of 16 photos (a cell network
# 96 steps of 16 images): about 10 s on an idle 2-core CPU (9 s on 2026-11-29; the
# committed run, slower: 27 s), longer on a shared one. Full mode
# downloads 800 MB, decodes 4,680 photos (a progress bar) and trains 20 epochs on 3,680
# photos of 128x128: on a 2-core CPU that is hours (each photo has 1.8 times the pixels
# of a full-mode 96x96 cell image, 4 times those of fast mode's 64x64; offline, the
# stand-in's 800 photos took 1,533 s for the 20 epochs there, 2026-11-29, and the real
# training set is 4.6 times as many); on a GPU it is faster (not measured here).

# %%
import tempfile

from course_utils.pet_segmentation import (load_pet_segmentation, load_stand_in_pets,
                                           write_stand_in_archives)
from data_download import DatasetError

pet_size = by_mode(fast=64, full=128)
pets = None
if not is_fast_mode():
    try:
        pets = load_pet_segmentation(n_train=3680, n_test=1000, size=pet_size)
        pet_source = "Oxford-IIIT Pet"
    except DatasetError as error:
        print(f"Oxford-IIIT Pet could not be fetched ({error.reason}); using the stand-in.")
if pets is None:
    stand_in_folder = write_stand_in_archives(tempfile.mkdtemp(), n_trainval=by_mode(fast=160, full=800),
                                              n_test=by_mode(fast=40, full=200), seed=0)
    pets = load_stand_in_pets(stand_in_folder, size=pet_size)
    pet_source = "STAND-IN (synthetic photos in the official archive format, not Oxford-IIIT Pet)"
(pet_train_images, pet_train_masks), (pet_test_images, pet_test_masks) = pets
print(f"Dataset: {pet_source}: {len(pet_train_images)} training and {len(pet_test_images)} test "
      f"photos of {pet_size}x{pet_size}; pet pixels: {pet_train_masks.mean():.0%}")

# %%
set_seed(42)
pet_unet = make_unet(channels=3, size=pet_size)
pet_epochs = by_mode(fast=6, full=20)
pet_seconds = train_segmenter(pet_unet, pet_train_images, pet_train_masks, class_balance_weights(pet_train_masks),
                epochs=pet_epochs, peak_learning_rate=by_mode(fast=3e-3, full=2e-3))
pet_predicted = predict_foreground(pet_unet, pet_test_images)
pet_dice = mean_dice(pet_predicted, pet_test_masks)
print(f"{pet_source.split(' (')[0]} test: pixel accuracy "
      f"{pixel_accuracy(pet_predicted, pet_test_masks):.3f}, "
      f"IoU {mean_iou(pet_predicted, pet_test_masks):.3f}, Dice {pet_dice:.3f}")
# Guessing "pet" everywhere already scores something, because pets fill much of each
# photo; a working network must be clearly above that guess.
all_pet_dice = mean_dice(np.ones_like(pet_test_masks), pet_test_masks)
print(f"all-pet guess: Dice {all_pet_dice:.3f}")
assert pet_dice >= max(by_mode(fast=0.75, full=0.80), all_pet_dice + 0.1), f"pet Dice {pet_dice:.3f}"

# %%
fig, axes = plt.subplots(3, 4, figsize=(6, 4.8))
pet_dice_each = per_image_dice(pet_predicted, pet_test_masks)
for column in range(4):
    axes[0, column].imshow(pet_test_images[column])
    axes[1, column].imshow(pet_test_masks[column], cmap="gray", interpolation="nearest")
    axes[2, column].imshow(pet_predicted[column], cmap="gray", interpolation="nearest")
    axes[2, column].set_xlabel(f"Dice {pet_dice_each[column]:.2f}")
for row, name in enumerate(["photo", "truth", "prediction"]):
    axes[row, 0].set_ylabel(name)
for axis in axes.flat:
    axis.set_xticks([])
    axis.set_yticks([])
fig.suptitle(pet_source.split(" (")[0])
plt.tight_layout()
show_jpeg(fig, quality=40)

# %% [markdown]
# ## 10. Conclusions: beyond images
#
# The lectures end with five points:
#
# 1. "Convolutional networks are still being developed and improved ... not only brute
#    force but also novel architectures".
# 2. "It seems that having multiple possibilities of traversing the network is very
#    beneficial". Lesson 05 showed two of those architectures: ResNet's shortcut gives
#    the signal a path around every block (and its deep network trained where the plain
#    one degraded), and DenseNet concatenates every earlier map into each layer. The
#    U-Net's skips are another: fine detail goes straight across the U instead of
#    through the bottleneck at 1/8 or 1/16 of the resolution.
# 3. Convolutional networks are used primarily for images, but also for **time series**
#    (1-D convolutions) and **video** (3-D convolutions): below.
# 4. "Apart from classification, CNNs are also used e.g. for image segmentation": this
#    lesson.
# 5. GPUs are "currently absolutely crucial for computation": below.
#
# ### A 1-D convolution on a time series
#
# A kernel slides along one axis instead of two. A small example: noisy signals of 200
# samples, half of which hide a short burst (a sine under a bell curve) somewhere. A
# Conv1D network that detects the burst wherever it is:

# %%
def make_signals(n, seed, length=200):
    generator = np.random.default_rng(seed)
    signals = generator.normal(0, 0.5, size=(n, length))
    has_burst = generator.random(n) < 0.5
    t = np.arange(length)
    for i in np.flatnonzero(has_burst):
        centre = generator.uniform(20, length - 20)
        signals[i] += 1.5 * np.sin(0.8 * (t - centre)) * np.exp(-((t - centre) / 6) ** 2)
    return signals[..., np.newaxis].astype("float32"), has_burst.astype("float32")


signals_train, bursts_train = make_signals(by_mode(fast=1500, full=5000), seed=3)
signals_test, bursts_test = make_signals(1000, seed=4)
set_seed(42)
detector = keras.Sequential([
    keras.Input(shape=(200, 1)),
    keras.layers.Conv1D(8, kernel_size=9, activation="relu"),  # (200, 1) -> (192, 8)
    keras.layers.MaxPooling1D(2),
    keras.layers.Conv1D(16, kernel_size=9, activation="relu"),
    keras.layers.GlobalMaxPooling1D(),  # "is it anywhere?": the largest response over time
    keras.layers.Dense(1),
])
detector.compile(optimizer=keras.optimizers.Adam(3e-3),
                 loss=keras.losses.BinaryCrossentropy(from_logits=True),
                 metrics=[keras.metrics.BinaryAccuracy(threshold=0.0)])
detector.fit(signals_train, bursts_train, epochs=by_mode(fast=8, full=15), batch_size=64,
             verbose=by_mode(fast=0, full=2))
_, detection_accuracy = detector.evaluate(signals_test, bursts_test, verbose=0)
print(f"Conv1D burst detector: {detector.count_params()} weights, test accuracy {detection_accuracy:.3f} "
      f"(guessing: 0.5)")
assert detection_accuracy >= by_mode(fast=0.9, full=0.95)

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 2.4), sharey=True)
for axis, index in zip(axes, [np.flatnonzero(bursts_test)[0], np.flatnonzero(bursts_test == 0)[0]]):
    axis.plot(signals_test[index, :, 0], linewidth=0.8)
    axis.set_title("with a burst" if bursts_test[index] else "noise only")
plt.tight_layout()
plt.show()

# %% [markdown]
# ### The shape arithmetic of a 3-D convolution
#
# A video is a stack of frames: (frames, height, width, channels). A 3-D kernel of
# t x k x k slides over time as well as space, so a layer sees motion, not only shape.
# Without padding every axis shrinks by the kernel size minus one, and the layer has
# t * k * k * channels_in * filters weights plus one bias per filter:

# %%
# NBVAL_CHECK_OUTPUT
video = np.zeros((1, 16, 64, 64, 3), dtype="float32")  # 16 RGB frames of 64x64
conv3d = keras.layers.Conv3D(8, kernel_size=(3, 5, 5))
output = conv3d(video)
frames, height, width = 16 - 3 + 1, 64 - 5 + 1, 64 - 5 + 1
print(f"video {video.shape[1:]} -> Conv3D(8, kernel (3, 5, 5)) -> {tuple(output.shape[1:])}")
print(f"by hand: ({frames}, {height}, {width}, 8); weights {3 * 5 * 5 * 3 * 8} + {8} biases "
      f"= {conv3d.count_params()}")

# %% [markdown]
# ### GPUs
#
# Every multiply-add of these convolutions is independent of the others, which is what
# a GPU is built for. The lecture's "Example from the first journal club using keras"
# "reaches 99.0% accuracy (MNIST subset)" with "CPU computation time: 14min GPU
# computation time: 42s". Here the U-Nets trained in the times printed in sections
# 7 to 9 (the committed ones on a 2-core CPU). Lesson 00 times a matrix multiplication on the CPU
# and on a GPU, not this training; to see the difference for a U-Net, run this lesson in
# Colab on a GPU and compare the printed seconds with the committed ones (measured on a
# CPU). The full lesson (larger images, a wider network, and 3,680 pet photos) is meant
# for a Colab GPU.

# %%
print(f"this run ({keras.backend.backend()} backend): the two cell U-Nets trained in "
      f"{weighted_seconds:.0f} s and {balanced_seconds:.0f} s; the pets in {pet_seconds:.0f} s")

# %% [markdown]
# ## Key points
# - Segmentation labels every pixel. A fully convolutional network keeps the pixel layout
#   by using 1x1 convolutions where a classifier had dense layers, then upsamples.
# - A transposed convolution stamps the kernel, scaled by each input pixel, `stride`
#   pixels apart: it is multiplication by the transposed matrix of a strided convolution,
#   the gradient of that convolution with respect to its input, and `Conv2DTranspose`
#   computes exactly that. Where the stamps overlap unevenly (kernel 3, stride 2) they
#   can cause checkerboard artifacts (Odena et al. 2016); kernel 2, stride 2 does not overlap.
# - The U-Net halves the image and doubles the channels on the way down, doubles the
#   image and halves the channels on the way up, and concatenates the matching
#   contracting-path map at each level. With unpadded convolutions (1 pixel lost at
#   every edge per 3x3 convolution) that map is larger and is cropped first ("copy and
#   crop"), and 572 pixels in give 388 out. The paper's network has 31,030,658 weights;
#   a small one is enough for small images.
# - The paper's weight map gives the narrow gaps between touching cells a high weight
#   (8.81 on average in the gaps here, against 1.11 elsewhere in the background and
#   2.64 in the cells; at most w0 + w_c; on background pixels only, in our
#   implementation). Measured on its own
#   (against w_c alone), the border term is what separates touching cells, while the
#   Dice hardly changes.
# - Pixel accuracy rewards the majority class; use IoU or Dice, and say what an empty
#   mask scores. A Dice loss is another answer to class imbalance.
# - Image and mask are augmented together (flips and the paper's elastic deformations,
#   shown above; the short training runs here do not augment).
# - The lectures' conclusions: novel architectures, several paths through the network
#   (ResNet, DenseNet, the U-Net's skips), 1-D convolutions on time series, 3-D
#   convolutions on video, segmentation as well as classification, and GPUs to make it
#   practical.

# %% [markdown]
# ## Exercises
#
# Each exercise is followed by its solution and a check cell. In your own copy, write your
# answer in place of the solution and run the check: it prints "Correct", or which case
# went wrong and what was expected.

# %%
from course_utils.exercises import NotDoneYet
from course_utils.exercises.lesson07 import exercise_1, exercise_2

# %% [markdown]
# ### Exercise 1: the Dice coefficient
#
# Write `dice(predicted, truth)` for two binary masks of the same shape (0/1 or bool
# arrays): 2 TP / (2 TP + FP + FN). Follow the lesson's convention for empty masks: 1.0
# when both are empty, 0.0 when only one is. The check runs it on hidden masks.

# %% [markdown]
# #### Solution

# %%
# @title Solution { display-mode: "form" }
def dice(predicted, truth):
    ### BEGIN SOLUTION
    predicted, truth = np.asarray(predicted, bool), np.asarray(truth, bool)
    true_positive = np.sum(predicted & truth)
    total = predicted.sum() + truth.sum()  # = 2 TP + FP + FN
    if total == 0:
        return 1.0  # both empty: nothing to find, nothing found
    return 2 * true_positive / total
    ### END SOLUTION


# %%
exercise_1.check(dice)
# exercise_1.hint()
# exercise_1.solution()

# %% [markdown]
# ### Exercise 2: how much does an unpadded U-Net shrink?
#
# Write `unet_output_size(input_size, depth)`: the output side of the paper's U-Net with
# `depth` poolings and unpadded 3x3 convolutions (two per block; each loses 1 pixel at
# every edge, so 2 off the side length; 2x2 pooling halves, the up-convolution doubles).
# For 572 and depth 4 it is 388. Return a whole number (an `int`). The check uses only
# input sizes that fit.

# %% [markdown]
# #### Solution

# %%
# @title Solution { display-mode: "form" }
def unet_output_size(input_size, depth):
    ### BEGIN SOLUTION
    size = input_size
    for _ in range(depth):
        size = (size - 4) // 2  # a block of two convolutions, then pooling
    size -= 4  # the bottleneck block
    for _ in range(depth):
        size = 2 * size - 4  # up-convolution, then a block
    return size
    ### END SOLUTION


# %%
exercise_2.check(unet_output_size)
# exercise_2.hint()
# exercise_2.solution()
