"""Check functions for lesson 02 (convolution by hand)."""

from __future__ import annotations

import numpy as np
from scipy.signal import correlate2d

from course_utils.convolution import conv2d_forward


def check_exercise_1(conv2d_single) -> None:
    """``conv2d_single(image, kernel, stride, padding)`` for a 2-D image and 2-D kernel,
    with an integer stride and integer zero padding, must match the reference."""
    image = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1],
                      [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]], dtype=float)
    kernel = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], dtype=float)
    rng = np.random.default_rng(0)
    cases = [(image, kernel, 1, 0), (image, kernel, 2, 1), (image, kernel, 1, 1)]
    for _ in range(6):
        h, w = rng.integers(5, 10, size=2)
        kh, kw = rng.integers(1, 4, size=2)
        cases.append((rng.normal(size=(h, w)), rng.normal(size=(kh, kw)),
                      int(rng.integers(1, 3)), int(rng.integers(0, 2))))
    for img, ker, stride, padding in cases:
        expected = conv2d_forward(img[None, :, :, None], ker[:, :, None, None],
                                  stride=stride, padding=padding)[0, :, :, 0]
        got = np.asarray(conv2d_single(img, ker, stride, padding), dtype=float)
        assert got.shape == expected.shape, (
            f"for a {img.shape} image, {ker.shape} kernel, stride {stride}, padding {padding} "
            f"the output should be {expected.shape}, got {got.shape}: check (W - F + 2P) // S + 1.")
        assert np.allclose(got, expected, atol=1e-8), (
            f"wrong values for a {img.shape} image, {ker.shape} kernel, stride {stride}, "
            f"padding {padding}: pad with zeros first, then step the window by the stride.")
    print("Exercise 1: correct, your convolution matches the reference on "
          f"{len(cases)} cases (the slide's example included).")


def check_exercise_2(kernel) -> None:
    """A 3x3 kernel that finds *horizontal* edges: zero on flat regions, strong on a
    horizontal edge, (almost) blind to a vertical one."""
    kernel = np.asarray(kernel, dtype=float)
    assert kernel.shape == (3, 3), f"the kernel must be 3x3, got shape {kernel.shape}."
    flat = np.full((7, 7), 0.7)
    horizontal = np.zeros((7, 7))
    horizontal[4:, :] = 1.0  # dark above, bright below
    vertical = horizontal.T
    on_flat = np.abs(correlate2d(flat, kernel, mode="valid")).max()
    on_horizontal = np.abs(correlate2d(horizontal, kernel, mode="valid")).max()
    on_vertical = np.abs(correlate2d(vertical, kernel, mode="valid")).max()
    assert on_flat < 1e-9, (f"the kernel answers {on_flat:.3g} on a flat image: "
                            f"make its entries sum to zero.")
    assert on_horizontal > 1e-6, "the kernel does not respond to a horizontal edge at all."
    assert on_vertical <= 0.1 * on_horizontal, (
        f"the kernel responds to a vertical edge ({on_vertical:.3g}) nearly as much as to a "
        f"horizontal one ({on_horizontal:.3g}): compare rows (top vs bottom), not columns.")
    print(f"Exercise 2: correct, response {on_horizontal:.3g} to a horizontal edge, "
          f"{on_vertical:.3g} to a vertical edge, 0 on a flat region.")


def check_exercise_3(conv_params: int, dense_params: int) -> None:
    """Parameters of Conv2D(16, 3x3) on a 28x28x1 input, and of a Dense layer mapping the
    same flattened input to as many outputs as the conv layer produces (both with biases)."""
    conv_expected = 3 * 3 * 1 * 16 + 16
    dense_expected = (28 * 28) * (26 * 26 * 16) + 26 * 26 * 16
    assert int(conv_params) == conv_expected, (
        f"conv layer: {conv_params} is wrong; count kernel_h * kernel_w * in_channels weights "
        f"per filter, plus one bias per filter.")
    assert int(dense_params) == dense_expected, (
        f"dense layer: {dense_params} is wrong; the conv output is 26x26x16, so the dense layer "
        f"has 28*28 inputs times 26*26*16 outputs weights, plus one bias per output.")
    print(f"Exercise 3: correct, {conv_params:,} vs {dense_params:,} parameters "
          f"({dense_params // conv_params:,} times more for the dense layer).")
