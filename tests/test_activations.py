"""course_utils.activations and .normalization against Keras and numerical derivatives (lesson 03)."""

import numpy as np
import pytest

from course_utils import activations as act
from course_utils.normalization import (batchnorm_inference, batchnorm_train, dropout,
                                        update_moving_stats)

X = np.linspace(-6, 6, 241) + 0.013  # avoids the kinks at exactly 0


def keras_reference(name):
    import keras

    a = keras.activations
    return {
        "sigmoid": a.sigmoid, "tanh": a.tanh, "relu": a.relu, "elu": a.elu,
        "leaky_relu": lambda x: a.leaky_relu(x, negative_slope=0.1),
        "gelu": lambda x: a.gelu(x, approximate=False),
        "gelu_tanh": lambda x: a.gelu(x, approximate=True),
    }[name]


@pytest.mark.parametrize("name", sorted(act.ACTIVATIONS))
def test_matches_keras(name):
    import keras

    function, _ = act.ACTIVATIONS[name]
    x = X.astype(np.float32)
    theirs = keras.ops.convert_to_numpy(keras_reference(name)(keras.ops.convert_to_tensor(x)))
    np.testing.assert_allclose(function(x), theirs, atol=1e-5)


@pytest.mark.parametrize("name", sorted(act.ACTIVATIONS))
def test_derivative_matches_central_differences(name):
    function, derivative = act.ACTIVATIONS[name]
    h = 1e-6
    numerical = (function(X + h) - function(X - h)) / (2 * h)
    np.testing.assert_allclose(derivative(X), numerical, atol=1e-7)


def test_tanh_is_rescaled_sigmoid():
    np.testing.assert_allclose(act.tanh(X), np.tanh(X), atol=1e-12)
    np.testing.assert_allclose(2 * act.sigmoid(2 * X) - 1, np.tanh(X), atol=1e-12)


def test_sigmoid_does_not_overflow():
    with np.errstate(over="raise"):
        assert np.array_equal(act.sigmoid(np.array([-1000.0, 1000.0])), [0.0, 1.0])


def test_gelu_tanh_approximation_is_close():
    assert np.max(np.abs(act.gelu(X) - act.gelu_tanh(X))) < 1e-3


def test_maxout():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 4))
    w = rng.normal(size=(3, 4, 2))
    b = rng.normal(size=(3, 2))
    expected = np.max([x @ w[k] + b[k] for k in range(3)], axis=0)
    np.testing.assert_allclose(act.maxout(x, w, b), expected)
    relu_as_maxout = act.maxout(x, np.stack([np.eye(4), np.zeros((4, 4))]), np.zeros((2, 4)))
    np.testing.assert_allclose(relu_as_maxout, act.relu(x))
    with pytest.raises(ValueError, match="do not fit"):
        act.maxout(x, rng.normal(size=(3, 5, 2)), b)
    with pytest.raises(ValueError, match="batch, d_in"):
        act.maxout(x[0], w, b)


def test_softmax():
    import keras

    z = np.random.default_rng(1).normal(size=(4, 10)) * 30
    p = act.softmax(z)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(p, keras.ops.convert_to_numpy(keras.activations.softmax(z)), atol=1e-6)


def test_dropout_statistics_match_keras():
    import keras

    rng = np.random.default_rng(0)
    x = np.ones((200, 500), dtype=np.float32)
    rate = 0.3
    ours = dropout(x, rate, rng, training=True)
    theirs = keras.ops.convert_to_numpy(keras.layers.Dropout(rate, seed=0)(x, training=True))
    for out in (ours, theirs):
        np.testing.assert_allclose(np.unique(out), [0.0, 1 / (1 - rate)], rtol=1e-6)
        assert abs((out == 0).mean() - rate) < 0.01
        assert abs(out.mean() - 1.0) < 0.01
    assert np.array_equal(dropout(x, rate, rng, training=False), x)
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        dropout(x, 1.0, rng)


def test_batchnorm_matches_keras_in_training_and_inference():
    import keras

    rng = np.random.default_rng(0)
    x = (rng.normal(size=(16, 5, 5, 3)) * 3 + 2).astype(np.float32)
    layer = keras.layers.BatchNormalization()
    layer.build(x.shape)
    gamma = rng.normal(size=3).astype(np.float32)
    beta = rng.normal(size=3).astype(np.float32)
    layer.set_weights([gamma, beta, np.zeros(3, np.float32), np.ones(3, np.float32)])
    out_train = keras.ops.convert_to_numpy(layer(x, training=True))
    ours, mean, var = batchnorm_train(x, gamma, beta)
    np.testing.assert_allclose(ours, out_train, atol=1e-4)
    moving_mean, moving_var = update_moving_stats(np.zeros(3), np.ones(3), mean, var)
    np.testing.assert_allclose(moving_mean, keras.ops.convert_to_numpy(layer.moving_mean), atol=1e-5)
    np.testing.assert_allclose(moving_var, keras.ops.convert_to_numpy(layer.moving_variance), atol=1e-4)
    out_infer = keras.ops.convert_to_numpy(layer(x, training=False))
    np.testing.assert_allclose(batchnorm_inference(x, gamma, beta, moving_mean, moving_var),
                               out_infer, atol=1e-4)
    with pytest.raises(ValueError, match="batch axis"):
        batchnorm_train(np.zeros(3), gamma, beta)
