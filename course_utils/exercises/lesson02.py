"""Exercises of lesson 02 (convolution by hand): 'same' padding and strides, receptive fields,
counting parameters."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from course_utils import convolution, receptive_field as taught_receptive_field
from course_utils.convolution import conv2d_forward
from course_utils.exercises.answers import HashedAnswer, whole_number_text
from course_utils.exercises.cases import (Case, Mistake, call_student, compare_with_reference,
                                         require_callable)
from course_utils.exercises.core import Exercise, Incorrect
from course_utils.exercises.off_limits import for_exercise

SLIDE_IMAGE = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1],
                        [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]], dtype=float)
SLIDE_KERNEL = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], dtype=float)


# --------------------------------------------------------------------------- exercise 1
def _reference_conv2d(image, kernel, stride=1, padding="valid"):
    """The course's reference: one image and one kernel through conv2d_forward."""
    return conv2d_forward(np.asarray(image, float)[None, :, :, None],
                          np.asarray(kernel, float)[:, :, None, None],
                          stride=stride, padding=padding)[0, :, :, 0]


def _pair(stride):
    return (stride, stride) if np.isscalar(stride) else tuple(stride)


def _correlate(image, kernel, stride, pads):
    """Cross-correlation with explicit (top, bottom, left, right) zero padding."""
    top, bottom, left, right = pads
    padded = np.pad(image, ((top, bottom), (left, right)))
    rows, cols = stride
    windows = sliding_window_view(padded, kernel.shape)[::rows, ::cols]
    return np.einsum("ijmn,mn->ij", windows, kernel)


def _same_pads(size, kernel_size, stride, extra_first=False):
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel_size - size, 0)
    small, large = total // 2, total - total // 2
    return (large, small) if extra_first else (small, large)


def _explicit_pads(image, kernel, stride, padding, extra_first=False):
    if padding == "valid":
        return (0, 0, 0, 0)
    if padding == "same":
        rows, cols = _pair(stride)
        return (*_same_pads(image.shape[0], kernel.shape[0], rows, extra_first),
                *_same_pads(image.shape[1], kernel.shape[1], cols, extra_first))
    return (padding,) * 4


def _flipped_kernel(image, kernel, stride=1, padding="valid"):
    return _reference_conv2d(image, np.asarray(kernel)[::-1, ::-1], stride, padding)


def _same_extra_on_top_left(image, kernel, stride=1, padding="valid"):
    return _correlate(image, kernel, _pair(stride),
                      _explicit_pads(image, kernel, stride, padding, extra_first=True))


def _same_as_stride_one(image, kernel, stride=1, padding="valid"):
    if padding == "same":  # "(F - 1) / 2 on each side", right only for stride 1 and odd F
        rows, cols = kernel.shape
        pads = ((rows - 1) // 2, rows // 2, (cols - 1) // 2, cols // 2)
        return _correlate(image, kernel, _pair(stride), pads)
    return _reference_conv2d(image, kernel, stride, padding)


def _rows_stride_for_both(image, kernel, stride=1, padding="valid"):
    rows, _ = _pair(stride)
    return _reference_conv2d(image, kernel, rows, padding)


def _swapped_stride(image, kernel, stride=1, padding="valid"):
    rows, cols = _pair(stride)
    return _reference_conv2d(image, kernel, (cols, rows), padding)


def _conv2d_cases() -> list[Case]:
    rng = np.random.default_rng(201)
    cases = [Case("the slide's 5x5 image and 3x3 kernel, stride 1, 'valid'",
                  (SLIDE_IMAGE, SLIDE_KERNEL), {"stride": 1, "padding": "valid"}),
             Case("the slide's example, stride 2, padding 1", (SLIDE_IMAGE, SLIDE_KERNEL),
                  {"stride": 2, "padding": 1})]
    settings = [((7, 6), (2, 3), 1, "same"), ((8, 8), (3, 3), 2, "same"), ((9, 7), (4, 4), 1, "same"),
                ((10, 9), (3, 2), (2, 3), "same"), ((9, 11), (3, 3), (1, 2), "valid"),
                ((7, 7), (3, 3), 3, "valid"), ((6, 8), (2, 2), (3, 1), 2), ((5, 9), (1, 1), 2, "same"),
                ((11, 6), (5, 3), (3, 2), "same")]
    for image_shape, kernel_shape, stride, padding in settings:
        cases.append(Case(f"a {image_shape[0]}x{image_shape[1]} image, a {kernel_shape[0]}x"
                          f"{kernel_shape[1]} kernel, stride={stride!r}, padding={padding!r}",
                          (rng.normal(size=image_shape), rng.normal(size=kernel_shape)),
                          {"stride": stride, "padding": padding}))
    return cases


def _check_conv2d(conv2d) -> str:
    cases = _conv2d_cases()
    compare_with_reference(conv2d, _reference_conv2d, cases, name="conv2d", mistakes=[
        Mistake(_flipped_kernel, "your output is the *convolution* with a flipped kernel; Keras and "
                "the lesson compute the cross-correlation: do not flip the kernel."),
        Mistake(_same_extra_on_top_left, "with 'same', when the padding is odd the extra row/column "
                "goes at the bottom/right (Keras's rule), not the top/left."),
        Mistake(_same_as_stride_one, "with a stride, 'same' pads just enough for ceil(W / S) outputs: "
                "total = max((ceil(W/S) - 1) * S + F - W, 0), not F - 1."),
        Mistake(_rows_stride_for_both, "a stride (rows, cols) has one step per axis: you used the "
                "row step for both."),
        Mistake(_swapped_stride, "the stride pair is (rows, cols): yours steps the rows by the "
                "second number."),
    ], off_limits=for_exercise(
        __name__, convolution.conv2d_forward, convolution.conv2d_forward_loops,
        convolution.correlate2d_loops, convolution.im2col, convolution.pad_input,
        convolution.padding_amounts,
        advice="Pad with np.pad and slide the kernel with NumPy, as the lesson did by hand."))
    return f"conv2d matches the reference on {len(cases)} hidden cases (the slide's example included)."


exercise_1 = Exercise(
    "Lesson 02, exercise 1 (strides per axis and 'same' padding)", _check_conv2d,
    hint=["Do it in two steps: turn `padding` into explicit zero rows and columns (top, bottom, "
          "left, right), then slide the kernel over the padded image, stride[0] rows and "
          "stride[1] columns at a time.",
          "'valid' pads nothing and an integer P pads P on every side. 'same' pads each axis "
          "just enough for ceil(W / S) outputs: total = max((ceil(W / S) - 1) * S + F - W, 0).",
          "Keras puts total // 2 before and the rest after (an odd extra row or column goes at "
          "the bottom or right). After np.pad, sliding_window_view(padded, kernel.shape) with "
          "steps [::S_rows, ::S_cols] gives the windows: multiply each by the kernel (not "
          "flipped) and sum."],
    solution='''
    def conv2d(image, kernel, stride=1, padding="valid"):
        rows_step, cols_step = (stride, stride) if np.isscalar(stride) else stride
        if padding == "valid":
            pads = [(0, 0), (0, 0)]
        elif padding == "same":
            pads = []
            for size, kernel_size, step in zip(image.shape, kernel.shape, (rows_step, cols_step)):
                out = -(-size // step)                             # ceil(W / S)
                total = max((out - 1) * step + kernel_size - size, 0)
                pads.append((total // 2, total - total // 2))      # extra at the bottom/right
        else:
            pads = [(padding, padding), (padding, padding)]
        padded = np.pad(image, pads)
        windows = sliding_window_view(padded, kernel.shape)[::rows_step, ::cols_step]
        return np.einsum("ijmn,mn->ij", windows, kernel)
    ''')


# --------------------------------------------------------------------------- exercise 2
def _receptive_field(layers, use_stride=True, use_dilation=True, own_stride_first=False):
    size, jump = 1, 1  # jump: input pixels between neighbouring units of the current layer
    for kernel_size, stride, dilation in layers:
        if own_stride_first and use_stride:
            jump *= stride
        span = (dilation if use_dilation else 1) * (kernel_size - 1)
        size += span * jump
        if use_stride and not own_stride_first:
            jump *= stride
    return size


def _reference_receptive_field(layers):
    size, jump = 1, 1
    for kernel_size, stride, dilation in layers:
        size += dilation * (kernel_size - 1) * jump  # each new tap reaches `jump` pixels further
        jump *= stride
    return size


def _receptive_field_cases() -> list[list[tuple[int, int, int]]]:
    rng = np.random.default_rng(202)
    stacks = [[(3, 1, 1)] * 2, [(3, 1, 1)] * 3, [(3, 1, 1), (2, 2, 1), (3, 1, 1)],
              [(3, 1, 1), (3, 1, 2), (3, 1, 4)], [(7, 2, 1), (3, 2, 1), (3, 1, 1), (3, 1, 1)],
              [(5, 1, 1)], [(3, 2, 1), (3, 2, 1), (3, 2, 1)]]
    for _ in range(5):
        depth = int(rng.integers(2, 6))
        stacks.append([(int(rng.choice([1, 2, 3, 5])), int(rng.integers(1, 3)), int(rng.integers(1, 3)))
                       for _ in range(depth)])
    return stacks


def _check_receptive_field(receptive_field) -> str:
    require_callable(receptive_field, "receptive_field")
    off_limits = for_exercise(__name__, taught_receptive_field.receptive_field,
                              taught_receptive_field.receptive_fields,
                              taught_receptive_field.smallest_input,
                              taught_receptive_field.gradient_footprint,
                              advice="Walk up the layers yourself, keeping the field and the jump.")
    stacks = _receptive_field_cases()
    for layers in stacks:
        result = call_student(receptive_field, "receptive_field", f"layers {layers}",
                              ([tuple(layer) for layer in layers],), off_limits=off_limits)
        got = int(whole_number_text(result, f"receptive_field({layers})"))
        expected = _reference_receptive_field(layers)
        if got == expected:
            continue
        if got == _receptive_field(layers, use_stride=False):
            hint = ("strides are ignored: after a stride-S layer, one step of the next kernel moves "
                    "S times further in the input (keep a running product of the strides).")
        elif got == _receptive_field(layers, use_dilation=False):
            hint = "dilation is ignored: a k-tap kernel with dilation d spans d (k - 1) + 1 pixels."
        elif got == _receptive_field(layers, own_stride_first=True):
            hint = ("a layer's own stride does not widen its own window; it spaces the units that "
                    "the *next* layers see. Multiply the jump after adding the layer's span.")
        elif got == sum(k for k, _, _ in layers):
            hint = "receptive fields do not add kernel sizes: each layer adds (kernel - 1) times its spacing."
        else:
            hint = "start from 1 pixel; each layer adds dilation * (kernel - 1) * (product of earlier strides)."
        raise Incorrect(f"for layers {layers} (kernel, stride, dilation) you returned {got}, "
                        f"expected {expected}: {hint}")
    return f"receptive fields right for {len(stacks)} hidden stacks, with strides, pooling and dilation."


exercise_2 = Exercise(
    "Lesson 02, exercise 2 (receptive fields with stride and dilation)", _check_receptive_field,
    hint=["Walk up the stack keeping two numbers: the receptive field r, 1 pixel before the "
          "first layer, and the jump j, the input pixels between neighbouring units, also 1.",
          "A kernel of k taps with dilation d spans d (k - 1) + 1 units of its input, and those "
          "units are j input pixels apart.",
          "So each layer widens r by d (k - 1) j; only then does its stride multiply j (a layer's "
          "own stride spaces the units that the next layers see)."],
    solution=_reference_receptive_field)


# --------------------------------------------------------------------------- exercise 3
_CONV_PARAMETERS = HashedAnswer(
    "lesson02.exercise3.conv", "b587d236662c5a200dc92d2b2cc7512c8f118c287748a9b31d5d259711be7fad",
    what="the conv layer's parameter count",
    wrong="Each of the 16 filters has kernel_h * kernel_w * in_channels weights and one bias; "
          "stride and padding change the output size, not the parameters.",
    mistakes={"273214d3dfe410c11e8fcadfba59269f712df62f72dc07c4a3bf72bd3e3292f1":
              "you counted the weights only: every filter also has a bias."})
_DENSE_PARAMETERS = HashedAnswer(
    "lesson02.exercise3.dense", "2a3732100a14f445143de554832fe1f00ecd69d3b8138ffafa4ecd7657f80cb1",
    what="the dense layer's parameter count",
    wrong="find the conv output's height, width and depth first (stride 2, 'same'), then a Dense "
          "layer has inputs * outputs weights plus one bias per output.",
    mistakes={
        "2f89ceb03b641902b41b0d847d9cc824145a98e4c30572fb9bb59f54eac10539":
            "you counted the weights only: every output unit also has a bias.",
        "f30c9b94c9074d578a649edf885b554a21ea3a1b740a37f735b3e819536b3394":
            "that is the size for 'valid' padding; 'same' with stride 2 gives ceil(28 / 2) per axis.",
        "81c824a8e06642eea68d9815d051c7bb8d211514c0c1014edc040fd7df7085a4":
            "the stride is missing: stride 2 halves each axis of the output.",
        "b48cd38500ea1e88778ab177906a8c1a55bc21c848fb17b57f4d4d577543453c":
            "that is the stride-1 'valid' output (26x26x16); this layer has stride 2 and 'same' padding.",
        "b64c73d9b574b7a1e998b0869fb1f8f25a1fb6926d4793d51b2f3a5e3c6456af":
            "the conv layer outputs 16 maps: multiply height and width by the 16 channels.",
    })


def _check_parameter_counts(conv_params, dense_params) -> str:
    _CONV_PARAMETERS.verify(conv_params)
    _DENSE_PARAMETERS.verify(dense_params)
    return (f"{int(conv_params):,} parameters for the conv layer, {int(dense_params):,} for the "
            f"dense layer: {int(dense_params) // int(conv_params):,} times more.")


exercise_3 = Exercise(
    "Lesson 02, exercise 3 (counting parameters)", _check_parameter_counts,
    hint=["Stride and padding set the output's size, not the parameters: a conv layer has a "
          "kernel_h x kernel_w x in_channels block of weights and one bias per filter.",
          "For the dense layer find the conv layer's output size first: with 'same' padding and "
          "stride 2 each axis has ceil(28 / 2) outputs, each with 16 channels.",
          "A Dense layer from n inputs to m outputs has n * m weights and m biases; here the "
          "inputs are the 28 x 28 image, flattened."],
    solution="""
    conv_params = (3 * 3 * 1 + 1) * 16                        # 9 weights and a bias per filter
    conv_outputs = conv_output_size(28, 3, stride=2, padding="same") ** 2 * 16
    dense_params = 28 * 28 * conv_outputs + conv_outputs       # weights plus one bias per output
    """)
