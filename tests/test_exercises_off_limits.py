"""The checks' guards: the course's own implementation is off limits while a student's
function runs (however it is reached), outputs of the wrong kind are refused, and a known
mistake is named only when it reproduces every hidden case."""

import functools

import numpy as np
import pytest

from course_utils import convolution, mlp
from course_utils.convolution import conv2d_forward as renamed_conv2d_forward
from course_utils.exercises import Case, Incorrect, Mistake, NotDoneYet, call_student, compare_with_reference
from course_utils.exercises.off_limits import OffLimits, OffLimitsCalled, for_exercise

IMAGE, KERNEL = np.ones((1, 4, 4, 1)), np.ones((2, 2, 1, 1))
GUARD = OffLimits(convolution.conv2d_forward, mlp.MLP.count_params, advice="Use NumPy.")


def wrapped_in_a_def(x, w):
    return renamed_conv2d_forward(x, w, stride=1)


@pytest.mark.parametrize("student", [
    convolution.conv2d_forward,                                   # handed in bare
    lambda x, w: convolution.conv2d_forward(x, w),                # wrapped in a lambda
    wrapped_in_a_def,                                             # in a def, imported under another name
    functools.partial(convolution.conv2d_forward, stride=1),      # a partial
], ids=["bare", "lambda", "def and alias", "partial"])
def test_every_way_of_reaching_an_off_limits_function_is_refused(student):
    with pytest.raises(Incorrect, match="write it by hand, without course_utils.convolution.conv2d_forward"):
        call_student(student, "conv2d", "a case", (IMAGE, KERNEL), off_limits=GUARD)


def test_a_swallowed_refusal_is_still_refused():
    def sneaky(x, w):
        try:
            return convolution.conv2d_forward(x, w)
        except Exception:
            return np.zeros((1, 3, 3, 1))

    with pytest.raises(Incorrect, match="write it by hand"):
        call_student(sneaky, "conv2d", "a case", (IMAGE, KERNEL), off_limits=GUARD)


def test_methods_are_guarded_and_everything_is_restored_afterwards():
    with pytest.raises(Incorrect, match="course_utils.mlp.MLP.count_params"):
        call_student(lambda sizes: mlp.MLP(sizes).count_params(), "count", "a case", ([2, 3],),
                     off_limits=GUARD)
    # Outside the guard the helpers work again, also after a refusal.
    assert convolution.conv2d_forward(IMAGE, KERNEL).shape == (1, 3, 3, 1)
    assert mlp.MLP([2, 3]).count_params() == 9
    with GUARD.guard() as called:
        with pytest.raises(OffLimitsCalled):
            convolution.conv2d_forward(IMAGE, KERNEL)
        with GUARD.guard():  # nested guards do not swap twice
            pass
        with pytest.raises(OffLimitsCalled):
            convolution.conv2d_forward(IMAGE, KERNEL)
    assert called == ["course_utils.convolution.conv2d_forward"] * 2
    assert convolution.conv2d_forward(IMAGE, KERNEL).shape == (1, 3, 3, 1)


def test_a_students_own_code_and_allowed_helpers_run_normally():
    assert call_student(lambda x: x + 1, "f", "a case", (1,), off_limits=GUARD) == 2
    with pytest.raises(NotDoneYet):
        call_student(lambda: (_ for _ in ()).throw(NotDoneYet()), "f", "a case", off_limits=GUARD)


def test_closures_cannot_be_put_off_limits():
    def outer():
        value = 1
        return lambda: value

    with pytest.raises(TypeError, match="enclosing function"):
        OffLimits(outer())
    with pytest.raises(TypeError, match="not a Python function"):
        OffLimits(len)


def test_an_exercise_puts_its_whole_check_module_off_limits():
    from course_utils.exercises import lesson07

    labels = for_exercise(lesson07.__name__).labels
    assert "course_utils.exercises.lesson07._reference_dice" in labels
    assert "course_utils.exercises.lesson07._iou" in labels  # a mistake can be turned into the answer


def reference_mean(values):
    return float(np.mean(values))


MEAN_CASES = [Case("three numbers", (np.array([1.0, 2.0, 4.0]),)), Case("four", (np.array([1.0, 1.0, 1.0, 5.0]),))]


@pytest.mark.parametrize("student, message", [
    (lambda values: str(np.mean(values)), "returned the text '2.3333"),
    (lambda values: bool(np.mean(values)), "a truth value"),
    (lambda values: None, "returned None"),
    (lambda values: [np.mean(values)], "returned a list"),
    (lambda values: np.array([np.mean(values)]), "return one number"),
], ids=["text", "bool", "None", "list", "array"])
def test_outputs_of_the_wrong_kind_are_refused_with_a_hint(student, message):
    with pytest.raises(Incorrect, match=message):
        compare_with_reference(student, reference_mean, MEAN_CASES, name="mean")


def test_whole_numbers_and_arrays_are_asked_for_when_the_reference_returns_them():
    cases = [Case("n = 7", (7,))]
    with pytest.raises(Incorrect, match="returned the float 3.5"):
        compare_with_reference(lambda n: n / 2, lambda n: n // 2, cases, name="half")
    compare_with_reference(lambda n: np.int64(n // 2), lambda n: n // 2, cases, name="half")
    array_cases = [Case("a vector", (np.arange(3.0),))]
    with pytest.raises(Incorrect, match="returned a list"):
        compare_with_reference(lambda x: list(x * 2), lambda x: x * 2, array_cases, name="double")
    with pytest.raises(Incorrect, match="dtype bool"):
        compare_with_reference(lambda x: x > 0, lambda x: x * 2, array_cases, name="double")
    compare_with_reference(lambda x: x + x, lambda x: x * 2, array_cases, name="double")
    compare_with_reference(lambda values: np.float32(np.mean(values)), reference_mean, MEAN_CASES,
                           name="mean", rtol=1e-6)


def test_a_mistake_is_named_only_when_it_reproduces_every_case():
    # On the first case the median equals the (wrong) student's output; on the second it does not.
    def student_uses_the_first_value_twice(values):
        return float((values[0] + values[0] + values[-1]) / 3) if len(values) == 3 else float(values[0])

    median = Mistake(lambda values: float(np.median(values)), "that is the median")
    first = Mistake(lambda values: float(values[0]) if len(values) != 3 else
                    float((2 * values[0] + values[-1]) / 3), "that is the first value")
    with pytest.raises(Incorrect, match="on three numbers, the output has wrong values"):
        compare_with_reference(lambda values: float(np.median(values)) if len(values) == 3 else 9.0,
                               reference_mean, MEAN_CASES, name="mean", mistakes=[median])
    with pytest.raises(Incorrect, match="that is the first value"):
        compare_with_reference(student_uses_the_first_value_twice, reference_mean, MEAN_CASES,
                               name="mean", mistakes=[median, first])
    with pytest.raises(Incorrect, match="that is the median"):
        compare_with_reference(lambda values: float(np.median(values)), reference_mean, MEAN_CASES,
                               name="mean", mistakes=[median, first])


def test_shared_arguments_are_passed_as_they_are_and_the_rest_is_copied():
    class Model:
        pass

    model = Model()
    seen = []

    def reference(shared_model, values):
        return values * 2

    def student(shared_model, values):
        seen.append(shared_model)
        values *= 2  # in place: must not change the reference's input
        return values

    data = np.arange(3.0)
    compare_with_reference(student, reference, [Case("a model and a vector", (model, data))],
                           name="double", shared=[model])
    assert seen == [model] and np.array_equal(data, np.arange(3.0))


def test_a_helper_called_on_a_later_case_only_is_still_refused():
    def wrong_first_then_the_helper(x):
        if x.size == 3:
            return x * 0  # wrong on the first case
        return reference_square(x)  # the check's own reference on the second

    cases = [Case("a vector", (np.arange(3.0),)), Case("a matrix", (np.ones((2, 2)),))]
    with pytest.raises(Incorrect, match="write it by hand"):
        compare_with_reference(wrong_first_then_the_helper, reference_square, cases, name="square")


def reference_square(x):
    return x * x
