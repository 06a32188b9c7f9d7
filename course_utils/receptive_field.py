"""Receptive fields: which input pixels one output of a stack of layers can see.

Taught in lesson 02. Along one axis, a layer with kernel size ``F`` and stride ``S``
widens the receptive field by ``(F - 1)`` steps of the previous layer's *jump* (the
distance in input pixels between two neighbouring positions of that layer), and
multiplies the jump by ``S``:

    r_out = r_in + (F - 1) * j_in,      j_out = j_in * S,      starting from r = j = 1.

So two 3x3 layers see 5x5 input pixels and three see 7x7; a stride or a pooling layer
(a pooling window is a kernel too) makes every later layer grow the field faster.
:func:`gradient_footprint` checks the formula the way an experiment would: it
backpropagates from one output to the input and reports which pixels receive a
gradient, that is, which pixels can change that output.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from course_utils.convolution import conv2d_backward, conv2d_forward

Layer = tuple[int, int]  # (kernel_size, stride) along one axis


def _check_layers(layers: Iterable[Sequence[int]]) -> list[Layer]:
    checked = []
    for position, layer in enumerate(layers):
        if len(layer) != 2:
            raise ValueError(f"layer {position} is {layer!r}: give each layer as (kernel_size, stride)")
        kernel_size, stride = (int(value) for value in layer)
        if kernel_size < 1 or stride < 1:
            raise ValueError(f"layer {position} is {layer!r}: kernel size and stride must be at least 1")
        checked.append((kernel_size, stride))
    if not checked:
        raise ValueError("give at least one layer as (kernel_size, stride)")
    return checked


def receptive_fields(layers: Iterable[Sequence[int]]) -> list[tuple[int, int]]:
    """``(receptive field, jump)`` after each layer, in input pixels along one axis."""
    field, jump = 1, 1
    result = []
    for kernel_size, stride in _check_layers(layers):
        field += (kernel_size - 1) * jump
        jump *= stride
        result.append((field, jump))
    return result


def receptive_field(layers: Iterable[Sequence[int]]) -> int:
    """Receptive field of the last layer's outputs, in input pixels along one axis."""
    return receptive_fields(layers)[-1][0]


def smallest_input(layers: Iterable[Sequence[int]]) -> int:
    """The smallest input size (no padding) for which the stack has an output at all."""
    return receptive_field(layers)


def gradient_footprint(layers: Iterable[Sequence[int]], input_size: int,
                       seed: int = 0) -> np.ndarray:
    """|d output / d input| for the central output of a stack of 'valid' convolutions.

    Each layer is a single-channel convolution with positive random weights (positive,
    so that no two paths can cancel and hide a pixel); a pooling window behaves like
    such a kernel as far as *which* pixels it sees. The forward pass keeps each layer's
    input, then the backward pass (course_utils.convolution.conv2d_backward) carries a
    gradient of 1 from the central output back to the ``input_size`` x ``input_size``
    input. Returns that input gradient as a 2-D array: nonzero exactly where a pixel
    can change the output.
    """
    layers = _check_layers(layers)
    if input_size < smallest_input(layers):
        raise ValueError(f"an input of {input_size} pixels is smaller than the receptive field "
                         f"{smallest_input(layers)}: use a larger input_size")
    rng = np.random.default_rng(seed)
    activation = rng.random((1, input_size, input_size, 1)) + 0.5
    kept = []
    for kernel_size, stride in layers:
        kernel = rng.random((kernel_size, kernel_size, 1, 1)) + 0.5
        kept.append((activation, kernel, stride))
        activation = conv2d_forward(activation, kernel, stride=stride, padding="valid")
    upstream = np.zeros_like(activation)
    centre_row, centre_column = activation.shape[1] // 2, activation.shape[2] // 2
    upstream[0, centre_row, centre_column, 0] = 1.0
    for layer_input, kernel, stride in reversed(kept):
        upstream, _, _ = conv2d_backward(upstream, layer_input, kernel, stride=stride, padding="valid")
    return np.abs(upstream[0, :, :, 0])


def footprint_size(gradient: np.ndarray) -> tuple[int, int]:
    """Height and width of the smallest box holding every nonzero entry of ``gradient``."""
    rows = np.flatnonzero(np.any(gradient != 0, axis=1))
    columns = np.flatnonzero(np.any(gradient != 0, axis=0))
    if rows.size == 0:
        return 0, 0
    return int(rows[-1] - rows[0] + 1), int(columns[-1] - columns[0] + 1)
