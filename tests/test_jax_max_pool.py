"""course_utils.jax_max_pool against Keras's own max-pooling on JAX, bit for bit.

The fast gradient must be the very rule XLA's select-and-scatter computes: each window's
gradient to its largest input, the first in reading order where several tie. The inputs
below are small integers after a ReLU, so most windows tie (often at zero); a rule that
split a tie's gradient, or gave it to the last maximum, fails here.
"""

import keras
import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402
from jax import lax  # noqa: E402

from course_utils import jax_max_pool  # noqa: E402

SHAPES = [(3, 8, 8, 2), (2, 11, 11, 4), (2, 7, 9, 3), (1, 26, 26, 5)]  # odd sizes leave a remainder


def tied_inputs(shape, seed=0):
    return np.maximum(np.random.default_rng(seed).integers(-2, 3, shape), 0).astype("float32")


def keras_rule(x, size):
    """What Keras runs on JAX: reduce_window, differentiated by JAX (select-and-scatter)."""
    window = (1, size, size, 1)
    return lax.reduce_window(x, -jnp.inf, lax.max, window, window, "VALID")


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("size", [2, 3])
def test_forward_and_gradient_equal_select_and_scatter_bit_for_bit(shape, size):
    x = jnp.asarray(tied_inputs(shape))
    fast = jax_max_pool._max_pool_with_fast_gradient()
    weights = jnp.asarray(np.random.default_rng(1).normal(size=keras_rule(x, size).shape).astype("float32"))
    np.testing.assert_array_equal(fast(x, size), keras_rule(x, size))
    expected = jax.grad(lambda x: (keras_rule(x, size) * weights).sum())(x)
    got = jax.jit(jax.grad(lambda x: (fast(x, size) * weights).sum()))(x)
    np.testing.assert_array_equal(got, expected)


def test_the_inputs_tie_so_a_different_tie_rule_would_fail():
    x = tied_inputs((2, 8, 8, 3))
    tiles = np.asarray(jax_max_pool._tiles(x, 2))
    ties = (tiles == tiles.max(axis=-1, keepdims=True)).sum(axis=-1) > 1
    assert ties.mean() > 0.3
    # Splitting each window's gradient between its tied maxima (jnp.max's own rule) differs:
    split = jax.grad(lambda x: (jax_max_pool._tiles(x, 2).max(axis=-1)).sum())(jnp.asarray(x))
    first = jax.grad(lambda x: jax_max_pool._max_pool_with_fast_gradient()(x, 2).sum())(jnp.asarray(x))
    assert not np.array_equal(np.asarray(split), np.asarray(first))


def test_only_tiling_valid_channels_last_2d_pooling_takes_the_fast_path():
    calls = []

    def keras_max_pool(*args):
        calls.append(args)
        return "keras's own"

    x = tied_inputs((1, 6, 6, 2))
    for pool_size, strides, padding, data_format in [(2, None, "valid", None), ((3, 3), (3, 3), "valid", None),
                                                     (2, 2, "valid", "channels_last")]:
        out = jax_max_pool.max_pool(x, pool_size, strides, padding, data_format, keras_max_pool=keras_max_pool)
        assert not isinstance(out, str) and calls == []
    others = [(2, 1, "valid", None), (2, None, "same", None), ((2, 3), None, "valid", None),
              (2, None, "valid", "channels_first")]
    for pool_size, strides, padding, data_format in others:
        assert jax_max_pool.max_pool(x, pool_size, strides, padding, data_format,
                                     keras_max_pool=keras_max_pool) == "keras's own"
    assert jax_max_pool.max_pool(x[0], 2, keras_max_pool=keras_max_pool) == "keras's own"  # not 2-D pooling
    assert len(calls) == len(others) + 1


@pytest.fixture
def keras_jax_nn(monkeypatch):
    """Keras's JAX nn module, its max_pool restored after the test."""
    if keras.backend.backend() != "jax":
        pytest.skip("installing needs Keras's JAX backend (CI's JAX pass)")
    from keras.src.backend.jax import nn
    monkeypatch.setattr(nn, "max_pool", nn.max_pool)
    return nn


def test_not_installed_off_jax_or_off_the_cpu(monkeypatch):
    if keras.backend.backend() == "jax":
        from keras.src.backend.jax import nn
        monkeypatch.setattr(nn, "max_pool", nn.max_pool)
        original = nn.max_pool
        assert jax_max_pool.speed_up_max_pool_gradient(platform="gpu") is False
        assert nn.max_pool is original
    else:
        assert jax_max_pool.speed_up_max_pool_gradient() is False


def test_installed_keras_layer_trains_with_the_same_gradient(keras_jax_nn):
    original = keras_jax_nn.max_pool
    layer = keras.layers.MaxPooling2D()
    x = jnp.asarray(tied_inputs((2, 10, 10, 3)))
    weights = jnp.asarray(np.random.default_rng(2).normal(size=(2, 5, 5, 3)).astype("float32"))
    before = jax.grad(lambda x: (layer(x) * weights).sum())(x)

    assert jax_max_pool.speed_up_max_pool_gradient(platform="cpu") is True
    installed = keras_jax_nn.max_pool
    assert installed is not original and installed.course_utils_fast_gradient
    assert jax_max_pool.speed_up_max_pool_gradient(platform="cpu") is True
    assert keras_jax_nn.max_pool is installed  # a second call wraps nothing twice
    np.testing.assert_array_equal(jax.grad(lambda x: (layer(x) * weights).sum())(x), before)
    same_padding = keras.layers.MaxPooling2D(padding="same")  # Keras's own path, still correct
    assert same_padding(x).shape == (2, 5, 5, 3)
