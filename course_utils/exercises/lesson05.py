"""Exercises of lesson 05 (classic architectures): a residual block of your own, and the
channels that come out of a DenseNet block."""

from __future__ import annotations

import zlib

import keras
import numpy as np

from course_utils import architectures as arch
from course_utils.exercises.answers import HashedAnswer
from course_utils.exercises.cases import call_student, require_callable
from course_utils.exercises.core import Exercise, Incorrect
from course_utils.exercises.off_limits import for_exercise
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


def _relu_before_batch_norm(x, filters, strides=1):
    """A known mistake: conv -> ReLU -> BN inside the branch (same layers, other order)."""
    y = keras.layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=False)(x)
    y = keras.layers.BatchNormalization()(keras.layers.ReLU()(y))
    y = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False)(y)
    y = keras.layers.BatchNormalization()(y)
    shortcut = x
    if strides != 1 or x.shape[-1] != filters:
        shortcut = keras.layers.Conv2D(filters, 1, strides=strides, use_bias=False)(x)
        shortcut = keras.layers.BatchNormalization()(shortcut)
    return keras.layers.ReLU()(keras.layers.Add()([y, shortcut]))


def _relu_inside_the_branch_end(x, filters, strides=1):
    """A known mistake: a ReLU after the branch's second BN, before the addition."""
    y = keras.layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=False)(x)
    y = keras.layers.ReLU()(keras.layers.BatchNormalization()(y))
    y = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False)(y)
    y = keras.layers.ReLU()(keras.layers.BatchNormalization()(y))
    shortcut = x
    if strides != 1 or x.shape[-1] != filters:
        shortcut = keras.layers.Conv2D(filters, 1, strides=strides, use_bias=False)(x)
        shortcut = keras.layers.BatchNormalization()(shortcut)
    return keras.layers.ReLU()(keras.layers.Add()([y, shortcut]))


_ORDER_MISTAKES = [
    (_relu_before_batch_norm, "inside the branch the order is convolution, batch normalisation, "
     "then ReLU: yours applies ReLU before batch normalisation."),
    (_relu_inside_the_branch_end, "the branch's second convolution is followed by batch "
     "normalisation only; the ReLU comes after the addition, not before it."),
]

#: (input shape, filters, strides): same shape, wider, halved and wider, halved odd size.
_CONFIGURATIONS = [((8, 8, 16), 16, 1), ((8, 8, 8), 24, 1), ((8, 8, 16), 32, 2), ((9, 9, 12), 12, 2)]
#: Where the outputs are compared with the same non-zero weights: the identity block and one
#: strided projection, which show every ordering mistake (a stride on the wrong convolution
#: too). Not all four: on JAX each new shape costs seconds of compilation.
_SAME_WEIGHTS_ON = [((8, 8, 16), 16, 1), ((8, 8, 16), 32, 2)]

_PROJECTION_HINT = ("where the shape changes (strides != 1, or another number of channels), x cannot "
                    "be added as it is: the shortcut needs a 1x1 convolution with the same stride and "
                    "`filters` filters, followed by batch normalisation")


def _off_limits():
    return for_exercise(__name__, arch.basic_block, arch.bottleneck_block, arch._shortcut,
                        arch.cifar_resnet, arch.resnet50,
                        advice="Build it from keras.layers (Conv2D, BatchNormalization, ReLU, Add).")


def _describe(input_shape, filters, strides) -> str:
    return f"an input of shape {input_shape} with filters={filters}, strides={strides}"


def _changes_shape(input_shape, filters, strides) -> bool:
    return strides != 1 or input_shape[-1] != filters


def _student_model(block, input_shape, filters, strides, name):
    description = _describe(input_shape, filters, strides)
    # Computed here: inside the student's call the check's own functions are off limits.
    changes_shape = _changes_shape(input_shape, filters, strides)

    def block_with_projection_hint(x, filters, strides):
        try:
            return block(x, filters, strides=strides)
        except ValueError as error:  # Keras refuses to add tensors of different shapes
            if changes_shape and "shape" in str(error).lower():
                raise Incorrect(f"on {description}, Keras cannot add your branch and shortcut "
                                f"({str(error).splitlines()[0]}): {_PROJECTION_HINT}.") from None
            raise

    def build():
        inputs = keras.Input(input_shape)
        outputs = call_student(block_with_projection_hint, name, description, (inputs, filters),
                               {"strides": strides}, copy_arguments=False, off_limits=_off_limits())
        if not isinstance(outputs, keras.KerasTensor):
            raise Incorrect(f"{name} must return the block's output tensor (a Keras tensor, the result "
                            f"of the last layer you applied), got {type(outputs).__name__} on {description}.")
        return keras.Model(inputs, outputs)

    # NumPy draws the initial weights: on JAX each new shape would compile its initializer.
    return build_with_numpy_weights(build)


def _model_of(block, input_shape, filters, strides):
    """A block written here (the reference, a known mistake) as a model."""
    def build():
        inputs = keras.Input(input_shape)
        return keras.Model(inputs, block(inputs, filters, strides=strides))
    return build_with_numpy_weights(build)


def _layers_in_order(model):
    """Every layer, nested models included, inputs before the layers that use them."""
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _layers_in_order(layer)
        else:
            yield layer


def _convolutions(model, size):
    return [layer for layer in _layers_in_order(model)
            if isinstance(layer, keras.layers.Conv2D) and tuple(layer.kernel_size) == (size, size)]


def _fixed_values(key: str, shape, scale: float, offset: float = 0.0) -> np.ndarray:
    """The same values for the same role and shape in every model (seeded by both)."""
    rng = np.random.default_rng(zlib.crc32(f"{key}{tuple(shape)}".encode()))
    return (offset + scale * rng.normal(size=tuple(shape))).astype("float32")


def _with_test_weights(model):
    """Non-zero weights that depend only on each layer's role, so the student's block and the
    reference get the same ones: the 3x3 kernels by their order along the branch, the 1x1
    kernel, and the same non-trivial batch normalisation everywhere (gamma, beta, mean and
    variance all away from 1 and 0, so that its place against the ReLU matters)."""
    for number, layer in enumerate(_convolutions(model, 3)):
        layer.kernel.assign(_fixed_values(f"3x3 kernel {number}", layer.kernel.shape, 0.3))
    for layer in _convolutions(model, 1):
        layer.kernel.assign(_fixed_values("1x1 kernel", layer.kernel.shape, 0.3))
    for layer in _layers_in_order(model):
        if isinstance(layer, keras.layers.BatchNormalization):
            shape = layer.moving_mean.shape
            for variable, values in [
                    (layer.gamma, _fixed_values("gamma", shape, 0.3, 1.0)),
                    (layer.beta, _fixed_values("beta", shape, 0.5)),
                    (layer.moving_mean, _fixed_values("mean", shape, 0.5)),
                    (layer.moving_variance, np.abs(_fixed_values("variance", shape, 0.5, 1.0)) + 0.1)]:
                if variable is not None:
                    variable.assign(values)
    return model


def _zeroed(model):
    """The model with every convolution kernel and bias set to zero (BN keeps gamma = 1)."""
    for variable in model.trainable_variables:
        if variable.path.endswith(("kernel", "bias")):
            variable.assign(np.zeros(variable.shape, dtype=variable.dtype))
    return model


def _outputs(model, x) -> np.ndarray:
    return keras.ops.convert_to_numpy(model(x, training=False))


def _check_parameters(theirs, ours, input_shape, filters, strides, description) -> None:
    got, expected = theirs.count_params(), ours.count_params()
    if got == expected:
        return
    projections = len(_convolutions(theirs, 1))
    if not _changes_shape(input_shape, filters, strides) and projections:
        hint = ("where the shape stays the same (strides 1, as many channels in as out) the shortcut "
                "is x itself: a 1x1 projection there adds parameters the block does not need")
    elif _changes_shape(input_shape, filters, strides) and not projections:
        hint = _PROJECTION_HINT
    elif any(getattr(layer, "use_bias", False) for layer in _convolutions(theirs, 3) + _convolutions(theirs, 1)):
        hint = ("a convolution followed by batch normalisation needs no bias (use_bias=False): "
                "BN adds its own shift")
    elif got < expected:
        hint = ("a layer is missing: each convolution is followed by batch normalisation, the "
                "shortcut's 1x1 convolution too")
    else:
        hint = "there are layers the block does not have: two 3x3 convolutions in the branch, each with BN"
    raise Incorrect(f"on {description} the block has {got:,} parameters, expected {expected:,}: {hint}.")


def _check_identity(theirs, input_shape, description, rng) -> None:
    """With every kernel at zero the residual branch outputs 0, so a residual block returns
    ReLU(x): the identity carries the input. A plain block returns 0."""
    x = rng.normal(size=(2, *input_shape)).astype("float32")
    out = _outputs(_zeroed(theirs), x)
    if np.allclose(out, np.maximum(x, 0), atol=1e-5):
        return
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


def _check_same_weights(theirs, ours, input_shape, filters, strides, description, rng) -> None:
    """Both blocks with the same non-zero weights must compute the same function."""
    x = rng.normal(size=(2, *input_shape)).astype("float32")
    got = _outputs(_with_test_weights(theirs), x)
    expected = _outputs(_with_test_weights(ours), x)
    if np.allclose(got, expected, rtol=1e-4, atol=1e-4):
        return
    for mistake, hint in _ORDER_MISTAKES:
        wrong = _outputs(_with_test_weights(_model_of(mistake, input_shape, filters, strides)), x)
        if np.allclose(got, wrong, rtol=1e-4, atol=1e-4):
            raise Incorrect(f"on {description}, with the same weights as the reference: {hint}")
    largest = float(np.max(np.abs(got - expected)))
    raise Incorrect(f"on {description}, with the same non-zero weights in every layer your block's "
                    f"output differs from the reference's (largest difference {largest:.3g}): check "
                    f"the order conv -> BN -> ReLU -> conv -> BN in the branch, the shortcut, and "
                    f"the ReLU after the addition.")


def _check_residual_block(residual_block) -> str:
    require_callable(residual_block, "residual_block")
    rng = np.random.default_rng(505)
    for input_shape, filters, strides in _CONFIGURATIONS:
        description = _describe(input_shape, filters, strides)
        theirs = _student_model(residual_block, input_shape, filters, strides, "residual_block")
        ours = _model_of(_reference_residual_block, input_shape, filters, strides)
        if tuple(theirs.output_shape) != tuple(ours.output_shape):
            raise Incorrect(f"on {description} the output shape is {theirs.output_shape[1:]}, expected "
                            f"{ours.output_shape[1:]}: 'same' padding keeps the size, strides=2 halves it "
                            f"(rounding up), and the block outputs `filters` channels.")
        _check_parameters(theirs, ours, input_shape, filters, strides, description)
        if not _changes_shape(input_shape, filters, strides):  # first: it needs the initial BN
            _check_identity(theirs, input_shape, description, rng)
        if (input_shape, filters, strides) in _SAME_WEIGHTS_ON:
            _check_same_weights(theirs, ours, input_shape, filters, strides, description, rng)
    return (f"residual_block has the reference's shapes and parameters on {len(_CONFIGURATIONS)} "
            f"configurations, computes the same function with the same non-zero weights, and "
            f"carries the identity.")


exercise_1 = Exercise(
    "Lesson 05, exercise 1 (a residual block)", _check_residual_block,
    hint=["The branch is two 3x3 convolutions with 'same' padding, the first with the block's "
          "stride. Each is followed by batch normalisation, so neither needs a bias.",
          "Inside the branch, ReLU comes after the first batch normalisation only. The shortcut is "
          "x itself when the shape stays the same; otherwise a 1x1 convolution with the block's "
          "stride, then batch normalisation, makes it fit.",
          "Add the branch and the shortcut with keras.layers.Add, then apply the last ReLU to the "
          "sum (not to the branch before it)."],
    solution=_reference_residual_block)


# --------------------------------------------------------------------------- exercise 2
_DENSE_BLOCK_CHANNELS = HashedAnswer(
    "lesson05.exercise2",
    "b64fffd78f8e7089de4f52592766184295c871581144932c5a33ee996c61c463",
    what="the number of channels out of the dense block",
    wrong="each of the 24 layers adds growth_rate new channels to everything before it.",
    mistakes={
        "ed07e54a15bb2e602c2454a9ec9ef6c9b52facacf52eb8874ce3b86e276c6261":
            "that counts only the new channels: the block concatenates, so the 256 input channels "
            "are still there.",
        "0920d9e92c2c1197ae785c648b0168d2959b5e49de087e97975f9ca4201e5907":
            "that is one layer's output; the block keeps every layer's output, concatenated.",
        "a2a6a5ec16b05e9b9d8f80dccd9ad8a94550d37220aeb43d065ac98a0260b8d1":
            "that is the input alone; each of the 24 layers adds growth_rate channels.",
        "2391cc0b3f1bff1e555eaca0a809c1df4263290e98857878c8eab9b36ad064f3":
            "that is after the transition layer halves the channels; the question asks for the "
            "block's own output.",
        "e4cb0247fc69aaa7a648d74138015dec8902605e68e50915cfceb1b0db011256":
            "that is what the 24th layer receives; the block's output also holds that layer's "
            "own growth_rate channels.",
        "02e94c2399cc03de99e860b8ccc983f3819122b85dcfaa0e69dda634d0dd183e":
            "one layer too many: 24 layers add growth_rate channels 24 times.",
        "7bb5d7b0e9199a5d9c21b7a606fffc799882b68dbc73347f8d6b2a09c424e447":
            "that is after the first layer only; all 24 layers add their channels.",
        "30fd8bb97e976625fe036528aef30ac9c9d1ceee89c9a134c708889bda1a67a1":
            "that is the width of a layer's 1x1 bottleneck (4 x growth_rate), inside the layer; "
            "the question asks what the block outputs.",
    })


def _check_dense_block_channels(channels) -> str:
    _DENSE_BLOCK_CHANNELS.verify(channels)
    return "the block outputs its 256 input channels plus 24 x 32 new ones."


exercise_2 = Exercise(
    "Lesson 05, exercise 2 (channels out of a dense block)", _check_dense_block_channels,
    hint=["A dense block concatenates: each layer's output is appended to everything before it; "
          "nothing is replaced or added up.",
          "Each layer adds growth_rate new channels, and the block's input channels stay in its output.",
          "Write down the channels after the first layer, after the second, after the third: the "
          "pattern gives the count after the last one. The transition layer after the block is "
          "not part of it."],
    solution="input channels + number of layers x growth rate (the input is kept, not replaced)")
