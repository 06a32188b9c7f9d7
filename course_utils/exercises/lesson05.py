"""Exercises of lesson 05 (classic architectures): a residual block of your own, and the
channels that come out of a DenseNet block."""

from __future__ import annotations

import keras
import numpy as np

from course_utils.exercises.answers import HashedAnswer
from course_utils.exercises.cases import call_student, require_callable
from course_utils.exercises.core import Exercise, Incorrect
from course_utils.numpy_initialization import build_with_numpy_weights


# --------------------------------------------------------------------------- exercise 1
def _reference_residual_block(x, filters, strides=1):
    """conv3x3(strides)-BN-ReLU-conv3x3-BN + shortcut, ReLU; convs without bias (BN has one)."""
    y = keras.layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=False)(x)
    y = keras.layers.ReLU()(keras.layers.BatchNormalization()(y))
    y = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False)(y)
    y = keras.layers.BatchNormalization()(y)
    shortcut = x
    if strides != 1 or x.shape[-1] != filters:
        shortcut = keras.layers.Conv2D(filters, 1, strides=strides, use_bias=False)(x)
        shortcut = keras.layers.BatchNormalization()(shortcut)
    return keras.layers.ReLU()(keras.layers.Add()([y, shortcut]))


#: (input shape, filters, strides): same shape, wider, halved and wider, halved odd size.
_CONFIGURATIONS = [((8, 8, 16), 16, 1), ((8, 8, 8), 24, 1), ((8, 8, 16), 32, 2), ((9, 9, 12), 12, 2)]


def _as_model(block, input_shape, filters, strides, name):
    description = f"an input of shape {input_shape} with filters={filters}, strides={strides}"

    def build():
        inputs = keras.Input(input_shape)
        outputs = call_student(block, name, description, (inputs, filters), {"strides": strides},
                               copy_arguments=False)
        if not isinstance(outputs, keras.KerasTensor):
            raise Incorrect(f"{name} must return the block's output tensor (a Keras tensor, the result "
                            f"of the last layer you applied), got {type(outputs).__name__} on {description}.")
        return keras.Model(inputs, outputs)

    # NumPy draws the initial weights: on JAX each new shape would compile its initializer.
    return build_with_numpy_weights(build), description


def _zeroed(model):
    """The model with every convolution kernel and bias set to zero (BN keeps gamma = 1)."""
    for variable in model.trainable_variables:
        if variable.path.endswith(("kernel", "bias")):
            variable.assign(np.zeros(variable.shape, dtype=variable.dtype))
    return model


def _check_residual_block(residual_block) -> str:
    require_callable(residual_block, "residual_block")
    rng = np.random.default_rng(505)
    for input_shape, filters, strides in _CONFIGURATIONS:
        theirs, description = _as_model(residual_block, input_shape, filters, strides, "residual_block")
        ours, _ = _as_model(_reference_residual_block, input_shape, filters, strides, "the reference")
        if tuple(theirs.output_shape) != tuple(ours.output_shape):
            raise Incorrect(f"on {description} the output shape is {theirs.output_shape[1:]}, expected "
                            f"{ours.output_shape[1:]}: 'same' padding keeps the size, strides=2 halves it "
                            f"(rounding up), and the block outputs `filters` channels.")
        got, expected = theirs.count_params(), ours.count_params()
        if got != expected:
            hint = ("a convolution followed by batch normalisation needs no bias (use_bias=False): "
                    "BN adds its own shift" if got > expected else
                    "where the shape changes, the shortcut needs a 1x1 convolution with the same "
                    "stride, followed by batch normalisation")
            raise Incorrect(f"on {description} the block has {got:,} parameters, expected {expected:,}: {hint}.")
        if strides == 1 and input_shape[-1] == filters:
            # With every kernel at zero the residual branch outputs 0, so a residual block
            # returns ReLU(x): the identity carries the input. A plain block returns 0.
            x = rng.normal(size=(2, *input_shape)).astype("float32")
            out = keras.ops.convert_to_numpy(_zeroed(theirs)(x, training=False))
            if not np.allclose(out, np.maximum(x, 0), atol=1e-5):
                if np.allclose(out, 0, atol=1e-6):
                    raise Incorrect(f"on {description}, with all convolution weights at zero the block "
                                    f"outputs zeros: the input is not added back. Add the shortcut "
                                    f"(keras.layers.Add) before the last ReLU.")
                if np.allclose(out, x, atol=1e-5):
                    raise Incorrect(f"on {description}, with all convolution weights at zero the block "
                                    f"returns x itself, negative values included: apply the last ReLU "
                                    f"after adding the shortcut, not before.")
                raise Incorrect(f"on {description}, with all convolution weights at zero the block should "
                                f"return ReLU(x) (the identity shortcut, then ReLU); it does not.")
    return (f"residual_block matches the reference's output shape and parameters on "
            f"{len(_CONFIGURATIONS)} configurations, and carries the identity.")


exercise_1 = Exercise(
    "Lesson 05, exercise 1 (a residual block)", _check_residual_block,
    hint="y = Conv2D(filters, 3, strides, 'same', no bias) -> BN -> ReLU -> Conv2D(filters, 3, 'same', "
         "no bias) -> BN. The shortcut is x itself when strides == 1 and x has `filters` channels; "
         "otherwise Conv2D(filters, 1, strides, no bias) -> BN. Then Add()([y, shortcut]) and ReLU.",
    solution=_reference_residual_block)


# --------------------------------------------------------------------------- exercise 2
# python -m course_utils.exercises digest lesson05.exercise2 1024
_DENSE_BLOCK_CHANNELS = HashedAnswer(
    "lesson05.exercise2",
    "b64fffd78f8e7089de4f52592766184295c871581144932c5a33ee996c61c463",
    what="the number of channels out of the dense block",
    wrong="each of the 24 layers adds growth_rate new channels to everything before it.",
    mistakes={
        "ed07e54a15bb2e602c2454a9ec9ef6c9b52facacf52eb8874ce3b86e276c6261":  # 768
            "that counts only the new channels: the block concatenates, so the 256 input channels "
            "are still there.",
        "0920d9e92c2c1197ae785c648b0168d2959b5e49de087e97975f9ca4201e5907":  # 32
            "that is one layer's output; the block keeps every layer's output, concatenated.",
        "a2a6a5ec16b05e9b9d8f80dccd9ad8a94550d37220aeb43d065ac98a0260b8d1":  # 256
            "that is the input alone; each of the 24 layers adds growth_rate channels.",
        "2391cc0b3f1bff1e555eaca0a809c1df4263290e98857878c8eab9b36ad064f3":  # 512
            "that is after the transition layer halves the channels; the question asks for the "
            "block's own output.",
    })


def _check_dense_block_channels(channels) -> str:
    _DENSE_BLOCK_CHANNELS.verify(channels)
    return "the block outputs its 256 input channels plus 24 x 32 new ones."


exercise_2 = Exercise(
    "Lesson 05, exercise 2 (channels out of a dense block)", _check_dense_block_channels,
    hint="a dense block concatenates: layer l outputs growth_rate channels and passes on its input too.",
    solution="input channels + number of layers x growth rate (the input is kept, not replaced)")
