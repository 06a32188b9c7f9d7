"""Lesson 05's exercises: the reference passes; the lesson's plain block and plausible
wrong residual blocks fail with a hint that names the mistake."""

import keras

from course_utils import architectures as arch
from course_utils.exercises import NOT_DONE_PHRASE
from course_utils.exercises.lesson05 import _reference_residual_block, exercise_1, exercise_2

from exercise_checks import fails, passes, stub

layers = keras.layers


def test_reference_residual_block_passes(capsys):
    passes(exercise_1, _reference_residual_block, capsys=capsys)


def test_the_lessons_own_plain_block_fails():
    # The same layers without the shortcut: right shape, and right parameters wherever the
    # shape stays, so only the zero-weight test can catch it.
    fails(exercise_1, lambda x, filters, strides=1: arch.basic_block(x, filters, strides, residual=False),
          match="not added back|parameters")


def _block(x, filters, strides=1, *, bias=False, shortcut="projection", relu_before_add=False):
    y = layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=bias)(x)
    y = layers.ReLU()(layers.BatchNormalization()(y))
    y = layers.Conv2D(filters, 3, padding="same", use_bias=bias)(y)
    y = layers.BatchNormalization()(y)
    if relu_before_add:
        y = layers.ReLU()(y)
    if strides != 1 or x.shape[-1] != filters:
        if shortcut == "projection":
            x = layers.BatchNormalization()(layers.Conv2D(filters, 1, strides=strides, use_bias=bias)(x))
        else:  # a 1x1 projection without batch normalisation
            x = layers.Conv2D(filters, 1, strides=strides, use_bias=False)(x)
    out = layers.Add()([y, x])
    return out if relu_before_add else layers.ReLU()(out)


def test_convolutions_with_biases_fail_with_the_batch_norm_hint():
    fails(exercise_1, lambda x, f, strides=1: _block(x, f, strides, bias=True), match="use_bias=False")


def test_a_shortcut_without_batch_norm_fails():
    fails(exercise_1, lambda x, f, strides=1: _block(x, f, strides, shortcut="bare"), match="1x1 convolution")


def test_relu_before_the_addition_fails():
    fails(exercise_1, lambda x, f, strides=1: _block(x, f, strides, relu_before_add=True), match="after adding")


def test_wrong_output_shape_fails():
    fails(exercise_1, lambda x, f, strides=1: _reference_residual_block(x, f, 1), match="output shape")


def test_a_block_that_returns_a_layer_not_a_tensor_fails():
    fails(exercise_1, lambda x, f, strides=1: layers.ReLU(), match="Keras tensor")


def test_stub_is_not_done_yet(capsys):
    exercise_1.check(stub)
    assert NOT_DONE_PHRASE in capsys.readouterr().out


def test_dense_block_channels(capsys):
    passes(exercise_2, 1024, capsys=capsys)
    fails(exercise_2, 768, match="256 input channels are still there")
    fails(exercise_2, 512, match="transition")
    fails(exercise_2, 1024.0, match="floor division")
