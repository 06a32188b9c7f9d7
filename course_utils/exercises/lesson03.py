"""Check functions for lesson 03 (activations and pooling)."""

from __future__ import annotations

import numpy as np


def check_exercise_1(silu, silu_derivative) -> None:
    """SiLU (also called swish), x * sigmoid(x), and its derivative, element by element."""
    x = np.linspace(-8, 8, 161) + 0.01
    reference = reference_silu(x)
    got = np.asarray(silu(x), dtype=float)
    assert got.shape == x.shape, f"silu must keep the input's shape {x.shape}, got {got.shape}."
    assert np.allclose(got, reference, atol=1e-8), (
        f"silu is wrong (largest error {np.max(np.abs(got - reference)):.3g}): "
        f"it is x times sigmoid(x) = x / (1 + exp(-x)).")
    h = 1e-6
    numerical = (reference_silu(x + h) - reference_silu(x - h)) / (2 * h)
    got_derivative = np.asarray(silu_derivative(x), dtype=float)
    assert np.allclose(got_derivative, numerical, atol=1e-6), (
        f"silu_derivative disagrees with central differences (largest error "
        f"{np.max(np.abs(got_derivative - numerical)):.3g}): use the product rule, "
        f"d/dx [x s(x)] = s(x) + x s(x) (1 - s(x)).")
    print("Exercise 1: correct, SiLU and its derivative match the reference and central "
          "differences on [-8, 8].")


def reference_silu(x):
    return x / (1 + np.exp(-x))


def check_exercise_2(global_average_pool) -> None:
    """``global_average_pool(x)``: (batch, height, width, channels) -> (batch, channels)."""
    rng = np.random.default_rng(3)
    for shape in [(2, 4, 4, 3), (1, 7, 5, 8), (5, 1, 1, 2)]:
        x = rng.normal(size=shape)
        got = np.asarray(global_average_pool(x))
        assert got.shape == (shape[0], shape[3]), (
            f"for input {shape} the output should be {(shape[0], shape[3])}, got {got.shape}: "
            f"average over the height and width axes (1 and 2) only.")
        assert np.allclose(got, x.mean(axis=(1, 2))), (
            f"wrong values for input {shape}: each output is the mean of one channel's map.")
    print("Exercise 2: correct, one number per channel: the mean of its feature map.")


def check_exercise_3(flattened_length: int) -> None:
    """Length of Flatten() after 32x32x3 -> Conv2D(32, 3, 'same') -> MaxPooling2D(2)
    -> Conv2D(64, 3, 'valid') -> MaxPooling2D(2)."""
    expected = 7 * 7 * 64
    assert int(flattened_length) == expected, (
        f"{flattened_length} is wrong: follow the shapes: 'same' keeps 32x32, pooling halves "
        f"it, a 3x3 'valid' conv removes 2, pooling halves again; then multiply "
        f"height * width * channels.")
    print(f"Exercise 3: correct, (7, 7, 64) flattens to {expected} numbers.")
