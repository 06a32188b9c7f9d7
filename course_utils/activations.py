"""Activation functions and their derivatives, as written in lesson 03.

Each ``name(x)`` has a matching ``name_derivative(x)`` (the derivative with respect to
``x``, element by element). ``ACTIVATIONS`` maps a name to the pair, for plotting loops.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import erf

__all__ = [
    "sigmoid", "sigmoid_derivative", "tanh", "tanh_derivative", "relu", "relu_derivative",
    "leaky_relu", "leaky_relu_derivative", "elu", "elu_derivative", "gelu", "gelu_derivative",
    "gelu_tanh", "gelu_tanh_derivative", "maxout", "softmax", "ACTIVATIONS",
]

# Python floats, not NumPy float64 scalars: a float64 scalar would turn float32 input
# into float64 output (NumPy 2's promotion rules), and every activation keeps the input's dtype.
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_SQRT_2 = math.sqrt(2.0)
_SQRT_2_PI = math.sqrt(2.0 * math.pi)


def _float(x):
    x = np.asarray(x)
    return x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64)


def sigmoid(x):
    """1 / (1 + exp(-x)), in (0, 1); written to avoid overflow for large |x|."""
    x = _float(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype)


def sigmoid_derivative(x):
    s = sigmoid(x)
    return s * (1 - s)


def tanh(x):
    """tanh(x), in (-1, 1).

    Lesson 03 teaches the identity tanh(x) = 2 sigmoid(2x) - 1, but computing it that way
    cancels catastrophically near 0 (2 sigmoid(2x) is then close to 1): at x = 1e-6 it is
    7 % off in float32 (1e-10 in float64), and at 1e-300 it gives 0. ``np.tanh`` is
    accurate everywhere.
    """
    return np.tanh(_float(x))


def tanh_derivative(x):
    return 1 - np.tanh(_float(x)) ** 2


def relu(x):
    """max(0, x)."""
    x = _float(x)
    return np.maximum(x, 0)


def relu_derivative(x):
    """1 where x > 0, else 0 (the value at exactly 0 is a convention; Keras uses 0)."""
    x = _float(x)
    return (x > 0).astype(x.dtype)


def leaky_relu(x, alpha: float = 0.1):
    """max(alpha x, x): a small slope for negative inputs so the gradient never dies."""
    x = _float(x)
    return np.where(x >= 0, x, alpha * x)


def leaky_relu_derivative(x, alpha: float = 0.1):
    x = _float(x)
    return np.where(x > 0, 1.0, alpha).astype(x.dtype)


def elu(x, alpha: float = 1.0):
    """x for x >= 0, alpha (exp(x) - 1) for x < 0."""
    x = _float(x)
    return np.where(x >= 0, x, alpha * np.expm1(np.minimum(x, 0)))


def elu_derivative(x, alpha: float = 1.0):
    x = _float(x)
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0))).astype(x.dtype)


def _normal_cdf(x):
    return 0.5 * (1 + erf(x / _SQRT_2))


def gelu(x):
    """Exact GELU: x Phi(x), Phi the standard normal CDF."""
    x = _float(x)
    return (x * _normal_cdf(x)).astype(x.dtype, copy=False)


def gelu_derivative(x):
    x = _float(x)
    return (_normal_cdf(x) + x * np.exp(-0.5 * x ** 2) / _SQRT_2_PI).astype(x.dtype, copy=False)


def gelu_tanh(x):
    """GELU's tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    x = _float(x)
    return (0.5 * x * (1 + np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)))).astype(x.dtype, copy=False)


def gelu_tanh_derivative(x):
    x = _float(x)
    inner = _SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)
    t = np.tanh(inner)
    slope = 0.5 * (1 + t) + 0.5 * x * (1 - t ** 2) * _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x ** 2)
    return slope.astype(x.dtype, copy=False)


def maxout(x, weights, biases):
    """max_k (x @ weights[k] + biases[k]).

    ``x``: (batch, d_in); ``weights``: (pieces, d_in, d_out); ``biases``: (pieces, d_out).
    With two pieces, maxout(x) = max(w1.x + b1, w2.x + b2) as on the slide; ReLU is the
    special case w2 = 0, b2 = 0.
    """
    x = _float(x)
    weights = np.asarray(weights)
    biases = np.asarray(biases)
    if x.ndim != 2 or weights.ndim != 3 or biases.ndim != 2:
        raise ValueError(f"maxout needs x (batch, d_in), weights (pieces, d_in, d_out) and "
                         f"biases (pieces, d_out); got {x.shape}, {weights.shape}, {biases.shape}.")
    if weights.shape[1] != x.shape[1] or biases.shape != (weights.shape[0], weights.shape[2]):
        raise ValueError(f"shapes do not fit: x {x.shape}, weights {weights.shape}, biases "
                         f"{biases.shape}; weights[k] must map d_in={x.shape[1]} inputs to d_out "
                         f"outputs and biases must be (pieces, d_out).")
    pieces = np.einsum("bi,kio->kbo", x, weights) + biases[:, None, :]
    return pieces.max(axis=0)


def softmax(z, axis: int = -1):
    """exp(z) / sum(exp(z)) along ``axis``; the maximum is subtracted first for stability."""
    z = _float(z)
    shifted = z - z.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
    "leaky_relu": (leaky_relu, leaky_relu_derivative),
    "elu": (elu, elu_derivative),
    "gelu": (gelu, gelu_derivative),
    "gelu_tanh": (gelu_tanh, gelu_tanh_derivative),
}
