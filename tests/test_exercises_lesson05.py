"""Lesson 05's exercises: a right block passes; the course's own blocks are refused, bare and
wrapped; the lesson's plain block, wrongly ordered blocks and wrong shortcuts fail with a
hint that names the mistake."""

import keras

from course_utils import architectures as arch
from course_utils.exercises import NOT_DONE_PHRASE
from course_utils.exercises import lesson05
from course_utils.exercises.lesson05 import exercise_1, exercise_2

from exercise_checks import BY_HAND, fails, passes, refuses_helper, stub

layers = keras.layers


def _block(x, filters, strides=1, *, bias=False, shortcut="projection", relu_before_add=False,
           relu_before_batch_norm=False, project_always=False, residual=True):
    y = layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=bias)(x)
    if relu_before_batch_norm:
        y = layers.BatchNormalization()(layers.ReLU()(y))
    else:
        y = layers.ReLU()(layers.BatchNormalization()(y))
    y = layers.Conv2D(filters, 3, padding="same", use_bias=bias)(y)
    y = layers.BatchNormalization()(y)
    if relu_before_add:
        y = layers.ReLU()(y)
    if not residual:
        return layers.ReLU()(y)
    if strides != 1 or x.shape[-1] != filters or project_always:
        if shortcut == "projection":
            x = layers.BatchNormalization()(layers.Conv2D(filters, 1, strides=strides, use_bias=bias)(x))
        elif shortcut == "bare":  # a 1x1 projection without batch normalisation
            x = layers.Conv2D(filters, 1, strides=strides, use_bias=False)(x)
        # shortcut == "none": x as it is, which Keras cannot add where the shape changes
    out = layers.Add()([y, x])
    return out if relu_before_add else layers.ReLU()(out)


def residual_block(x, filters, strides=1):
    return _block(x, filters, strides)


def test_a_right_block_passes(capsys):
    passes(exercise_1, residual_block, capsys=capsys)


def test_the_course_blocks_are_refused_bare_and_wrapped():
    # Issue 20: arch.basic_block printed "Correct".
    refuses_helper(exercise_1, arch.basic_block)
    refuses_helper(exercise_1, lesson05._reference_residual_block)
    fails(exercise_1, lambda x, filters, strides=1: arch.basic_block(x, filters, strides, residual=False),
          match=BY_HAND)


def test_the_lessons_plain_block_written_out_fails():
    # The same layers without the shortcut: right shape, and right parameters wherever the
    # shape stays.
    fails(exercise_1, lambda x, f, strides=1: _block(x, f, strides, residual=False),
          match="parameters|not added back")


def test_conv_relu_batch_norm_in_the_branch_fails():
    # Issue 20: same shapes, counts and all-zero output as the right block; only the same
    # non-zero weights in both show the difference.
    fails(exercise_1, lambda x, f, strides=1: _block(x, f, strides, relu_before_batch_norm=True),
          match="convolution, batch normalisation, then ReLU")


def test_convolutions_with_biases_fail_with_the_batch_norm_hint():
    fails(exercise_1, lambda x, f, strides=1: _block(x, f, strides, bias=True), match="use_bias=False")


def test_a_shortcut_without_batch_norm_fails():
    fails(exercise_1, lambda x, f, strides=1: _block(x, f, strides, shortcut="bare"), match="1x1 convolution")


def test_an_unneeded_projection_gets_its_own_hint():
    fails(exercise_1, lambda x, f, strides=1: _block(x, f, strides, project_always=True),
          match="shortcut is x itself: a 1x1 projection there adds parameters")


def test_a_missing_projection_gets_the_projection_hint_not_a_keras_error():
    fails(exercise_1, lambda x, f, strides=1: _block(x, f, strides, shortcut="none"),
          match="Keras cannot add your branch and shortcut .*1x1 convolution with the same stride")


def test_relu_before_the_addition_fails():
    fails(exercise_1, lambda x, f, strides=1: _block(x, f, strides, relu_before_add=True),
          match="after the addition|after adding")


def test_wrong_output_shape_fails():
    fails(exercise_1, lambda x, f, strides=1: _block(x, f, 1), match="output shape")


def test_a_block_that_returns_a_layer_not_a_tensor_fails():
    fails(exercise_1, lambda x, f, strides=1: layers.ReLU(), match="Keras tensor")


def test_stub_is_not_done_yet(capsys):
    exercise_1.check(stub)
    assert NOT_DONE_PHRASE in capsys.readouterr().out


def test_dense_block_channels(capsys):
    passes(exercise_2, 1024, capsys=capsys)
    fails(exercise_2, 768, match="256 input channels are still there")
    fails(exercise_2, 512, match="transition")
    fails(exercise_2, 256 + 23 * 32, match="what the 24th layer receives")  # off by one layer, both ways
    fails(exercise_2, 256 + 25 * 32, match="one layer too many")
    fails(exercise_2, 288, match="first layer only")
    fails(exercise_2, 128, match="bottleneck")
    fails(exercise_2, 1024.0, match="floor division")


def test_the_check_module_writes_no_answer_in_the_clear():
    source = open(lesson05.__file__).read()
    for answer in ["1024", "1,024", "768", "# 512", "# 256"]:
        assert answer not in source


def test_a_stride_on_the_second_convolution_fails():
    # Same shapes and parameters as the right block: only the outputs can tell.
    def stride_late(x, filters, strides=1):
        y = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        y = layers.ReLU()(layers.BatchNormalization()(y))
        y = layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=False)(y)
        y = layers.BatchNormalization()(y)
        if strides != 1 or x.shape[-1] != filters:
            x = layers.BatchNormalization()(layers.Conv2D(filters, 1, strides=strides, use_bias=False)(x))
        return layers.ReLU()(layers.Add()([y, x]))

    fails(exercise_1, stride_late, match="same non-zero weights")
