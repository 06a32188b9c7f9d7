"""Build a Keras model whose initial weights are drawn by NumPy: same distributions as
Keras's initializers, built in milliseconds on every backend.

Why: on the JAX backend every *new weight shape* compiles its random initializer once
(JAX's threefry generator; about a second of CPU each with JAX 0.10 on a CPU). Lesson 05
builds some twenty networks with well over a hundred different kernel shapes, so building
alone would cost minutes. Here the model is created inside a ``keras.StatelessScope``
(shapes, no values), and each variable then receives a value drawn in NumPy from the
distribution its initializer names: Glorot/He/LeCun (``VarianceScaling``), zeros, ones
and constants. Variables with any other initializer keep Keras's own.

This is the course's one way of drawing initial weights with NumPy: lesson 05's networks
and ``course_utils.unet.build_unet`` (lesson 07) both go through it.

This relies on two private parts of Keras 3 variables (the deferred initializer and
``_deferred_initialize``); where they are missing the model is simply built as usual.
"""

from __future__ import annotations

import math

import keras
import numpy as np

#: The standard deviation of a unit normal truncated at +-2, which Keras divides by.
_TRUNCATED_NORMAL_STD = 0.87962566103423978


def _fans(shape):
    """Keras's fan-in and fan-out: (..., in, out) kernels count the receptive field."""
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


def _truncated_normal(rng, shape, stddev):
    values = rng.normal(size=shape)
    outside = np.abs(values) > 2
    while outside.any():  # redraw until every value lies within two standard deviations
        values[outside] = rng.normal(size=int(outside.sum()))
        outside = np.abs(values) > 2
    return values * stddev


def numpy_initial_value(initializer, shape, rng: np.random.Generator):
    """A NumPy draw from ``initializer``'s distribution, or None if it is not one we know."""
    shape = tuple(int(size) for size in shape)
    if isinstance(initializer, keras.initializers.Zeros):
        return np.zeros(shape)
    if isinstance(initializer, keras.initializers.Ones):
        return np.ones(shape)
    if isinstance(initializer, keras.initializers.Constant):
        return np.full(shape, float(initializer.get_config()["value"]))
    if isinstance(initializer, keras.initializers.VarianceScaling):
        # Glorot, He and LeCun keep their settings as attributes (their config has only the seed).
        fan_in, fan_out = _fans(shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[initializer.mode]
        scale = initializer.scale / max(1.0, fan)
        if initializer.distribution == "uniform":
            limit = math.sqrt(3.0 * scale)
            return rng.uniform(-limit, limit, size=shape)
        if initializer.distribution == "truncated_normal":
            return _truncated_normal(rng, shape, math.sqrt(scale) / _TRUNCATED_NORMAL_STD)
        return rng.normal(scale=math.sqrt(scale), size=shape)
    return None


def build_with_numpy_weights(build, *args, seed: int = 0, **kwargs) -> keras.Model:
    """``build(*args, **kwargs)`` with its initial weights drawn by NumPy from ``seed``."""
    try:
        from keras.src.backend.common import global_state
    except ImportError:
        return build(*args, **kwargs)
    rng = np.random.default_rng(seed)
    pending_before = list(global_state.get_global_attribute("uninitialized_variables") or [])
    try:
        with keras.StatelessScope(initialize_variables=False):
            model = build(*args, **kwargs)
        created = [v for v in global_state.get_global_attribute("uninitialized_variables") or []
                   if all(v is not old for old in pending_before)]
    finally:
        global_state.set_global_attribute("uninitialized_variables", pending_before)
    for variable in created:
        initializer = getattr(variable, "_initializer", None)
        value = numpy_initial_value(initializer, variable.shape, rng)
        if value is not None:
            variable._initializer = (lambda fixed: lambda shape, dtype=None: fixed)(
                value.astype(variable.dtype))
        variable._deferred_initialize()  # Keras's own initializer where we have none
    return model
