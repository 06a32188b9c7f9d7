"""course_utils.convolution against SciPy, Keras and numerical gradients (lesson 02)."""

import numpy as np
import pytest
from scipy.signal import correlate2d

from course_utils.convolution import (conv2d_backward, conv2d_forward, conv2d_forward_loops,
                                      conv_output_size, correlate2d_loops, im2col)
from course_utils.gradient_check import numerical_gradient, relative_error

SLIDE_IMAGE = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1],
                        [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]])
SLIDE_KERNEL = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]])
SLIDE_RESULT = np.array([[4, 3, 4], [2, 4, 3], [2, 3, 4]])

# (batch, height, width, in_ch, kernel_h, kernel_w, out_ch, stride, padding)
CASES = [
    (1, 5, 5, 1, 3, 3, 1, 1, "valid"),
    (2, 7, 6, 3, 3, 2, 4, 2, "valid"),
    (2, 8, 8, 2, 3, 3, 3, 1, "same"),
    (3, 9, 7, 2, 5, 3, 2, 2, "same"),
    (2, 10, 11, 3, 4, 4, 2, 3, "same"),
    (1, 6, 6, 1, 2, 2, 2, (2, 1), "valid"),
    (2, 6, 5, 2, 3, 3, 2, 1, 1),
    (1, 5, 5, 1, 3, 3, 1, 2, 1),
]


def test_slide_example():
    assert np.array_equal(correlate2d_loops(SLIDE_IMAGE, SLIDE_KERNEL), SLIDE_RESULT)
    x = SLIDE_IMAGE[None, :, :, None].astype(float)
    w = SLIDE_KERNEL[:, :, None, None].astype(float)
    assert np.array_equal(conv2d_forward(x, w)[0, :, :, 0], SLIDE_RESULT)
    assert np.array_equal(conv2d_forward_loops(x, w)[0, :, :, 0], SLIDE_RESULT)


@pytest.mark.parametrize("seed", range(5))
def test_loops_match_scipy_on_random_shapes(seed):
    rng = np.random.default_rng(seed)
    image = rng.normal(size=rng.integers(4, 12, size=2))
    kernel = rng.normal(size=rng.integers(1, 4, size=2))
    expected = correlate2d(image, kernel, mode="valid")
    np.testing.assert_allclose(correlate2d_loops(image, kernel), expected, atol=1e-12)
    out = conv2d_forward(image[None, :, :, None], kernel[:, :, None, None])
    np.testing.assert_allclose(out[0, :, :, 0], expected, atol=1e-12)


def test_multichannel_is_sum_of_scipy_correlations():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 8, 9, 3))
    w = rng.normal(size=(3, 3, 3, 4))
    b = rng.normal(size=4)
    out = conv2d_forward(x, w, b)
    for n in range(2):
        for k in range(4):
            expected = sum(correlate2d(x[n, :, :, c], w[:, :, c, k], mode="valid") for c in range(3))
            np.testing.assert_allclose(out[n, :, :, k], expected + b[k], atol=1e-12)


@pytest.mark.parametrize("case", CASES)
def test_forward_matches_keras_and_loops(case):
    import keras

    n, h, w_, c, kh, kw, k, stride, padding = case
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, h, w_, c)).astype(np.float32)
    w = rng.normal(size=(kh, kw, c, k)).astype(np.float32)
    b = rng.normal(size=k).astype(np.float32)
    ours = conv2d_forward(x, w, b, stride=stride, padding=padding)
    np.testing.assert_allclose(conv2d_forward_loops(x, w, b, stride, padding), ours, atol=1e-5)
    if isinstance(padding, int):  # Keras has no integer padding: pad first, then "valid"
        x = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
        padding = "valid"
    theirs = keras.ops.convert_to_numpy(keras.ops.conv(x, w, strides=stride, padding=padding)) + b
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, atol=1e-4)


@pytest.mark.parametrize("case", CASES)
def test_backward_matches_numerical_gradient(case):
    n, h, w_, c, kh, kw, k, stride, padding = case
    rng = np.random.default_rng(2)
    x = rng.normal(size=(n, h, w_, c))
    w = rng.normal(size=(kh, kw, c, k))
    b = rng.normal(size=k)
    upstream = rng.normal(size=conv2d_forward(x, w, b, stride, padding).shape)

    def loss(x_, w_, b_):
        return float(np.sum(conv2d_forward(x_, w_, b_, stride, padding) * upstream))

    # The loss is linear in each argument, so central differences have no truncation
    # error and a larger step only shrinks the rounding error.
    dx, dw, db = conv2d_backward(upstream, x, w, stride, padding)
    for analytic, point, f in ((dx, x, lambda v: loss(v, w, b)), (dw, w, lambda v: loss(x, v, b)),
                               (db, b, lambda v: loss(x, w, v))):
        assert relative_error(analytic, numerical_gradient(f, point.copy(), step=1e-3)) < 1e-7


def test_im2col_shape():
    cols, (n, oh, ow) = im2col(np.zeros((2, 7, 7, 3)), (3, 3), stride=2, padding=1)
    assert (n, oh, ow) == (2, 4, 4) and cols.shape == (32, 27)


@pytest.mark.parametrize("size,kernel,stride", [(32, 5, 1), (7, 3, 2), (10, 3, 3), (28, 2, 2),
                                                (9, 4, 1), (11, 1, 2)])
def test_output_size_matches_keras(size, kernel, stride):
    import keras

    for padding in ("valid", "same"):
        layer = keras.layers.Conv2D(1, kernel, strides=stride, padding=padding)
        expected = layer.compute_output_shape((None, size, size, 1))[1]
        assert conv_output_size(size, kernel, stride, padding) == expected


def test_output_size_formula():
    assert conv_output_size(32, 5) == 28
    assert conv_output_size(7, 3, stride=2, padding=1) == 4
    assert conv_output_size(5, 3, 1, 1) == 5


@pytest.mark.parametrize("call,words", [
    (lambda: conv2d_forward(np.zeros((5, 5)), np.zeros((3, 3, 1, 1))), "4 axes"),
    (lambda: conv2d_forward(np.zeros((1, 5, 5, 3)), np.zeros((3, 3))), "4 axes"),
    (lambda: conv2d_forward(np.zeros((1, 5, 5, 3)), np.zeros((3, 3, 1, 2))), "channels"),
    (lambda: conv2d_forward(np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 1, 2)), np.zeros(3)), "one bias"),
    (lambda: conv2d_forward(np.zeros((1, 2, 2, 1)), np.zeros((3, 3, 1, 1))), "larger"),
    (lambda: conv2d_forward(np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 1, 1)), stride=0), "at least 1"),
    (lambda: conv2d_forward(np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 1, 1)), stride=1.5), "integer"),
    (lambda: conv2d_forward(np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 1, 1)), padding="full"), "'same'"),
    (lambda: conv2d_forward(np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 1, 1)), padding=-1), "non-negative"),
    (lambda: conv_output_size(4, 5), "larger"),
    (lambda: conv_output_size(0, 3), "positive"),
    (lambda: correlate2d_loops(np.zeros((4, 4, 1)), np.zeros((3, 3))), "2-D"),
    (lambda: conv2d_backward(np.zeros((1, 2, 2, 1)), np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 1, 1))),
     "forward output"),
])
def test_clear_errors(call, words):
    with pytest.raises(ValueError, match=words):
        call()
