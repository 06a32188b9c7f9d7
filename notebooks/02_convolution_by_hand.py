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
# that operation ourselves: first with plain loops, from the formula on the slides,
# then vectorised. We add stride, padding and channels, compare every step with SciPy
# and Keras, try the classic hand-made filters on a photograph and a handwritten digit,
# work out the backward pass and check it numerically, measure how far one output can
# see (its *receptive field*), and finally let gradient descent *learn* a kernel.
#
# The outputs shown were computed in fast mode (`CNN_COURSE_FAST=1`) on a CPU. On a
# Colab GPU the numbers printed by the exact checks are the same; timings differ, and
# without fast mode the kernel-learning section runs more steps and gets closer to its
# target.

# %% [markdown]
# ## What you will learn
# - The convolution formula $s[i,j] = \sum_m \sum_n x[i+m, j+n]\, w[m,n]$, indexed from
#   the kernel's centre (as on the slides) or its corner, as loops and vectorised
#   (sliding windows and im2col), and why deep learning's "convolution" is really
#   cross-correlation.
# - How stride and padding set the output size $\lfloor (W - F + 2P)/S \rfloor + 1$, and
#   what frameworks do when the kernel does not fit evenly.
# - How channels work (a 32x32x3 image and six 5x5x3 filters give a 28x28x6 volume), and
#   why a conv layer needs far fewer parameters than a dense one: local connectivity and
#   weight sharing.
# - Which numbers training learns (*parameters*) and which the designer fixes
#   (*hyperparameters*).
# - What classic filters (blur, sharpen, edge, Sobel) do to real images.
# - The backward pass of a conv layer, with stride and padding, checked with a numerical
#   gradient, and using it to learn a kernel by gradient descent.
# - How the receptive field grows through stacked layers, strides and pooling (two 3x3
#   layers see 5x5 pixels, three see 7x7), by a formula and by a gradient experiment.

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

import matplotlib.pyplot as plt
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.signal import convolve2d, correlate2d
from sklearn.datasets import load_sample_image

from course_utils.env import enable_gpu_memory_growth
from course_utils.figures import percentile_limits, show_jpeg, symmetric_limits, use_course_style
from course_utils.gradient_check import numerical_gradient, relative_error  # lesson 01
from course_utils.mode import by_mode, describe_mode
from course_utils.seed import set_seed
from data_download import load

enable_gpu_memory_growth()  # before Keras touches the GPU (lesson 00)
import keras  # noqa: E402

use_course_style()  # figures at 72 dpi: light notebooks, legible text
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

fig, axes = plt.subplots(1, 2, figsize=(9.5, 4.4))
axes[0].imshow(digit, cmap="gray")
axes[0].set_title(f"What we see (label {y_train[0]})")
axes[1].imshow(np.zeros((14, 14)), cmap="gray_r", vmin=0, vmax=1)
crop = x_train[0][7:21, 7:21]
for (r, c), value in np.ndenumerate(crop):
    axes[1].text(c, r, str(value), ha="center", va="center", fontsize=7)
axes[1].set_title("What the computer sees (centre 14x14, uint8)")
for ax in axes:
    ax.set_xticks([])
    ax.set_yticks([])
plt.show()

# %% [markdown]
# ## 2. The convolution formula, as loops
#
# Take an input image $x$ and a small kernel $w$ of learnable weights. The *feature map*
# $s$ has one entry per position of the kernel over the image. The slides write it with
# the kernel's indices running around its **centre**, for a kernel of $(2M+1) \times
# (2N+1)$ weights:
#
# $$s[i,j] = \sum_{m=-M}^{M} \sum_{n=-N}^{N} x[i+m,\, j+n]\; w[m,n]$$
#
# Here $s[i, j]$ belongs to the pixel $(i, j)$ under the kernel's centre. Code (and every
# library) stores the kernel as an array indexed from its **top-left corner**, $m, n = 0,
# 1, \dots$, and then puts the corner, not the centre, on pixel $(i, j)$:
#
# $$s[i,j] = \sum_{m=0}^{2M} \sum_{n=0}^{2N} x[i+m,\, j+n]\; w[m,n]$$
#
# The two formulas compute the same sums; only the output's index is shifted by $(M, N)$.
# We will check that below. The slide's example: a 5x5 binary image and a 3x3 kernel.

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
# And the slide's centred formula? With $M = N = 1$ it is defined where the whole kernel
# fits around pixel $(i, j)$, that is for $i, j = 1, 2, 3$, and the kernel's entry
# $w[m, n]$ with $m, n \in \{-1, 0, 1\}$ is `kernel[m + 1, n + 1]`:

# %%
# NBVAL_CHECK_OUTPUT
M = N = 1
centred = np.zeros_like(image)  # indexed by the centre pixel; the border stays empty
for i in range(M, image.shape[0] - M):
    for j in range(N, image.shape[1] - N):
        centred[i, j] = sum(image[i + m, j + n] * kernel[m + M, n + N]
                            for m in range(-M, M + 1) for n in range(-N, N + 1))
print("centred formula, s[i, j] for i, j = 1..3:")
print(centred[1:4, 1:4])
print("equal to the corner-indexed map shifted by (M, N) = (1, 1):",
      np.array_equal(centred[M:image.shape[0] - M, N:image.shape[1] - N], feature))

# %% [markdown]
# The same nine numbers: the centred formula's $s[1, 1]$ is the corner formula's
# $s[0, 0]$. From here on we use the corner form, as NumPy, SciPy and Keras do.
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
    note = "" if formula == int(formula) else "  <- does not fit: Keras rounds down"
    assert keras_size == ours == int(formula)
    print(f"{W:>4} {F:>3} {S:>2} {P:>2} | {formula:>13.2f} | {keras_size:>5}{note}")

# %% [markdown]
# When $(W - F + 2P)$ is not a multiple of $S$ the kernel does not fit evenly. Every
# framework (Keras, PyTorch, our loops) then **rounds down**:
#
# $$\text{output size} = \left\lfloor \frac{W - F + 2P}{S} \right\rfloor + 1 ,$$
#
# that is, the windows start at $0, S, 2S, \dots$ and the last window is the last one
# that fits entirely; whatever lies beyond it is never looked at. That is perfectly
# normal: ResNet's first layer (224, 7, stride 2, pad 3) and any 3x3 stride-2 layer
# with padding 1 on an even input (32, 3, 2, 1) do not "fit", and lose only a column
# of *padding* on the right and a row at the bottom. Which pixels go unseen, in each
# case of the table:

# %%
# NBVAL_CHECK_OUTPUT
def unseen_after_rounding(W, F, S, P):
    """(padding pixels, real pixels) at the end of an axis that no window reaches."""
    out = (W - F + 2 * P) // S + 1
    last_seen = (out - 1) * S + F - 1        # index in the padded axis, 0 .. W + 2P - 1
    unseen = (W + 2 * P - 1) - last_seen      # positions after the last window
    return min(unseen, P), max(unseen - P, 0)


for W, F, S, P in cases:
    padding_lost, pixels_lost = unseen_after_rounding(W, F, S, P)
    if padding_lost or pixels_lost:
        print(f"W={W:>3} F={F:>2} S={S} P={P}: the last {padding_lost} padding and "
              f"{pixels_lost} image pixel(s) of each row are never seen")

# %% [markdown]
# It matters in two situations. When real pixels are dropped (7, 3, stride 3 ignores
# the last column of the image): then the edge of the image has no influence on the
# output. (AlexNet's 11x11 stride-4 layer fits exactly on 227 pixels, which is why its
# input is usually given as 227 although the paper says 224.) And when sizes must be undone: 2x2 pooling with stride 2 turns a 32-pixel
# and a 33-pixel map alike into 16 pixels, so a decoder that upsamples by 2 (lesson
# 07's U-Net) gets 32 back and no longer matches the 33-pixel map it should be joined
# with. Architectures therefore take inputs whose size divides evenly by their total
# stride (ResNet: 224 = 7 x 32).
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
# ### Parameters and hyperparameters
#
# As the second lecture puts it, a model has two kinds of numbers:
#
# - **Parameters** are *learned during training*: the weights of the connections, here
#   each filter's $5 \times 5 \times 3$ weights and its bias. Keras lists them in
#   `layer.weights` and `count_params()` counts them; gradient descent changes them.
# - **Hyperparameters** are *fixed a priori* by the designer and define the network's
#   structure: the number and type of layers; for each convolutional layer the filter
#   size, the number of filters (channels), the stride and the padding; the additional
#   layers (dropout, batch normalisation, flatten, fully connected). The training recipe
#   has its own: learning rate, batch size, number of epochs. Training never changes
#   them; we choose them by reasoning and by trying (on a validation set, never the
#   test set).
#
# In Keras the hyperparameters are the arguments of the layer, kept in its `get_config()`:

# %%
# NBVAL_CHECK_OUTPUT
hyperparameters = {key: conv6.get_config()[key] for key in ("filters", "kernel_size", "strides", "padding")}
print("hyperparameters (chosen):", hyperparameters)
print("parameters (learned):    ", {weight.name: tuple(weight.shape) for weight in conv6.weights},
      "=", conv6.count_params(), "numbers")
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
# - **edge** (Laplacian): $8 \times$ (the pixel minus the average of its 8 neighbours),
#   since $8x - \sum \text{neighbours} = 8\,(x - \text{their mean})$; sums to 0, so flat
#   regions give 0 and only changes light up.
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

# Edge maps are signed and have long tails: a few pixels on the sharpest edges are far
# brighter than the rest. Stretching the colour map from the single darkest to the
# single brightest pixel would leave almost everything mid-grey, so signed maps are
# drawn with a blue-white-red map clipped at the 99th percentile of $|$response$|$
# (white is 0), and the magnitude from its 1st to its 99th percentile
# (`course_utils.figures`). We leave out the outermost ring of pixels, where the zeros
# of `"same"` padding would show as a fake frame of edges. The photograph is a 240x320
# crop of scikit-learn's sample image at half resolution, and figures full of
# photograph are shown as JPEGs (`show_jpeg`), to keep the notebook small.

# %%
photo = grey[40:280:2, 80:400:2]  # the pagoda's roofs, 120x160 pixels
SIGNED = ("edge (Laplacian)", "Sobel x", "Sobel y")


def apply_filter(img, k):
    """'same' convolution of one grey image with one 3x3 kernel, via course_utils."""
    return conv2d_forward(img[None, :, :, None], k[:, :, None, None], padding="same")[0, :, :, 0]


def show_result(ax, result, name):
    """Draw a feature map: brightness maps on [0, 1], signed maps blue-white-red."""
    if name in SIGNED:
        ax.imshow(result, cmap="RdBu_r", **symmetric_limits(result, 99))
    elif name == "Sobel magnitude":
        ax.imshow(result, cmap="gray", **percentile_limits(result, 1, 99))
    else:
        ax.imshow(result, cmap="gray", vmin=0, vmax=1)


def show_filters(img, title):
    names = list(filters) + ["Sobel magnitude"]
    fig, axes = plt.subplots(2, 4, figsize=(10, 4.8) if img.shape[1] > img.shape[0] else (8, 5))
    for ax, name in zip(axes.ravel(), names):
        if name == "Sobel magnitude":
            result = np.hypot(apply_filter(img, filters["Sobel x"]), apply_filter(img, filters["Sobel y"]))
        else:
            result = apply_filter(img, filters[name])
        show_result(ax, result[1:-1, 1:-1], name)  # without the padded border
        ax.set_title(name)
        ax.axis("off")
    fig.suptitle(title)
    fig.tight_layout()
    if img is photo:
        show_jpeg(fig)
    else:
        plt.show()  # a digit is mostly flat: PNG is small and sharp


show_filters(photo, "china.jpg (scikit-learn sample image): a crop, greyscale")
show_filters(digit, f"MNIST digit (label {y_train[0]}), 28x28")

# %% [markdown]
# ## 7. Kernel explorer
#
# Edit the nine weights and watch the feature map change (it redraws when you let go
# of a slider). Try making your own edge detector: what happens when the weights do not
# sum to zero? (Without a widget frontend you see the explorer at two fixed kernels
# below it: twice the pixel minus the neighbourhood's mean, whose weights sum to 1, so
# the photograph keeps its brightness and gains contrast; and a sharpening kernel on
# the digit.)

# %%
import ipywidgets

from course_utils.widgets import show_explorer

explorer_image = photo  # small, so that the explorer redraws quickly


def kernel_label(value):
    """Two decimals at most, without trailing zeros: 0.5, -0.11, 2."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("0", "-0") else text


def draw_kernel(k00, k01, k02, k10, k11, k12, k20, k21, k22, image_name="photo"):
    k = np.array([[k00, k01, k02], [k10, k11, k12], [k20, k21, k22]], dtype=float)
    img = explorer_image if image_name == "photo" else digit
    result = apply_filter(img, k)
    fig, axes = plt.subplots(1, 3, figsize=(9, 2.7), gridspec_kw={"width_ratios": [1.3, 2, 2]})
    axes[0].imshow(k, cmap="coolwarm", vmin=-2, vmax=2)
    for (r, c), value in np.ndenumerate(k):
        axes[0].text(c, r, kernel_label(value), ha="center", va="center", fontsize=13,
                     color="white" if abs(value) > 1.2 else "black")
    axes[0].set_title(f"kernel (sum {kernel_label(k.sum())})")
    axes[1].imshow(img, cmap="gray")
    axes[1].set_title("input")
    # Percentile limits: a few extreme pixels must not wash out the rest.
    inner = result[1:-1, 1:-1]  # without the ring where "same" padding adds fake edges
    axes[2].imshow(inner, cmap="gray", **percentile_limits(inner, 1, 99))
    axes[2].set_title("feature map")
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    show_jpeg(fig)


def kernel_setting(k, image_name="photo"):
    names = ["k00", "k01", "k02", "k10", "k11", "k12", "k20", "k21", "k22"]
    return dict(zip(names, np.asarray(k, dtype=float).ravel().tolist()), image_name=image_name)


controls = {name: ipywidgets.FloatSlider(value=value, min=-2.0, max=2.0, step=0.25,
                                         description=f"w[{name[1]},{name[2]}]")
            for name, value in kernel_setting(filters["identity"]).items() if name != "image_name"}
controls["image_name"] = ipywidgets.Dropdown(options=["photo", "digit"], value="photo", description="image")
show_explorer(draw_kernel, controls, static_settings=[
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
# As loops, one image and one kernel, stride 1 (the comments say which term of which
# sum each line adds):

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
# ### Stride and padding in the backward pass
#
# Neither needs a new formula; each is undone by a simple step.
#
# - **Padding** is part of the forward pass: the convolution reads the padded image
#   $x_p$. So the backward pass computes $\partial L / \partial x_p$ exactly as above and
#   then *crops* the padding away. The gradients that reached the padding are thrown
#   out: those zeros are constants, not inputs, and nothing upstream can change them.
# - **Stride** $S$ computes only every $S$-th output of the stride-1 convolution. A
#   skipped output has no effect on the loss, so its gradient is 0. So we spread the
#   upstream gradient out, putting $S - 1$ zeros between neighbouring entries
#   ("dilating" it), and run the stride-1 backward pass on that. Each input pixel then
#   receives gradient only from the windows that were really computed.
#
# Both steps, written out for one image and one kernel, against the library version:

# %%
# NBVAL_CHECK_OUTPUT
def conv_backward_strided_padded(g, x, w, stride, padding):
    """dL/dx and dL/dw of a stride-S, zero-padded convolution, from the stride-1 loops."""
    x_padded = np.pad(x, padding)
    # 1. stride: dilate g, and trim it to the stride-1 output size of the padded input
    full_h = x_padded.shape[0] - w.shape[0] + 1
    full_w = x_padded.shape[1] - w.shape[1] + 1
    g_dilated = np.zeros((full_h, full_w))
    g_dilated[::stride, ::stride] = g
    # 2. the stride-1 backward pass on the padded input
    dx_padded, dw, _ = conv_backward_loops(g_dilated, x_padded, w)
    # 3. padding: crop its gradient away
    dx = dx_padded[padding:padding + x.shape[0], padding:padding + x.shape[1]]
    return dx, dw


x_sp = rng.normal(size=(7, 8))
w_sp = rng.normal(size=(3, 3))
g_sp = rng.normal(size=conv2d_single(x_sp, w_sp, stride=2, padding=1).shape)
dx_sp, dw_sp = conv_backward_strided_padded(g_sp, x_sp, w_sp, stride=2, padding=1)
dx_lib, dw_lib, _ = conv2d_backward(g_sp[None, :, :, None], x_sp[None, :, :, None], w_sp[:, :, None, None],
                                    stride=2, padding=1)
print("input", x_sp.shape, "-> stride-2 output", g_sp.shape,
      "| stride-1 output of the padded input, where g is spread out:", (7 + 2 - 3 + 1, 8 + 2 - 3 + 1))
print("dx equal to course_utils:", np.allclose(dx_sp, dx_lib[0, :, :, 0]),
      "| dw equal:", np.allclose(dw_sp, dw_lib[:, :, 0, 0]))

# %% [markdown]
# `course_utils.convolution.conv2d_backward` does the same for batches, channels,
# strides and padding (im2col again: $dW$ is one matrix product, and $dx$ scatters the
# windows back, which adds up overlaps and skips what the stride skipped, exactly as the
# dilated gradient does). A numerical check on a strided, padded, multi-channel case:

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
# ## 9. Receptive fields: how far one output can see
#
# One output of a 3x3 convolution depends on a 3x3 patch of its input: its *receptive
# field*. Stack a second 3x3 layer on top: each of its outputs sees 3x3 outputs of the
# first layer, and each of those sees 3x3 pixels, shifted by one from its neighbour,
# so together they cover **5x5** input pixels; a third layer sees **7x7**. Each layer
# adds $F - 1$ *steps* of the layer below, and a step of a layer is its total stride
# measured in input pixels, its *jump* $j$. Along one axis, starting from $r = j = 1$:
#
# $$r_\text{out} = r_\text{in} + (F - 1)\, j_\text{in}, \qquad j_\text{out} = j_\text{in} \cdot S .$$
#
# So a stride (or a pooling layer, whose 2x2 window with stride 2 is a kernel too)
# makes every *later* layer widen the field faster. `course_utils.receptive_field`
# implements the formula:

# %%
# NBVAL_CHECK_OUTPUT
from course_utils.receptive_field import footprint_size, gradient_footprint, receptive_fields

stacks = {
    "3x3 conv": [(3, 1)],
    "two 3x3 convs": [(3, 1)] * 2,
    "three 3x3 convs": [(3, 1)] * 3,
    "3x3 stride 2, then 3x3": [(3, 2), (3, 1)],
    "3x3, 2x2 pool, 3x3": [(3, 1), (2, 2), (3, 1)],
    "(3x3, 2x2 pool) x2, 3x3": [(3, 1), (2, 2), (3, 1), (2, 2), (3, 1)],
}
for name, layers in stacks.items():
    fields = " -> ".join(f"{field}" for field, _ in receptive_fields(layers))
    print(f"{name:>25}: receptive field after each layer {fields}")

# %% [markdown]
# The formula can be checked by experiment, with the backward pass of section 8: which
# input pixels can change one output? Backpropagate a gradient of 1 from the central
# output of the stack to the input; a pixel can change that output exactly when its
# gradient is not zero (we use positive weights, so no two paths can cancel, and stand
# a 2x2 pool in as a 2x2 kernel with stride 2: it reads the same window).

# %%
# NBVAL_CHECK_OUTPUT
footprints = {}
for name, layers in stacks.items():
    field = receptive_fields(layers)[-1][0]
    footprints[name] = gradient_footprint(layers, input_size=field + 8)
    print(f"{name:>25}: formula {field}x{field}, pixels with a nonzero gradient span "
          f"{'x'.join(map(str, footprint_size(footprints[name])))}")
    assert footprint_size(footprints[name]) == (field, field)

# %%
fig, axes = plt.subplots(1, len(footprints), figsize=(13, 2.8))
for ax, (name, footprint) in zip(axes, footprints.items()):
    ax.imshow(footprint / footprint.max(), cmap="magma", vmin=0, vmax=1)
    ax.set_title(name, fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("|d central output / d input pixel|: the receptive field (bright = strong influence)")
fig.tight_layout()
plt.show()

# %% [markdown]
# Two things to read from the pictures. The field is a full square of the predicted
# size, and the influence is not uniform: central pixels reach the output along many
# more paths than border pixels, so the *effective* receptive field is smaller than
# the formal one. And the field grows slowly through stride-1 layers (by 2 pixels per
# 3x3 layer) but fast after downsampling: that is why CNNs pool or stride every few
# layers. It is also the lecture's "motivation from the visual system": the first
# layers see small patches, where only edges and blobs can be detected; deeper layers
# see large parts of the image and compose those edges into higher-level features.
# (Lesson 03 shows the filters a small CNN learns in its first layer.)
#
# ## 10. Learning a kernel
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

fig, axes = plt.subplots(1, 3, figsize=(10, 2.8))
axes[0].semilogy(losses)
axes[0].set_xlabel("step")
axes[0].set_ylabel("mean squared error")
axes[0].set_title("training loss")
axes[1].imshow(target_map[0, :, :, 0], cmap="RdBu_r", **symmetric_limits(target_map, 99))
axes[1].set_title("target: Sobel x")
axes[2].imshow(conv2d_forward(x_learn, w_learned)[0, :, :, 0], cmap="RdBu_r",
               **symmetric_limits(target_map, 99))
axes[2].set_title("learned kernel's feature map")
for ax in axes[1:]:
    ax.axis("off")
fig.tight_layout()
show_jpeg(fig)

# %% [markdown]
# The learned weights approach $[-1, 0, 1; -2, 0, 2; -1, 0, 1]$. In a real network the
# target is not an edge map but the classification loss, and the first layer's
# kernels still often end up looking like edge and colour detectors (lesson 03 shows
# this on MNIST).

# %% [markdown]
# ## Key points
# - A convolutional layer computes $s[i,j] = \sum_m \sum_n x[i+m, j+n]\, w[m,n]$ (+ bias)
#   at every position: the slide's 5x5 image and 3x3 kernel give 4 3 4 / 2 4 3 / 2 3 4.
#   Deep learning calls this cross-correlation "convolution"; the kernel is not flipped.
# - Vectorising (sliding windows, im2col + one matrix product) gives the same numbers
#   as the loops, SciPy's `correlate2d` and Keras's `Conv2D`, orders of magnitude faster.
# - Output size per axis: $\lfloor (W - F + 2P)/S \rfloor + 1$, rounded down when the
#   kernel does not fit evenly; `padding="same"` keeps $\lceil W/S \rceil$.
# - The slides' centred formula ($m = -M..M$) and the corner-indexed one give the same
#   numbers, shifted by $(M, N)$.
# - Filters span all input channels; $K$ filters give $K$ stacked activation maps
#   (32x32x3 and six 5x5 filters: 28x28x6).
# - Local connectivity and weight sharing: 456 parameters instead of 14,455,392 for a
#   dense layer with the same input and output sizes.
# - Parameters (weights, biases) are learned; hyperparameters (layers, filter size,
#   number of filters, stride, padding, learning rate, ...) are fixed by the designer.
# - Backward: $dW$ = correlation of the input with the output gradient, $db$ = its sum,
#   $dx$ = full convolution of the output gradient with the kernel. Stride: dilate the
#   output gradient with zeros first; padding: crop the input gradient afterwards.
#   Always check hand-written gradients numerically.
# - Receptive field: $r_\text{out} = r_\text{in} + (F - 1) j_\text{in}$, $j_\text{out} =
#   j_\text{in} S$; stacked 3x3 layers see 3, 5, 7, ... pixels, and strides or pooling
#   make later layers see much more. A gradient from one output lights up exactly that
#   field.
# - Hand-made kernels blur, sharpen and find edges; gradient descent can learn them.

# %% [markdown]
# ## Exercises
#
# Each exercise has a solution cell (collapsed in Colab: click "Show code" to see it) and
# a check cell. In your own copy, write your answer in place of the solution and run the
# check: it prints "Correct", or which case went wrong and what was expected.
# `exercise_1.hint()` gives a nudge and `exercise_1.solution()` a worked solution.

# %%
from course_utils.exercises import NotDoneYet
from course_utils.exercises.lesson02 import exercise_1, exercise_2, exercise_3

# %% [markdown]
# ### Exercise 1: strides per axis and "same" padding
#
# Keras layers take a stride per axis and `padding="same"`, which `conv2d_single` does
# not. Write `conv2d(image, kernel, stride=1, padding="valid")` for a 2-D image and a 2-D
# kernel (any sizes, even ones) where
#
# - `stride` is an integer or a pair `(rows, cols)`;
# - `padding` is `"valid"` (none), an integer $P$ (zeros on every side), or `"same"`:
#   along each axis, just enough zeros for $\lceil W/S \rceil$ outputs, that is
#   $\max((\lceil W/S \rceil - 1) S + F - W,\ 0)$ in total, half of it before and the
#   rest (one more, when it is odd) after, which is Keras's rule.
#
# Do not use `course_utils`; `np.pad` and `sliding_window_view` help. The check runs it
# on hidden images, kernels, strides and paddings.

# %% [markdown]
# #### Solution

# %%
# @title Solution { display-mode: "form" }
def conv2d(image, kernel, stride=1, padding="valid"):
    ### BEGIN SOLUTION
    steps = (stride, stride) if np.isscalar(stride) else tuple(stride)
    if padding == "valid":
        pads = [(0, 0), (0, 0)]
    elif padding == "same":
        pads = []
        for size, kernel_size, step in zip(image.shape, kernel.shape, steps):
            outputs = -(-size // step)                               # ceil(W / S)
            total = max((outputs - 1) * step + kernel_size - size, 0)
            pads.append((total // 2, total - total // 2))            # the extra one after
    else:
        pads = [(padding, padding), (padding, padding)]
    windows = sliding_window_view(np.pad(image, pads), kernel.shape)[::steps[0], ::steps[1]]
    return np.einsum("ijmn,mn->ij", windows, kernel)
    ### END SOLUTION

# %%
exercise_1.check(conv2d)
# exercise_1.hint()
# exercise_1.solution()

# %% [markdown]
# ### Exercise 2: receptive fields with stride and dilation
#
# A *dilated* kernel spreads its $k$ taps $d$ pixels apart, so it spans $d(k-1)+1$
# pixels with the same $k$ weights (WaveNet and DeepLab use it to see far without
# pooling). Write `receptive_field(layers)`, where `layers` lists each layer as
# `(kernel_size, stride, dilation)` along one axis (a `MaxPooling2D(2)` is `(2, 2, 1)`),
# returning how many input pixels one output of the last layer sees. Then: how far do
# three 3x3 convolutions with dilations 1, 2 and 4 see, compared with three ordinary ones?

# %% [markdown]
# #### Solution

# %%
# @title Solution { display-mode: "form" }
def receptive_field(layers):
    ### BEGIN SOLUTION
    size, jump = 1, 1  # jump: input pixels between neighbouring units of the current layer
    for kernel_size, stride, dilation in layers:
        size += dilation * (kernel_size - 1) * jump
        jump *= stride
    return size
    ### END SOLUTION


### BEGIN SOLUTION
print("three 3x3 layers:", receptive_field([(3, 1, 1)] * 3),
      "| dilations 1, 2, 4:", receptive_field([(3, 1, 1), (3, 1, 2), (3, 1, 4)]))
### END SOLUTION

# %%
exercise_2.check(receptive_field)
# exercise_2.hint()
# exercise_2.solution()

# %% [markdown]
# ### Exercise 3: counting parameters
#
# An MNIST image is 28x28x1. How many parameters (weights and biases) does
# `Conv2D(16, kernel_size=3, strides=2, padding="same")` have on it? And how many would
# a `Dense` layer need to map the flattened 784 pixels to as many outputs as that conv
# layer produces? Work both out by hand (whole numbers), then confirm with Keras.

# %% [markdown]
# #### Solution

# %%
# @title Solution { display-mode: "form" }
conv_params = ...   # your answers: whole numbers
dense_params = ...
### BEGIN SOLUTION
conv_params = (3 * 3 * 1 + 1) * 16                       # 9 weights and a bias per filter
conv_outputs = (-(-28 // 2)) ** 2 * 16                    # 'same', stride 2: ceil(28 / 2) per axis
dense_params = 28 * 28 * conv_outputs + conv_outputs      # weights, plus a bias per output
conv_layer = keras.layers.Conv2D(16, 3, strides=2, padding="same")
conv_layer.build((None, 28, 28, 1))
dense_layer = keras.layers.Dense(conv_outputs)
dense_layer.build((None, 28 * 28))
print(f"Keras: conv {conv_layer.count_params():,}, output {conv_layer.compute_output_shape((None, 28, 28, 1))}, "
      f"dense {dense_layer.count_params():,}")
### END SOLUTION

# %%
exercise_3.check(conv_params, dense_params)
# exercise_3.hint()
# exercise_3.solution()
