"""Max-pooling's gradient on JAX's CPU backend: the same numbers, 10 to 20 times faster.

Why this exists. On JAX, Keras's ``MaxPooling2D`` is ``lax.reduce_window``, and its
gradient is XLA's *select-and-scatter*, which XLA's CPU backend runs slowly: on the
project's 2-core CPU, for a batch of 128 feature maps of 26x26x32 (lesson 04's plain
convnet, first block), 34 to 50 ms in three runs, against about 1 ms for the forward
pass and 18 ms for the largest convolution gradient of the same network. It took about
half of every training step of lesson 04's plain convnet and three fifths of its fast
CNN's: with the gradient below, an epoch of each takes 1.9 and 2.6 times less time
(``benchmarks/benchmark_max_pool.py`` measures both, before and after, in one process).

The rule itself is simple: each window passes its output's gradient to its largest
input, and where several inputs tie for the largest, to the first of them in reading
order (row by row); every other input gets zero. That is what select-and-scatter
computes. ``max_pool`` below computes the same rule from each window's ``argmax``
(which also returns the first of equal maxima), as a ``jax.custom_vjp``: the forward
pass is Keras's own ``reduce_window``, and the gradient is identical, ties included
(``tests/test_jax_max_pool.py`` compares both, bit for bit).

It covers the pooling the lessons use: 2-D windows that tile the image (strides equal
to the pool size, the default), "valid" padding, channels last. Any other call goes to
Keras's own function unchanged. ``speed_up_max_pool_gradient()`` installs it; the lessons
that train with max-pooling (03-07) call it in their setup cell, and it does nothing on
TensorFlow (Colab's default) or on a GPU, where it was not measured.
"""

from __future__ import annotations

import functools
import warnings

__all__ = ["max_pool", "speed_up_max_pool_gradient"]


def _tiles(x, size):
    """(batch, height, width, channels) -> (batch, height // size, width // size, channels,
    size * size): each window's values in reading order; a remainder that fills no
    window is dropped, as "valid" padding drops it."""
    batch, height, width, channels = x.shape
    rows, columns = height // size, width // size
    x = x[:, :rows * size, :columns * size]
    x = x.reshape(batch, rows, size, columns, size, channels)
    return x.transpose(0, 1, 3, 5, 2, 4).reshape(batch, rows, columns, channels, size * size)


@functools.cache
def _max_pool_with_fast_gradient():
    import jax
    import jax.numpy as jnp
    from jax import lax

    @functools.partial(jax.custom_vjp, nondiff_argnums=(1,))
    def pool(x, size):
        window = (1, size, size, 1)
        return lax.reduce_window(x, jnp.array(-jnp.inf, x.dtype), lax.max, window, window, "VALID")

    def forward(x, size):
        return pool(x, size), (_tiles(x, size).argmax(axis=-1), x.shape)

    def backward(size, saved, gradient):
        first_maximum, (batch, height, width, channels) = saved
        rows, columns = height // size, width // size
        spread = jax.nn.one_hot(first_maximum, size * size, dtype=gradient.dtype) * gradient[..., None]
        spread = spread.reshape(batch, rows, columns, channels, size, size)
        spread = spread.transpose(0, 1, 4, 2, 5, 3).reshape(batch, rows * size, columns * size, channels)
        remainder = ((0, 0), (0, height - rows * size), (0, width - columns * size), (0, 0))
        return (jnp.pad(spread, remainder),)

    pool.defvjp(forward, backward)
    return pool


def _square(value):
    """2 or (2, 2) -> 2; anything else (a non-square window) -> None."""
    if isinstance(value, int):
        return value
    value = tuple(value)
    return value[0] if len(value) == 2 and value[0] == value[1] and isinstance(value[0], int) else None


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None, *, keras_max_pool):
    """Keras's ``max_pool`` signature; the tiling, channels-last, 2-D case takes the fast gradient."""
    import keras

    size = _square(pool_size)
    tiles = size is not None and (strides is None or _square(strides) == size)
    if (tiles and getattr(inputs, "ndim", None) == 4 and padding.lower() == "valid"
            and (data_format or keras.config.image_data_format()) == "channels_last"):
        return _max_pool_with_fast_gradient()(inputs, size)
    return keras_max_pool(inputs, pool_size, strides, padding, data_format)


def speed_up_max_pool_gradient(platform: str | None = None) -> bool:
    """On Keras's JAX backend with JAX computing on the CPU, route tiling 2-D max-pooling
    through ``max_pool``. Returns whether it is installed; calling it again changes nothing.

    ``platform`` is JAX's (``jax.default_backend()`` unless given): only "cpu" installs it.
    """
    import keras

    if keras.backend.backend() != "jax":
        return False
    import jax

    if (platform or jax.default_backend()) != "cpu":
        return False
    try:
        from keras.src.backend.jax import nn as keras_jax_nn
        keras_max_pool = keras_jax_nn.max_pool
    except (ImportError, AttributeError):  # a Keras that moved it: train at its own speed
        warnings.warn("course_utils.jax_max_pool: this Keras has no keras.src.backend.jax.nn.max_pool; "
                      "max-pooling keeps Keras's own (slower) gradient", stacklevel=2)
        return False
    if getattr(keras_max_pool, "course_utils_fast_gradient", False):
        return True
    replacement = functools.partial(max_pool, keras_max_pool=keras_max_pool)
    replacement.course_utils_fast_gradient = True
    keras_jax_nn.max_pool = replacement
    return True
