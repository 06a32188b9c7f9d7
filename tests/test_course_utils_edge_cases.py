"""Edge cases of course_utils that an independent test run found (issue 13).

Each test names the failure it guards against: overflow in the MLP's sigmoid, NaN
treated as padding by the pooling reference, missing shape checks in the convolution,
float32 silently widened to float64, and a tanh that loses precision near 0.
"""

import numpy as np
import pytest

from course_utils import activations as act
from course_utils import mlp
from course_utils.convolution import (conv2d_backward, conv2d_forward, conv2d_forward_loops,
                                      im2col, pad_input)
from course_utils.pooling import pool2d, pool2d_loops


# ------------------------------------------------------------------ MLP sigmoid
@pytest.mark.parametrize("function", [mlp.activate, mlp.activation_derivative])
def test_mlp_sigmoid_does_not_overflow_for_very_negative_inputs(function):
    z = np.array([-1000.0, -710.0, -30.0, 0.0, 30.0, 710.0, 1000.0])
    with np.errstate(over="raise", invalid="raise"):
        values = function(z, "sigmoid")
    assert np.all(np.isfinite(values))


def test_mlp_sigmoid_is_the_stable_sigmoid_of_activations():
    z = np.concatenate([np.linspace(-800, 800, 161), [-1e-9, 0.0, 1e-9]])
    np.testing.assert_array_equal(mlp.activate(z, "sigmoid"), act.sigmoid(z))
    s = act.sigmoid(z)
    np.testing.assert_array_equal(mlp.activation_derivative(z, "sigmoid"), s * (1 - s))
    # Far in the tail the sigmoid is exp(z), which is still representable.
    np.testing.assert_allclose(mlp.activate(np.array([-700.0]), "sigmoid"), np.exp(-700.0), rtol=1e-12)


def test_mlp_trains_through_saturated_sigmoids_without_warnings():
    rng = np.random.default_rng(0)
    params = mlp.init_params([2, 3, 1], rng)
    params[0]["W"][:] = 10.0  # hidden units saturate at tanh(-20) = -1 ...
    params[-1]["W"][:] = 400.0  # ... so the output pre-activation is about -1200
    X = -np.ones((4, 2))
    with np.errstate(over="raise", invalid="raise"):
        loss, grads = mlp.loss_and_gradients(params, X, np.zeros(4))
    assert np.isfinite(loss) and all(np.all(np.isfinite(g["W"])) for g in grads)


# ------------------------------------------------------------------ pooling with NaN
@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_pooling_loops_and_vectorised_agree_on_nan_input(mode, padding):
    x = np.arange(1.0, 26.0).reshape(1, 5, 5, 1)
    x[0, 0, 0, 0] = np.nan
    x[0, 4, 4, 0] = np.nan  # in the last, partly padded window of "same"
    loops = pool2d_loops(x, 2, padding=padding, mode=mode)
    vectorised = pool2d(x, 2, padding=padding, mode=mode)
    np.testing.assert_array_equal(np.isnan(loops), np.isnan(vectorised))
    np.testing.assert_allclose(loops, vectorised)
    assert np.isnan(loops[0, 0, 0, 0])  # a NaN in a window makes the window's result NaN


@pytest.mark.parametrize("mode", ["max", "average"])
def test_pooling_loops_nan_window_is_nan_not_the_other_cells(mode):
    x = np.array([[1.0, 2.0], [np.nan, 4.0]]).reshape(1, 2, 2, 1)
    assert np.isnan(pool2d_loops(x, 2, mode=mode)[0, 0, 0, 0])
    assert np.isnan(pool2d(x, 2, mode=mode)[0, 0, 0, 0])


def test_pooling_loops_same_padding_still_ignores_padded_cells():
    x = -np.arange(1.0, 10.0).reshape(1, 3, 3, 1)  # all negative: zero padding would win a max
    np.testing.assert_array_equal(pool2d_loops(x, 2, padding="same", mode="max"),
                                  pool2d(x, 2, padding="same", mode="max"))
    np.testing.assert_allclose(pool2d_loops(x, 2, padding="same", mode="average"),
                               pool2d(x, 2, padding="same", mode="average"))


# ------------------------------------------------------------------ convolution checks
@pytest.mark.parametrize("kernel_shape", [(0, 3, 1, 2), (3, 0, 1, 2), (3, 3, 1, 0)])
@pytest.mark.parametrize("function", [conv2d_forward, conv2d_forward_loops])
def test_zero_size_kernel_is_refused(function, kernel_shape):
    x = np.ones((1, 5, 5, 1))
    with pytest.raises(ValueError, match="kernel"):
        function(x, np.ones(kernel_shape))


def test_zero_size_kernel_is_refused_by_the_backward_pass():
    with pytest.raises(ValueError, match="kernel"):
        conv2d_backward(np.ones((1, 5, 5, 2)), np.ones((1, 5, 5, 1)), np.ones((0, 3, 1, 2)))


@pytest.mark.parametrize("call", [
    lambda image: im2col(image, (3, 3)),
    lambda image: pad_input(image, (3, 3), padding="same"),
], ids=["im2col", "pad_input"])
def test_two_dimensional_image_gets_a_clear_error(call):
    with pytest.raises(ValueError, match=r"4 axes.*image\[None, :, :, None\]"):
        call(np.ones((5, 5)))


@pytest.mark.parametrize("kernel_shape", [(0, 3), (3, -1), (3,), "3x3", (2.5, 3)])
@pytest.mark.parametrize("function", [im2col, pad_input])
def test_bad_kernel_shape_gets_a_clear_error(function, kernel_shape):
    with pytest.raises(ValueError, match="kernel_shape"):
        function(np.ones((1, 5, 5, 1)), kernel_shape)


# ------------------------------------------------------------------ dtypes of activations
@pytest.mark.parametrize("name", sorted(act.ACTIVATIONS))
def test_activations_and_derivatives_keep_float32(name):
    function, derivative = act.ACTIVATIONS[name]
    x = np.linspace(-3, 3, 13, dtype=np.float32)
    assert function(x).dtype == np.float32
    assert derivative(x).dtype == np.float32


def test_float32_gelu_matches_float64_to_float32_precision():
    x = np.linspace(-5, 5, 101)
    for function in (act.gelu, act.gelu_derivative, act.gelu_tanh, act.gelu_tanh_derivative):
        np.testing.assert_allclose(function(x.astype(np.float32)), function(x), rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------ tanh near 0
def test_tanh_is_accurate_near_zero():
    x = np.array([1e-300, 1e-12, 1e-8, 1e-6, 1e-3, -1e-6])
    np.testing.assert_allclose(act.tanh(x), np.tanh(x), rtol=1e-14, atol=0)
    x32 = np.array([1e-6, 1e-4], dtype=np.float32)
    np.testing.assert_allclose(act.tanh(x32), np.tanh(x32), rtol=1e-6, atol=0)

