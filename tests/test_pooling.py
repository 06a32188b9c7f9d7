"""course_utils.pooling against Keras's pooling layers and its own loops (lesson 03)."""

import numpy as np
import pytest

from course_utils.pooling import (average_pool2d, global_average_pool2d, max_pool2d, pool2d,
                                  pool2d_loops)

# (batch, height, width, channels, pool_size, strides, padding)
CASES = [
    (2, 4, 4, 3, 2, None, "valid"),
    (2, 5, 5, 2, 2, None, "valid"),
    (1, 5, 5, 2, 2, None, "same"),
    (2, 7, 6, 1, 3, 2, "valid"),
    (2, 7, 6, 2, 3, 2, "same"),
    (1, 8, 9, 3, (2, 3), (1, 2), "same"),
    (3, 6, 6, 2, 3, 1, "same"),
    (1, 9, 7, 1, (3, 2), (3, 1), "valid"),
]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("mode", ["max", "average"])
def test_matches_keras_and_loops(case, mode):
    import keras

    n, h, w, c, pool, strides, padding = case
    x = np.random.default_rng(len(str(case))).normal(size=(n, h, w, c)).astype(np.float32)
    ours = pool2d(x, pool, strides, padding, mode)
    np.testing.assert_allclose(pool2d_loops(x, pool, strides, padding, mode), ours, atol=1e-6)
    layer = (keras.layers.MaxPooling2D if mode == "max" else keras.layers.AveragePooling2D)(
        pool_size=pool, strides=strides, padding=padding)
    theirs = keras.ops.convert_to_numpy(layer(x))
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, atol=1e-5)


def test_small_example():
    x = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], float)[None, :, :, None]
    assert np.array_equal(max_pool2d(x)[0, :, :, 0], [[6, 8], [3, 4]])
    assert np.array_equal(average_pool2d(x)[0, :, :, 0], [[3.25, 5.25], [2, 2]])
    assert np.array_equal(global_average_pool2d(x), [[x.mean()]])


@pytest.mark.parametrize("call,words", [
    (lambda: max_pool2d(np.zeros((4, 4))), "4 axes"),
    (lambda: max_pool2d(np.zeros((1, 4, 4, 1)), pool_size=0), "at least 1"),
    (lambda: max_pool2d(np.zeros((1, 4, 4, 1)), strides=(1, 2, 3)), "pair"),
    (lambda: max_pool2d(np.zeros((1, 4, 4, 1)), padding=1), "'valid' or 'same'"),
    (lambda: max_pool2d(np.zeros((1, 2, 2, 1)), pool_size=3), "larger"),
    (lambda: pool2d(np.zeros((1, 4, 4, 1)), mode="median"), "'max' or 'average'"),
    (lambda: global_average_pool2d(np.zeros((4, 4, 1))), "4 axes"),
])
def test_clear_errors(call, words):
    with pytest.raises(ValueError, match=words):
        call()
