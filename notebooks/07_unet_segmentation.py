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
# "used for biomedical image segmentation, but a generic segmentation architecture".
# We train it on microscopy-like images of touching cells made on the fly, with the
# paper's weight map that teaches the network to separate touching cells, measure it
# with pixel accuracy, IoU and Dice, and in full mode train the same code on photographs
# of cats and dogs (Oxford-IIIT Pet). The lesson ends with the lectures' conclusions:
# 1-D convolutions for time series, 3-D convolutions for video, and why GPUs matter.
#
# The committed outputs come from **fast mode on a CPU** (64x64 images, a small U-Net, a
# few epochs). On a Colab GPU in full mode the images are larger, the network wider and
# the training longer, so the scores are higher than the ones printed here.

# %% [markdown]
# ## What you will learn
# - What a segmentation network outputs, and how a fully convolutional network (FCN)
#   replaces dense layers with 1x1 convolutions and then upsamples.
# - The transposed convolution by hand, as loops and as the gradient of a convolution,
#   equal to `keras.layers.Conv2DTranspose`.
# - The U-Net: contracting path, expanding path and skip connections; why the paper's
#   network has about 31 million weights and ours far fewer.
# - The paper's weight map, which weighs the thin gaps between touching cells, and its
#   measured effect on how many cells come out as separate objects.
# - Pixel accuracy, IoU and Dice, including what they say about empty masks.
# - The lectures' conclusions: 1-D convolutions for signals, 3-D convolutions for video.

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
from course_utils.mode import by_mode, describe_mode, is_fast_mode
from course_utils.seed import set_seed
from course_utils.segmentation_metrics import (count_separated_objects, mean_dice, mean_iou,
                                               per_image_dice, pixel_accuracy)
from course_utils.synthetic_cells import make_cells
from course_utils.unet import build_unet, paper_unet, valid_output_size
from course_utils.weight_map import unet_weight_map

print(describe_mode())
print("Keras", keras.__version__, "on", keras.backend.backend())
rng = set_seed(42)
enable_gpu_memory_growth()
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
# Where does the name come from? Write the stride-2 convolution of a 5x5 image as a
# matrix C times the flattened image (a 4x25 matrix). The transposed convolution is
# multiplication by C transposed, which is exactly what backpropagation does to send the
# gradient of the convolution's output back to its input. So lesson 02's backward pass,
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
# With kernel 2 and stride 2, as in the U-Net, the stamps do not overlap: every input
# pixel becomes a learned 2x2 patch, and the map doubles in size.

# %% [markdown]
# ## 3. The U-Net
#
# The U-Net (figure 1 of the paper) is an FCN in the shape of a U:
#
# - a **contracting path**: blocks of two 3x3 convolutions with ReLU, each followed by 2x2
#   max-pooling; the number of channels doubles at every level (64, 128, 256, 512, 1024);
# - an **expanding path**: a 2x2 up-convolution that doubles the size and halves the
#   channels, then the **skip connection**, a concatenation with the contracting path's
#   feature map of the same scale (fine detail that the pooling threw away), and again
#   two 3x3 convolutions;
# - a 1x1 convolution to one score per class for every pixel.
#
# `course_utils.unet.build_unet` writes it with the depth, the width and the kind of
# upsampling as parameters (read its source: it is short). The paper's network uses
# unpadded convolutions, which take 2 pixels off every side, so a 572x572 tile gives a
# 388x388 map:

# %%
# NBVAL_CHECK_OUTPUT
paper_network = paper_unet(kernel_initializer="zeros")  # zeros: we only count the weights
print(f"the paper's U-Net: input {paper_network.input_shape[1:]}, output "
      f"{paper_network.output_shape[1:]}, {paper_network.count_params():,} weights")
print("output side computed by hand:", valid_output_size(572, depth=4))
del paper_network  # 124 MB of weights we do not train

# %% [markdown]
# 31 million weights, most of them in the deepest levels (a 3x3 convolution from 512 to
# 1024 channels alone has 4.7 million). For small images of cells we need far less:
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
n_train = by_mode(fast=500, full=1500)
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
# ## 5. The weight map
#
# With a plain pixel-wise cross-entropy, the one-or-two-pixel gaps between touching cells
# hardly count: they are a few percent of the pixels, and predicting "cell" across them
# costs little. Then two touching cells come out as one blob. The paper's answer
# (equation 2) is to weigh each pixel's loss by
#
# $$w(x) = w_c(x) + w_0 \exp\left(-\frac{(d_1(x) + d_2(x))^2}{2\sigma^2}\right)$$
#
# where $w_c$ balances the two classes, $d_1$ and $d_2$ are the distances to the nearest
# and second-nearest cell, $w_0 = 10$ and $\sigma \approx 5$ pixels. The second term is
# large only where two cells are close on **both** sides: in the gaps.
# `course_utils.weight_map.unet_weight_map` computes it from the instance masks (one SciPy
# distance transform per cell).

# %%
started = time.perf_counter()
train_weights = unet_weight_map(train_cells.instances, w0=10, sigma=5)
print(f"weight maps for {n_train} images in {time.perf_counter() - started:.1f} s")
gaps = (train_cells.foreground == 0) & ndimage.binary_dilation(
    train_cells.foreground, structure=np.ones((1, 3, 3))) & (train_weights > 5)
print(f"mean weight: {train_weights.mean():.2f}; largest: {train_weights.max():.2f}; "
      f"mean in the gaps between touching cells: {train_weights[gaps].mean():.2f}")

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
# - **Dice**: 2 TP / (2 TP + FP + FN), which equals 2 IoU / (1 + IoU).
#
# For an image with no object at all, and a prediction with none, both would be 0/0: we
# count that as a perfect 1, and an empty prediction for an image with an object (or the
# reverse) as 0. `course_utils.segmentation_metrics` implements them with that convention;
# the scores below are means over test images. Before training anything: what do trivial
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
# threshold falls short because of the uneven illumination and the debris. The network
# must do clearly better than all of these.

# %% [markdown]
# ## 7. Training the U-Net with the weight map
#
# Keras computes the pixel-wise cross-entropy for labels of shape (N, H, W) and logits
# of shape (N, H, W, 2), and multiplies each pixel's loss by `sample_weight` when that
# has the shape (N, H, W): that is the whole weighted loss. The same function trains on
# the cells and, in section 9, on photographs.

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
                        batch_size=batch_size, verbose=0)
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
# Predictions beside the ground truth, first for the first test images, then for the
# test images where the network did worst (lowest Dice):

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


show_predictions(range(4), "first test images")
worst = np.argsort(per_image_dice(predicted, test_cells.foreground))[:4]
show_predictions(worst, "the four worst test images")

# %% [markdown]
# Typical mistakes to look for in the worst images: specks predicted on debris or on
# noise in brightly lit corners, dim cells partly missed, rims a pixel too wide or too
# narrow, and gaps not cut all the way through. These are the places where the image
# itself is ambiguous.

# %% [markdown]
# ## 8. Does the weight map separate touching cells?
#
# Dice counts pixels. Whether touching cells come out as **separate objects** is a
# different question: we split the predicted foreground into connected regions and count
# a true cell as found when one region covers it with IoU above 0.5
# (`count_separated_objects`). Two touching cells predicted as one blob count as at most
# one found. The same network trained with a plain cross-entropy (every pixel weight 1)
# is the comparison:

# %%
set_seed(42)
plain_unet = make_unet()
plain_seconds = train_segmenter(plain_unet, train_cells.images, train_cells.foreground,
                                np.ones_like(train_weights))
plain_predicted = predict_foreground(plain_unet, test_cells.images)

found_weighted, total_cells = count_separated_objects(predicted, test_cells.instances)
found_plain, _ = count_separated_objects(plain_predicted, test_cells.instances)
print(f"{total_cells} cells in the test images")
print(f"  with the weight map:    {found_weighted} found as separate objects "
      f"({found_weighted / total_cells:.0%}), Dice {mean_dice(predicted, test_cells.foreground):.3f}")
print(f"  plain cross-entropy:    {found_plain} found as separate objects "
      f"({found_plain / total_cells:.0%}), Dice {mean_dice(plain_predicted, test_cells.foreground):.3f}")

# %%
# The learning outcome of the weight map: it at least halves the cells that are not
# found on their own (merged with a neighbour, or missed).
missed_weighted, missed_plain = total_cells - found_weighted, total_cells - found_plain
print(f"cells not found: {missed_weighted} with the weight map, {missed_plain} without")
assert missed_weighted <= 0.5 * missed_plain, (missed_weighted, missed_plain)
assert found_weighted >= by_mode(fast=0.75, full=0.85) * total_cells, found_weighted

# %% [markdown]
# The two networks have about the same Dice: they agree on almost every pixel. The
# difference is in the few gap pixels, and that is what decides whether a cell can be
# counted. Each connected region of the predictions in its own colour:

# %%
crowded = np.argsort([-len(np.unique(m)) for m in test_cells.instances])[:4]
fig, axes = plt.subplots(3, 4, figsize=(6.8, 5.2))
for column, index in enumerate(crowded):
    axes[0, column].imshow(test_cells.images[index, ..., 0], cmap="gray", vmin=0, vmax=1)
    for row, prediction in ((1, predicted), (2, plain_predicted)):
        regions, count = ndimage.label(prediction[index])
        axes[row, column].imshow(np.ma.masked_equal(regions, 0), cmap="tab20", interpolation="nearest")
        axes[row, column].set_xlabel(f"{count} regions, {test_cells.instances[index].max()} cells")
for row, name in enumerate(["image", "weight map", "plain loss"]):
    axes[row, 0].set_ylabel(name)
for axis in axes.flat:
    axis.set_xticks([])
    axis.set_yticks([])
plt.tight_layout()
show_jpeg(fig, quality=50)

# %% [markdown]
# ## 9. The same code on photographs: Oxford-IIIT Pet (full mode)
#
# Nothing above is specific to cells. In full mode, when the data can be downloaded
# (Colab, or a local mirror), the lesson trains the same U-Net builder with the same
# `train_segmenter` on the Oxford-IIIT Pet photographs (Parkhi et al. 2012): 37 breeds of
# cats and dogs with **trimaps** marking pet, background and outline, which
# `course_utils.pet_segmentation` turns into a pet/background mask. There are no touching
# instances here, so the weight map is the class balance $w_c$ alone. In fast mode (CI,
# offline) this section is skipped, and when the download fails the cells above are the
# lesson's result.

# %%
from course_utils.pet_segmentation import load_pet_segmentation
from course_utils.weight_map import class_balance_weights
from data_download import DatasetError

pet_size = 128
pets = None
if is_fast_mode():
    print("Fast mode: Oxford-IIIT Pet is skipped (about 800 MB to download).")
else:
    try:
        pets = load_pet_segmentation(n_train=3680, n_test=1000, size=pet_size)
        print("Dataset: Oxford-IIIT Pet")
    except DatasetError as error:
        print(f"Oxford-IIIT Pet could not be fetched ({error.reason}); "
              f"the synthetic cells above are this run's result.")

# %%
if pets is not None:
    (pet_train_images, pet_train_masks), (pet_test_images, pet_test_masks) = pets
    set_seed(42)
    pet_unet = make_unet(channels=3, size=pet_size)
    train_segmenter(pet_unet, pet_train_images, pet_train_masks,
                    class_balance_weights(pet_train_masks), epochs=20, peak_learning_rate=2e-3)
    pet_predicted = predict_foreground(pet_unet, pet_test_images)
    pet_dice = mean_dice(pet_predicted, pet_test_masks)
    print(f"Oxford-IIIT Pet test: pixel accuracy {pixel_accuracy(pet_predicted, pet_test_masks):.3f}, "
          f"IoU {mean_iou(pet_predicted, pet_test_masks):.3f}, Dice {pet_dice:.3f}")
    # Guessing "pet" everywhere already scores well, because pets fill much of each photo;
    # a working network must be clearly above that guess.
    all_pet_dice = mean_dice(np.ones_like(pet_test_masks), pet_test_masks)
    print(f"all-pet guess: Dice {all_pet_dice:.3f}")
    assert pet_dice >= max(0.80, all_pet_dice + 0.1), f"pet Dice {pet_dice:.3f} is too low"
    fig, axes = plt.subplots(3, 5, figsize=(10, 6.4))
    for column in range(5):
        axes[0, column].imshow(pet_test_images[column])
        axes[1, column].imshow(pet_test_masks[column], cmap="gray", interpolation="nearest")
        axes[2, column].imshow(pet_predicted[column], cmap="gray", interpolation="nearest")
    for axis in axes.flat:
        axis.set_xticks([])
        axis.set_yticks([])
    plt.tight_layout()
    show_jpeg(fig, quality=50)

# %% [markdown]
# ## 10. Conclusions: beyond images
#
# The lectures end with four points. CNNs are used for segmentation as well as
# classification (this lesson). Convolutional networks are used primarily for images, but
# also for **time series** (1-D convolutions) and **video** (3-D convolutions). GPUs are
# "currently absolutely crucial for computation". And the networks keep improving, "not
# only brute force but also novel architectures" like the U-Net's skip connections.
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
detector.fit(signals_train, bursts_train, epochs=by_mode(fast=8, full=15), batch_size=64, verbose=0)
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
# a GPU is built for. The lecture's example: the same MNIST network took 14 minutes on a
# CPU and 42 seconds on a GPU. Here the two U-Nets trained in the times printed in
# sections 7 and 8; lesson 00 shows how to time the same work on a GPU. The full lesson
# (larger images, a wider network, and 3,680 pet photos) is meant for a Colab GPU.

# %%
print(f"this run: {keras.backend.backend()} backend, the U-Nets trained in "
      f"{weighted_seconds:.0f} s and {plain_seconds:.0f} s")

# %% [markdown]
# ## Key points
# - Segmentation labels every pixel. A fully convolutional network keeps the pixel layout
#   by using 1x1 convolutions where a classifier had dense layers, then upsamples.
# - A transposed convolution stamps the kernel, scaled by each input pixel, `stride`
#   pixels apart: it is the gradient of a strided convolution with respect to its input,
#   and `Conv2DTranspose` computes exactly that.
# - The U-Net halves the image and doubles the channels on the way down, doubles the
#   image and halves the channels on the way up, and concatenates the matching
#   contracting-path map at each level. The paper's network has about 31 million weights;
#   a small one is enough for small images.
# - The paper's weight map gives the narrow gaps between touching cells a weight close to
#   w0 = 10, and with it far fewer touching cells are merged into one object, while the
#   Dice hardly changes.
# - Pixel accuracy rewards the majority class; use IoU or Dice, and say what an empty
#   mask scores.
# - 1-D convolutions work on time series, 3-D convolutions on video; GPUs make all of
#   them practical.

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
# `depth` poolings and unpadded 3x3 convolutions (two per block, each takes 2 pixels off
# a side; 2x2 pooling halves, the up-convolution doubles). For 572 and depth 4 it is
# 388. The check uses only input sizes that fit.

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
