"""Counting a network's parameters and multiply-adds, by formula and without building it.

Lesson 05 counts AlexNet (61M parameters), VGG-16 (138M) and friends. Building VGG-16
allocates and initialises 138 million weights (half a gigabyte, seconds of CPU time) only
to read their shapes; :func:`count_parameters` builds the model inside a Keras
``StatelessScope``, where variables get a shape but no value, so the count is instant.

The formulas next to it are what the lesson derives by hand:

* ``conv_parameters``: k*k*C_in*C_out weights (divided by ``groups``) + C_out biases.
* ``separable_parameters``: k*k*C_in (depthwise) + C_in*C_out (pointwise) + biases.
* ``conv_multiply_adds`` / ``separable_multiply_adds``: one multiply-add per weight per
  output position.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod

import keras

from course_utils.validation import require_whole_number


@dataclass(frozen=True)
class ParameterCount:
    trainable: int
    non_trainable: int  # batch normalisation's moving mean and variance

    @property
    def total(self) -> int:
        return self.trainable + self.non_trainable


def _sizes(variables) -> int:
    return sum(prod(int(size) for size in variable.shape) for variable in variables)


def count_of(model) -> ParameterCount:
    """Trainable and non-trainable parameters of a built model (``count_params`` split)."""
    return ParameterCount(_sizes(model.trainable_weights), _sizes(model.non_trainable_weights))


def count_parameters(build, *args, **kwargs) -> ParameterCount:
    """Parameters of ``build(*args, **kwargs)`` without allocating its weights.

    Inside ``keras.StatelessScope`` Keras creates variables with their shapes but defers
    their values; we count the shapes and then drop the deferred variables, so that they
    are never initialised later (Keras would otherwise initialise them the next time any
    stateless scope closes, for example in a JAX training step).
    """
    try:
        from keras.src.backend.common import global_state
    except ImportError:  # a Keras without this module: build for real (slower, same count)
        return count_of(build(*args, **kwargs))
    pending_before = list(global_state.get_global_attribute("uninitialized_variables") or [])
    try:
        with keras.StatelessScope(initialize_variables=False):
            model = build(*args, **kwargs)
        return count_of(model)
    finally:
        global_state.set_global_attribute("uninitialized_variables", pending_before)


def count_parameters_by_layer(build, *args, **kwargs) -> dict[str, int]:
    """``{layer name: parameters}`` of ``build(*args, **kwargs)``, without allocating weights."""
    counts = {}

    def build_and_count():
        model = build(*args, **kwargs)
        counts.update({layer.name: count_of(layer).total for layer in model.layers})
        return model

    count_parameters(build_and_count)
    return counts


def _check_positive(**values):
    for name, value in values.items():
        require_whole_number(name, value)


def conv_parameters(kernel_size: int, in_channels: int, out_channels: int, bias: bool = True,
                    groups: int = 1) -> int:
    """Weights and biases of a k x k convolution from C_in to C_out channels."""
    _check_positive(kernel_size=kernel_size, in_channels=in_channels, out_channels=out_channels,
                    groups=groups)
    if in_channels % groups or out_channels % groups:
        raise ValueError(f"groups={groups} must divide in_channels={in_channels} and "
                         f"out_channels={out_channels}")
    return kernel_size * kernel_size * (in_channels // groups) * out_channels + (out_channels if bias else 0)


def separable_parameters(kernel_size: int, in_channels: int, out_channels: int, bias: bool = True) -> int:
    """A depthwise k x k convolution (one filter per input channel) then a 1x1 convolution."""
    _check_positive(kernel_size=kernel_size, in_channels=in_channels, out_channels=out_channels)
    return kernel_size * kernel_size * in_channels + in_channels * out_channels + (out_channels if bias else 0)


def conv_multiply_adds(kernel_size: int, in_channels: int, out_channels: int, output_height: int,
                       output_width: int) -> int:
    """Multiply-adds of a convolution: every weight is used once per output position."""
    _check_positive(output_height=output_height, output_width=output_width)
    weights = conv_parameters(kernel_size, in_channels, out_channels, bias=False)
    return weights * output_height * output_width


def separable_multiply_adds(kernel_size: int, in_channels: int, out_channels: int, output_height: int,
                            output_width: int) -> int:
    """Multiply-adds of a depthwise-separable convolution (both steps)."""
    _check_positive(output_height=output_height, output_width=output_width)
    weights = separable_parameters(kernel_size, in_channels, out_channels, bias=False)
    return weights * output_height * output_width
