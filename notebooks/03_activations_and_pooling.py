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
# # Lesson 03: Activations and pooling
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/open-cnn-course/cnn-course/blob/main/notebooks/03_activations_and_pooling.ipynb)
#
# A convolutional layer has three stages: the convolution (lesson 02), a **nonlinearity**
# applied to every entry of the feature map, and **pooling**, which summarises small
# neighbourhoods. In this lesson we write the common activation functions and their
# derivatives by hand, measure how gradients shrink through sigmoids but not through
# ReLUs, build max and
# average pooling and see the approximate translation invariance they give, and then the
# layers that sit around them in a real network: dropout, batch normalisation, flatten
# and softmax. Every piece is compared with Keras, and at the end two small experiments
# on MNIST show what batch normalisation and dropout do to training, and what the first
# layer of a trained CNN has learned.
#
# The outputs shown were computed in fast mode (`CNN_COURSE_FAST=1`) on a CPU. The two
# experiments at the end use the same data and seeds in both modes, so a full run on a
# Colab GPU shows the same picture; a GPU's floating-point arithmetic (and, in full
# mode, five epochs instead of two in the first experiment) changes the printed numbers.

# %% [markdown]
# ## What you will learn
# - Sigmoid, tanh, ReLU, Leaky ReLU, ELU, Maxout and GELU: formulas, derivatives, and
#   how they compare with `keras.activations`; why GELU "combines ReLU and dropout".
# - Why ReLU helps: gradients shrink layer after layer through sigmoids, not through ReLUs.
# - Max and average pooling by hand, with strides and padding, equal to the Keras layers.
# - How pooling makes features approximately invariant to small shifts.
# - Dropout (inverted scaling; training versus inference) and batch normalisation (batch
#   statistics in training, moving averages in inference), by hand and in Keras.
# - Flatten and softmax, the bridge from feature maps to class probabilities; why softmax
#   subtracts the maximum, and why Keras losses take logits (`from_logits=True`).
# - What batch normalisation does to the speed of training, what dropout does to the
#   gap between training and validation, and what a CNN's first layer learns.

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
import matplotlib.pyplot as plt
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.special import erf

from course_utils.convolution import conv2d_forward
from course_utils.env import enable_gpu_memory_growth
from course_utils.figures import symmetric_limits, use_course_style
from course_utils.jax_max_pool import speed_up_max_pool_gradient
from course_utils.mode import by_mode, describe_mode
from course_utils.seed import set_seed
from data_download import load

enable_gpu_memory_growth()  # before Keras touches the GPU (lesson 00)
speed_up_max_pool_gradient()  # JAX on a CPU only (else nothing): max-pooling's gradient, faster, identical results
import keras  # noqa: E402

use_course_style()  # figures at 72 dpi: light notebooks, legible text
print(describe_mode())
rng = set_seed(42)

# %% [markdown]
# ## 1. Activation functions
#
# Without a nonlinearity, a stack of convolutions is just one bigger linear filter. The
# activation is applied to every number in the feature map on its own. The slides' list:
#
# | name | $f(x)$ | range |
# | --- | --- | --- |
# | sigmoid | $\sigma(x) = 1/(1 + e^{-x})$ | (0, 1) |
# | tanh | $\tanh(x) = 2\sigma(2x) - 1$ | (-1, 1) |
# | ReLU | $\max(0, x)$ | $[0, \infty)$ |
# | Leaky ReLU | $\max(0.1x, x)$ | $(-\infty, \infty)$ |
# | ELU | $x$ if $x \ge 0$, else $\alpha(e^x - 1)$ | $(-\alpha, \infty)$ |
# | Maxout | $\max(w_1^T x + b_1, w_2^T x + b_2)$ | |
# | GELU | $x\,\Phi(x) \approx 0.5x\,(1 + \tanh[\sqrt{2/\pi}(x + 0.044715x^3)])$ | |
#
# Each written in NumPy, together with its derivative (which backpropagation needs):

# %%
def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_derivative(x):
    s = sigmoid(x)
    return s * (1 - s)  # at most 0.25, at x = 0


def tanh(x):
    return 2 * sigmoid(2 * x) - 1


def tanh_derivative(x):
    return 1 - tanh(x) ** 2


def relu(x):
    return np.maximum(0, x)


def relu_derivative(x):
    return (x > 0).astype(float)  # 1 for x > 0, else 0 (at exactly 0 we pick 0)


def leaky_relu(x, alpha=0.1):
    return np.maximum(alpha * x, x)


def leaky_relu_derivative(x, alpha=0.1):
    return np.where(x > 0, 1.0, alpha)


def elu(x, alpha=1.0):
    return np.where(x >= 0, x, alpha * (np.exp(np.minimum(x, 0)) - 1))


def elu_derivative(x, alpha=1.0):
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0)))


def gelu(x):
    phi = 0.5 * (1 + erf(x / np.sqrt(2)))  # Phi(x) = P(X <= x) for X ~ N(0, 1)
    return x * phi


def gelu_derivative(x):
    return 0.5 * (1 + erf(x / np.sqrt(2))) + x * np.exp(-x ** 2 / 2) / np.sqrt(2 * np.pi)


def gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


activations = {
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
    "leaky_relu": (leaky_relu, leaky_relu_derivative),
    "elu": (elu, elu_derivative),
    "gelu": (gelu, gelu_derivative),
}

# %% [markdown]
# The slide's identity $\tanh(x) = 2\sigma(2x) - 1$: tanh is a sigmoid stretched to
# $(-1, 1)$ and centred on 0. And GELU's tanh formula is an approximation; how good?

# %%
# NBVAL_CHECK_OUTPUT
x = np.linspace(-6, 6, 1201)
print("tanh(x) == 2 sigmoid(2x) - 1 on [-6, 6]:", np.allclose(tanh(x), np.tanh(x), atol=1e-12))
gelu_gap = np.abs(gelu(x) - gelu_tanh(x))
print(f"GELU: max |x Phi(x) - tanh approximation| = {gelu_gap.max():.1e} "
      f"at x = {x[gelu_gap.argmax()]:.2f}")

# %% [markdown]
# Each function (solid) with its derivative (dashed). The derivatives are checked
# against central differences, $(f(x+h) - f(x-h))/2h$, and the functions against
# `keras.activations` (Keras's `leaky_relu` defaults to slope 0.2; we pass 0.1 as on the
# slide, and `gelu(..., approximate=False)` is the exact $x\,\Phi(x)$).

# %%
# NBVAL_CHECK_OUTPUT
keras_versions = {
    "sigmoid": keras.activations.sigmoid,
    "tanh": keras.activations.tanh,
    "relu": keras.activations.relu,
    "leaky_relu": lambda t: keras.activations.leaky_relu(t, negative_slope=0.1),
    "elu": keras.activations.elu,
    "gelu": lambda t: keras.activations.gelu(t, approximate=False),
}
x_check = np.linspace(-5, 5, 101) + 0.005  # avoid the kink at exactly 0
h = 1e-6
for name, (f, df) in activations.items():
    numerical = (f(x_check + h) - f(x_check - h)) / (2 * h)
    theirs = keras.ops.convert_to_numpy(keras_versions[name](x_check.astype("float32")))
    print(f"{name:>10}: derivative matches central differences: {np.allclose(df(x_check), numerical, atol=1e-6)}"
          f" | equals keras.activations.{name}: {np.allclose(f(x_check), theirs, atol=1e-5)}")

# %%
fig, axes = plt.subplots(2, 3, figsize=(14, 7))
for ax, (name, (f, df)) in zip(axes.ravel(), activations.items()):
    ax.plot(x, f(x), label=f"{name}(x)")
    ax.plot(x, df(x), "--", label="derivative")
    if name == "gelu":
        ax.plot(x, gelu_tanh(x), ":", label="tanh approximation")
    ax.axhline(0, color="gray", lw=0.5)
    ax.axvline(0, color="gray", lw=0.5)
    ax.set_ylim(-1.5, 3)
    ax.set_title(name)
    ax.legend(loc="upper left")
plt.tight_layout()
plt.show()

# %% [markdown]
# Notice the derivatives: sigmoid's is never above 0.25 and vanishes for large $|x|$
# (the unit *saturates*); tanh's peaks at 1 but also vanishes; ReLU's is exactly 1 for
# every positive input (and 0 for negative ones: a unit stuck there is "dead", which
# Leaky ReLU and ELU avoid with a small negative-side slope). GELU is a smooth ReLU,
# used in Transformers such as BERT and GPT-2.
#
# ### GELU: ReLU and dropout in one
#
# The slide motivates GELU in three lines: ReLU-like activations made networks converge
# faster and better than sigmoids; dropout regularises by multiplying a few activations
# by 0 at random; *GELU combines both*. Both are a 0/1 mask times the input. ReLU's mask
# is deterministic and depends on the input: keep $x$ when $x > 0$. Dropout's is random
# and ignores the input: keep with probability $1 - \text{rate}$. GELU's mask is random
# *and* depends on the input: keep $x$ with probability $\Phi(x)$, the chance that a
# standard normal variable falls below $x$, so large inputs are almost always kept and
# very negative ones almost always dropped. GELU is that random mask's expected value,
# $x \cdot P(\text{keep}) = x\,\Phi(x)$, which is smooth. A quick simulation:

# %%
# NBVAL_CHECK_OUTPUT
from scipy.stats import norm

gelu_rng = np.random.default_rng(0)
x_few = np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0])
masks = gelu_rng.random((200_000, x_few.size)) < norm.cdf(x_few)  # keep x with probability Phi(x)
simulated = (masks * x_few).mean(axis=0)
print("x                      ", x_few)
print("ReLU: x * [x > 0]      ", relu(x_few))
print("mean of x * random mask", simulated.round(2) + 0.0)
print("GELU: x * Phi(x)       ", gelu(x_few).round(2) + 0.0)
assert np.allclose(simulated, gelu(x_few), atol=0.01)

# %% [markdown]
# ### Maxout
#
# Maxout is not a fixed function: it takes the maximum of $k$ *learned* linear functions
# of the input, $\max(w_1^T x + b_1, w_2^T x + b_2)$. ReLU is the special case
# $w_1 = 1, b_1 = 0, w_2 = 0, b_2 = 0$ (one input); with more pieces it can approximate
# any convex function (Goodfellow et al. 2013: "a single maxout unit can be interpreted as
# making a piecewise linear approximation to an arbitrary convex function"). The cost:
# $k$ times the parameters.

# %%
# NBVAL_CHECK_OUTPUT
def maxout(x, weights, biases):
    """x: (batch, d_in); weights: (k, d_in, d_out); biases: (k, d_out)."""
    pieces = np.stack([x @ w + b for w, b in zip(weights, biases)])  # (k, batch, d_out)
    return pieces.max(axis=0)


x_col = x[:, None]  # 1201 examples with one feature each
relu_as_maxout = maxout(x_col, weights=np.array([[[1.0]], [[0.0]]]), biases=np.zeros((2, 1)))
print("maxout(x, w1=1, b1=0, w2=0, b2=0) == relu(x):", np.array_equal(relu_as_maxout[:, 0], relu(x)))
leaky_as_maxout = maxout(x_col, weights=np.array([[[1.0]], [[0.1]]]), biases=np.zeros((2, 1)))
print("maxout(x, w1=1, w2=0.1) == leaky_relu(x):  ", np.allclose(leaky_as_maxout[:, 0], leaky_relu(x)))
# Seven pieces: tangent lines of x**2 / 4 at -6, -4, ..., 6 give a convex curve.
points = np.arange(-6.0, 7.0, 2.0)
w7, b7 = (points / 2)[:, None, None], (-points ** 2 / 4)[:, None]  # slope x0/2, through (x0, x0^2/4)
seven_pieces = maxout(x_col, w7, b7)[:, 0]
print("max |maxout(7 pieces) - x^2/4| on [-6, 6]:", round(float(np.abs(seven_pieces - x ** 2 / 4).max()), 3))

# %%
plt.figure(figsize=(5, 3.5))
plt.plot(x, x ** 2 / 4, label="$x^2/4$")
plt.plot(x, seven_pieces, "--", label="maxout, 7 linear pieces")
plt.legend()
plt.title("Maxout approximates a convex function")
plt.show()

# %% [markdown]
# `course_utils.activations` has all of these (plus `softmax`) with their derivatives;
# `tests/test_activations.py` checks them against Keras. From here on we use it.

# %%
from course_utils import activations as act

print("in course_utils.activations:", ", ".join(act.ACTIVATIONS), "+ maxout, softmax")
print("same as ours:", all(np.allclose(act.ACTIVATIONS[name][0](x), f(x)) for name, (f, _) in activations.items()))

# %% [markdown]
# ## 2. Why ReLU helps: gradients through a deep stack
#
# Backpropagation multiplies by $f'(z)$ once per layer. With sigmoids that factor is at
# most 0.25, so the gradient reaching the first layers of a deep network shrinks
# geometrically: they barely learn (the *vanishing gradient*). With ReLU the factor is
# 1 on active units. Let us measure it: 20 dense layers of 64 units, a batch of random
# inputs, one forward pass and one backward pass by hand, and the size of each layer's
# weight gradient. (Each network gets the initialisation made for it: Glorot for
# sigmoid, He for ReLU.)

# %%
def gradient_norms(f, df, depth=20, width=64, init_gain=1.0, seed=0):
    """||dL/dW_l|| for each layer of a deep stack x -> f(x W_1) -> ... -> f(. W_depth)."""
    r = np.random.default_rng(seed)
    weights = [r.normal(scale=np.sqrt(init_gain / width), size=(width, width)) for _ in range(depth)]
    h = r.normal(size=(128, width))
    inputs, pre_activations = [], []
    for w in weights:  # forward, keeping what backward needs
        inputs.append(h)
        pre_activations.append(h @ w)
        h = f(pre_activations[-1])
    upstream = r.normal(size=h.shape) / h.size  # dL/d(output) for L = mean(output * noise)
    norms = []
    for w, h_in, z in zip(weights[::-1], inputs[::-1], pre_activations[::-1]):  # backward
        dz = upstream * df(z)
        norms.append(np.linalg.norm(h_in.T @ dz))
        upstream = dz @ w.T
    return np.array(norms[::-1])  # layer 1 first


norms_sigmoid = gradient_norms(act.sigmoid, act.sigmoid_derivative, init_gain=1.0)  # Glorot
norms_relu = gradient_norms(act.relu, act.relu_derivative, init_gain=2.0)           # He
for name, norms in [("sigmoid", norms_sigmoid), ("relu", norms_relu)]:
    print(f"{name:>8}: gradient norm at layer 20 {norms[-1]:.1e}, at layer 1 {norms[0]:.1e} "
          f"(layer 1 / layer 20 = {norms[0] / norms[-1]:.1e})")
assert norms_sigmoid[0] / norms_sigmoid[-1] < 1e-5 < 1e-1 < norms_relu[0] / norms_relu[-1]

plt.figure(figsize=(6, 3.5))
plt.semilogy(range(1, 21), norms_sigmoid, "o-", label="sigmoid")
plt.semilogy(range(1, 21), norms_relu, "o-", label="ReLU")
plt.xlabel("layer (1 = closest to the input)")
plt.ylabel("||dL/dW||")
plt.title("Gradient size through 20 layers")
plt.legend()
plt.show()

# %% [markdown]
# Through sigmoids the gradient loses orders of magnitude on the way to the first
# layer; through ReLUs it arrives at about the same size. That, and ReLU's cheapness,
# is why ReLU (and its smooth cousins) replaced sigmoid and tanh in hidden layers:
# Krizhevsky et al. (2012) report that a four-layer CNN with ReLUs "reaches a 25%
# training error rate on CIFAR-10 six times faster than an equivalent network with tanh
# neurons".
#
# ## 3. Pooling
#
# A pooling layer summarises each small window of each feature map by one number:
#
# - **max pooling** reports the maximum within a rectangular neighbourhood;
# - **average pooling** reports its average.
#
# It works on every activation map independently (the depth does not change), has no
# parameters, and with the usual 2x2 windows and stride 2 it halves the height and
# width: the representation gets smaller and more manageable. As loops:

# %%
# NBVAL_CHECK_OUTPUT
def pool2d_loops(x, size=2, stride=2, mode="max"):
    """x: (height, width) -> (out_h, out_w); no padding."""
    out_h = (x.shape[0] - size) // stride + 1
    out_w = (x.shape[1] - size) // stride + 1
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            window = x[i * stride:i * stride + size, j * stride:j * stride + size]
            out[i, j] = window.max() if mode == "max" else window.mean()
    return out


feature_map = np.array([[1, 1, 2, 4],
                        [5, 6, 7, 8],
                        [3, 2, 1, 0],
                        [1, 2, 3, 4]], dtype=float)
print("max pool 2x2, stride 2:\n", pool2d_loops(feature_map, mode="max"))
print("average pool 2x2, stride 2:\n", pool2d_loops(feature_map, mode="average"))
print("max pool 3x3, stride 1:\n", pool2d_loops(feature_map, size=3, stride=1))

# %% [markdown]
# Vectorised, pooling is sliding windows again, followed by `max` or `mean` over the
# window axes. `course_utils.pooling.pool2d` does that for batches and channels, with
# Keras's `"same"` padding (padded cells never win a max and do not count in an
# average). Against `keras.layers.MaxPooling2D` and `AveragePooling2D` for several
# window sizes, strides and paddings:

# %%
# NBVAL_CHECK_OUTPUT
from course_utils.pooling import max_pool2d, pool2d

windows = sliding_window_view(feature_map, (2, 2))[::2, ::2]  # (2, 2, 2, 2): every 2nd window
print("sliding windows, max over the window axes:\n", windows.max(axis=(2, 3)))

x_pool = rng.normal(size=(2, 9, 8, 3)).astype("float32")
print(f"{'pool':>6} {'strides':>8} {'padding':>8} | {'output shape':>15} | max == Keras | average == Keras")
for pool, strides, padding in [(2, None, "valid"), (2, None, "same"), (3, 2, "valid"), (3, 2, "same"),
                               (3, 1, "same"), ((2, 3), (1, 2), "valid")]:
    same_as_keras = []
    for mode, layer_class in [("max", keras.layers.MaxPooling2D), ("average", keras.layers.AveragePooling2D)]:
        ours = pool2d(x_pool, pool, strides, padding, mode)
        theirs = keras.ops.convert_to_numpy(layer_class(pool_size=pool, strides=strides, padding=padding)(x_pool))
        same_as_keras.append(ours.shape == theirs.shape and np.allclose(ours, theirs, atol=1e-5))
    print(f"{str(pool):>6} {str(strides):>8} {padding:>8} | {str(ours.shape):>15} | "
          f"{str(same_as_keras[0]):>12} | {same_as_keras[1]}")

# %% [markdown]
# ## 4. Pooling gives approximate translation invariance
#
# A convolution is translation *equivariant*: shift the input and the feature map
# shifts too. Compared position by position, a one-pixel shift changes the feature map
# a lot. Max pooling reports only the strongest response in each 2x2 window, and a
# one-pixel shift often leaves that maximum in the same window, so the pooled features
# change less: they are approximately *invariant* to small shifts.
#
# Let us measure it on 200 MNIST digits: edge features (ReLU of four Sobel filters),
# then max pooling with 2x2 or 4x4 windows, for each digit and the same digit shifted
# one pixel right or down. We compare the features position by position.

# %%
n_train = by_mode(fast=2000, full=20000)
(x_train, y_train), (x_test, y_test) = load("mnist", subset=n_train, progress=False)
x_train = x_train.astype("float32")[..., None] / 255.0  # (N, 28, 28, 1) in [0, 1]
x_test = x_test.astype("float32")[..., None] / 255.0

sobel_x = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype="float32")
edge_filters = np.stack([sobel_x, sobel_x.T, -sobel_x, -sobel_x.T], axis=-1)[:, :, None, :]  # (3, 3, 1, 4)


def features(images):
    return act.relu(conv2d_forward(images, edge_filters, padding="same"))


def relative_change(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(a)


def cosine_similarity(a, b):
    return np.sum(a * b) / (np.linalg.norm(a) * np.linalg.norm(b))


digits = x_train[:200]
print(f"{'shift':>6} {'pooling':>12} | {'relative change':>15} | {'cosine similarity':>17}")
changes = {}
for direction, axis in [("right", 2), ("down", 1)]:
    shifted = np.roll(digits, 1, axis=axis)  # MNIST borders are empty, so rolling is a shift
    f_orig, f_shift = features(digits), features(shifted)
    for pool in (1, 2, 4):  # 1 = no pooling
        a, b = max_pool2d(f_orig, pool), max_pool2d(f_shift, pool)
        changes[direction, pool] = relative_change(a, b)
        label = "none" if pool == 1 else f"max {pool}x{pool}"
        print(f"{direction:>6} {label:>12} | {changes[direction, pool]:>15.0%} | {cosine_similarity(a, b):>17.2f}")
for direction in ("right", "down"):
    assert changes[direction, 2] < 0.85 * changes[direction, 1]
    assert changes[direction, 4] < 0.6 * changes[direction, 1]

# %%
f_orig, f_shift = features(digits[:1]), features(np.roll(digits[:1], 1, axis=2))
fig, axes = plt.subplots(1, 4, figsize=(13, 3.3))
for ax, image, title in zip(axes, [f_orig[0, :, :, 0], f_shift[0, :, :, 0],
                                   max_pool2d(f_orig)[0, :, :, 0], max_pool2d(f_shift)[0, :, :, 0]],
                            ["edge map", "edge map, input shifted 1 px", "after max pooling",
                             "after max pooling, shifted"]):
    ax.imshow(image, cmap="gray")
    ax.set_title(title)
    ax.axis("off")
plt.show()

# %% [markdown]
# Pooling over 2x2 windows removes about a quarter of the change, 4x4 windows half of
# it. The invariance is only approximate (and only for shifts smaller than the window);
# stacking conv and pooling layers extends it to larger shifts deeper in the network
# (not measured here).
#
# ## 5. Dropout
#
# Dropout cripples the network on purpose: during training each unit is set to 0 with
# probability `rate` (often 0.5), independently for every example and step. Units
# cannot co-adapt, relying on a few particular neighbours, because any of them might
# drop out at random; the network becomes less sensitive to small variations and
# generalises better. A dropout layer is often paired with a pooling layer or placed
# before the dense classifier.
#
# At inference nothing is dropped, so the expected input of the next layer would be
# larger than in training. *Inverted* dropout fixes that during training: the surviving
# units are divided by $(1 - \text{rate})$, which keeps the expected value unchanged,
# and inference is the identity.

# %%
def dropout(x, rate, rng, training):
    if not training:
        return x  # inference: identity
    keep = rng.random(x.shape) >= rate  # keep each unit with probability 1 - rate
    return np.where(keep, x / (1 - rate), 0.0)


activations_in = np.ones((1000, 256), dtype="float32")
rate = 0.5
ours = dropout(activations_in, rate, rng, training=True)
keras_dropout = keras.layers.Dropout(rate, seed=42)
theirs = keras.ops.convert_to_numpy(keras_dropout(activations_in, training=True))
for name, out in [("ours", ours), ("keras.layers.Dropout", theirs)]:
    print(f"{name:>21}: fraction zeroed {np.mean(out == 0):.3f}, survivors become "
          f"{np.unique(out[out != 0]).round(4)}, mean {out.mean():.3f} (input mean 1.0)")
    assert abs(np.mean(out == 0) - rate) < 0.01 and abs(out.mean() - 1) < 0.02
inference = keras.ops.convert_to_numpy(keras_dropout(activations_in, training=False))
print("inference, ours and Keras, return the input unchanged:",
      np.array_equal(dropout(activations_in, rate, rng, training=False), activations_in)
      and np.array_equal(inference, activations_in))

# %% [markdown]
# The exact zeros differ (different random numbers) but the statistics agree: half the
# units dropped, survivors doubled, mean kept at 1.
#
# ## 6. Batch normalisation
#
# Batch normalisation normalises each channel over the batch (and, for feature maps,
# over all positions) to mean 0 and variance 1, then applies a learned scale $\gamma$
# and shift $\beta$:
#
# $$\hat{x} = \frac{x - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}}, \qquad y = \gamma \hat{x} + \beta .$$
#
# - **Training**: $\mu_B, \sigma_B^2$ are the current batch's mean and (biased)
#   variance, and the layer updates running averages,
#   $\text{moving} \leftarrow m \cdot \text{moving} + (1 - m) \cdot \text{batch}$
#   (Keras: $m = 0.99$, $\epsilon = 10^{-3}$).
# - **Inference**: the moving averages replace the batch statistics, so a prediction
#   does not depend on the other examples in the batch.

# %%
# NBVAL_CHECK_OUTPUT
def batchnorm(x, gamma, beta, moving_mean, moving_var, training, momentum=0.99, epsilon=1e-3):
    if training:
        mean = x.mean(axis=(0, 1, 2))  # per channel: over batch, height and width
        var = x.var(axis=(0, 1, 2))
        moving_mean = momentum * moving_mean + (1 - momentum) * mean
        moving_var = momentum * moving_var + (1 - momentum) * var
    else:
        mean, var = moving_mean, moving_var
    return gamma * (x - mean) / np.sqrt(var + epsilon) + beta, moving_mean, moving_var


x_bn = (rng.normal(size=(32, 6, 6, 4)) * 3 + 5).astype("float32")  # mean 5, std 3
gamma = np.array([1.0, 2.0, 0.5, 1.0], dtype="float32")
beta = np.array([0.0, 1.0, -1.0, 3.0], dtype="float32")

bn_layer = keras.layers.BatchNormalization()
bn_layer.build(x_bn.shape)
bn_layer.set_weights([gamma, beta, np.zeros(4, "float32"), np.ones(4, "float32")])

ours_train, moving_mean, moving_var = batchnorm(x_bn, gamma, beta, np.zeros(4), np.ones(4), training=True)
keras_train = keras.ops.convert_to_numpy(bn_layer(x_bn, training=True))
print("training:  ours == Keras:", np.allclose(ours_train, keras_train, atol=1e-4))
print("  output mean per channel:", ours_train.mean(axis=(0, 1, 2)).round(2) + 0.0, "(= beta)")
print("  output std per channel: ", ours_train.std(axis=(0, 1, 2)).round(2), "(= gamma)")
print("  moving averages updated like Keras's:",
      np.allclose(moving_mean, keras.ops.convert_to_numpy(bn_layer.moving_mean), atol=1e-5),
      np.allclose(moving_var, keras.ops.convert_to_numpy(bn_layer.moving_variance), atol=1e-4))
ours_infer, _, _ = batchnorm(x_bn, gamma, beta, moving_mean, moving_var, training=False)
keras_infer = keras.ops.convert_to_numpy(bn_layer(x_bn, training=False))
print("inference: ours == Keras:", np.allclose(ours_infer, keras_infer, atol=1e-4))
print("  after one step the moving averages are still near their start (0, 1):",
      moving_mean.round(2), moving_var.round(2))
print("  so in inference the output mean per channel is", ours_infer.mean(axis=(0, 1, 2)).round(1) + 0.0)
print("  instead of beta =", beta, "as in training: BN needs many steps before inference works")
assert np.all(np.abs(ours_infer.mean(axis=(0, 1, 2)) - beta) > 1)

# %% [markdown]
# The last lines are a real pitfall: in training the output's mean per channel is
# $\beta$, but in inference the layer subtracts the moving mean, still about 0.05
# instead of the data's 5, so every channel comes out shifted by roughly $5\gamma$. With
# momentum 0.99 the moving averages need a few hundred steps to forget their starting
# values, so a network trained for only a few steps predicts badly in inference mode
# even when its training accuracy is fine. For short runs use a smaller momentum (we
# use 0.9 below).
# `course_utils.normalization` has `dropout`, `batchnorm_train` and
# `batchnorm_inference`, tested against Keras in `tests/test_activations.py`.
#
# ## 7. Flatten and softmax
#
# After the last conv/pool stage the feature maps are made one-dimensional (flattened)
# before the fully connected (`Dense`) layers. With an output shape of (2, 2, 128), as
# on the slide, `Flatten()` gives 512 numbers. The final layer's softmax turns the 10
# class scores $z_k$ (the *logits*) into probabilities, which sum to 1:
#
# $$\text{softmax}(z)_k = \frac{e^{z_k}}{\sum_j e^{z_j}} = \frac{e^{z_k - c}}{\sum_j e^{z_j - c}} \quad\text{for any constant } c .$$
#
# The second form is the one to compute, with $c = \max_j z_j$: then every exponent is
# at most 0, so nothing overflows (in float32, $e^{89}$ is already infinite), and the
# largest term is $e^0 = 1$, so the sum is never 0.

# %%
def softmax(z):
    """Softmax along the last axis, with the maximum subtracted first (stable)."""
    shifted = z - z.max(axis=-1, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / exponentials.sum(axis=-1, keepdims=True)


def softmax_naive(z):
    return np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)


# %%
# NBVAL_CHECK_OUTPUT
large_scores = np.array([[1000.0, 1001.0, 1002.0]], dtype="float32")
with np.errstate(over="ignore", invalid="ignore"):
    print("naive  softmax of [1000, 1001, 1002]:", softmax_naive(large_scores))
print("stable softmax of [1000, 1001, 1002]:", softmax(large_scores).round(4))
print("the same as for [0, 1, 2]:           ", softmax(np.array([[0.0, 1.0, 2.0]])).round(4))

# %%
# NBVAL_CHECK_OUTPUT
volume = rng.normal(size=(1, 2, 2, 128)).astype("float32")
flat = keras.layers.Flatten()(volume)
print("Flatten:", volume.shape, "->", tuple(flat.shape))
print("same order as NumPy's reshape:", np.array_equal(keras.ops.convert_to_numpy(flat), volume.reshape(1, -1)))

scores = rng.normal(size=(3, 10)) * 4  # three examples, ten class scores each
probabilities = softmax(scores)
print("softmax sums per example:", probabilities.sum(axis=1).round(6))
print("all in (0, 1):", bool(np.all((probabilities > 0) & (probabilities < 1))),
      "| argmax unchanged:", np.array_equal(probabilities.argmax(1), scores.argmax(1)),
      "| equals keras.activations.softmax:",
      np.allclose(probabilities, keras.ops.convert_to_numpy(keras.activations.softmax(scores)), atol=1e-6),
      "| equals course_utils.activations.softmax:", np.allclose(probabilities, act.softmax(scores)))

# %% [markdown]
# ### Why the loss wants logits
#
# The classification loss is the cross-entropy, $-\log p_y$ for the true class $y$.
# Computed from probabilities, a confident wrong prediction breaks it. In the example
# below the true class's probability is $e^{-40} \approx 4 \cdot 10^{-18}$: float32
# still represents it (its smallest positive number is about $1.4 \cdot 10^{-45}$,
# about $e^{-103}$); only below that would it round to 0, whose log is $-\infty$.
# To be safe, Keras clips
# every probability to $[10^{-7}, 1 - 10^{-7}]$ (its `epsilon`), so the loss stops at
# $-\log 10^{-7} \approx 16.1$ instead of 40, with a zero gradient. Given the logits instead
# (`from_logits=True`), the loss uses the same trick as the stable softmax:
#
# $$-\log \text{softmax}(z)_y = -(z_y - c) + \log \sum_j e^{z_j - c}, \qquad c = \max_j z_j ,$$
#
# exact for any logits, with a useful gradient. That is why the networks below end in a
# `Dense(10)` without softmax: a good habit, whatever the network.

# %%
# NBVAL_CHECK_OUTPUT
logits = np.array([[0.0, 40.0, -5.0]], dtype="float32")  # very sure of class 1
true_class = np.array([0])                                # ... but it is class 0
by_hand = -(logits[0, 0] - logits.max()) + np.log(np.sum(np.exp(logits - logits.max())))
from_logits = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(true_class, logits)
from_probabilities = keras.losses.SparseCategoricalCrossentropy()(true_class, softmax(logits))
print(f"cross-entropy by hand, from the logits:   {by_hand:.2f}")
print(f"Keras, from_logits=True:                  {float(keras.ops.convert_to_numpy(from_logits)):.2f}")
print(f"Keras, from probabilities (clipped):      {float(keras.ops.convert_to_numpy(from_probabilities)):.2f}")

# %% [markdown]
# ## 8. Batch normalisation and dropout at work
#
# The lecture: batch normalisation "increases training speed/also acts as a regularizer"
# (arXiv:1502.03167), and dropout "turns out to be absolutely crucial for training deep
# networks with lots of parameters and prevent overfitting" (arXiv:1207.0580). Dropout
# fights overfitting: it narrows the gap between how well a
# network does on its training data and on data it has not seen. Two experiments test
# those claims, each comparing two networks that differ in one thing only, trained on
# the same examples in the same order from the same seed (`set_seed(42)`). Both train on
# logits with `from_logits=True` (section 7). Each experiment uses the same data in
# fast and full mode.
#
# ### Batch normalisation: a deeper network learns from the first epoch
#
# Batch normalisation re-centres and re-scales every channel of every convolution's
# output at every step, to a learned mean $\beta$ and standard deviation $\gamma$
# (section 6), whatever the layers before it did. Keras's default initialisation (Glorot
# uniform, not the He initialisation of section 2) does not keep the signal's size
# through ReLU layers. Ioffe and Szegedy (2015) say batch normalisation "allows us to use
# much higher learning rates and be less careful about initialization". Our network: four 3x3 conv layers (8, 8, 16
# and 16 filters, `"same"` padding) with max pooling after the second and the fourth,
# global average pooling and a `Dense(10)`; the BN version puts a `BatchNormalization`
# between each convolution and its ReLU (so the convolution needs no bias). Plain SGD,
# learning rate 0.05, batches of 32, 2,000 training images, validation on 500 others.

# %%
def deep_cnn(batchnorm):
    layers = [keras.Input((28, 28, 1))]
    for filters in (8, 8, "pool", 16, 16, "pool"):
        if filters == "pool":
            layers.append(keras.layers.MaxPooling2D(2))
        elif batchnorm:
            layers += [keras.layers.Conv2D(filters, 3, padding="same", use_bias=False),
                       keras.layers.BatchNormalization(momentum=0.9),
                       keras.layers.Activation("relu")]
        else:
            layers.append(keras.layers.Conv2D(filters, 3, padding="same", activation="relu"))
    layers += [keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(10)]  # logits
    return keras.Sequential(layers)


def train(model, x, y, epochs, optimizer):
    model.compile(optimizer=optimizer, loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model.fit(x, y, batch_size=32, epochs=epochs, validation_data=(x_val, y_val), verbose=0).history


x_val, y_val = x_test[:500], y_test[:500]
bn_epochs = by_mode(fast=2, full=5)
speed = {}
for batchnorm in (False, True):
    set_seed(42)
    name = "with BatchNorm" if batchnorm else "plain"
    speed[name] = train(deep_cnn(batchnorm), x_train[:2000], y_train[:2000], bn_epochs,
                        keras.optimizers.SGD(learning_rate=0.05))
    print(f"{name:>14}: training loss per epoch {np.round(speed[name]['loss'], 2)}, "
          f"validation accuracy {np.round(speed[name]['val_accuracy'], 2)}")

# The claim, on the first two epochs (the same in both modes): BatchNorm learns faster.
for epoch in (0, 1):  # validation accuracy at the end of each epoch
    assert speed["with BatchNorm"]["val_accuracy"][epoch] > speed["plain"]["val_accuracy"][epoch] + 0.1
assert speed["with BatchNorm"]["loss"][1] < speed["plain"]["loss"][1] - 0.1  # the second epoch's mean loss
assert speed["with BatchNorm"]["val_accuracy"][-1] > speed["plain"]["val_accuracy"][-1]  # and it stays ahead

# %% [markdown]
# In the first two epochs the plain network barely moves: its loss stays near
# $\ln 10 \approx 2.30$, the loss of a uniform guess over ten classes, and its validation
# accuracy near chance (0.1). The same network with batch normalisation starts learning
# in the first epoch, as the printed losses and accuracies show, though after two epochs
# it is still far from a good classifier. (Full mode trains five epochs; the last assert
# checks that the network with batch normalisation is still ahead then.) (Whether the
# plain network would train with Adam or a tuned learning rate is not tested here.
# Adam, the optimiser of the next experiment and of most of the course, is SGD with
# momentum and a step size of its own for every parameter; lesson 04, section 3, writes
# it out and compares it with SGD.)
# BN's regularising effect, from the noise of normalising each example with the
# statistics of a random batch, is small and not measured here.
#
# ### Dropout: a smaller gap between training and validation
#
# Overfitting needs a model with many parameters and few examples. So: 500 training
# images, a conv layer with 8 filters, max pooling, and a wide dense head (`Dense(256)`,
# about 346,000 weights) trained with Adam for 25 epochs, with and without dropout
# (rate 0.5) before and after the wide layer. We compare the loss on the training
# images and on the validation images, both measured in inference mode (no units
# dropped), after the last epoch.

# %%
def wide_head_cnn(dropout):
    layers = [keras.Input((28, 28, 1)), keras.layers.Conv2D(8, 3, activation="relu"),
              keras.layers.MaxPooling2D(2), keras.layers.Flatten()]
    layers += [keras.layers.Dropout(0.5)] if dropout else []
    layers.append(keras.layers.Dense(256, activation="relu"))
    layers += [keras.layers.Dropout(0.5)] if dropout else []
    layers.append(keras.layers.Dense(10))  # logits
    return keras.Sequential(layers)


n_small, dropout_epochs = 500, 25
gaps, overfit, models = {}, {}, {}
for dropout in (False, True):
    set_seed(42)
    name = "with Dropout" if dropout else "plain"
    models[name] = wide_head_cnn(dropout)
    overfit[name] = train(models[name], x_train[:n_small], y_train[:n_small], dropout_epochs,
                          keras.optimizers.Adam(1e-3))
    train_loss, train_accuracy = models[name].evaluate(x_train[:n_small], y_train[:n_small], verbose=0)
    val_loss, val_accuracy = models[name].evaluate(x_val, y_val, verbose=0)
    gaps[name] = val_loss - train_loss
    print(f"{name:>12}: loss training {train_loss:.3f}, validation {val_loss:.3f} (gap {gaps[name]:.3f}); "
          f"accuracy training {train_accuracy:.3f}, validation {val_accuracy:.3f}")
    assert val_accuracy >= 0.8, f"{name}: validation accuracy {val_accuracy:.3f}: the network did not learn"
print(f"dropout narrows the loss gap from {gaps['plain']:.3f} to {gaps['with Dropout']:.3f}")
assert gaps["with Dropout"] < gaps["plain"]

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
colours = {"plain": "C0", "with BatchNorm": "C1", "with Dropout": "C2"}
epochs_axis = np.arange(1, bn_epochs + 1)
for name, history in speed.items():
    axes[0].plot(epochs_axis, history["loss"], "o-", color=colours[name], label=f"{name}, training")
    axes[0].plot(epochs_axis, history["val_loss"], "o--", color=colours[name], label=f"{name}, validation")
axes[0].set_title("BatchNorm experiment: deeper CNN, SGD")
axes[0].set_xticks(epochs_axis)
epochs_axis = np.arange(1, dropout_epochs + 1)
for name, history in overfit.items():
    axes[1].plot(epochs_axis, history["loss"], color=colours[name], label=f"{name}, training")
    axes[1].plot(epochs_axis, history["val_loss"], "--", color=colours[name], label=f"{name}, validation")
axes[1].set_title("Dropout experiment: 500 images, wide head, Adam")
axes[1].set_yscale("log")
for ax in axes:
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
fig.tight_layout()
plt.show()

# %% [markdown]
# Read the right panel with care. The training losses (solid) are measured while the
# network trains, so the dropout network's includes the dropped units. Without dropout
# the training loss falls towards 0 while the validation loss levels off after a few
# epochs: the network memorises its 500 images instead of learning more about digits. With dropout the validation
# loss keeps closer to the training loss, which is what the printed gaps, measured in
# inference mode, confirm. On 500 images the effect is modest, not dramatic: dropout
# narrows the gap, it does not close it, and the validation accuracies of the two
# networks differ by little. Srivastava et al. (2014, section 7.4) found that "for
# extremely small data sets (100, 500) dropout does not give any improvements", and that
# its gain grows with the data set before it declines again.
#
# ### What the first layer learned (the lecture's "motivation from the visual system")
#
# The lecture's "motivation from the visual system": the first layers detect simple
# features like edges at various angles, and deeper layers compose them into
# higher-level features. Here are the eight 3x3 filters the dropout network's first
# layer learned (blue negative, red positive) and what each makes of one digit.

# %%
first_layer = models["with Dropout"].layers[0]
kernels = keras.ops.convert_to_numpy(first_layer.kernel)[:, :, 0, :]  # (3, 3, 8)
responses = keras.ops.convert_to_numpy(first_layer(x_val[:1]))[0]     # (26, 26, 8), after ReLU
fig, axes = plt.subplots(2, 8, figsize=(12, 3.4))
for k in range(8):
    axes[0, k].imshow(kernels[:, :, k], cmap="RdBu_r", **symmetric_limits(kernels, 100))
    axes[0, k].set_title(f"filter {k}", fontsize=10)
    axes[1, k].imshow(responses[:, :, k], cmap="gray")
for ax in axes.ravel():
    ax.set_xticks([])
    ax.set_yticks([])
axes[0, 0].set_ylabel("kernel")
axes[1, 0].set_ylabel("response")
fig.tight_layout()
plt.show()

# %% [markdown]
# Look for kernels with a positive side and a negative side: they are edge detectors,
# and their responses light up along the strokes of one orientation (compare the
# Sobel filters of lesson 02), while others respond to the stroke itself. With only
# 3x3 weights, one layer and 500 images the filters are rough; AlexNet's first layer,
# with 96 filters of 11x11x3 trained on ImageNet, shows clean oriented edges and colour
# blobs. Lesson 02's receptive fields explain the second half of the slide: each
# deeper layer sees a larger patch of the image, so it can combine these edges into
# corners, curves and, eventually, parts of objects.

# %% [markdown]
# ## Key points
# - A conv layer's three stages: convolution, a nonlinearity applied element-wise, and
#   pooling.
# - Sigmoid and tanh ($\tanh(x) = 2\sigma(2x) - 1$) saturate. Sigmoid's derivative is at
#   most 0.25, and through a deep stack of sigmoids the gradient shrank by orders of
#   magnitude here (section 2). ReLU's derivative is 1 on active units,
#   so gradients keep their size; Leaky ReLU, ELU and GELU ($x\Phi(x)$) are smooth or
#   non-dying variants, Maxout a learned piecewise-linear one. GELU is the expected
#   value of the input times a random keep-mask with probability $\Phi(x)$: ReLU's
#   input-dependent gate and dropout's randomness in one.
# - Max / average pooling summarise each window of each map; 2x2, stride 2 halves
#   height and width, with no parameters. Max pooling makes features approximately
#   invariant to small shifts.
# - Inverted dropout drops units with probability `rate` in training and scales the rest
#   by $1/(1-\text{rate})$; inference is the identity.
# - Batch normalisation uses batch statistics in training and moving averages in
#   inference, then a learned scale and shift. Here, with plain SGD for two epochs, the
#   network with it learned (validation accuracy well above chance, printed above) while
#   the same network without it stayed at chance (loss near ln 10).
# - Dropout narrows the gap between training and validation loss of a network that
#   overfits; on a small data set the effect is real but modest.
# - Flatten turns (2, 2, 128) into 512 numbers for the dense layers; softmax outputs sum
#   to 1. Compute softmax with the maximum subtracted, and give Keras losses the logits
#   (`from_logits=True`): exact even where Keras would clip a probability at $10^{-7}$
#   (section 7).
# - A CNN's first layer learns small edge-like filters; deeper layers, with larger
#   receptive fields, compose them.

# %% [markdown]
# ## Exercises
#
# Each exercise has a solution cell (collapsed in Colab: click "Show code" to see it) and
# a check cell. In your own copy, write your answer in place of the solution and run the
# check: it prints "Correct", or which case went wrong and what was expected.
# `exercise_1.hint()` gives a nudge and `exercise_1.solution()` a worked solution.

# %%
from course_utils.exercises import NotDoneYet
from course_utils.exercises.lesson03 import exercise_1, exercise_2, exercise_3

# %% [markdown]
# ### Exercise 1: SiLU (swish)
#
# SiLU, $x\,\sigma(x)$, is another smooth ReLU (EfficientNet uses it). Write `silu(x)`
# and its derivative `silu_derivative(x)` in NumPy, element by element, and pass both
# functions to the check. Where is SiLU negative, and what is its smallest value?

# %% [markdown]
# #### Solution

# %%
# @title Solution { display-mode: "form" }
from course_utils.activations import sigmoid as stable_sigmoid  # no overflow for large |x|


def silu(x):
    ### BEGIN SOLUTION
    return x * stable_sigmoid(x)
    ### END SOLUTION


def silu_derivative(x):
    ### BEGIN SOLUTION
    s = stable_sigmoid(x)
    return s + x * s * (1 - s)  # product rule: x' s(x) + x s'(x)
    ### END SOLUTION


### BEGIN SOLUTION
grid = np.linspace(-6, 6, 12001)
print(f"SiLU is negative for x < 0; its minimum is {silu(grid).min():.3f} "
      f"at x = {grid[silu(grid).argmin()]:.2f}")
### END SOLUTION

# %%
exercise_1.check(silu, silu_derivative)
# exercise_1.hint()
# exercise_1.solution()

# %% [markdown]
# ### Exercise 2: the backward pass of max pooling
#
# Max pooling has no weights, but a network still needs its backward pass: given the
# gradient `grad_output` with respect to the pooled output, which input pixels receive
# gradient, and how much? Write `max_pool_backward(grad_output, x, size=2, stride=2)`
# for `x` of shape (batch, height, width, channels), square windows and no padding. It
# returns an array shaped like `x`. Think about windows that overlap (`stride < size`):
# one input can be the maximum of several windows. Where several inputs tie for a
# window's maximum, give the gradient to the first of them in reading order (row by
# row), as `np.argmax` does and as Keras does.

# %% [markdown]
# #### Solution

# %%
# @title Solution { display-mode: "form" }
def max_pool_backward(grad_output, x, size=2, stride=2):
    ### BEGIN SOLUTION
    grad_x = np.zeros_like(x, dtype=float)
    batch, out_h, out_w, channels = grad_output.shape
    for n in range(batch):
        for c in range(channels):
            for i in range(out_h):
                for j in range(out_w):
                    window = x[n, i * stride:i * stride + size, j * stride:j * stride + size, c]
                    r, s = np.unravel_index(np.argmax(window), window.shape)
                    # Only the maximum changed the output; += because windows may overlap.
                    grad_x[n, i * stride + r, j * stride + s, c] += grad_output[n, i, j, c]
    return grad_x
    ### END SOLUTION

# %%
exercise_2.check(max_pool_backward)
# exercise_2.hint()
# exercise_2.solution()

# %% [markdown]
# ### Exercise 3: follow the shapes
#
# A 32x32x3 image goes through `Conv2D(32, 3, padding="same")`, `MaxPooling2D(2)`,
# `Conv2D(64, 3)` (padding "valid"), `MaxPooling2D(2)` and `Flatten()`. What is the shape
# (height, width, channels) just before `Flatten`, and how many numbers come out of it?
# Work it out by hand with the output-size formula, then confirm with Keras.

# %% [markdown]
# #### Solution

# %%
# @title Solution { display-mode: "form" }
shape_before_flatten = ...   # your answers: a tuple of whole numbers and a whole number
flattened_length = ...
### BEGIN SOLUTION
size = 32                    # 'same' keeps 32
size = size // 2             # pooling halves it
size = size - 3 + 1          # a 3x3 'valid' convolution removes 2
size = size // 2             # pooling halves it again
shape_before_flatten = (size, size, 64)
flattened_length = size * size * 64
shapes_model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Conv2D(32, 3, padding="same"),
                                 keras.layers.MaxPooling2D(2), keras.layers.Conv2D(64, 3),
                                 keras.layers.MaxPooling2D(2), keras.layers.Flatten()])
print("Keras:", shapes_model.layers[-2].output.shape, "->", shapes_model.output_shape)
### END SOLUTION

# %%
exercise_3.check(shape_before_flatten, flattened_length)
# exercise_3.hint()
# exercise_3.solution()
