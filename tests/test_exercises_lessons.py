"""Every lesson exercise: its reference passes, plausible wrong answers fail with a useful hint.

Includes the regressions of issues 9 and 13: the lesson's own code does not pass, one hidden
layer is not two, and counts are not truncated (3136.9, 160.7 and "3136" are rejected); of
issue 20: the course's own implementation is refused, bare and wrapped; of issue 19: outputs
of the wrong kind are refused, and an empty hint or solution fails a test.
"""

import math
import statistics

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from course_utils import convolution, gradient_check, mlp
from course_utils import receptive_field as taught_receptive_field
from course_utils.exercises import NOT_DONE_PHRASE, Exercise
from course_utils.exercises import lesson00, lesson01, lesson02, lesson03, lesson04, lesson05, lesson06, lesson07

from exercise_checks import BY_HAND, fails, passes, refuses_helper, refuses_wrong_kinds, stub


# (exercise, number of answers, whether the answer is a function the student writes)
EXERCISES = [
    (lesson00.exercise_1, 1, True), (lesson00.exercise_2, 1, True), (lesson01.exercise_1, 1, True),
    (lesson01.exercise_2, 1, True), (lesson01.exercise_3, 1, False), (lesson02.exercise_1, 1, True),
    (lesson02.exercise_2, 1, True), (lesson02.exercise_3, 2, False), (lesson03.exercise_1, 2, True),
    (lesson03.exercise_2, 1, True), (lesson03.exercise_3, 2, False)]


@pytest.mark.parametrize("exercise, arity, is_function", EXERCISES, ids=lambda e: getattr(e, "title", ""))
def test_every_exercise_reports_not_done_yet_for_stubs_and_placeholders(exercise, arity, is_function, capsys):
    exercise.check(*([...] * arity))
    if is_function:  # a stub function raises NotDoneYet when the check calls it
        exercise.check(*([stub] * arity))
    out = capsys.readouterr().out
    assert out.count(NOT_DONE_PHRASE) == 1 + is_function, out
    exercise.hint()
    exercise.solution()
    assert capsys.readouterr().out.count("):") >= 2


# --------------------------------------------------------------------------- lesson 00
def median_seconds(operation, repeats=5, clock=None):
    operation()
    times = []
    for _ in range(repeats):
        started = clock()
        operation()
        times.append(clock() - started)
    return float(np.median(times))


def test_lesson00_timer(capsys):
    passes(lesson00.exercise_1, median_seconds, capsys=capsys)

    def mean_seconds(operation, repeats=5, clock=None):
        operation()
        started = clock()
        for _ in range(repeats):
            operation()
        return (clock() - started) / repeats  # what the lesson's section 5 does

    def no_warm_up(operation, repeats=5, clock=None):
        times = []
        for _ in range(repeats):
            started = clock()
            operation()
            times.append(clock() - started)
        return statistics.median(times)

    def milliseconds(operation, repeats=5, clock=None):
        return median_seconds(operation, repeats, clock) * 1000

    def warm_up_timed(operation, repeats=5, clock=None):
        times = []
        for _ in range(repeats + 1):
            started = clock()
            operation()
            times.append(clock() - started)
        return statistics.median(times)

    fails(lesson00.exercise_1, mean_seconds, match="that is the mean")
    fails(lesson00.exercise_1, no_warm_up, match="warm up")
    fails(lesson00.exercise_1, milliseconds, match="milliseconds")
    fails(lesson00.exercise_1, warm_up_timed, match="warm-up run is in your median")


def test_lesson00_largest_matrix(capsys):
    def largest(free_bytes, dtype="float32", matrices=3):
        return int(math.sqrt(free_bytes / (matrices * np.dtype(dtype).itemsize)))

    passes(lesson00.exercise_2, largest, capsys=capsys)
    fails(lesson00.exercise_2, lambda b, dtype="float32", matrices=3: math.isqrt(b // (8 * matrices)),
          match="not 8")
    fails(lesson00.exercise_2, lambda b, dtype="float32", matrices=3: math.isqrt(b // np.dtype(dtype).itemsize),
          match="must fit at once")
    fails(lesson00.exercise_2,
          lambda b, dtype="float32", matrices=3: math.ceil(math.sqrt(b / (matrices * np.dtype(dtype).itemsize))),
          match="round down")
    fails(lesson00.exercise_2, lambda b, dtype="float32", matrices=3: math.sqrt(b / (matrices * 4)),
          match="whole number")
    fails(lesson00.exercise_2, lambda b: 0, match="raised TypeError")


# --------------------------------------------------------------------------- lesson 01
def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def neuron_gradient(w, b, X, y):
    s = sigmoid(X @ w + b)
    d_z = -2 * (y - s) * s * (1 - s)
    return X.T @ d_z, d_z.sum()


def test_lesson01_neuron_gradient(capsys):
    passes(lesson01.exercise_1, neuron_gradient, capsys=capsys)
    fails(lesson01.exercise_1, lambda w, b, X, y: tuple(g / len(X) for g in neuron_gradient(w, b, X, y)),
          match="sum over examples, not a mean")
    fails(lesson01.exercise_1, lambda w, b, X, y: (X.T @ (-2 * (y - sigmoid(X @ w + b))),
                                                  (-2 * (y - sigmoid(X @ w + b))).sum()),
          match=r"s \(1 - s\) is missing")
    fails(lesson01.exercise_1, lambda w, b, X, y: neuron_gradient(w, b, X, y)[0], match="2 values")
    fails(lesson01.exercise_1, neuron_gradient(np.zeros(2), 0.0, np.zeros((1, 2)), np.zeros(1)),
          match="without calling it")


def test_lesson01_count_parameters(capsys):
    def count(sizes):
        weights = sum(a * b for a, b in zip(sizes, sizes[1:]))
        return weights, sum(sizes[1:])

    passes(lesson01.exercise_2, count, capsys=capsys)
    fails(lesson01.exercise_2, lambda sizes: (count(sizes)[0], sum(sizes)), match="input layer has no")
    fails(lesson01.exercise_2, lambda sizes: sum(count(sizes)), match="pair")
    fails(lesson01.exercise_2, lambda sizes: (mlp.MLP(sizes).count_params(), 0), match=BY_HAND)
    fails(lesson01.exercise_2, lambda sizes: (float(count(sizes)[0]), count(sizes)[1]), match="whole number")


def circles_train():
    from sklearn.datasets import make_circles
    return make_circles(400, noise=0.1, factor=0.5, random_state=42)


def test_lesson01_relu_circles(capsys):
    X, y = circles_train()
    model = mlp.MLP([2, 8, 8, 1], hidden_activation="relu", rng=np.random.default_rng(42))
    model.fit(X, y, epochs=100, batch_size=16, learning_rate=0.3)
    passes(lesson01.exercise_3, model, capsys=capsys)

    one_hidden_layer = mlp.MLP([2, 16, 1], hidden_activation="relu", rng=np.random.default_rng(42))
    one_hidden_layer.fit(X, y, epochs=100, batch_size=16, learning_rate=0.3)
    assert one_hidden_layer.accuracy(X, y) >= 0.9  # it works, but it is not what was asked
    fails(lesson01.exercise_3, one_hidden_layer, match="give 1 hidden layer")
    fails(lesson01.exercise_3, mlp.MLP([2, 8, 8, 1], hidden_activation="tanh"), match="ReLU")
    fails(lesson01.exercise_3, mlp.MLP([2, 8, 8, 1], hidden_activation="relu"), match="below 0.9")
    from sklearn.neural_network import MLPClassifier
    fails(lesson01.exercise_3, MLPClassifier(activation="tanh"), match="course_utils.mlp.MLP")


# --------------------------------------------------------------------------- lesson 02
def conv2d(image, kernel, stride=1, padding="valid"):
    rows_step, cols_step = (stride, stride) if np.isscalar(stride) else stride
    if padding == "valid":
        pads = [(0, 0), (0, 0)]
    elif padding == "same":
        pads = []
        for size, kernel_size, step in zip(image.shape, kernel.shape, (rows_step, cols_step)):
            total = max((-(-size // step) - 1) * step + kernel_size - size, 0)
            pads.append((total // 2, total - total // 2))
    else:
        pads = [(padding, padding), (padding, padding)]
    windows = sliding_window_view(np.pad(image, pads), kernel.shape)[::rows_step, ::cols_step]
    return np.einsum("ijmn,mn->ij", windows, kernel)


def lesson_conv2d_single(image, kernel, stride=1, padding=0):
    """Lesson 02's own function, copied: integer stride and padding only."""
    image = np.pad(image, padding)
    kh, kw = kernel.shape
    out_h = (image.shape[0] - kh) // stride + 1
    out_w = (image.shape[1] - kw) // stride + 1
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            out[i, j] = np.sum(image[i * stride:i * stride + kh, j * stride:j * stride + kw] * kernel)
    return out


def test_lesson02_conv2d(capsys):
    passes(lesson02.exercise_1, conv2d, capsys=capsys)
    fails(lesson02.exercise_1, lesson_conv2d_single, match="raised")
    fails(lesson02.exercise_1, lambda image, kernel, stride=1, padding="valid":
          conv2d(image, kernel[::-1, ::-1], stride, padding), match="flipped kernel")

    def extra_first(image, kernel, stride=1, padding="valid"):
        if padding != "same":
            return conv2d(image, kernel, stride, padding)
        rows_step, cols_step = (stride, stride) if np.isscalar(stride) else stride
        pads = []
        for size, kernel_size, step in zip(image.shape, kernel.shape, (rows_step, cols_step)):
            total = max((-(-size // step) - 1) * step + kernel_size - size, 0)
            pads.append((total - total // 2, total // 2))
        windows = sliding_window_view(np.pad(image, pads), kernel.shape)[::rows_step, ::cols_step]
        return np.einsum("ijmn,mn->ij", windows, kernel)

    def same_ignores_stride(image, kernel, stride=1, padding="valid"):
        if padding == "same":
            (kh, kw) = kernel.shape
            padded = np.pad(image, [((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2)])
            return conv2d(padded, kernel, stride, 0)
        return conv2d(image, kernel, stride, padding)

    fails(lesson02.exercise_1, extra_first, match="bottom/right")
    fails(lesson02.exercise_1, same_ignores_stride, match="ceil")
    fails(lesson02.exercise_1, lambda image, kernel, stride=1, padding="valid":
          conv2d(image, kernel, stride if np.isscalar(stride) else stride[0], padding), match="row step for both")
    fails(lesson02.exercise_1, lambda image, kernel, stride=1, padding="valid":
          conv2d(image, kernel, 1, padding), match="should have shape")


def test_lesson02_receptive_field(capsys):
    def receptive_field(layers):
        size, jump = 1, 1
        for kernel, stride, dilation in layers:
            size += dilation * (kernel - 1) * jump
            jump *= stride
        return size

    def no_stride(layers):
        return 1 + sum(d * (k - 1) for k, _, d in layers)

    def no_dilation(layers):
        return receptive_field([(k, s, 1) for k, s, _ in layers])

    passes(lesson02.exercise_2, receptive_field, capsys=capsys)
    from course_utils import receptive_field as taught  # the lesson's own helper: no dilation
    fails(lesson02.exercise_2, taught.receptive_field, match=BY_HAND)
    # A dilated kernel as a wider one: right, but it is the lesson's helper doing the work.
    fails(lesson02.exercise_2, lambda layers: taught.receptive_field([(d * (k - 1) + 1, s) for k, s, d in layers]),
          match=BY_HAND)
    fails(lesson02.exercise_2, no_stride, match="strides are ignored")
    fails(lesson02.exercise_2, no_dilation, match="dilation is ignored")
    fails(lesson02.exercise_2, lambda layers: sum(k for k, _, _ in layers), match="do not add kernel sizes")
    fails(lesson02.exercise_2, lambda layers: float(receptive_field(layers)), match="whole number")


def test_lesson02_counts_are_hashed_and_not_truncated(capsys):
    passes(lesson02.exercise_3, 160, 2_461_760, capsys=capsys)
    passes(lesson02.exercise_3, np.int64(160), np.int64(2_461_760), capsys=capsys)
    for conv, message in [(160.7, "whole number"), (160.0, "floor division"), ("160", "drop the quotes"),
                          (144, "weights only"), (161, "not right")]:
        fails(lesson02.exercise_3, conv, 2_461_760, match=message)
    for dense, message in [(2_461_760.9, "whole number"), ("2461760", "drop the quotes"),
                           (784 * 3136, "weights only"), (784 * 2704 + 2704, "'valid' padding"),
                           (784 * 12544 + 12544, "stride is missing")]:
        fails(lesson02.exercise_3, 160, dense, match=message)
    source = open(lesson02.__file__).read()
    assert "2461760" not in source and "2_461_760" not in source and "2,461,760" not in source


# --------------------------------------------------------------------------- lesson 03
def silu(x):
    return x / (1 + np.exp(-x))


def silu_derivative(x):
    s = 1 / (1 + np.exp(-x))
    return s * (1 + x * (1 - s))


def test_lesson03_silu(capsys):
    passes(lesson03.exercise_1, silu, silu_derivative, capsys=capsys)
    s = lesson03.sigmoid
    fails(lesson03.exercise_1, silu, lambda x: s(x), match="only the first term")
    fails(lesson03.exercise_1, silu, lambda x: s(x) * (1 - s(x)), match="sigmoid's derivative")
    fails(lesson03.exercise_1, silu, lambda x: s(x) + x * s(x), match=r"not s\(x\)")
    fails(lesson03.exercise_1, lambda x: np.maximum(x, 0), silu_derivative, match="that is ReLU")
    from course_utils import activations  # the lesson's own activations are not SiLU
    fails(lesson03.exercise_1, activations.gelu, activations.gelu_derivative, match="wrong values")


def max_pool_backward(grad_output, x, size=2, stride=2):
    windows = sliding_window_view(x, (size, size), axis=(1, 2))[:, ::stride, ::stride]
    batch, out_h, out_w, channels = windows.shape[:4]
    flat = windows.reshape(batch, out_h, out_w, channels, size * size).argmax(-1)
    grad_x = np.zeros_like(x)
    n, i, j, c = np.indices(flat.shape)
    rows, cols = np.divmod(flat, size)
    np.add.at(grad_x, (n, i * stride + rows, j * stride + cols, c), grad_output)
    return grad_x


def test_lesson03_max_pool_backward(capsys):
    passes(lesson03.exercise_2, max_pool_backward, capsys=capsys)

    def average_backward(grad_output, x, size=2, stride=2):
        grad_x = np.zeros_like(x)
        for i in range(grad_output.shape[1]):
            for j in range(grad_output.shape[2]):
                grad_x[:, i * stride:i * stride + size, j * stride:j * stride + size] += \
                    grad_output[:, i:i + 1, j:j + 1] / size**2
        return grad_x

    fails(lesson03.exercise_2, average_backward, match="average")
    fails(lesson03.exercise_2, lesson03._average_backward, match=BY_HAND)  # the check's own code

    def overwrite(grad_output, x, size=2, stride=2):
        windows = sliding_window_view(x, (size, size), axis=(1, 2))[:, ::stride, ::stride]
        flat = windows.reshape(*windows.shape[:4], size * size).argmax(-1)
        grad_x = np.zeros_like(x)
        n, i, j, c = np.indices(flat.shape)
        rows, cols = np.divmod(flat, size)
        grad_x[n, i * stride + rows, j * stride + cols, c] = grad_output  # overlapping windows collide
        return grad_x

    def as_loops(grad_output, x, size=2, stride=2):
        grad_x = np.zeros_like(x)
        for n, i, j, c in np.ndindex(grad_output.shape):
            window = x[n, i * stride:i * stride + size, j * stride:j * stride + size, c]
            r, s = divmod(int(window.argmax()), size)  # the first maximum, row by row
            grad_x[n, i * stride + r, j * stride + s, c] += grad_output[n, i, j, c]
        return grad_x

    def transposed(grad_output, x, size=2, stride=2):  # reads each window column by column
        return max_pool_backward(grad_output.transpose(0, 2, 1, 3), x.transpose(0, 2, 1, 3),
                                 size, stride).transpose(0, 2, 1, 3)

    fails(lesson03.exercise_2, overwrite, match=r"add their gradients \(\+=\)")

    def every_tied_maximum(grad_output, x, size=2, stride=2):  # cs231n's mask: every tie gets it
        windows = sliding_window_view(x, (size, size), axis=(1, 2))[:, ::stride, ::stride]
        grad_x = np.zeros_like(x)
        for i in range(windows.shape[1]):
            for j in range(windows.shape[2]):
                window = windows[:, i, j]  # (batch, channels, size, size)
                mask = window == window.max(axis=(2, 3), keepdims=True)
                grad_x[:, i * stride:i * stride + size, j * stride:j * stride + size] += \
                    (mask * grad_output[:, i, j][..., None, None]).transpose(0, 2, 3, 1)
        return grad_x

    fails(lesson03.exercise_2, every_tied_maximum, match="first of them in reading order")
    fails(lesson03.exercise_2, lambda g, x, size=2, stride=2: np.zeros_like(x), match="wrong values")
    passes(lesson03.exercise_2, as_loops, capsys=capsys)  # a right answer written another way
    fails(lesson03.exercise_2, transposed, match="tied maxima")  # right without ties, not with them
    from course_utils.pooling import max_pool2d  # the lesson's forward pass is not the backward one
    fails(lesson03.exercise_2, lambda g, x, size=2, stride=2: max_pool2d(x, size, stride), match="shape")


def test_lesson03_max_pool_backward_refuses_the_courses_jax_gradient():
    jax = pytest.importorskip("jax")
    from course_utils import jax_max_pool

    def through_the_course(grad_output, x, size=2, stride=2):  # right wherever windows tile
        _, backward = jax.vjp(lambda x: jax_max_pool._max_pool_with_fast_gradient()(x, size), x)
        return np.asarray(backward(grad_output.astype(x.dtype))[0])

    fails(lesson03.exercise_2, through_the_course, match="course_utils.jax_max_pool._tiles")


def test_lesson03_shapes_are_hashed_and_not_truncated(capsys):
    passes(lesson03.exercise_3, (7, 7, 64), 3136, capsys=capsys)
    passes(lesson03.exercise_3, [7, 7, 64], np.int32(3136), capsys=capsys)
    for length, message in [(3136.9, "whole number"), (3136.0, "floor division"), ("3136", "drop the quotes"),
                            (2304, "keeps 32x32"), (4096, "removes 2"), (49, "channels")]:
        fails(lesson03.exercise_3, (7, 7, 64), length, match=message)
    for shape, message in [((None, 7, 7, 64), "batch dimension"), ((6, 6, 64), "keeps 32x32"),
                           ((7, 7, 32), "filters"), ((7.0, 7, 64), "whole number"), (3136, "a shape")]:
        fails(lesson03.exercise_3, shape, 3136, match=message)
    source = open(lesson03.__file__).read()
    assert "3136" not in source and "7, 7, 64" not in source


# --------------------------------------------------------------------------- every lesson
def largest_square_matrix(free_bytes, dtype="float32", matrices=3):
    return math.isqrt(free_bytes // (matrices * np.dtype(dtype).itemsize))


def count_parameters(sizes):
    return sum(a * b for a, b in zip(sizes, sizes[1:])), sum(sizes[1:])


def receptive_field(layers):
    size, jump = 1, 1
    for kernel, stride, dilation in layers:
        size += dilation * (kernel - 1) * jump
        jump *= stride
    return size


#: (exercise, the course's own implementation or a helper it names, the other answers, position)
COURSE_IMPLEMENTATIONS = [
    (lesson00.exercise_1, lesson00._reference_median_seconds, (), 0),
    (lesson00.exercise_2, lesson00._reference_largest_square_matrix, (), 0),
    (lesson01.exercise_1, lesson01._reference_neuron_gradient, (), 0),
    (lesson01.exercise_1, mlp.backward, (), 0),
    (lesson01.exercise_1, mlp.loss_and_gradients, (), 0),
    (lesson01.exercise_1, gradient_check.numerical_gradient, (), 0),
    (lesson01.exercise_2, lesson01._reference_count_parameters, (), 0),
    (lesson01.exercise_2, mlp.init_params, (), 0),
    (lesson01.exercise_2, mlp.MLP.count_params, (), 0),
    (lesson02.exercise_1, lesson02._reference_conv2d, (), 0),
    (lesson02.exercise_1, convolution.conv2d_forward, (), 0),
    (lesson02.exercise_1, convolution.conv2d_forward_loops, (), 0),
    (lesson02.exercise_1, convolution.correlate2d_loops, (), 0),
    (lesson02.exercise_1, convolution.im2col, (), 0),
    (lesson02.exercise_1, convolution.pad_input, (), 0),
    (lesson02.exercise_1, convolution.padding_amounts, (), 0),
    (lesson02.exercise_2, lesson02._reference_receptive_field, (), 0),
    (lesson02.exercise_2, taught_receptive_field.receptive_field, (), 0),
    (lesson02.exercise_2, taught_receptive_field.receptive_fields, (), 0),
    (lesson02.exercise_2, taught_receptive_field.smallest_input, (), 0),
    (lesson02.exercise_2, taught_receptive_field.gradient_footprint, (), 0),
    (lesson03.exercise_1, lesson03._reference_silu, (silu_derivative,), 0),
    (lesson03.exercise_1, lesson03._reference_silu_derivative, (silu,), 1),
    (lesson03.exercise_2, lesson03._reference_max_pool_backward, (), 0),
]


@pytest.mark.parametrize("exercise, helper, others, position", COURSE_IMPLEMENTATIONS,
                         ids=lambda value: getattr(value, "__qualname__", ""))
def test_the_course_implementation_is_refused_bare_and_wrapped(exercise, helper, others, position):
    refuses_helper(exercise, helper, others=others, position=position)


def test_a_one_line_wrapper_of_conv2d_forward_is_refused():
    from course_utils.convolution import conv2d_forward as imported_under_another_name

    fails(lesson02.exercise_1, lambda image, kernel, stride=1, padding="valid": imported_under_another_name(
        image[None, :, :, None], kernel[:, :, None, None], stride=stride, padding=padding)[0, :, :, 0],
        match=BY_HAND)


#: (exercise, a right answer, the other answers, position, which item of a tuple output)
RIGHT_FUNCTIONS = [
    (lesson00.exercise_1, median_seconds, (), 0, None),
    (lesson00.exercise_2, largest_square_matrix, (), 0, None),
    (lesson01.exercise_1, neuron_gradient, (), 0, 0),
    (lesson01.exercise_1, neuron_gradient, (), 0, 1),
    (lesson01.exercise_2, count_parameters, (), 0, 0),
    (lesson02.exercise_1, conv2d, (), 0, None),
    (lesson02.exercise_2, receptive_field, (), 0, None),
    (lesson03.exercise_1, silu, (silu_derivative,), 0, None),
    (lesson03.exercise_1, silu_derivative, (silu,), 1, None),
    (lesson03.exercise_2, max_pool_backward, (), 0, None),
]


@pytest.mark.parametrize("exercise, right, others, position, element", RIGHT_FUNCTIONS,
                         ids=lambda value: getattr(value, "__name__", ""))
def test_outputs_of_the_wrong_kind_are_refused(exercise, right, others, position, element, capsys):
    passes(exercise, *(list(others[:position]) + [right] + list(others[position:])), capsys=capsys)
    refuses_wrong_kinds(exercise, right, others=others, position=position, element=element)


def _every_exercise():
    modules = [lesson00, lesson01, lesson02, lesson03, lesson04, lesson05, lesson06, lesson07]
    return [value for module in modules for name, value in vars(module).items()
            if name.startswith("exercise_") and isinstance(value, Exercise)]


@pytest.mark.parametrize("exercise", _every_exercise(), ids=lambda exercise: exercise.title)
def test_every_exercise_has_progressive_hints_and_a_solution_that_say_something(exercise, capsys):
    assert 2 <= len(exercise.hints) <= 3, "give two or three hints, each more precise than the last"
    assert len(set(exercise.hints)) == len(exercise.hints)
    for number, text in enumerate(exercise.hints, start=1):
        exercise.hint(number)
        shown = capsys.readouterr().out
        assert len(text.split()) >= 8 and text.strip() in shown, shown
    exercise.solution()
    heading, _, body = capsys.readouterr().out.partition("\n")
    assert heading.startswith("Solution") and len(body.split()) >= 5, body


def test_an_empty_hint_or_solution_would_fail_that_test(capsys, monkeypatch):
    from course_utils.exercises import core

    monkeypatch.setattr(core, "REGISTRY", [])  # these two are not lesson exercises
    empty_solution = Exercise("Lesson 99, exercise 1", lambda answer: "ok", hint=["a b c d e f g h", "i j k l m n o p"],
                              solution=" ")
    with pytest.raises(AssertionError):
        test_every_exercise_has_progressive_hints_and_a_solution_that_say_something(empty_solution, capsys)
    one_word_hint = Exercise("Lesson 99, exercise 2", lambda answer: "ok", hint=["think", "harder"],
                             solution="answer = 6 * 7  # the product of the two numbers")
    with pytest.raises(AssertionError):
        test_every_exercise_has_progressive_hints_and_a_solution_that_say_something(one_word_hint, capsys)
