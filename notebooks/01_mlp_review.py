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
# # Lesson 01: Multilayer perceptrons, reviewed
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/open-cnn-course/cnn-course/blob/main/notebooks/01_mlp_review.ipynb)
#
# Convolutional networks are multilayer perceptrons (MLPs) with a special wiring, and
# they are trained exactly like MLPs: define a loss, compute its gradient by
# backpropagation, step downhill with stochastic gradient descent. This lesson reviews
# that machinery before the course builds on it. We write a layer, the squared-error
# loss and gradient descent by hand, backpropagate through a network with two hidden
# layers in NumPy (and check every derivative numerically), train it with mini-batch
# SGD, and then meet the same network in scikit-learn, in an interactive playground and
# in Keras.
#
# The outputs shown were computed in fast mode (`CNN_COURSE_FAST=1`: fewer examples and
# epochs) on a CPU. On a Colab GPU without fast mode the data sets are larger and the
# training runs longer, so accuracies and loss curves differ a little from the printed
# ones; the text below quotes only what the cells print, or what holds in both modes.

# %% [markdown]
# ## What you will learn
# - What one fully connected layer computes, `y = f(Wx + b)`, and why `f` must be nonlinear.
# - How gradient descent `w <- w - alpha dE/dw` minimises the squared error
#   `E(w) = sum_i (y_i - f_w(x_i))^2`.
# - How backpropagation applies the chain rule from the output back to the input, written
#   out in NumPy, and how to verify it with a numerical gradient check.
# - How stochastic gradient descent cycles through mini-batches in random order over epochs.
# - How an MLP's decision boundary differs from a linear model's (scikit-learn), how the
#   number of hidden units, the activation and the learning rate change it (playground),
#   and how to build the same network in Keras.

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
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_circles, make_moons
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from course_utils import mlp
from course_utils.env import enable_gpu_memory_growth
from course_utils.figures import use_course_style
from course_utils.mode import by_mode, describe_mode
from course_utils.seed import set_seed
from course_utils.widgets import show_explorer

enable_gpu_memory_growth()  # before Keras touches the GPU (lesson 00)
import keras  # noqa: E402

use_course_style()  # figures at 72 dpi: light notebooks, legible text
print(describe_mode())
rng = set_seed(42)

# %% [markdown]
# ## 1. A layer: `y = f(Wx + b)`
#
# A fully connected layer multiplies its input vector `x` by a weight matrix `W`, adds a
# bias `b` and applies an *activation function* `f` to every entry. The weights and
# biases are what training determines. Without a nonlinear `f`, stacking layers would
# gain nothing: a product of matrices is again one matrix, so the network would stay
# linear. The classic choices are the sigmoid `1 / (1 + e^-z)` (outputs in [0, 1]),
# `tanh` (outputs in [-1, 1]) and, in modern networks, the ReLU `max(0, z)`.
#
# Here is one layer with 2 inputs and 3 units, computed by hand.

# %%
# NBVAL_CHECK_OUTPUT
W = np.array([[1.0, -1.0],
              [0.5, 2.0],
              [-2.0, 0.0]])   # 3 units x 2 inputs, as on the slides: y = f(Wx + b)
b = np.array([0.0, -1.0, 0.5])
x = np.array([1.0, 2.0])

z = W @ x + b
print("z = Wx + b      =", np.round(z, 4))
print("ReLU(z)         =", np.round(np.maximum(z, 0), 4))
print("tanh(z)         =", np.round(np.tanh(z), 4))
print("sigmoid(z)      =", np.round(1 / (1 + np.exp(-z)), 4))

# %% [markdown]
# In code we process a whole *batch* at once: the examples are the rows of a matrix `X`,
# and the layer computes `f(X @ W.T + b)`. Keras (and `course_utils.mlp`) store the
# transposed matrix, the *kernel* of shape `(inputs, units)`, so a layer is simply
# `f(X @ kernel + b)`. From here on `W` means that kernel.

# %%
z_grid = np.linspace(-4, 4, 200)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(z_grid, 1 / (1 + np.exp(-z_grid)), label="sigmoid")
ax.plot(z_grid, np.tanh(z_grid), label="tanh")
ax.plot(z_grid, np.maximum(z_grid, 0), label="ReLU")
ax.set_xlabel("z")
ax.set_ylabel("f(z)")
ax.set_ylim(-1.2, 2.2)
ax.grid(alpha=0.3)
ax.legend()
ax.set_title("Three activation functions")
plt.show()

# %% [markdown]
# ## 2. The squared error and gradient descent
#
# Training finds the weights that make the network's outputs `f_w(x_i)` close to the
# labels `y_i` of the training examples, for instance by minimising the squared error
#
# $$E(\mathbf{w}) = \sum_{i=1}^{N} \big(y_i - f_{\mathbf{w}}(\mathbf{x}_i)\big)^2 .$$
#
# Gradient descent repeats one update: step against the gradient, scaled by the
# learning rate $\alpha$,
#
# $$\mathbf{w} \leftarrow \mathbf{w} - \alpha \frac{\partial E}{\partial \mathbf{w}} .$$
#
# The smallest model shows the idea: one weight, `f_w(x) = w x`, three examples. Then
# `dE/dw = -2 sum_i x_i (y_i - w x_i)`, which we can write down directly.

# %%
# NBVAL_CHECK_OUTPUT
x_toy = np.array([1.0, 2.0, 3.0])
y_toy = np.array([2.0, 4.0, 6.5])
alpha = 0.02


def toy_error(w):
    return np.sum((y_toy - w * x_toy) ** 2)


def toy_gradient(w):
    return -2 * np.sum(x_toy * (y_toy - w * x_toy))


w = 0.0
path = [w]
for step in range(8):
    print(f"step {step}: w = {w:.4f}   E(w) = {toy_error(w):8.4f}   dE/dw = {toy_gradient(w):9.4f}")
    w = w - alpha * toy_gradient(w)
    path.append(w)
print(f"best w (least squares) = {np.sum(x_toy * y_toy) / np.sum(x_toy ** 2):.4f}")

# %%
w_grid = np.linspace(-0.2, 3.2, 200)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(w_grid, [toy_error(v) for v in w_grid], label="E(w)")
ax.plot(path, [toy_error(v) for v in path], "o-", color="C3", label="gradient descent steps")
ax.set_xlabel("w")
ax.set_ylabel("E(w)")
ax.legend()
ax.set_title(f"Gradient descent with alpha = {alpha}")
plt.show()

# %% [markdown]
# Each step shrinks the distance to the minimum by the same factor here
# (`1 - 2 alpha sum x_i^2 = 0.44`). With `alpha` above `1 / sum x_i^2 = 0.071` the steps
# would overshoot further and further: the learning rate is the first knob to tune.

# %% [markdown]
# ## 3. Backpropagation by the chain rule
#
# A network with two hidden layers computes, for a batch `X`,
#
# ```
# z1 = X  @ W1 + b1,   a1 = tanh(z1)        hidden layer 1
# z2 = a1 @ W2 + b2,   a2 = tanh(z2)        hidden layer 2
# z3 = a2 @ W3 + b3,   out = sigmoid(z3)    output, a number in [0, 1]
# ```
#
# We use the squared error averaged over the batch, `E = mean_i (y_i - out_i)^2` (the
# slides' sum divided by N, which has the same minimum and makes the learning rate
# independent of the batch size). *Backpropagation* computes all the partial derivatives
# in one sweep from the output back to the input. The chain rule gives, for every layer,
#
# - `dE/dz = dE/da * f'(z)` (multiply by the activation's derivative, entry by entry),
# - `dE/dW = a_prev.T @ dE/dz` and `dE/db = sum of dE/dz over the batch`,
# - `dE/da_prev = dE/dz @ W.T` (pass the gradient on to the layer below).
#
# With `sigmoid'(z) = s (1 - s)` and `tanh'(z) = 1 - tanh(z)^2`, all of it is a dozen
# lines of NumPy.

# %%
def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def init_network(n_inputs, n_hidden, rng):
    """Glorot-uniform weights (Keras' default) and zero biases for 2 hidden layers."""
    sizes = [n_inputs, n_hidden, n_hidden, 1]
    params = {}
    for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        limit = np.sqrt(6 / (n_in + n_out))
        params[f"W{layer}"] = rng.uniform(-limit, limit, size=(n_in, n_out))
        params[f"b{layer}"] = np.zeros(n_out)
    return params


def forward_pass(p, X):
    z1 = X @ p["W1"] + p["b1"]
    a1 = np.tanh(z1)
    z2 = a1 @ p["W2"] + p["b2"]
    a2 = np.tanh(z2)
    z3 = a2 @ p["W3"] + p["b3"]
    out = sigmoid(z3)
    return out, (X, a1, a2, out)


def squared_error(out, y):
    return np.mean(np.sum((y - out) ** 2, axis=1))


def backward_pass(p, cache, y):
    X, a1, a2, out = cache
    d_out = 2 * (out - y) / len(X)        # dE/d(out)
    d_z3 = d_out * out * (1 - out)        # sigmoid'(z3) = out (1 - out)
    grads = {"W3": a2.T @ d_z3, "b3": d_z3.sum(axis=0)}
    d_a2 = d_z3 @ p["W3"].T               # back through W3
    d_z2 = d_a2 * (1 - a2 ** 2)           # tanh'(z2) = 1 - a2^2
    grads["W2"], grads["b2"] = a1.T @ d_z2, d_z2.sum(axis=0)
    d_a1 = d_z2 @ p["W2"].T               # back through W2
    d_z1 = d_a1 * (1 - a1 ** 2)           # tanh'(z1) = 1 - a1^2
    grads["W1"], grads["b1"] = X.T @ d_z1, d_z1.sum(axis=0)
    return grads


# %% [markdown]
# ### Checking the gradient numerically
#
# A mistake in a backward pass rarely crashes; the network just learns badly. So we
# compare every derivative with a *central difference*: nudge one weight up and down by
# a small step `h` and watch the error change,
#
# $$\frac{\partial E}{\partial w} \approx \frac{E(w + h) - E(w - h)}{2h},$$
#
# whose error shrinks like $h^2$ (the one-sided $(E(w + h) - E(w))/h$ only like $h$).
# It needs two evaluations of the loss per weight, far too slow for training but fine
# for checking a small network. In float64 with `h = 1e-6` it is accurate to about
# 1e-10; in float32 the rounding would swamp it. Written out, one weight at a time:

# %%
def numerical_gradient(function, point, step=1e-6):
    """Central differences: d function / d point[index] for every entry of point."""
    gradient = np.zeros_like(point)
    for index in np.ndindex(point.shape):   # every entry of the weight array
        original = point[index]
        point[index] = original + step       # nudge up ...
        value_plus = function(point)
        point[index] = original - step       # ... and down
        value_minus = function(point)
        point[index] = original              # put the weight back
        gradient[index] = (value_plus - value_minus) / (2 * step)
    return gradient


def relative_error(analytic, numerical):
    """||a - n|| / (||a|| + ||n||) over the whole array."""
    return np.linalg.norm(analytic - numerical) / (np.linalg.norm(analytic) + np.linalg.norm(numerical))


# %% [markdown]
# `function` closes over the weights it is given, which `numerical_gradient` nudges in
# place. The relative error, taken over each whole weight array, must be tiny: below
# 1e-6. Why over the whole array and not entry by entry? The difference quotient
# carries rounding noise of about 1e-11, so an entry whose true derivative is itself
# almost zero (say 1e-7) would fail an entry-wise ratio although the code is right. A
# real bug, as below, moves the whole array.

# %%
check_rng = np.random.default_rng(2)
X_check = check_rng.normal(size=(10, 2))
y_check = check_rng.integers(0, 2, size=(10, 1)).astype(np.float64)
params_check = init_network(2, 5, check_rng)

analytic = backward_pass(params_check, forward_pass(params_check, X_check)[1], y_check)
errors = {}
for name, value in params_check.items():
    numeric = numerical_gradient(lambda _: squared_error(forward_pass(params_check, X_check)[0], y_check),
                                 value)
    errors[name] = relative_error(analytic[name], numeric)
    print(f"{name}: shape {str(value.shape):8s} relative error {errors[name]:.1e}")

# %%
# NBVAL_CHECK_OUTPUT
for name, error in errors.items():
    print(f"{name}: relative error below 1e-6? {error < 1e-6}")
assert max(errors.values()) < 1e-6, "the backward pass disagrees with the numerical gradient"

# %% [markdown]
# What a bug looks like: forget the factor `tanh'(z1)` in the first layer and its
# gradients are off by far more than 1e-6, while the layers above still pass.

# %%
def buggy_backward_pass(p, cache, y):
    grads = backward_pass(p, cache, y)
    X, a1, a2, out = cache
    d_z2 = ((2 * (out - y) / len(X)) * out * (1 - out)) @ p["W3"].T * (1 - a2 ** 2)
    d_z1 = d_z2 @ p["W2"].T                 # BUG: tanh'(z1) is missing
    grads["W1"], grads["b1"] = X.T @ d_z1, d_z1.sum(axis=0)
    return grads


buggy = buggy_backward_pass(params_check, forward_pass(params_check, X_check)[1], y_check)
numeric_W1 = numerical_gradient(lambda _: squared_error(forward_pass(params_check, X_check)[0], y_check),
                                params_check["W1"])
buggy_error = relative_error(buggy["W1"], numeric_W1)
print(f"W1 with the bug: relative error {buggy_error:.1e}")
assert buggy_error > 1e-3

# %% [markdown]
# From here on the course uses the same two functions from `course_utils.gradient_check`
# (they also refuse float32 input, and guard against a zero denominator). They give the
# same numbers as ours:

# %%
# NBVAL_CHECK_OUTPUT
from course_utils import gradient_check

loss_of_W2 = lambda _: squared_error(forward_pass(params_check, X_check)[0], y_check)  # noqa: E731
ours = numerical_gradient(loss_of_W2, params_check["W2"])
theirs = gradient_check.numerical_gradient(loss_of_W2, params_check["W2"])
print("course_utils.gradient_check agrees with ours:", np.array_equal(ours, theirs),
      gradient_check.relative_error(analytic["W2"], theirs) == relative_error(analytic["W2"], ours))

# %% [markdown]
# ## 4. Stochastic gradient descent on mini-batches
#
# Computing the gradient on all N examples for every step is slow when N is large.
# *Stochastic* gradient descent computes it on one small batch of examples at a time,
# cycling through the training set in a fresh random order in every *epoch*. Each step
# is noisier but far cheaper, and many cheap steps win.
#
# Our data: two interleaving half-moons, a classic problem that no straight line
# separates. Label 1 should give output 1, label 0 output 0.

# %%
# NBVAL_CHECK_OUTPUT
n_samples = by_mode(fast=400, full=1000)
epochs = by_mode(fast=100, full=300)
batch_size = 16
learning_rate = 0.5
n_hidden = 8

X_moons, y_moons = make_moons(n_samples, noise=0.2, random_state=42)
X_train, X_test, y_train, y_test = train_test_split(X_moons, y_moons, test_size=0.25,
                                                    random_state=42)
print("training set:", X_train.shape, " test set:", X_test.shape)
print("steps per epoch:", int(np.ceil(len(X_train) / batch_size)))

# %%
def train_sgd(p, X, y, epochs, batch_size, learning_rate, rng):
    y = y.reshape(-1, 1).astype(np.float64)
    history = []
    for epoch in range(epochs):
        order = rng.permutation(len(X))                  # a new random order every epoch
        batch_losses = []
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            out, cache = forward_pass(p, X[batch])
            batch_losses.append(squared_error(out, y[batch]))
            grads = backward_pass(p, cache, y[batch])
            for name in p:
                p[name] -= learning_rate * grads[name]   # w <- w - alpha dE/dw
        history.append(np.mean(batch_losses))
    return history


def accuracy_of(p, X, y):
    return np.mean((forward_pass(p, X)[0][:, 0] >= 0.5) == y)


params = init_network(2, n_hidden, rng)
initial_weights = [params[f"{kind}{layer}"].copy() for layer in (1, 2, 3) for kind in "Wb"]
history = train_sgd(params, X_train, y_train, epochs, batch_size, learning_rate,
                    np.random.default_rng(7))
train_accuracy = accuracy_of(params, X_train, y_train)
test_accuracy = accuracy_of(params, X_test, y_test)
print(f"final training loss {history[-1]:.4f}")
print(f"accuracy: training {train_accuracy:.3f}, test {test_accuracy:.3f}")
assert test_accuracy >= by_mode(fast=0.90, full=0.93), "the NumPy MLP did not learn the moons"

# %%
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(np.arange(1, epochs + 1), history)
ax.set_xlabel("epoch")
ax.set_ylabel("mean squared error")
ax.set_yscale("log")
ax.grid(alpha=0.3)
ax.set_title("Training loss of the NumPy MLP")
plt.show()

# %% [markdown]
# The loss falls quickly once the hidden units find the bend between the moons, then
# slowly while the boundary is refined; its wiggles are the noise of mini-batch steps.
# The test accuracy printed above is what the noise in the data allows: in both modes
# (400 moons and 100 epochs in fast mode, 1000 moons and 300 epochs in full mode) a
# few test points lie on the wrong side of any sensible boundary.
#
# ### The same code, in `course_utils.mlp`
#
# Later lessons need this network without its derivation on screen, so the same forward
# pass, backward pass and SGD loop live in `course_utils.mlp`, written for any number of
# layers (and tested against Keras). Started from the same weights and the same shuffling
# seed, it follows exactly the same path:

# %%
model = mlp.MLP([2, n_hidden, n_hidden, 1], hidden_activation="tanh", output_activation="sigmoid")
model.set_weights(initial_weights)
module_history = model.fit(X_train, y_train, epochs=epochs, batch_size=batch_size,
                           learning_rate=learning_rate, rng=np.random.default_rng(7))
print(f"largest difference between the loss curves: {np.max(np.abs(np.array(module_history) - history)):.1e}")
assert np.allclose(module_history, history, rtol=1e-9, atol=1e-12)
assert model.accuracy(X_test, y_test) == test_accuracy

# %% [markdown]
# ## 5. scikit-learn: an MLP against a linear model
#
# scikit-learn's `MLPClassifier` trains the same kind of network (here with its default
# Adam optimizer and cross-entropy loss). A logistic regression, a single sigmoid unit,
# can only draw a straight boundary. We draw each model's *decision boundary*: the
# colour at every point of the plane is the model's probability of class 1.

# %%
def plot_decision_boundary(ax, predict_proba, X, y, title):
    """Shade the plane by P(class 1) and draw the examples on top."""
    margin = 0.5
    xx, yy = np.meshgrid(np.linspace(X[:, 0].min() - margin, X[:, 0].max() + margin, 150),
                         np.linspace(X[:, 1].min() - margin, X[:, 1].max() + margin, 150))
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    probability = np.asarray(predict_proba(grid)).reshape(xx.shape)
    ax.contourf(xx, yy, probability, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.6)
    ax.contour(xx, yy, probability, levels=[0.5], colors="k", linewidths=1)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu_r", edgecolors="k", linewidths=0.4, s=28)
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])


sk_mlp = MLPClassifier(hidden_layer_sizes=(n_hidden, n_hidden), activation="tanh",
                       max_iter=2000, random_state=42).fit(X_train, y_train)
linear = LogisticRegression().fit(X_train, y_train)
sk_mlp_accuracy = sk_mlp.score(X_test, y_test)
linear_accuracy = linear.score(X_test, y_test)
print(f"test accuracy: MLPClassifier {sk_mlp_accuracy:.3f}, logistic regression {linear_accuracy:.3f}")

fig, axes = plt.subplots(1, 2, figsize=(10, 4))
plot_decision_boundary(axes[0], lambda g: linear.predict_proba(g)[:, 1], X_test, y_test,
                       f"Logistic regression (test accuracy {linear_accuracy:.2f})")
plot_decision_boundary(axes[1], lambda g: sk_mlp.predict_proba(g)[:, 1], X_test, y_test,
                       f"MLPClassifier 8-8 tanh (test accuracy {sk_mlp_accuracy:.2f})")
plt.show()
assert sk_mlp_accuracy >= by_mode(fast=0.90, full=0.93), "MLPClassifier did not learn the moons"
assert sk_mlp_accuracy > linear_accuracy + 0.05, "the MLP should clearly beat the linear model"

# %% [markdown]
# The straight line misclassifies the tips of both moons; the MLP bends its boundary
# around them (the accuracies are in the titles, and the cell asserts that the MLP wins
# by more than 5 points).
# The bend comes from the hidden layers' nonlinearity: each tanh unit contributes one
# soft step, and the output layer combines the steps into a curve.

# %% [markdown]
# ## 6. A playground
#
# In the spirit of [playground.tensorflow.org](http://playground.tensorflow.org/): pick a
# dataset, the number of units in each of the two hidden layers, the activation and the
# learning rate, and watch the decision boundary and the loss curve of a freshly trained
# `course_utils.mlp.MLP`. Every change retrains the network, so the sliders act when you
# let go of them. Things to try: two hidden units on the circles; the `linear`
# activation, which makes the whole network linear; a learning rate of 5.

# %%
playground_epochs = by_mode(fast=60, full=200)


def make_dataset(name, n=240, seed=0):
    data_rng = np.random.default_rng(seed)
    if name == "moons":
        return make_moons(n, noise=0.2, random_state=seed)
    if name == "circles":
        return make_circles(n, noise=0.1, factor=0.5, random_state=seed)
    if name == "xor":
        X = data_rng.uniform(-1, 1, size=(n, 2))
        return X, ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(int)
    raise ValueError(f"unknown dataset {name!r}: use moons, circles or xor")


def train_and_draw(dataset="moons", hidden_units=8, activation="tanh", learning_rate=0.5):
    X, y = make_dataset(dataset)
    X_fit, X_val, y_fit, y_val = train_test_split(X, y, test_size=0.25, random_state=0)
    net = mlp.MLP([2, hidden_units, hidden_units, 1], hidden_activation=activation,
                  rng=np.random.default_rng(0))
    losses = net.fit(X_fit, y_fit, epochs=playground_epochs, batch_size=16,
                     learning_rate=learning_rate)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
    plot_decision_boundary(left, lambda g: net.predict_proba(g)[:, 0], X_val, y_val,
                           f"{dataset}, {hidden_units} units, {activation}, lr {learning_rate:g}\n"
                           f"test accuracy {net.accuracy(X_val, y_val):.2f}")
    right.plot(np.arange(1, len(losses) + 1), losses)
    right.set_xlabel("epoch")
    right.set_ylabel("training loss")
    right.set_ylim(0, max(0.3, min(1.0, max(losses) * 1.1)))
    right.grid(alpha=0.3)
    fig.tight_layout()


show_explorer(
    train_and_draw,
    controls={
        "dataset": widgets.Dropdown(options=["moons", "circles", "xor"], value="moons"),
        "hidden_units": widgets.IntSlider(value=8, min=1, max=16, description="hidden units per layer"),
        "activation": widgets.Dropdown(options=["tanh", "relu", "sigmoid", "linear"], value="tanh"),
        # Named values, not a log scale: a FloatLogSlider snaps 0.5 to 10**-0.25 = 0.562.
        "learning_rate": widgets.SelectionSlider(options=[0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 3.0, 5.0],
                                                 value=0.5, description="learning rate"),
    },
    static_settings=[
        {"dataset": "circles", "hidden_units": 8, "activation": "tanh", "learning_rate": 0.5},
        {"dataset": "circles", "hidden_units": 8, "activation": "linear", "learning_rate": 0.5},
        {"dataset": "circles", "hidden_units": 1, "activation": "tanh", "learning_rate": 0.5},
        {"dataset": "xor", "hidden_units": 8, "activation": "relu", "learning_rate": 0.5},
    ],
)

# %% [markdown]
# With the `linear` activation the boundary is a straight line whatever the number of
# units, and the circles stay at chance level; one unit per hidden layer is too narrow a
# bottleneck for a closed curve; eight tanh or ReLU units separate the circles and XOR.

# %% [markdown]
# ## 7. The same network in Keras
#
# Keras builds the same network from `Dense` layers, each `f(X @ kernel + bias)`, and
# computes the gradients by automatic differentiation instead of our hand-written
# backward pass. We use the same loss (mean squared error), the same optimizer (plain
# SGD), learning rate, batch size and number of epochs.

# %%
keras_model = keras.Sequential([
    keras.Input(shape=(2,)),
    keras.layers.Dense(n_hidden, activation="tanh", name="hidden_1"),
    keras.layers.Dense(n_hidden, activation="tanh", name="hidden_2"),
    keras.layers.Dense(1, activation="sigmoid", name="output"),
])
keras_model.compile(optimizer=keras.optimizers.SGD(learning_rate=learning_rate), loss="mse",
                    metrics=[keras.metrics.BinaryAccuracy(name="accuracy")])

# %%
# NBVAL_CHECK_OUTPUT
print("parameters: Keras", keras_model.count_params(), " NumPy", model.count_params())
for layer in keras_model.layers:
    print(f"{layer.name:9s} kernel {str(tuple(layer.kernel.shape)):8s} bias {tuple(layer.bias.shape)}")

# %% [markdown]
# The kernels have the shapes of our `W1, W2, W3`. Loaded with our initial weights,
# the Keras model computes the same outputs as our forward pass:

# %%
keras_model.set_weights(initial_weights)
start_params = dict(zip([f"{kind}{layer}" for layer in (1, 2, 3) for kind in "Wb"], initial_weights))
difference = np.max(np.abs(keras_model.predict(X_test, verbose=0) - forward_pass(start_params, X_test)[0]))
print(f"largest difference between the outputs: {difference:.1e}")
# Keras computes in float32, and on recent NVIDIA GPUs (A100, H100) its matrix products
# use TF32, with about 3 significant digits; a wrong weight layout would be off by O(1).
assert difference < 1e-3, "Keras and the NumPy network disagree: check the weight layout"

# %%
keras_history = keras_model.fit(X_train, y_train, epochs=epochs, batch_size=batch_size,
                                verbose=0)
keras_loss, keras_accuracy = keras_model.evaluate(X_test, y_test, verbose=0)
print(f"Keras test accuracy {keras_accuracy:.3f} (NumPy MLP {test_accuracy:.3f})")
assert keras_accuracy >= by_mode(fast=0.90, full=0.93), "the Keras MLP did not learn the moons"
assert abs(keras_accuracy - test_accuracy) <= 0.05, "Keras and the NumPy MLP should agree"

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(np.arange(1, epochs + 1), history, label="NumPy MLP (our backprop)")
ax.plot(np.arange(1, epochs + 1), keras_history.history["loss"], label="Keras")
ax.set_xlabel("epoch")
ax.set_ylabel("mean squared error")
ax.set_yscale("log")
ax.grid(alpha=0.3)
ax.legend()
ax.set_title("Same network, same optimizer, two implementations")
plt.show()

# %% [markdown]
# The two curves differ only through the order in which the mini-batches were drawn
# and float32 rounding. The two test accuracies printed above differ by a few test
# points at most (the cell asserts at most 0.05), the noise of a different batch order;
# Keras's exact number also depends on the backend, TensorFlow or JAX.
#
# Lesson 02 writes one more backward pass by hand, the convolution's, to see what a
# conv layer's gradients are; from then on, to train networks, we let Keras do the
# differentiation, knowing what it computes.

# %% [markdown]
# ## Key points
# - A fully connected layer computes `f(Wx + b)`; the nonlinearity `f` is what lets
#   stacked layers represent curved decision boundaries.
# - Training minimises a loss such as the squared error `E(w) = sum_i (y_i - f_w(x_i))^2`
#   by gradient descent, `w <- w - alpha dE/dw`; the learning rate `alpha` must be small
#   enough not to overshoot.
# - Backpropagation is the chain rule applied from the output back to the input:
#   per layer, `dE/dz = dE/da * f'(z)`, `dE/dW = a_prev.T @ dE/dz`, `dE/da_prev = dE/dz @ W.T`.
# - Always check a hand-written gradient against central differences in float64
#   (relative error below 1e-6).
# - SGD takes one step per mini-batch, visiting the training set in a new random order
#   every epoch; the loss curve shows whether it learns.
# - scikit-learn, our NumPy code and Keras train the same model; Keras replaces the
#   hand-written backward pass by automatic differentiation.

# %% [markdown]
# ## Exercises
#
# Each exercise has a solution cell (collapsed in Colab: click "Show code" to see it) and
# a check cell. In your own copy, write your answer in place of the solution and run the
# check: it prints "Correct", or which case went wrong and what was expected.
# `exercise_1.hint()` gives a nudge and `exercise_1.solution()` a worked solution.

# %%
from course_utils.exercises import NotDoneYet
from course_utils.exercises.lesson01 import exercise_1, exercise_2, exercise_3

# %% [markdown]
# ### Exercise 1: the gradient of one neuron
#
# A single sigmoid neuron predicts `s_i = sigmoid(x_i . w + b)`. Write
# `neuron_gradient(w, b, X, y)` returning the pair `(dE/dw, dE/db)` for the slides'
# squared error `E = sum_i (y_i - s_i)^2` (a sum, not a mean): `dE/dw` shaped like `w`,
# `dE/db` one number. The check compares it with the chain rule on hidden data.

# %% [markdown]
# #### Solution

# %%
# @title Solution { display-mode: "form" }
def neuron_gradient(w, b, X, y):
    ### BEGIN SOLUTION
    s = sigmoid(X @ w + b)
    d_z = -2 * (y - s) * s * (1 - s)   # dE/dz_i by the chain rule
    return X.T @ d_z, d_z.sum()
    ### END SOLUTION

# %%
exercise_1.check(neuron_gradient)
# exercise_1.hint()
# exercise_1.solution()

# %% [markdown]
# ### Exercise 2: counting parameters
#
# Write `count_parameters(layer_sizes)` that returns the pair `(n_weights, n_biases)` of
# an MLP with those layer sizes (the input first, as in `mlp.MLP`). Then use it on an MLP
# that classifies 28x28 images of digits (784 pixels) into 10 classes through hidden
# layers of 128 and 64 units, and confirm the total with Keras.

# %% [markdown]
# #### Solution

# %%
# @title Solution { display-mode: "form" }
def count_parameters(layer_sizes):
    ### BEGIN SOLUTION
    pairs = list(zip(layer_sizes[:-1], layer_sizes[1:]))   # one Dense layer per pair
    return sum(n_in * n_out for n_in, n_out in pairs), sum(n_out for _, n_out in pairs)
    ### END SOLUTION


### BEGIN SOLUTION
digit_weights, digit_biases = count_parameters([784, 128, 64, 10])
digits_mlp = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(128),
                               keras.layers.Dense(64), keras.layers.Dense(10)])
print(f"by hand: {digit_weights:,} weights + {digit_biases:,} biases = "
      f"{digit_weights + digit_biases:,}; Keras: {digits_mlp.count_params():,}")
### END SOLUTION

# %%
exercise_2.check(count_parameters)
# exercise_2.hint()
# exercise_2.solution()

# %% [markdown]
# Almost all of them sit in the first layer, which connects every pixel to every unit.
# Convolutional layers, the topic of this course, share a few weights across the image
# instead.

# %% [markdown]
# ### Exercise 3: ReLU on the circles
#
# Train a `course_utils.mlp.MLP` with exactly two hidden layers of ReLU units on the
# circles below. Pass the trained model to the check, which measures its accuracy on
# circles it has never seen; it must reach 0.90.

# %%
# The exercises use the lesson's imports only (so that `course_utils.grade` can run them
# alone): the sizes of section 4, set again here.
circle_count = by_mode(fast=400, full=1000)
circle_epochs = by_mode(fast=100, full=300)
X_circles, y_circles = make_circles(circle_count, noise=0.1, factor=0.5, random_state=42)
Xc_train, Xc_test, yc_train, yc_test = train_test_split(X_circles, y_circles, test_size=0.25,
                                                        random_state=42)

# %% [markdown]
# #### Solution

# %%
# @title Solution { display-mode: "form" }
relu_model = ...  # your trained mlp.MLP
### BEGIN SOLUTION
relu_model = mlp.MLP([2, 8, 8, 1], hidden_activation="relu", rng=np.random.default_rng(42))
relu_history = relu_model.fit(Xc_train, yc_train, epochs=circle_epochs, batch_size=16, learning_rate=0.3)
print(f"final training loss {relu_history[-1]:.4f}, "
      f"test accuracy {relu_model.accuracy(Xc_test, yc_test):.3f}")
### END SOLUTION

# %%
exercise_3.check(relu_model)
# exercise_3.hint()
# exercise_3.solution()
