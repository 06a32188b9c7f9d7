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
# # Lesson 02: Convolution by hand
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/open-cnn-course/cnn-course/blob/main/notebooks/02_convolution_by_hand.ipynb)
#
# To a computer an image is only a grid of numbers. A convolutional layer slides a small
# grid of weights, the *kernel*, over that grid and writes one number, a weighted sum,
# for every position it visits: the result is a *feature map*. In this lesson we write
# that operation ourselves: first with plain loops, straight from the formula on the
# slides, then vectorised. We add stride, padding and channels, compare every step with
# SciPy and Keras, try the classic hand-made filters on a photograph and a handwritten
# digit, work out the backward pass and check it numerically, and finally let gradient
# descent *learn* a kernel.

# %% [markdown]
# ## What you will learn
# - The convolution formula $s[i,j] = \sum_m \sum_n x[i+m, j+n]\, w[m,n]$, as loops and
#   vectorised (sliding windows and im2col), and why deep learning's "convolution" is
#   really cross-correlation.
# - How stride and padding set the output size $(W - F + 2P)/S + 1$.
# - How channels work (a 32x32x3 image and six 5x5x3 filters give a 28x28x6 volume), and
#   why a conv layer needs far fewer parameters than a dense one: local connectivity and
#   weight sharing.
# - What classic filters (blur, sharpen, edge, Sobel) do to real images.
# - The backward pass of a conv layer, checked with a numerical gradient, and using it
#   to learn a kernel by gradient descent.

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
from numpy.lib.stride_tricks import sliding_window_view
from scipy.signal import convolve2d, correlate2d
from sklearn.datasets import load_sample_image

from course_utils.gradient_check import numerical_gradient, relative_error
from course_utils.mode import by_mode, describe_mode
from course_utils.seed import set_seed
from data_download import load

print(describe_mode())
rng = set_seed(42)

# %% [markdown]
# ## 1. What the computer sees
#
# A greyscale image is a 2-D array of brightness values. Here is a handwritten digit
# from MNIST (28x28 pixels, 0 = black, 255 = white) shown as a picture and as the
# numbers the computer actually works with.

# %%
(x_train, y_train), (x_test, y_test) = load("mnist", subset=100, progress=False)
digit = x_train[0].astype(np.float64) / 255.0  # scale to [0, 1]

fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
axes[0].imshow(digit, cmap="gray")
axes[0].set_title(f"What we see (label {y_train[0]})")
axes[1].imshow(np.zeros((14, 14)), cmap="gray_r", vmin=0, vmax=1)
crop = x_train[0][7:21, 7:21]
for (r, c), value in np.ndenumerate(crop):
    axes[1].text(c, r, str(value), ha="center", va="center", fontsize=6)
axes[1].set_title("What the computer sees (centre 14x14, uint8)")
for ax in axes:
    ax.set_xticks([])
    ax.set_yticks([])
plt.show()

# %% [markdown]
# ## 2. The convolution formula, as loops
#
# Take an input image $x$ and a small kernel $w$ of learnable weights. The *feature map*
# $s$ has one entry per position of the kernel over the image:
#
# $$s[i,j] = \sum_{m} \sum_{n} x[i+m,\, j+n]\; w[m,n]$$
#
# Put the kernel's top-left corner on pixel $(i, j)$, multiply the overlapping numbers
# pairwise and add them up. The slide's example: a 5x5 binary image and a 3x3 kernel.

# %%
# NBVAL_CHECK_OUTPUT
image = np.array([[1, 1, 1, 0, 0],
                  [0, 1, 1, 1, 0],
                  [0, 0, 1, 1, 1],
                  [0, 0, 1, 1, 0],
                  [0, 1, 1, 0, 0]])
kernel = np.array([[1, 0, 1],
                   [0, 1, 0],
                   [1, 0, 1]])

# The first entry by hand: the top-left 3x3 window times the kernel, summed.
window = image[0:3, 0:3]
print("top-left window:\n", window)
print("window * kernel:\n", window * kernel)
print("s[0, 0] =", np.sum(window * kernel))

# %% [markdown]
# Now the whole feature map. A 3x3 kernel fits in $5 - 3 + 1 = 3$ positions along each
# axis, so the output is 3x3. Two loops choose the position $(i, j)$; two more run the
# sums over $m$ and $n$ exactly as in the formula.

# %%
# NBVAL_CHECK_OUTPUT
def correlate2d_loops(image, kernel):
    """s[i, j] = sum_m sum_n image[i + m, j + n] * kernel[m, n]  (no padding, stride 1)."""
    out_h = image.shape[0] - kernel.shape[0] + 1
    out_w = image.shape[1] - kernel.shape[1] + 1
    out = np.zeros((out_h, out_w), dtype=np.result_type(image, kernel))
    for i in range(out_h):
        for j in range(out_w):
            total = 0
            for m in range(kernel.shape[0]):
                for n in range(kernel.shape[1]):
                    total += image[i + m, j + n] * kernel[m, n]
            out[i, j] = total
    return out


feature = correlate2d_loops(image, kernel)
print("Convolved feature:")
print(feature)
assert np.array_equal(feature, [[4, 3, 4], [2, 4, 3], [2, 3, 4]])

# %% [markdown]
# The same numbers as on the slide: 4, 3, 4 / 2, 4, 3 / 2, 3, 4.
#
# ### Convolution or cross-correlation?
#
# What we just computed, sliding the kernel *as it is*, is called **cross-correlation**.
# The mathematical **convolution** flips the kernel first (upside down and left to
# right: $\sum_m \sum_n x[i-m, j-n]\, w[m, n]$). Deep-learning libraries call
# cross-correlation "convolution": since the kernel is learned, it makes no difference
# whether it is stored flipped or not. SciPy has both, so we can see the difference.

# %%
# NBVAL_CHECK_OUTPUT
asymmetric = np.array([[1, 2, 0],
                       [0, 1, 0],
                       [0, 0, -1]])
print("our loops == scipy correlate2d:",
      np.array_equal(correlate2d_loops(image, asymmetric), correlate2d(image, asymmetric, mode="valid")))
print("our loops == scipy convolve2d:  ",
      np.array_equal(correlate2d_loops(image, asymmetric), convolve2d(image, asymmetric, mode="valid")))
print("convolve2d with the kernel flipped == correlate2d:",
      np.array_equal(convolve2d(image, asymmetric[::-1, ::-1], mode="valid"),
                     correlate2d(image, asymmetric, mode="valid")))
print("(our slide kernel is symmetric, so for it both agree:",
      np.array_equal(convolve2d(image, kernel, mode="valid"), feature), ")")

# %% [markdown]
# And Keras? A `Conv2D` layer with one 3x3 filter, no bias, and our kernel loaded as its
# weights. Keras wants a batch axis and a channel axis on the image,
# `(batch, height, width, channels)`, and the kernel as
# `(kernel_height, kernel_width, in_channels, out_channels)`.

# %%
# NBVAL_CHECK_OUTPUT
conv = keras.layers.Conv2D(filters=1, kernel_size=3, use_bias=False)
conv.build((None, 5, 5, 1))
conv.set_weights([kernel[:, :, None, None].astype("float32")])
keras_feature = keras.ops.convert_to_numpy(conv(image[None, :, :, None].astype("float32")))
print("Keras output shape:", keras_feature.shape)
print(np.rint(keras_feature[0, :, :, 0]).astype(int))
print("equal to our loops:", np.array_equal(keras_feature[0, :, :, 0], feature))

# %% [markdown]
# ## 3. Vectorised: sliding windows and im2col
#
# Python loops are slow: every pixel goes through the interpreter. NumPy can give us
# all the 3x3 windows at once, as a *view* of the image (no copying), with
# `sliding_window_view`. Then the double sum is one `einsum` (or multiply and sum).

# %%
# NBVAL_CHECK_OUTPUT
windows = sliding_window_view(image, kernel.shape)  # windows[i, j] = image[i:i+3, j:j+3]
print("windows shape (out_h, out_w, kh, kw):", windows.shape)
print("windows[0, 0]:\n", windows[0, 0])
feature_vec = np.einsum("ijmn,mn->ij", windows, kernel)
print(feature_vec)

# %% [markdown]
# **im2col** ("image to columns") is the same idea written as one matrix product, which
# is how many libraries compute convolutions on CPUs and GPUs: unroll every window into
# a row of a matrix (9 windows x 9 pixels here) and multiply by the unrolled kernel.

# %%
# NBVAL_CHECK_OUTPUT
cols = windows.reshape(-1, kernel.size)  # one row per window
print("im2col matrix shape:", cols.shape)
print((cols @ kernel.ravel()).reshape(3, 3))

# %% [markdown]
# How much faster is it? On a 107x160 greyscale photograph (time the loops once; the
# numbers depend on your machine):

# %%
china = load_sample_image("china.jpg")  # (427, 640, 3) uint8 photograph shipped with scikit-learn
grey = china.mean(axis=2) / 255.0
small = grey[::4, ::4]
sobel_x = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float)

start = time.perf_counter()
by_loops = correlate2d_loops(small, sobel_x)
t_loops = time.perf_counter() - start
start = time.perf_counter()
by_windows = np.einsum("ijmn,mn->ij", sliding_window_view(small, sobel_x.shape), sobel_x)
t_vec = time.perf_counter() - start
print(f"image {small.shape}: loops {t_loops * 1e3:.1f} ms, vectorised {t_vec * 1e3:.2f} ms "
      f"({t_loops / t_vec:.0f}x faster)")
print("same result:", np.allclose(by_loops, by_windows),
      "| equal to scipy:", np.allclose(by_windows, correlate2d(small, sobel_x, mode="valid")))

# %% [markdown]
# `benchmarks/benchmark_convolution.py` times loops, vectorised NumPy and the Keras op
# on a realistic batch (32 colour images, 16 filters).
#
# ## 4. Stride and padding
#
# Two more knobs:
#
# - **Stride** $S$: move the kernel $S$ pixels at a time instead of 1 (a coarser, smaller
#   output).
# - **Zero padding** $P$: add $P$ rings of zeros around the image first, so that the
#   kernel can also sit on the border (and, with $P = (F-1)/2$ and $S = 1$, the output
#   keeps the input's size).
#
# Along each axis a $W$-pixel input and an $F$-pixel kernel give
#
# $$\text{output size} = \frac{W - F + 2P}{S} + 1 .$$
#
# In code, padding is `np.pad` and stride is the step of the window's top-left corner.

# %%
# NBVAL_CHECK_OUTPUT
def conv2d_single(image, kernel, stride=1, padding=0):
    """One 2-D image, one 2-D kernel, an integer stride and integer zero padding."""
    image = np.pad(image, padding)  # `padding` zeros on every side
    kh, kw = kernel.shape
    out_h = (image.shape[0] - kh) // stride + 1
    out_w = (image.shape[1] - kw) // stride + 1
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            window = image[i * stride:i * stride + kh, j * stride:j * stride + kw]
            out[i, j] = np.sum(window * kernel)
    return out


print("stride 1, padding 1 (output keeps the 5x5 size):")
print(conv2d_single(image, kernel, stride=1, padding=1).astype(int))
print("stride 2, padding 1:")
print(conv2d_single(image, kernel, stride=2, padding=1).astype(int))
print("stride 2, no padding:")
print(conv2d_single(image, kernel, stride=2, padding=0).astype(int))

# %% [markdown]
# Keras's `Conv2D` has no integer padding; it offers `padding="valid"` ($P = 0$) and
# `padding="same"` (just enough zeros that the output is $\lceil W/S \rceil$). A
# `ZeroPadding2D(P)` layer in front of a `"valid"` convolution gives any $P$. Let us
# check the formula against Keras over a grid of cases, including some from famous
# networks (AlexNet's first layer: 227, 11, stride 4; ResNet's: 224, 7, stride 2, pad 3).

# %%
# NBVAL_CHECK_OUTPUT
def keras_output_size(W, F, S, P):
    layers = [keras.Input((W, W, 1))]
    if P:
        layers.append(keras.layers.ZeroPadding2D(P))
    layers.append(keras.layers.Conv2D(1, F, strides=S, padding="valid"))
    return keras.Sequential(layers).output_shape[1]


cases = [(5, 3, 1, 0), (5, 3, 1, 1), (5, 3, 2, 1), (7, 3, 1, 0), (7, 3, 2, 0), (7, 3, 3, 0),
         (32, 5, 1, 0), (32, 5, 1, 2), (32, 3, 2, 1), (28, 2, 2, 0), (227, 11, 4, 0), (224, 7, 2, 3)]
print(f"{'W':>4} {'F':>3} {'S':>2} {'P':>2} | {'(W-F+2P)/S+1':>13} | {'Keras':>5}")
for W, F, S, P in cases:
    formula = (W - F + 2 * P) / S + 1
    keras_size = keras_output_size(W, F, S, P)
    ours = conv2d_single(np.zeros((W, W)), np.zeros((F, F)), S, P).shape[0]
    note = "" if formula == int(formula) else "  <- does not fit: the last partial step is dropped"
    assert keras_size == ours == int(formula)
    print(f"{W:>4} {F:>3} {S:>2} {P:>2} | {formula:>13.2f} | {keras_size:>5}{note}")

# %% [markdown]
# When $(W - F + 2P)$ is not a multiple of $S$ the kernel does not fit evenly (7, 3,
# stride 3); Keras, like our loops, silently drops the incomplete last step (the
# formula rounded down). Good architectures choose sizes so that it fits.
#
# ## 5. Channels: volumes in, volumes out
#
# A colour image has 3 channels, so it is a $32 \times 32 \times 3$ *volume*. A filter
# always spans the full depth of its input: a "5x5" filter is really $5 \times 5 \times 3$
# = 75 weights (plus a bias), and its output at each position is the sum over all three
# channels. Each filter produces one 28x28 *activation map*; with six filters we stack
# six maps into a new $28 \times 28 \times 6$ "image".
#
# The loops gain two more indices: the input channel $c$ (summed over) and the filter $k$.

# %%
# NBVAL_CHECK_OUTPUT
def conv2d_forward_loops(x, w, b, stride=1, padding=0):
    """x: (batch, H, W, C_in), w: (F, F, C_in, C_out), b: (C_out,)."""
    x = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    kh, kw, _, c_out = w.shape
    out_h = (x.shape[1] - kh) // stride + 1
    out_w = (x.shape[2] - kw) // stride + 1
    out = np.zeros((x.shape[0], out_h, out_w, c_out))
    for n in range(x.shape[0]):              # every image in the batch
        for i in range(out_h):                # every output row
            for j in range(out_w):            # every output column
                window = x[n, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
                for k in range(c_out):        # every filter: sum over m, n and channels
                    out[n, i, j, k] = np.sum(window * w[:, :, :, k]) + b[k]
    return out


x_rgb = rng.random((1, 32, 32, 3))               # one 32x32 colour image
w_six = rng.normal(scale=0.2, size=(5, 5, 3, 6))  # six 5x5x3 filters
b_six = np.zeros(6)
maps = conv2d_forward_loops(x_rgb, w_six, b_six)
print("input volume:", x_rgb.shape[1:], "-> filters:", w_six.shape, "-> activation maps:", maps.shape[1:])

conv6 = keras.layers.Conv2D(filters=6, kernel_size=5)
conv6.build((None, 32, 32, 3))
conv6.set_weights([w_six.astype("float32"), b_six.astype("float32")])
keras_maps = keras.ops.convert_to_numpy(conv6(x_rgb.astype("float32")))
print("Keras Conv2D(6, 5) output:", keras_maps.shape[1:],
      "| same values:", np.allclose(maps, keras_maps, atol=1e-4))

# %% [markdown]
# ### Parameters: conv layer versus dense layer
#
# Could a dense (fully connected) layer do the same job? It would stretch the image into
# a 3072-vector and connect every input to each of the $28 \cdot 28 \cdot 6 = 4704$
# outputs. Two ideas make the conv layer tiny in comparison:
#
# - **Local connectivity**: each output looks only at a 5x5x3 patch, not the whole image.
# - **Weight sharing**: all 784 positions of one activation map use the *same* filter.

# %%
# NBVAL_CHECK_OUTPUT
dense = keras.layers.Dense(28 * 28 * 6)
dense.build((None, 32 * 32 * 3))
conv_params = conv6.count_params()
dense_params = dense.count_params()
local_params = 28 * 28 * 6 * (5 * 5 * 3 + 1)  # local connectivity, but no weight sharing
print(f"conv layer, 6 filters of 5x5x3 + 6 biases:      {conv_params:>12,}")
print(f"local connections without weight sharing:       {local_params:>12,}")
print(f"dense layer, 3072 inputs -> 4704 outputs:       {dense_params:>12,}")
print(f"the dense layer has {dense_params / conv_params:,.0f} times more parameters")
assert conv_params == 5 * 5 * 3 * 6 + 6 and dense_params == 3072 * 4704 + 4704

# %% [markdown]
# Weight sharing also means that a filter detects its pattern *wherever* it appears in
# the image: shift the input and the feature map shifts with it (the layer is
# translation *equivariant*).
#
# ### The same code, in `course_utils`
#
# From now on we use the reference implementations in `course_utils.convolution`: the
# loops you just wrote (`conv2d_forward_loops`), a vectorised version (`conv2d_forward`,
# im2col and one matrix product), and `padding="valid"`, `"same"` (as in Keras) or an
# integer. The unit tests in `tests/test_convolution.py` check them against SciPy and
# Keras on random shapes, strides and paddings. A quick check here:

# %%
# NBVAL_CHECK_OUTPUT
from course_utils.convolution import conv2d_backward, conv2d_forward, conv_output_size

x_batch = rng.normal(size=(4, 11, 9, 3)).astype("float32")
w_batch = rng.normal(size=(3, 3, 3, 5)).astype("float32")
for stride, padding in [(1, "valid"), (2, "valid"), (1, "same"), (2, "same"), (3, "same")]:
    ours = conv2d_forward(x_batch, w_batch, stride=stride, padding=padding)
    theirs = keras.ops.convert_to_numpy(keras.ops.conv(x_batch, w_batch, strides=stride, padding=padding))
    print(f"stride {stride}, padding {padding!r:8}: output {ours.shape}, "
          f"equals keras.ops.conv: {np.allclose(ours, theirs, atol=1e-4)}")
print("conv_output_size(32, 5) =", conv_output_size(32, 5))

# %% [markdown]
# ## 6. Classic filters on real images
#
# Before networks learned their kernels, image processing designed them by hand. A few
# classics:
#
# - **blur** (box or Gaussian): averages a neighbourhood; entries sum to 1, so flat
#   regions keep their brightness.
# - **sharpen**: the pixel, boosted, minus its neighbours (sums to 1).
# - **edge** (Laplacian): the pixel minus the average of its neighbours; sums to 0, so
#   flat regions give 0 and only changes light up.
# - **Sobel x / y**: the horizontal / vertical brightness gradient, smoothed in the
#   other direction; sums to 0. The gradient magnitude $\sqrt{g_x^2 + g_y^2}$ outlines
#   edges in every direction.

# %%
# NBVAL_CHECK_OUTPUT
filters = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=float),
    "box blur": np.ones((3, 3)) / 9,
    "Gaussian blur": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16,
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float),
    "edge (Laplacian)": np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], dtype=float),
    "Sobel x": sobel_x,
    "Sobel y": sobel_x.T.copy(),
}
for name, k in filters.items():
    print(f"{name:>17}: entries sum to {k.sum():.0f}")

# %%
def apply_filter(img, k):
    """'same' convolution of one grey image with one 3x3 kernel, via course_utils."""
    return conv2d_forward(img[None, :, :, None], k[:, :, None, None], padding="same")[0, :, :, 0]


def show_filters(img, title):
    names = list(filters) + ["Sobel magnitude"]
    fig, axes = plt.subplots(2, 4, figsize=(14, 6.5))
    for ax, name in zip(axes.ravel(), names):
        if name == "Sobel magnitude":
            result = np.hypot(apply_filter(img, filters["Sobel x"]), apply_filter(img, filters["Sobel y"]))
        else:
            result = apply_filter(img, filters[name])
        if name in ("identity", "box blur", "Gaussian blur", "sharpen"):
            ax.imshow(result, cmap="gray", vmin=0, vmax=1)
        else:  # signed or unbounded responses: let the colour map stretch
            ax.imshow(result, cmap="gray")
        ax.set_title(name)
        ax.axis("off")
    fig.suptitle(title)
    plt.show()


show_filters(grey, "china.jpg (scikit-learn sample image), greyscale 427x640")
show_filters(digit, f"MNIST digit (label {y_train[0]}), 28x28")

# %% [markdown]
# ## 7. Kernel explorer
#
# Edit the nine weights and watch the feature map change. Try making your own edge
# detector: what happens when the weights do not sum to zero? (Without a widget
# frontend you see the explorer at a few fixed kernels below it.)

# %%
import ipywidgets

from course_utils.widgets import show_explorer

explorer_image = grey[::2, ::2]  # 214x320 keeps the explorer responsive


def draw_kernel(k00, k01, k02, k10, k11, k12, k20, k21, k22, image_name="photo"):
    k = np.array([[k00, k01, k02], [k10, k11, k12], [k20, k21, k22]], dtype=float)
    img = explorer_image if image_name == "photo" else digit
    result = apply_filter(img, k)
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), gridspec_kw={"width_ratios": [1, 3, 3]})
    axes[0].imshow(k, cmap="coolwarm", vmin=-2, vmax=2)
    for (r, c), value in np.ndenumerate(k):
        axes[0].text(c, r, f"{value:g}", ha="center", va="center")
    axes[0].set_title(f"kernel (sum {k.sum():g})")
    axes[1].imshow(img, cmap="gray")
    axes[1].set_title("input")
    axes[2].imshow(result, cmap="gray")
    axes[2].set_title("feature map")
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    plt.show()


def kernel_setting(k, image_name="photo"):
    names = ["k00", "k01", "k02", "k10", "k11", "k12", "k20", "k21", "k22"]
    return dict(zip(names, np.asarray(k, dtype=float).ravel().tolist()), image_name=image_name)


controls = {name: ipywidgets.FloatSlider(value=value, min=-2.0, max=2.0, step=0.25, description=name)
            for name, value in kernel_setting(filters["identity"]).items() if name != "image_name"}
controls["image_name"] = ipywidgets.Dropdown(options=["photo", "digit"], value="photo", description="image")
show_explorer(draw_kernel, controls, static_settings=[
    kernel_setting(filters["Sobel x"] / 2),
    kernel_setting(np.array([[0, 0, 0], [0, 2, 0], [0, 0, 0]]) - 1 / 9),
    kernel_setting(filters["sharpen"] / 2.5, image_name="digit"),
])

# %% [markdown]
# ## 8. The backward pass
#
# To train a conv layer we need the gradient of the loss $L$ with respect to its
# weights, its bias and (to pass on to earlier layers) its input. Suppose backprop has
# delivered $g[i,j] = \partial L / \partial s[i,j]$ for every output. Since
# $s[i,j] = \sum_{m,n} x[i+m, j+n]\, w[m,n] + b$:
#
# - $\dfrac{\partial L}{\partial w[m,n]} = \sum_{i,j} g[i,j]\; x[i+m, j+n]$: each weight
#   touched every window, so it collects $g$ times the pixel it met there. This is the
#   correlation of the input with $g$.
# - $\dfrac{\partial L}{\partial b} = \sum_{i,j} g[i,j]$.
# - $\dfrac{\partial L}{\partial x[p,q]} = \sum_{i,j} g[i,j]\; w[p-i, q-j]$ (over the
#   $(i,j)$ whose window contains $(p,q)$): each output sends its gradient back through
#   the weights to the pixels of its window, and contributions add up where windows
#   overlap. This is the *full convolution* of $g$ with $w$.
#
# As loops, one image and one kernel, stride 1:

# %%
def conv_backward_loops(g, x, w):
    dx = np.zeros_like(x)
    dw = np.zeros_like(w)
    for i in range(g.shape[0]):
        for j in range(g.shape[1]):
            for m in range(w.shape[0]):
                for n in range(w.shape[1]):
                    dw[m, n] += g[i, j] * x[i + m, j + n]   # s[i,j] used w[m,n] ...
                    dx[i + m, j + n] += g[i, j] * w[m, n]   # ... and x[i+m, j+n]
    return dx, dw, g.sum()


# A loss to differentiate: squared distance of the feature map from a random target.
x_small = rng.normal(size=(6, 7))
w_small = rng.normal(size=(3, 3))
b_small = 0.5
target = rng.normal(size=(4, 5))


def loss_fn(x, w, b):
    return 0.5 * np.sum((correlate2d_loops(x, w) + b - target) ** 2)


g = correlate2d_loops(x_small, w_small) + b_small - target  # dL/ds for this loss
dx, dw, db = conv_backward_loops(g, x_small, w_small)
errors = {
    "dL/dx": relative_error(dx, numerical_gradient(lambda v: loss_fn(v, w_small, b_small), x_small.copy())),
    "dL/dw": relative_error(dw, numerical_gradient(lambda v: loss_fn(x_small, v, b_small), w_small.copy())),
    "dL/db": relative_error(np.array([db]), numerical_gradient(lambda v: loss_fn(x_small, w_small, v[0]),
                                                   np.array([b_small]))),
}
for name, error in errors.items():
    print(f"{name}: relative error to the numerical gradient {error:.1e}")
    assert error < 1e-6

# %% [markdown]
# All three agree with central differences (lesson 01's `numerical_gradient`), far
# below the 1e-6 threshold. The two formulas above really are a correlation and a full
# convolution:

# %%
# NBVAL_CHECK_OUTPUT
print("dw == correlate2d(x, g, 'valid'):", np.allclose(dw, correlate2d(x_small, g, mode="valid")))
print("dx == convolve2d(g, w, 'full'):  ", np.allclose(dx, convolve2d(g, w_small, mode="full")))

# %% [markdown]
# `course_utils.convolution.conv2d_backward` does the same for batches, channels,
# strides and padding (im2col again: $dW$ is one matrix product, and $dx$ scatters the
# windows back). A numerical check on a strided, padded, multi-channel case:

# %%
x4 = rng.normal(size=(2, 7, 8, 3))
w4 = rng.normal(size=(3, 3, 3, 4))
b4 = rng.normal(size=4)
upstream = rng.normal(size=conv2d_forward(x4, w4, b4, stride=2, padding="same").shape)


def layer_loss(x, w, b):  # L = sum(output * upstream), so dL/d(output) = upstream
    return np.sum(conv2d_forward(x, w, b, stride=2, padding="same") * upstream)


dx4, dw4, db4 = conv2d_backward(upstream, x4, w4, stride=2, padding="same")
# L is linear in each argument, so a larger step has no truncation error and less rounding.
for name, analytic, point, f in [("dx", dx4, x4, lambda v: layer_loss(v, w4, b4)),
                                 ("dw", dw4, w4, lambda v: layer_loss(x4, v, b4)),
                                 ("db", db4, b4, lambda v: layer_loss(x4, w4, v))]:
    error = relative_error(analytic, numerical_gradient(f, point.copy(), step=1e-3))
    print(f"{name} {analytic.shape}: relative error {error:.1e}")
    assert error < 1e-7

# %% [markdown]
# ## 9. Learning a kernel
#
# A conv layer does not get its kernels from a textbook: it learns them. Let us see
# that on a small scale: start from a random 3x3 kernel and use gradient descent (with
# momentum) to make its feature map reproduce the Sobel-x edge map of the photograph.
# Only the forward and backward passes from `course_utils` are used.

# %%
x_learn = (small - small.mean())[None, :, :, None]  # centring the input speeds up learning
target_map = conv2d_forward(x_learn, sobel_x[:, :, None, None])
w_learned = rng.normal(scale=0.1, size=(3, 3, 1, 1))
velocity = np.zeros_like(w_learned)
steps = by_mode(fast=120, full=400)
learning_rate, momentum = 0.5, 0.9
losses = []
for step in range(steps):
    prediction = conv2d_forward(x_learn, w_learned)
    residual = prediction - target_map
    losses.append(np.mean(residual ** 2))
    _, dw_step, _ = conv2d_backward(2 * residual / residual.size, x_learn, w_learned)
    velocity = momentum * velocity + dw_step
    w_learned -= learning_rate * velocity

map_error = np.linalg.norm(conv2d_forward(x_learn, w_learned) - target_map) / np.linalg.norm(target_map)
print(f"after {steps} steps: loss {losses[-1]:.2e}, relative error of the edge map {map_error:.1e}")
print("learned kernel:\n", np.round(w_learned[:, :, 0, 0], 2) + 0.0)  # + 0.0 turns -0.0 into 0.0
assert map_error <= by_mode(fast=1e-2, full=1e-5)

fig, axes = plt.subplots(1, 3, figsize=(14, 3.5))
axes[0].semilogy(losses)
axes[0].set_xlabel("step")
axes[0].set_ylabel("mean squared error")
axes[0].set_title("training loss")
axes[1].imshow(target_map[0, :, :, 0], cmap="gray")
axes[1].set_title("target: Sobel x")
axes[2].imshow(conv2d_forward(x_learn, w_learned)[0, :, :, 0], cmap="gray")
axes[2].set_title("learned kernel's feature map")
for ax in axes[1:]:
    ax.axis("off")
plt.show()

# %% [markdown]
# The learned weights approach $[-1, 0, 1; -2, 0, 2; -1, 0, 1]$. In a real network the
# target is not an edge map but the classification loss, and the first layer's
# kernels still often end up looking like edge and colour detectors.

# %% [markdown]
# ## Key points
# - A convolutional layer computes $s[i,j] = \sum_m \sum_n x[i+m, j+n]\, w[m,n]$ (+ bias)
#   at every position: the slide's 5x5 image and 3x3 kernel give 4 3 4 / 2 4 3 / 2 3 4.
#   Deep learning calls this cross-correlation "convolution"; the kernel is not flipped.
# - Vectorising (sliding windows, im2col + one matrix product) gives the same numbers
#   as the loops, SciPy's `correlate2d` and Keras's `Conv2D`, orders of magnitude faster.
# - Output size per axis: $(W - F + 2P)/S + 1$; `padding="same"` keeps $\lceil W/S \rceil$.
# - Filters span all input channels; $K$ filters give $K$ stacked activation maps
#   (32x32x3 and six 5x5 filters: 28x28x6).
# - Local connectivity and weight sharing: 456 parameters instead of 14,455,392 for a
#   dense layer with the same input and output sizes.
# - Backward: $dW$ = correlation of the input with the output gradient, $db$ = its sum,
#   $dx$ = full convolution of the output gradient with the kernel. Always check
#   hand-written gradients numerically.
# - Hand-made kernels blur, sharpen and find edges; gradient descent can learn them.

# %% [markdown]
# ## Exercises
#
# ### Exercise 1: stride and padding by hand
#
# Write `my_conv2d(image, kernel, stride, padding)` for a 2-D image and a 2-D kernel,
# with integer stride and integer zero padding, without `course_utils`. Pass the
# function itself to `check_exercise_1`, which compares it with the reference on the
# slide's example and random cases.

# %% [markdown]
# #### Solution

# %%
from course_utils.exercises.lesson02 import check_exercise_1, check_exercise_2, check_exercise_3


def my_conv2d(image, kernel, stride, padding):
    padded = np.pad(image, padding)
    windows = sliding_window_view(padded, kernel.shape)[::stride, ::stride]  # every S-th window
    return np.einsum("ijmn,mn->ij", windows, kernel)


check_exercise_1(my_conv2d)

# %% [markdown]
# ### Exercise 2: a horizontal-edge detector
#
# Design a 3x3 kernel that responds to *horizontal* edges (dark above, bright below, or
# the reverse), gives exactly 0 on a flat region, and hardly reacts to vertical edges.
# Try it in the kernel explorer first.

# %% [markdown]
# #### Solution

# %%
horizontal_edge = np.array([[-1, -2, -1],
                            [0, 0, 0],
                            [1, 2, 1]])  # Sobel y: bottom row minus top row
check_exercise_2(horizontal_edge)

# %% [markdown]
# ### Exercise 3: counting parameters
#
# An MNIST image is 28x28x1. How many parameters (weights and biases) does
# `Conv2D(16, kernel_size=3)` have on it? How many would a `Dense` layer need to map the
# flattened 784 pixels to as many outputs as the conv layer produces? Work it out by
# hand, then confirm with Keras.

# %% [markdown]
# #### Solution

# %%
conv_answer = 3 * 3 * 1 * 16 + 16                        # 9 weights per filter, 16 filters, 16 biases
conv_outputs = conv_output_size(28, 3) ** 2 * 16           # a 26x26x16 volume
dense_answer = 28 * 28 * conv_outputs + conv_outputs
layer = keras.layers.Conv2D(16, 3)
layer.build((None, 28, 28, 1))
assert layer.count_params() == conv_answer
check_exercise_3(conv_answer, dense_answer)
