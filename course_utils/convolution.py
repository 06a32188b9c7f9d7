"""2-D convolution (really cross-correlation) forward and backward, as built in lesson 02.

Layouts follow Keras ("channels_last"):

* input ``x``: ``(batch, height, width, in_channels)``
* kernel ``w``: ``(kernel_height, kernel_width, in_channels, out_channels)``
* bias ``b``: ``(out_channels,)``
* output: ``(batch, out_height, out_width, out_channels)``

``padding`` is ``"valid"`` (no padding), ``"same"`` (Keras/TensorFlow's rule: output size
``ceil(W / S)``, padding split as evenly as possible with any extra row/column at the
bottom/right) or a non-negative integer ``P`` (``P`` zeros on every side). ``stride`` is an
integer ``S`` or a pair ``(S_rows, S_cols)``.

Like every deep-learning library, these functions compute the *cross-correlation*
``s[i, j] = sum_m sum_n x[i + m, j + n] w[m, n]``: the kernel is not flipped.
"""

from __future__ import annotations

from typing import Sequence, Union

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from course_utils.validation import is_whole_number

Padding = Union[str, int]
Stride = Union[int, Sequence[int]]

__all__ = [
    "conv_output_size",
    "padding_amounts",
    "pad_input",
    "correlate2d_loops",
    "conv2d_forward_loops",
    "im2col",
    "conv2d_forward",
    "conv2d_backward",
]


# --------------------------------------------------------------------------- checks
def _as_pair(value: Stride, name: str) -> tuple[int, int]:
    if is_whole_number(value):
        pair = (int(value), int(value))
    elif (isinstance(value, (tuple, list)) and len(value) == 2
          and all(is_whole_number(v) for v in value)):
        pair = (int(value[0]), int(value[1]))
    else:
        raise ValueError(f"{name} must be a positive integer or a pair of them, got {value!r}: "
                         f"pass e.g. {name}=1 or {name}=(2, 2).")
    if min(pair) < 1:
        raise ValueError(f"{name} must be at least 1, got {value!r}: use {name}=1 for no skipping.")
    return pair


def _check_padding(padding: Padding) -> Padding:
    if isinstance(padding, str):
        if padding.lower() not in ("valid", "same"):
            raise ValueError(f"padding must be 'valid', 'same' or a non-negative integer, "
                             f"got {padding!r}.")
        return padding.lower()
    if is_whole_number(padding):
        if padding < 0:
            raise ValueError(f"padding must be non-negative, got {padding}: use 0 (or 'valid') "
                             f"for no padding.")
        return int(padding)
    raise ValueError(f"padding must be 'valid', 'same' or a non-negative integer, got {padding!r}.")


def _check_input(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"x must have 4 axes (batch, height, width, channels), got shape {x.shape}: "
                         f"add missing axes, e.g. image[None, :, :, None] for one grey image.")
    return x


def _check_kernel_shape(kernel_shape) -> tuple[int, int]:
    """(kernel_height, kernel_width), both at least 1."""
    try:
        pair = tuple(kernel_shape)
    except TypeError:
        pair = ()
    if (len(pair) != 2 or isinstance(kernel_shape, str)
            or not all(is_whole_number(v) for v in pair)
            or min(pair) < 1):
        raise ValueError(f"kernel_shape must be a pair of positive integers (kernel_height, "
                         f"kernel_width), got {kernel_shape!r}: e.g. kernel_shape=(3, 3), or "
                         f"w.shape[:2] for a kernel w.")
    return int(pair[0]), int(pair[1])


def _check_conv_arrays(x: np.ndarray, w: np.ndarray, b: np.ndarray | None):
    x = _check_input(x)
    w = np.asarray(w)
    if w.ndim != 4:
        raise ValueError(f"w must have 4 axes (kernel_height, kernel_width, in_channels, "
                         f"out_channels), got shape {w.shape}: e.g. kernel[:, :, None, None] "
                         f"for one 2-D kernel.")
    if min(w.shape) < 1:
        # A kernel with no rows, columns or filters would silently give an empty or
        # wrongly shaped output.
        raise ValueError(f"the kernel w has shape {w.shape}, with an axis of size 0: a kernel "
                         f"needs at least 1 row, 1 column, 1 input channel and 1 output channel.")
    if x.shape[3] != w.shape[2]:
        raise ValueError(f"x has {x.shape[3]} channels but w expects {w.shape[2]} "
                         f"(w.shape[2]): the kernel's third axis must match the input's channels.")
    if b is not None:
        b = np.asarray(b)
        if b.shape != (w.shape[3],):
            raise ValueError(f"b must have shape ({w.shape[3]},), one bias per output channel, "
                             f"got {b.shape}.")
    return x, w, b


# --------------------------------------------------------------------------- sizes
def conv_output_size(input_size: int, kernel_size: int, stride: int = 1,
                     padding: Padding = 0) -> int:
    """Output length along one axis: ``(W - F + 2P) // S + 1``.

    With ``padding="valid"`` P is 0; with ``padding="same"`` the answer is ``ceil(W / S)``
    (Keras pads just enough for that). When ``(W - F + 2P)`` is not a multiple of ``S`` the
    last partial step is dropped, as Keras does.
    """
    for name, value in (("input_size", input_size), ("kernel_size", kernel_size)):
        if not is_whole_number(value) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    stride = _as_pair(stride, "stride")[0]
    padding = _check_padding(padding)
    if padding == "same":
        return -(-input_size // stride)
    if padding == "valid":
        padding = 0
    if input_size + 2 * padding < kernel_size:
        raise ValueError(f"kernel_size {kernel_size} is larger than the padded input "
                         f"{input_size} + 2*{padding}: use a smaller kernel or more padding.")
    return (input_size - kernel_size + 2 * padding) // stride + 1


def padding_amounts(input_size: int, kernel_size: int, stride: int = 1,
                    padding: Padding = 0) -> tuple[int, int]:
    """Zeros added (before, after) along one axis, matching Keras for ``"same"``."""
    padding = _check_padding(padding)
    if padding == "valid":
        return 0, 0
    if padding == "same":
        out = conv_output_size(input_size, kernel_size, stride, "same")
        total = max((out - 1) * stride + kernel_size - input_size, 0)
        return total // 2, total - total // 2
    return padding, padding


def pad_input(x: np.ndarray, kernel_shape: tuple[int, int], stride: Stride = 1,
              padding: Padding = "valid", value: float = 0.0) -> np.ndarray:
    """Pad a ``(batch, height, width, channels)`` array as the convolution would."""
    x = _check_input(x)
    kernel_shape = _check_kernel_shape(kernel_shape)
    sh, sw = _as_pair(stride, "stride")
    padding = _check_padding(padding)
    top, bottom = padding_amounts(x.shape[1], kernel_shape[0], sh, padding)
    left, right = padding_amounts(x.shape[2], kernel_shape[1], sw, padding)
    if top == bottom == left == right == 0:
        return x
    return np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=value)


# --------------------------------------------------------------------------- forward
def correlate2d_loops(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The slide's formula for one 2-D image and one 2-D kernel, no padding, stride 1."""
    image = np.asarray(image)
    kernel = np.asarray(kernel)
    if image.ndim != 2 or kernel.ndim != 2:
        raise ValueError(f"correlate2d_loops takes a 2-D image and a 2-D kernel, got shapes "
                         f"{image.shape} and {kernel.shape}: use conv2d_forward for batches "
                         f"and channels.")
    if kernel.shape[0] > image.shape[0] or kernel.shape[1] > image.shape[1]:
        raise ValueError(f"kernel {kernel.shape} is larger than image {image.shape}.")
    out_h = image.shape[0] - kernel.shape[0] + 1
    out_w = image.shape[1] - kernel.shape[1] + 1
    out = np.zeros((out_h, out_w), dtype=np.result_type(image, kernel))
    for i in range(out_h):
        for j in range(out_w):
            total = 0.0
            for m in range(kernel.shape[0]):
                for n in range(kernel.shape[1]):
                    total += image[i + m, j + n] * kernel[m, n]
            out[i, j] = total
    return out


def conv2d_forward_loops(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None,
                         stride: Stride = 1, padding: Padding = "valid") -> np.ndarray:
    """Conv layer forward pass with explicit loops over batch, position and filter."""
    x, w, b = _check_conv_arrays(x, w, b)
    sh, sw = _as_pair(stride, "stride")
    kh, kw, _, k_out = w.shape
    xp = pad_input(x, (kh, kw), (sh, sw), padding)
    if xp.shape[1] < kh or xp.shape[2] < kw:
        raise ValueError(f"kernel {kh}x{kw} is larger than the padded input "
                         f"{xp.shape[1]}x{xp.shape[2]}: use a smaller kernel or more padding.")
    out_h = (xp.shape[1] - kh) // sh + 1
    out_w = (xp.shape[2] - kw) // sw + 1
    out = np.zeros((x.shape[0], out_h, out_w, k_out), dtype=np.result_type(x, w, np.float32))
    for n in range(x.shape[0]):
        for i in range(out_h):
            for j in range(out_w):
                window = xp[n, i * sh:i * sh + kh, j * sw:j * sw + kw, :]
                for k in range(k_out):
                    out[n, i, j, k] = np.sum(window * w[:, :, :, k])
    if b is not None:
        out += b
    return out


def im2col(x: np.ndarray, kernel_shape: tuple[int, int], stride: Stride = 1,
           padding: Padding = "valid") -> tuple[np.ndarray, tuple[int, int, int]]:
    """Every receptive field as one row: ``(batch*out_h*out_w, kh*kw*channels)``.

    Rows are ordered (batch, out row, out column); columns (kernel row, kernel column,
    channel), so that ``w.reshape(-1, out_channels)`` lines up with them. Returns the
    matrix and ``(batch, out_h, out_w)``.
    """
    x = _check_input(x)
    kh, kw = _check_kernel_shape(kernel_shape)
    sh, sw = _as_pair(stride, "stride")
    xp = pad_input(x, (kh, kw), (sh, sw), padding)
    if xp.shape[1] < kh or xp.shape[2] < kw:
        raise ValueError(f"kernel {kh}x{kw} is larger than the padded input "
                         f"{xp.shape[1]}x{xp.shape[2]}: use a smaller kernel or more padding.")
    # (batch, H', W', channels, kh, kw) views; nothing is copied until the reshape.
    windows = sliding_window_view(xp, (kh, kw), axis=(1, 2))[:, ::sh, ::sw]
    n, out_h, out_w = windows.shape[:3]
    cols = windows.transpose(0, 1, 2, 4, 5, 3).reshape(n * out_h * out_w, kh * kw * x.shape[3])
    return cols, (n, out_h, out_w)


def conv2d_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None,
                   stride: Stride = 1, padding: Padding = "valid") -> np.ndarray:
    """Vectorised conv layer forward pass (im2col followed by one matrix product)."""
    x, w, b = _check_conv_arrays(x, w, b)
    cols, (n, out_h, out_w) = im2col(x, w.shape[:2], stride, padding)
    out = cols @ w.reshape(-1, w.shape[3])
    if b is not None:
        out = out + b
    return out.reshape(n, out_h, out_w, w.shape[3])


# --------------------------------------------------------------------------- backward
def conv2d_backward(grad_output: np.ndarray, x: np.ndarray, w: np.ndarray,
                    stride: Stride = 1, padding: Padding = "valid"):
    """Gradients ``(dx, dw, db)`` of a loss, given ``grad_output = dL/d(output)``.

    * ``db[k]  = sum over batch and positions of grad_output[..., k]``
    * ``dw     = im2col(x).T @ grad_output``  (each weight saw every window)
    * ``dx``: each output gradient is sent back through the weights to the window it
      came from (``grad_output @ w.T``), and the windows are added up where they overlap.
    """
    x, w, _ = _check_conv_arrays(x, w, None)
    sh, sw = _as_pair(stride, "stride")
    kh, kw, c_in, k_out = w.shape
    cols, (n, out_h, out_w) = im2col(x, (kh, kw), (sh, sw), padding)
    grad_output = np.asarray(grad_output)
    if grad_output.shape != (n, out_h, out_w, k_out):
        raise ValueError(f"grad_output must have the forward output's shape "
                         f"{(n, out_h, out_w, k_out)}, got {grad_output.shape}.")
    g = grad_output.reshape(-1, k_out)
    db = g.sum(axis=0)
    dw = (cols.T @ g).reshape(w.shape)
    dcols = (g @ w.reshape(-1, k_out).T).reshape(n, out_h, out_w, kh, kw, c_in)
    top, bottom = padding_amounts(x.shape[1], kh, sh, _check_padding(padding))
    left, right = padding_amounts(x.shape[2], kw, sw, _check_padding(padding))
    dxp = np.zeros((n, x.shape[1] + top + bottom, x.shape[2] + left + right, c_in),
                   dtype=dcols.dtype)
    for m in range(kh):  # col2im: scatter each kernel offset back, adding overlaps
        for q in range(kw):
            dxp[:, m:m + sh * out_h:sh, q:q + sw * out_w:sw, :] += dcols[:, :, :, m, q, :]
    dx = dxp[:, top:top + x.shape[1], left:left + x.shape[2], :]
    return dx, dw, db
