"""Models built with NumPy-drawn initial weights: Keras's distributions, no pending variables."""

import keras
import numpy as np

from course_utils.numpy_initialization import build_with_numpy_weights, numpy_initial_value


def _model():
    return keras.Sequential([keras.Input((16, 16, 8)),
                             keras.layers.Conv2D(64, 3, kernel_initializer="glorot_uniform"),
                             keras.layers.Conv2D(32, 3, kernel_initializer="he_normal",
                                                 bias_initializer=keras.initializers.Constant(0.5)),
                             keras.layers.BatchNormalization(), keras.layers.Flatten(), keras.layers.Dropout(0.5),
                             keras.layers.Dense(10, kernel_initializer="lecun_normal")])


def test_weights_follow_kerass_distributions():
    model = build_with_numpy_weights(_model, seed=3)
    glorot, _, he, bias, gamma, beta, mean, variance, lecun, dense_bias = (
        keras.ops.convert_to_numpy(w) for w in model.weights if "seed_generator" not in w.path)
    limit = np.sqrt(6 / (9 * 8 + 9 * 64))  # Glorot uniform: sqrt(6 / (fan_in + fan_out))
    assert np.abs(glorot).max() <= limit and np.abs(glorot).max() > 0.95 * limit
    assert abs(he.std() - np.sqrt(2 / (9 * 64))) < 0.1 * np.sqrt(2 / (9 * 64))  # truncated normal
    assert np.abs(he).max() <= 2 * np.sqrt(2 / (9 * 64)) / 0.87962566103423978 + 1e-6
    assert abs(lecun.std() - np.sqrt(1 / lecun.shape[0])) < 0.1 * np.sqrt(1 / lecun.shape[0])
    assert (bias == 0.5).all() and (gamma == 1).all() and (beta == 0).all() and (variance == 1).all()
    assert not mean.any() and not dense_bias.any()


def test_same_seed_same_weights_and_the_model_trains():
    first, second = build_with_numpy_weights(_model, seed=1), build_with_numpy_weights(_model, seed=1)
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_array_equal(a, b)
    x = np.random.default_rng(0).random((8, 16, 16, 8)).astype("float32")
    first.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    first.fit(x, np.arange(8) % 10, epochs=1, verbose=0)
    assert np.isfinite(first.predict(x, verbose=0)).all()


def test_no_variable_is_left_pending():
    from keras.src.backend.common import global_state

    before = list(global_state.get_global_attribute("uninitialized_variables") or [])
    build_with_numpy_weights(_model)
    assert list(global_state.get_global_attribute("uninitialized_variables") or []) == before


def test_unknown_initializers_are_left_to_keras():
    assert numpy_initial_value(keras.initializers.Orthogonal(), (3, 3), np.random.default_rng(0)) is None
