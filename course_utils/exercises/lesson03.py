"""Exercises of lesson 03 (activations and pooling): SiLU and its derivative, the backward
pass of max pooling, following the shapes through a small CNN."""

from __future__ import annotations

import numpy as np

from course_utils import jax_max_pool
from course_utils.activations import sigmoid
from course_utils.exercises.answers import HashedAnswer
from course_utils.exercises.cases import Case, Mistake, compare_with_reference, require_callable
from course_utils.exercises.core import Exercise
from course_utils.exercises.off_limits import for_exercise


# --------------------------------------------------------------------------- exercise 1
def _reference_silu(x):
    return x * sigmoid(x)


def _reference_silu_derivative(x):
    s = sigmoid(x)
    return s + x * s * (1 - s)  # product rule: (x)' s + x s'


def _activation_cases() -> list[Case]:
    rng = np.random.default_rng(301)
    return [Case("x = linspace(-8, 8, 161) + 0.01", (np.linspace(-8, 8, 161) + 0.01,)),
            Case("x of shape (3, 4)", (rng.normal(scale=3, size=(3, 4)),)),
            Case("x = [-30, -5, 0, 5, 30]", (np.array([-30.0, -5.0, 0.0, 5.0, 30.0]),))]


def _check_silu(silu, silu_derivative) -> str:
    require_callable(silu, "silu")
    require_callable(silu_derivative, "silu_derivative")
    cases = _activation_cases()
    off_limits = for_exercise(__name__, advice="Write both with NumPy and the lesson's sigmoid.")
    compare_with_reference(silu, _reference_silu, cases, name="silu", atol=1e-7, off_limits=off_limits,
                           mistakes=[
        Mistake(sigmoid, "that is the sigmoid itself; SiLU multiplies it by x."),
        Mistake(lambda x: np.maximum(x, 0), "that is ReLU; SiLU is x * sigmoid(x), smooth and "
                "slightly negative for x < 0."),
    ])
    compare_with_reference(silu_derivative, _reference_silu_derivative, cases, name="silu_derivative",
                           atol=1e-7, off_limits=off_limits, mistakes=[
        Mistake(sigmoid, "that is only the first term: by the product rule "
                "d/dx [x s(x)] = s(x) + x s'(x)."),
        Mistake(lambda x: x * sigmoid(x) * (1 - sigmoid(x)), "that is only the second term: "
                "d/dx [x s(x)] = s(x) + x s'(x), with s'(x) = s(x) (1 - s(x))."),
        Mistake(lambda x: sigmoid(x) * (1 - sigmoid(x)), "that is the sigmoid's derivative; SiLU "
                "is x times the sigmoid, so use the product rule."),
        Mistake(lambda x: sigmoid(x) + x * sigmoid(x), "s'(x) is s(x) (1 - s(x)), not s(x)."),
    ])
    return f"SiLU and its derivative match on {len(cases)} hidden inputs."


exercise_1 = Exercise(
    "Lesson 03, exercise 1 (SiLU and its derivative)", _check_silu,
    hint=["silu(x) is x times sigmoid(x); the lesson's sigmoid (course_utils.activations) does "
          "not overflow for large |x|.",
          "The derivative of a product: (f g)' = f' g + f g', here with f(x) = x and g = sigmoid.",
          "sigmoid'(x) = sigmoid(x) (1 - sigmoid(x)): compute s = sigmoid(x) once and combine the "
          "two terms."],
    solution='''
    def silu(x):
        return x * act.sigmoid(x)

    def silu_derivative(x):
        s = act.sigmoid(x)
        return s + x * s * (1 - s)  # product rule
    ''')


# --------------------------------------------------------------------------- exercise 2
def _windows(x_shape, size, stride):
    out_h = (x_shape[1] - size) // stride + 1
    out_w = (x_shape[2] - size) // stride + 1
    for i in range(out_h):
        for j in range(out_w):
            yield i, j, slice(i * stride, i * stride + size), slice(j * stride, j * stride + size)


def _route_to_maximum(grad_output, x, size, stride, *, every_tie=False, add=True):
    """Each window's gradient to its maximum: the first in reading order (np.argmax), or
    every tied one; added up where windows overlap, or (a mistake) overwritten."""
    grad_x = np.zeros_like(x, dtype=float)
    for n in range(x.shape[0]):
        for c in range(x.shape[3]):
            for i, j, rows, cols in _windows(x.shape, size, stride):
                window = x[n, rows, cols, c]
                if every_tie:
                    chosen = window == window.max()
                else:
                    chosen = np.zeros(window.shape, dtype=bool)
                    chosen[np.unravel_index(np.argmax(window), window.shape)] = True
                region = grad_x[n, rows, cols, c]  # a view: writing to it writes to grad_x
                # += : with overlapping windows one input can be the maximum of several
                region[chosen] = (region[chosen] if add else 0) + grad_output[n, i, j, c]
    return grad_x


def _reference_max_pool_backward(grad_output, x, size=2, stride=2):
    return _route_to_maximum(grad_output, x, size, stride)


def _average_backward(grad_output, x, size=2, stride=2):
    grad_x = np.zeros_like(x, dtype=float)
    for i, j, rows, cols in _windows(x.shape, size, stride):
        grad_x[:, rows, cols, :] += grad_output[:, i:i + 1, j:j + 1, :] / size**2
    return grad_x


def _overwrite_instead_of_add(grad_output, x, size=2, stride=2):
    return _route_to_maximum(grad_output, x, size, stride, add=False)


def _whole_window(grad_output, x, size=2, stride=2):
    grad_x = np.zeros_like(x, dtype=float)
    for i, j, rows, cols in _windows(x.shape, size, stride):
        grad_x[:, rows, cols, :] += grad_output[:, i:i + 1, j:j + 1, :]
    return grad_x


def _every_tied_maximum(grad_output, x, size=2, stride=2):
    return _route_to_maximum(grad_output, x, size, stride, every_tie=True)


def _pool_cases() -> list[Case]:
    rng = np.random.default_rng(302)
    settings = [((1, 4, 4, 1), 2, 2), ((2, 6, 5, 3), 2, 2), ((1, 5, 5, 2), 3, 2),
                ((2, 7, 6, 1), 3, 1), ((1, 6, 6, 2), 3, 3), ((3, 5, 4, 2), 2, 1)]
    cases = []
    for shape, size, stride in settings:
        x = rng.normal(size=shape)  # continuous values: no ties for the maximum
        out_h, out_w = (shape[1] - size) // stride + 1, (shape[2] - size) // stride + 1
        grad_output = rng.normal(size=(shape[0], out_h, out_w, shape[3]))
        overlap = ", windows overlapping" if stride < size else ""
        cases.append(Case(f"x of shape {shape}, size={size}, stride={stride}{overlap}",
                          (grad_output, x), {"size": size, "stride": stride}))
    # Whole numbers after a ReLU, as feature maps often are: most windows have tied maxima.
    tied = np.maximum(rng.integers(-1, 3, size=(2, 4, 4, 2)), 0).astype(float)
    cases.append(Case("x of shape (2, 4, 4, 2) with tied maxima, size=2, stride=2",
                      (rng.normal(size=(2, 2, 2, 2)), tied), {"size": 2, "stride": 2}))
    return cases


def _check_max_pool_backward(max_pool_backward) -> str:
    require_callable(max_pool_backward, "max_pool_backward")
    cases = _pool_cases()
    compare_with_reference(max_pool_backward, _reference_max_pool_backward, cases,
                           name="max_pool_backward",
                           # jax_max_pool computes this gradient for the lessons' training on JAX
                           off_limits=for_exercise(__name__, jax_max_pool.max_pool, jax_max_pool._tiles),
                           mistakes=[
        Mistake(_average_backward, "that spreads each gradient evenly over its window: the backward "
                "pass of *average* pooling. Max pooling sends it all to the window's maximum."),
        Mistake(_overwrite_instead_of_add, "when windows overlap, one input can be the maximum of "
                "several windows; add their gradients (+=) instead of overwriting them."),
        Mistake(_whole_window, "every input of the window gets the gradient; only the maximum "
                "should (the others did not affect the output)."),
        Mistake(_every_tied_maximum, "where several inputs tie for a window's maximum, each of them "
                "got the gradient: give it to the first of them in reading order, as np.argmax "
                "does (and as Keras does)."),
    ])
    return (f"gradients routed to each window's maximum on {len(cases)} hidden cases, "
            f"overlapping windows and tied maxima included.")


exercise_2 = Exercise(
    "Lesson 03, exercise 2 (the backward pass of max pooling)", _check_max_pool_backward,
    hint=["Only the maximum of each window changed the output, so only it receives that window's "
          "gradient; every other input of the window gets nothing from it.",
          "Start from np.zeros_like(x); visit every image n, channel c and output position (i, j), "
          "whose window starts at row i * stride and column j * stride.",
          "np.argmax and np.unravel_index give where the maximum sits in the window; add "
          "grad_output[n, i, j, c] there with += (overlapping windows can share a maximum)."],
    solution=_reference_max_pool_backward)


# --------------------------------------------------------------------------- exercise 3
_SHAPE = HashedAnswer(
    "lesson03.exercise3.shape", "39c0937e4e32ef7a46f9382e3365558bd4f6dd76673696fee7571e836b06deef",
    kind="shape", what="the shape before Flatten",
    wrong="follow it layer by layer as (height, width, channels), without the batch dimension.",
    mistakes={
        "dacd1069631f7f9ba461e04955b1f45db95f40dce92b83dcb3ed08cd7b48e0df":
            "the first convolution uses padding='same', so it keeps 32x32.",
        "ac1b38793109529d9887b6b113bfdedab8bee68ed405da5a07edd6b15e57b40e":
            "the second convolution is 'valid': a 3x3 kernel removes 2 rows and 2 columns.",
        "10384a5dd817e768ee871d4e91967e96745cb030d017ae02708acd967377ed15":
            "the depth is the number of filters of the last convolution.",
    })
_LENGTH = HashedAnswer(
    "lesson03.exercise3.length", "7b14cc7e4689018ad65d0106ed70311ff50d5563e2d9a594bc60df344633c697",
    what="the length after Flatten",
    wrong="Flatten multiplies height * width * channels of the shape before it.",
    mistakes={
        "ecf7236e0b71f01df3e5583995f283dd8d0d3e89ed5f157ea051a474372e19f4":
            "the first convolution uses padding='same', so it keeps 32x32.",
        "3d904a8c4e757cd1025060fe141baac262ba75e27d11e43c206553183f66d119":
            "the second convolution is 'valid': a 3x3 kernel removes 2 rows and 2 columns.",
        "d3ab757a7e1b59845da5a1a51ee095d28af011312653a4c40b6bfb3dc1e73843":
            "multiply by the number of channels too.",
        "83261ad098d772e9a9b6adc9575caf8f75a8446ce9e1e70175f3598dd99b0c5f":
            "the depth is the number of filters of the last convolution.",
    })


def _check_shapes(shape_before_flatten, flattened_length) -> str:
    _SHAPE.verify(shape_before_flatten)
    _LENGTH.verify(flattened_length)
    return f"{tuple(int(s) for s in shape_before_flatten)} flattens to {int(flattened_length):,} numbers."


exercise_3 = Exercise(
    "Lesson 03, exercise 3 (follow the shapes)", _check_shapes,
    hint=["Follow the shape layer by layer as (height, width, channels), without the batch "
          "dimension.",
          "'same' padding keeps height and width; MaxPooling2D(2) halves them, rounding down; a "
          "3x3 'valid' convolution takes 2 off each.",
          "The depth is the number of filters of the last convolution; Flatten multiplies "
          "height, width and depth."],
    solution="""
    32x32x3 -> Conv2D(32, 3, 'same'): 32x32x32 -> MaxPooling2D(2): 16x16x32
            -> Conv2D(64, 3, 'valid'): (16 - 3 + 1) per axis, 64 channels
            -> MaxPooling2D(2): half of that per axis (rounded down), 64 channels
    shape_before_flatten = (height, width, channels) after the last pooling
    flattened_length = height * width * channels
    """)
