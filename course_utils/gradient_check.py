"""Numerical gradient checking, as taught in lesson 01 and reused in lesson 02.

Central differences, (f(x + h) - f(x - h)) / 2h, approximate each partial derivative
with an error of order h**2; compared with an analytic (backpropagated) gradient they
catch almost every mistake in a hand-written backward pass.
"""

from __future__ import annotations

from typing import Callable

import numpy as np


def numerical_gradient(function: Callable[[np.ndarray], float], point: np.ndarray,
                       step: float = 1e-6) -> np.ndarray:
    """Gradient of a scalar ``function`` at ``point`` by central differences.

    ``point`` is perturbed in place one entry at a time and restored, so the function
    may close over it. Use float64: in float32 the rounding error swamps the estimate.
    """
    point = np.asarray(point)
    if point.dtype != np.float64:
        raise TypeError(f"numerical_gradient needs a float64 array, got {point.dtype}: "
                        f"call it with point.astype(np.float64).")
    gradient = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        original = point[index]
        point[index] = original + step
        value_plus = float(function(point))
        point[index] = original - step
        value_minus = float(function(point))
        point[index] = original
        gradient[index] = (value_plus - value_minus) / (2 * step)
    return gradient


def relative_error(analytic: np.ndarray, numerical: np.ndarray) -> float:
    """||a - n|| / (||a|| + ||n||) over the whole array: scale-free, so one threshold
    (1e-6 in float64) fits every layer.

    Measured over the whole array rather than entry by entry: an entry whose true
    derivative is almost zero (say 1e-7) would otherwise be judged on the difference
    quotient's rounding noise (about 1e-11) and fail although the code is right.
    """
    analytic = np.asarray(analytic, dtype=np.float64)
    numerical = np.asarray(numerical, dtype=np.float64)
    if analytic.shape != numerical.shape:
        raise ValueError(f"gradients differ in shape: {analytic.shape} vs {numerical.shape}; "
                         f"compare the gradient of the same parameter")
    scale = max(float(np.linalg.norm(analytic) + np.linalg.norm(numerical)), 1e-12)
    return float(np.linalg.norm(analytic - numerical) / scale)
