"""A multilayer perceptron in NumPy, with backpropagation and mini-batch SGD (lesson 01).

Lesson 01 writes the forward pass, the chain rule and the SGD loop out in the open for
a network with two hidden layers; this module is the same code for any number of
layers, so that later lessons (and the tests) can import it.

Conventions (the same as ``keras.layers.Dense``):

* a batch ``X`` has one example per *row*, shape ``(n_examples, n_features)``;
* a layer with ``n_in`` inputs and ``n_out`` units has a kernel ``W`` of shape
  ``(n_in, n_out)`` and a bias ``b`` of shape ``(n_out,)`` and computes
  ``f(X @ W + b)`` -- the slides' ``y = f(Wx + b)`` for every row at once (the slides'
  ``W`` is this ``W`` transposed);
* the loss is the squared error of the slides, averaged over the examples of a batch:
  ``E = mean_i sum_k (y_ik - f_w(x_i)_k) ** 2``. With one output unit this is exactly
  Keras' ``"mse"`` loss.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Sequence

import numpy as np

# One stable sigmoid for the whole package: 1 / (1 + exp(-z)) overflows for z below -710.
from course_utils.activations import sigmoid as _sigmoid
from course_utils.validation import is_whole_number

ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")


# ---------------------------------------------------------------------------
# Checking arguments (every error says what to do)
# ---------------------------------------------------------------------------

def _check_activation(name: str) -> str:
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}: use one of {', '.join(ACTIVATIONS)}.")
    return name


def _check_layer_sizes(layer_sizes: Sequence[int]) -> list[int]:
    sizes = list(layer_sizes)
    if len(sizes) < 2:
        raise ValueError(f"layer_sizes={sizes!r} is too short: give at least the input size "
                         f"and the output size, e.g. [2, 8, 8, 1] for two hidden layers.")
    for size in sizes:
        if not is_whole_number(size) or size < 1:
            raise ValueError(f"layer_sizes={sizes!r} must hold positive integers "
                             f"(the number of units in each layer), e.g. [2, 8, 8, 1].")
    return [int(size) for size in sizes]


def _check_inputs(params: list[dict], X: np.ndarray) -> np.ndarray:
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X has shape {X.shape}, but an MLP needs a 2-D batch of shape "
                         f"(n_examples, n_features): reshape it, e.g. X.reshape(len(X), -1).")
    n_in = params[0]["W"].shape[0]
    if X.shape[1] != n_in:
        raise ValueError(f"X has {X.shape[1]} features per example but the first layer expects "
                         f"{n_in}: build the network with layer_sizes[0] == {X.shape[1]}.")
    if not np.issubdtype(X.dtype, np.floating):
        X = X.astype(np.float64)
    return X


def _check_targets(y: np.ndarray, n_examples: int, n_out: int) -> np.ndarray:
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 1:
        y = y.reshape(-1, 1)
    if y.ndim != 2 or y.shape[0] != n_examples or y.shape[1] != n_out:
        raise ValueError(f"targets have shape {np.shape(y)} but the network makes "
                         f"{n_examples} predictions of {n_out} value(s): pass y of shape "
                         f"({n_examples},) or ({n_examples}, {n_out}).")
    return y


def _check_positive(name: str, value, kind=float):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not value > 0 or (kind is int and not is_whole_number(value)):
        what = "a positive integer" if kind is int else "a positive number"
        raise ValueError(f"{name}={value!r} must be {what}.")
    return kind(value)


# ---------------------------------------------------------------------------
# Activations and their derivatives
# ---------------------------------------------------------------------------

def activate(z: np.ndarray, name: str) -> np.ndarray:
    """f(z) for the named activation."""
    _check_activation(name)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "tanh":
        return np.tanh(z)
    if name == "sigmoid":
        return _sigmoid(z)
    return z


def activation_derivative(z: np.ndarray, name: str) -> np.ndarray:
    """f'(z), evaluated at the pre-activation z (ReLU's derivative at 0 is taken as 0)."""
    _check_activation(name)
    if name == "relu":
        return (z > 0).astype(z.dtype)
    if name == "tanh":
        return 1.0 - np.tanh(z) ** 2
    if name == "sigmoid":
        s = _sigmoid(z)
        return s * (1.0 - s)
    return np.ones_like(z)


# ---------------------------------------------------------------------------
# Parameters, forward pass, loss, backward pass
# ---------------------------------------------------------------------------

def init_params(layer_sizes: Sequence[int], rng: np.random.Generator,
                dtype=np.float64) -> list[dict]:
    """Glorot-uniform kernels and zero biases (Keras' Dense defaults), one dict per layer."""
    sizes = _check_layer_sizes(layer_sizes)
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy Generator: pass np.random.default_rng(seed) "
                         "or the generator returned by course_utils.seed.set_seed.")
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        limit = np.sqrt(6.0 / (n_in + n_out))
        params.append({"W": rng.uniform(-limit, limit, size=(n_in, n_out)).astype(dtype),
                       "b": np.zeros(n_out, dtype=dtype)})
    return params


def forward(params: list[dict], X: np.ndarray, hidden_activation: str = "tanh",
            output_activation: str = "sigmoid") -> tuple[np.ndarray, dict]:
    """Network output for a batch X, and the cache (inputs and pre-activations) backward needs."""
    _check_activation(hidden_activation)
    _check_activation(output_activation)
    X = _check_inputs(params, X)
    activations, pre_activations = [X], []
    a = X
    for index, layer in enumerate(params):
        z = a @ layer["W"] + layer["b"]
        name = output_activation if index == len(params) - 1 else hidden_activation
        a = activate(z, name)
        pre_activations.append(z)
        activations.append(a)
    cache = {"activations": activations, "pre_activations": pre_activations,
             "hidden_activation": hidden_activation, "output_activation": output_activation}
    return a, cache


def squared_error(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """E = mean over examples of sum over outputs of (y - f_w(x)) ** 2."""
    y_pred = np.asarray(y_pred)
    if y_pred.ndim != 2:
        raise ValueError(f"y_pred has shape {y_pred.shape}: pass the network's 2-D output "
                         f"of shape (n_examples, n_outputs).")
    y_true = _check_targets(y_true, *y_pred.shape)
    return float(np.mean(np.sum((y_true - y_pred) ** 2, axis=1)))


def squared_error_gradient(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """dE/dy_pred for :func:`squared_error`: 2 (y_pred - y) / n_examples."""
    y_pred = np.asarray(y_pred)
    y_true = _check_targets(y_true, *y_pred.shape)
    return 2.0 * (y_pred - y_true) / y_pred.shape[0]


def backward(params: list[dict], cache: dict, grad_output: np.ndarray) -> list[dict]:
    """Backpropagation: dE/dW and dE/db of every layer, given dE/d(output).

    Layer by layer from the output to the input, the chain rule gives
    ``delta = dE/da * f'(z)``, ``dE/dW = a_prev.T @ delta``, ``dE/db = sum(delta)`` and
    ``dE/da_prev = delta @ W.T``.
    """
    activations, pre_activations = cache["activations"], cache["pre_activations"]
    if np.shape(grad_output) != activations[-1].shape:
        raise ValueError(f"grad_output has shape {np.shape(grad_output)} but the output has "
                         f"shape {activations[-1].shape}: pass dE/d(output) of the same shape.")
    grads = [None] * len(params)
    grad_a = np.asarray(grad_output)
    for index in reversed(range(len(params))):
        name = cache["output_activation"] if index == len(params) - 1 else cache["hidden_activation"]
        delta = grad_a * activation_derivative(pre_activations[index], name)
        grads[index] = {"W": activations[index].T @ delta, "b": delta.sum(axis=0)}
        grad_a = delta @ params[index]["W"].T
    return grads


def loss_and_gradients(params: list[dict], X: np.ndarray, y: np.ndarray,
                       hidden_activation: str = "tanh",
                       output_activation: str = "sigmoid") -> tuple[float, list[dict]]:
    """Squared-error loss on (X, y) and its gradient with respect to every parameter."""
    output, cache = forward(params, X, hidden_activation, output_activation)
    loss = squared_error(y, output)
    return loss, backward(params, cache, squared_error_gradient(y, output))


# ---------------------------------------------------------------------------
# Stochastic gradient descent on mini-batches
# ---------------------------------------------------------------------------

def minibatches(n_examples: int, batch_size: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Index arrays of one epoch: a fresh random order, cut into batches (the last may be short)."""
    n_examples = _check_positive("n_examples", n_examples, int)
    batch_size = _check_positive("batch_size", batch_size, int)
    order = rng.permutation(n_examples)
    for start in range(0, n_examples, batch_size):
        yield order[start:start + batch_size]


def train_sgd(params: list[dict], X: np.ndarray, y: np.ndarray, *, epochs: int,
              batch_size: int, learning_rate: float, rng: np.random.Generator,
              hidden_activation: str = "tanh", output_activation: str = "sigmoid") -> list[float]:
    """Mini-batch SGD, w <- w - learning_rate * dE/dw, updating ``params`` in place.

    Returns the mean training loss of each epoch (the mean of its batch losses, as Keras
    reports it).
    """
    epochs = _check_positive("epochs", epochs, int)
    batch_size = _check_positive("batch_size", batch_size, int)
    learning_rate = _check_positive("learning_rate", learning_rate)
    X = _check_inputs(params, X)
    y = _check_targets(y, X.shape[0], params[-1]["W"].shape[1])
    history = []
    for _ in range(epochs):
        batch_losses = []
        for batch in minibatches(len(X), batch_size, rng):
            loss, grads = loss_and_gradients(params, X[batch], y[batch],
                                             hidden_activation, output_activation)
            for layer, grad in zip(params, grads):
                layer["W"] -= learning_rate * grad["W"]
                layer["b"] -= learning_rate * grad["b"]
            batch_losses.append(loss)
        history.append(float(np.mean(batch_losses)))
    return history


# ---------------------------------------------------------------------------
# A small object around the functions
# ---------------------------------------------------------------------------

@dataclass
class MLP:
    """A fully connected network: ``MLP([2, 8, 8, 1], rng=rng)`` has two hidden layers of 8.

    With one output unit it is a binary classifier (sigmoid output, threshold 0.5);
    with several, :meth:`predict` returns the index of the largest output.
    """

    layer_sizes: Sequence[int]
    hidden_activation: str = "tanh"
    output_activation: str = "sigmoid"
    rng: np.random.Generator | None = None
    params: list[dict] = field(init=False, repr=False)

    def __post_init__(self):
        self.layer_sizes = _check_layer_sizes(self.layer_sizes)
        _check_activation(self.hidden_activation)
        _check_activation(self.output_activation)
        if self.rng is None:
            self.rng = np.random.default_rng(0)
        self.params = init_params(self.layer_sizes, self.rng)

    def count_params(self) -> int:
        return int(sum(layer["W"].size + layer["b"].size for layer in self.params))

    def get_weights(self) -> list[np.ndarray]:
        """[W1, b1, W2, b2, ...], the order of ``keras.Model.get_weights``."""
        return [array.copy() for layer in self.params for array in (layer["W"], layer["b"])]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        if len(weights) != 2 * len(self.params):
            raise ValueError(f"got {len(weights)} arrays but the network has "
                             f"{2 * len(self.params)}: pass [W1, b1, W2, b2, ...].")
        for index, layer in enumerate(self.params):
            for offset, key in enumerate(("W", "b")):
                new = np.asarray(weights[2 * index + offset], dtype=np.float64)
                if new.shape != layer[key].shape:
                    raise ValueError(f"array {2 * index + offset} has shape {new.shape} but "
                                     f"layer {index + 1}'s {key} has shape {layer[key].shape}.")
                layer[key] = new.copy()

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return forward(self.params, X, self.hidden_activation, self.output_activation)[0]

    def predict(self, X: np.ndarray) -> np.ndarray:
        output = self.predict_proba(X)
        if output.shape[1] == 1:
            return (output[:, 0] >= 0.5).astype(int)
        return np.argmax(output, axis=1)

    def accuracy(self, X: np.ndarray, y: np.ndarray) -> float:
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] > 1:
            y = np.argmax(y, axis=1)
        y = y.reshape(-1)
        if y.shape[0] != np.shape(X)[0]:
            raise ValueError(f"X has {np.shape(X)[0]} examples but y has {y.shape[0]} labels: "
                             f"pass one label per row of X.")
        return float(np.mean(self.predict(X) == y))

    def loss(self, X: np.ndarray, y: np.ndarray) -> float:
        return squared_error(y, self.predict_proba(X))

    def fit(self, X: np.ndarray, y: np.ndarray, *, epochs: int, batch_size: int = 32,
            learning_rate: float = 0.1, rng: np.random.Generator | None = None) -> list[float]:
        """Train with mini-batch SGD; returns the loss of each epoch."""
        return train_sgd(self.params, X, y, epochs=epochs, batch_size=batch_size,
                         learning_rate=learning_rate, rng=self.rng if rng is None else rng,
                         hidden_activation=self.hidden_activation,
                         output_activation=self.output_activation)
