"""Max and average pooling, as built in lesson 03 (Keras layout: batch, height, width, channels).

Pooling works on each channel on its own: it slides a ``pool_size`` window with steps of
``strides`` (default: ``pool_size``, so windows do not overlap) and reports the maximum or
the mean of each window. ``padding="same"`` pads like Keras: max pooling ignores the
padded cells, and average pooling averages over the real (unpadded) cells only.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from course_utils.convolution import _as_pair, padding_amounts

__all__ = ["pool2d_loops", "pool2d", "max_pool2d", "average_pool2d", "global_average_pool2d"]


def _check(x, pool_size, strides, padding, mode):
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"x must have 4 axes (batch, height, width, channels), got shape {x.shape}: "
                         f"add missing axes, e.g. image[None, :, :, None] for one grey image.")
    ph, pw = _as_pair(pool_size, "pool_size")
    sh, sw = _as_pair(pool_size if strides is None else strides, "strides")
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same' (as in keras.layers.MaxPooling2D), "
                         f"got {padding!r}.")
    padding = padding.lower()
    if mode not in ("max", "average"):
        raise ValueError(f"mode must be 'max' or 'average', got {mode!r}.")
    if padding == "valid" and (x.shape[1] < ph or x.shape[2] < pw):
        raise ValueError(f"pool_size {(ph, pw)} is larger than the input {x.shape[1:3]}: "
                         f"use a smaller pool or padding='same'.")
    return x, (ph, pw), (sh, sw), padding


def _padded(x, pool, strides, padding, value):
    top, bottom = padding_amounts(x.shape[1], pool[0], strides[0], padding)
    left, right = padding_amounts(x.shape[2], pool[1], strides[1], padding)
    if top == bottom == left == right == 0:
        return x
    return np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=value)


def pool2d_loops(x: np.ndarray, pool_size=2, strides=None, padding: str = "valid",
                 mode: str = "max") -> np.ndarray:
    """Pooling with explicit loops; the reference for :func:`pool2d`.

    Each window is cut from the unpadded input, clipped to its edges: the padded cells
    are simply not in it. (Marking padding with NaN and skipping NaNs would also skip
    NaNs of the input itself; here a NaN in a window makes its result NaN, as in
    :func:`pool2d` and Keras.)
    """
    x, pool, (sh, sw), padding = _check(x, pool_size, strides, padding, mode)
    x = x.astype(np.result_type(x, np.float32))
    top, bottom = padding_amounts(x.shape[1], pool[0], sh, padding)
    left, right = padding_amounts(x.shape[2], pool[1], sw, padding)
    out_h = (x.shape[1] + top + bottom - pool[0]) // sh + 1
    out_w = (x.shape[2] + left + right - pool[1]) // sw + 1
    out = np.zeros((x.shape[0], out_h, out_w, x.shape[3]), dtype=x.dtype)
    for n in range(x.shape[0]):
        for i in range(out_h):
            for j in range(out_w):
                # The window's rows and columns in the padded input, shifted back to the
                # input's own coordinates and clipped to it.
                row_start, col_start = i * sh - top, j * sw - left
                rows = slice(max(row_start, 0), min(row_start + pool[0], x.shape[1]))
                cols = slice(max(col_start, 0), min(col_start + pool[1], x.shape[2]))
                for c in range(x.shape[3]):
                    window = x[n, rows, cols, c]
                    out[n, i, j, c] = window.max() if mode == "max" else window.mean()
    return out


def pool2d(x: np.ndarray, pool_size=2, strides=None, padding: str = "valid",
           mode: str = "max") -> np.ndarray:
    """Vectorised pooling with sliding windows; same result as :func:`pool2d_loops`."""
    x, pool, (sh, sw), padding = _check(x, pool_size, strides, padding, mode)
    x = x.astype(np.result_type(x, np.float32))
    if mode == "max":
        xp = _padded(x, pool, (sh, sw), padding, -np.inf)
        windows = sliding_window_view(xp, pool, axis=(1, 2))[:, ::sh, ::sw]
        return windows.max(axis=(-2, -1))
    xp = _padded(x, pool, (sh, sw), padding, 0.0)
    ones = _padded(np.ones((1,) + x.shape[1:3] + (1,), x.dtype), pool, (sh, sw), padding, 0.0)
    sums = sliding_window_view(xp, pool, axis=(1, 2))[:, ::sh, ::sw].sum(axis=(-2, -1))
    counts = sliding_window_view(ones, pool, axis=(1, 2))[:, ::sh, ::sw].sum(axis=(-2, -1))
    return sums / counts


def max_pool2d(x, pool_size=2, strides=None, padding="valid"):
    """Like ``keras.layers.MaxPooling2D(pool_size, strides, padding)``."""
    return pool2d(x, pool_size, strides, padding, "max")


def average_pool2d(x, pool_size=2, strides=None, padding="valid"):
    """Like ``keras.layers.AveragePooling2D(pool_size, strides, padding)``."""
    return pool2d(x, pool_size, strides, padding, "average")


def global_average_pool2d(x):
    """Mean over height and width: ``(batch, h, w, c) -> (batch, c)``."""
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"x must have 4 axes (batch, height, width, channels), got {x.shape}.")
    return x.mean(axis=(1, 2))
