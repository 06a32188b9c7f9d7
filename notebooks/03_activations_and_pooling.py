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
# derivatives by hand, measure why ReLU made deep networks trainable, build max and
# average pooling and see the approximate translation invariance they give, and then the
# layers that sit around them in a real network: dropout, batch normalisation, flatten
# and softmax. Every piece is compared with Keras, and at the end a small network on
# MNIST is trained with and without batch normalisation and dropout.

# %% [markdown]
# ## What you will learn
# - Sigmoid, tanh, ReLU, Leaky ReLU, ELU, Maxout and GELU: formulas, derivatives, and
#   how they compare with `keras.activations`.
# - Why ReLU helps: gradients shrink layer after layer through sigmoids, not through ReLUs.
# - Max and average pooling by hand, with strides and padding, equal to the Keras layers.
# - How pooling makes features approximately invariant to small shifts.
# - Dropout (inverted scaling; training versus inference) and batch normalisation (batch
#   statistics in training, moving averages in inference), by hand and in Keras.
# - Flatten and softmax, the bridge from feature maps to class probabilities.

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
from numpy.lib.stride_tricks import sliding_window_view
from scipy.special import erf

from course_utils.convolution import conv2d_forward
from course_utils.mode import by_mode, describe_mode
from course_utils.seed import set_seed
from data_download import load

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
# ### Maxout
#
# Maxout is not a fixed function: it takes the maximum of $k$ *learned* linear functions
# of the input, $\max(w_1^T x + b_1, w_2^T x + b_2)$. ReLU is the special case
# $w_2 = 0, b_2 = 0$; with more pieces it can approximate any convex function. The cost:
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
# is why ReLU (and its smooth cousins) replaced sigmoid and tanh in hidden layers.
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
# change much less: they are approximately *invariant* to small shifts.
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
# stacking conv and pooling layers extends it to larger shifts deeper in the network.
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
print("  after one step the moving averages are still near their start (0, 1), so in inference")
print("  the output mean is", ours_infer.mean().round(1), "not 0: BN needs many steps before inference works")

# %% [markdown]
# The last line is a real pitfall: with momentum 0.99 the moving averages need a few
# hundred steps to forget their starting values, so a network trained for only a few
# steps predicts badly in inference mode even when its training accuracy is fine. For
# short runs use a smaller momentum (we use 0.9 below).
# `course_utils.normalization` has `dropout`, `batchnorm_train` and
# `batchnorm_inference`, tested against Keras in `tests/test_activations.py`.
#
# ## 7. Flatten and softmax
#
# After the last conv/pool stage the feature maps are made one-dimensional (flattened)
# before the fully connected (`Dense`) layers. With an output shape of (2, 2, 128), as
# on the slide, `Flatten()` gives 512 numbers. The final layer's softmax turns the 10
# class scores into probabilities, which sum to 1.

# %%
# NBVAL_CHECK_OUTPUT
volume = rng.normal(size=(1, 2, 2, 128)).astype("float32")
flat = keras.layers.Flatten()(volume)
print("Flatten:", volume.shape, "->", tuple(flat.shape))
print("same order as NumPy's reshape:", np.array_equal(keras.ops.convert_to_numpy(flat), volume.reshape(1, -1)))

scores = rng.normal(size=(3, 10)) * 4  # three examples, ten class scores each
probabilities = act.softmax(scores)
print("softmax sums per example:", probabilities.sum(axis=1).round(6))
print("all in (0, 1):", bool(np.all((probabilities > 0) & (probabilities < 1))),
      "| argmax unchanged:", np.array_equal(probabilities.argmax(1), scores.argmax(1)),
      "| equals keras.activations.softmax:",
      np.allclose(probabilities, keras.ops.convert_to_numpy(keras.activations.softmax(scores)), atol=1e-6))

# %% [markdown]
# ## 8. Putting it together: a small CNN with and without BatchNorm and Dropout
#
# Conv, ReLU, max pooling, twice; flatten; softmax. One version is plain; the other
# adds batch normalisation after each convolution (before the ReLU, so the conv needs no
# bias) and dropout before the classifier. Both train on the same MNIST subset with the
# same seed.
#
# One practical detail: the last Dense layer outputs the 10 *scores* (logits), and the
# loss applies the softmax itself (`from_logits=True`). That is the same function, but
# computed together the log and the exponential cancel and no probability is rounded
# to 0 or 1. With a separate softmax layer, the plain network's full-mode run on a GPU
# blew up after five epochs (loss 14.3, accuracy 11 %); with logits it trains smoothly.
# The probabilities are one `keras.ops.softmax` away when we want them.

# %%
def small_cnn(regularised):
    layers = [keras.Input((28, 28, 1))]
    for filters in (16, 32):
        if regularised:
            layers += [keras.layers.Conv2D(filters, 3, use_bias=False),
                       keras.layers.BatchNormalization(momentum=0.9),
                       keras.layers.Activation("relu")]
        else:
            layers.append(keras.layers.Conv2D(filters, 3, activation="relu"))
        layers.append(keras.layers.MaxPooling2D(2))
    layers.append(keras.layers.Flatten())
    if regularised:
        layers.append(keras.layers.Dropout(0.5))
    layers.append(keras.layers.Dense(10))  # logits; the loss applies the softmax
    return keras.Sequential(layers)


epochs = by_mode(fast=4, full=10)
n_test = by_mode(fast=1000, full=10000)
results = {}
for regularised in (False, True):
    set_seed(42)
    model = small_cnn(regularised)
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=32, epochs=epochs, validation_split=0.1, verbose=0)
    _, test_accuracy = model.evaluate(x_test[:n_test], y_test[:n_test], verbose=0)
    name = "with BatchNorm + Dropout" if regularised else "plain"
    results[name] = (history, test_accuracy, model.count_params())
    print(f"{name:>24}: {model.count_params():,} parameters, training accuracy "
          f"{history.history['accuracy'][-1]:.3f}, test accuracy {test_accuracy:.3f}")

min_accuracy = by_mode(fast=0.85, full=0.97)
for name, (_, test_accuracy, _) in results.items():
    assert test_accuracy >= min_accuracy, f"{name}: test accuracy {test_accuracy:.3f} < {min_accuracy}"

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
for name, (history, _, _) in results.items():
    axes[0].plot(history.history["loss"], label=f"{name}, training")
    axes[0].plot(history.history["val_loss"], "--", label=f"{name}, validation")
    axes[1].plot(history.history["val_accuracy"], label=name)
axes[0].set_title("loss")
axes[1].set_title("validation accuracy")
for ax in axes:
    ax.set_xlabel("epoch")
    ax.legend()
plt.show()

# %% [markdown]
# With so little data and training both networks do well; batch normalisation
# usually speeds up the first epochs, and dropout shows its worth on longer runs, where
# the plain network starts to overfit (its training loss keeps falling while the
# validation loss stops improving). Run the lesson in full mode to see more of it.

# %% [markdown]
# ## Key points
# - A conv layer's three stages: convolution, a nonlinearity applied element-wise, and
#   pooling.
# - Sigmoid and tanh ($\tanh(x) = 2\sigma(2x) - 1$) saturate; their small derivatives
#   make gradients vanish through deep stacks. ReLU's derivative is 1 on active units,
#   so gradients keep their size; Leaky ReLU, ELU and GELU ($x\Phi(x)$) are smooth or
#   non-dying variants, Maxout a learned piecewise-linear one.
# - Max / average pooling summarise each window of each map; 2x2, stride 2 halves
#   height and width, with no parameters. Max pooling makes features approximately
#   invariant to small shifts.
# - Inverted dropout drops units with probability `rate` in training and scales the rest
#   by $1/(1-\text{rate})$; inference is the identity.
# - Batch normalisation uses batch statistics in training and moving averages in
#   inference, then a learned scale and shift.
# - Flatten turns (2, 2, 128) into 512 numbers for the dense layers; softmax outputs sum
#   to 1.

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
# one input can be the maximum of several windows.

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
