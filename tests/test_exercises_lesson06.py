"""Lesson 06's exercises: the references pass; the usual FGSM mistakes, the lesson's own FGSM
for the targeted exercise, and stubs do not."""

import numpy as np
import pytest

from course_utils import adversarial
from course_utils.exercises import NOT_DONE_PHRASE
from course_utils.exercises import lesson06
from course_utils.input_gradients import input_gradient

from exercise_checks import fails, passes, stub


def test_fgsm_reference_and_the_course_function_pass(capsys):
    passes(lesson06.exercise_1, lesson06._reference_fgsm, capsys=capsys)
    passes(lesson06.exercise_1, adversarial.fgsm, capsys=capsys)


def student_fgsm_with_a_tensorflow_style_mean_loss(model, images, labels, epsilon):
    # A correct answer written differently: the mean loss has the same gradient sign.
    gradient = input_gradient(model, images, labels) / len(images)
    return np.minimum(np.maximum(images + epsilon * np.sign(gradient), 0), 1)


def test_a_correct_answer_written_differently_passes(capsys):
    passes(lesson06.exercise_1, student_fgsm_with_a_tensorflow_style_mean_loss, capsys=capsys)


@pytest.mark.parametrize("wrong, match", [
    (lesson06._fgsm_wrong_sign, "goes against the gradient"),
    (lesson06._fgsm_with_predictions, "predictions as labels"),
    (lesson06._fgsm_without_clip, "leave \\[0, 1\\]"),
    (lesson06._fgsm_raw_gradient, "its sign"),
    (lambda model, images, labels, epsilon: images, "wrong pixels"),            # no attack at all
    (lambda model, images, labels, epsilon: images[:, :4], "shape"),
])
def test_fgsm_mistakes_fail_with_their_hint(wrong, match):
    fails(lesson06.exercise_1, wrong, match=match)


def test_the_wrong_answers_really_differ_from_the_reference_on_the_hidden_cases():
    # Otherwise a mistake could pass unnoticed: every mistake changes some pixel on every case.
    model = lesson06._hidden_model()
    for _, images, labels, epsilon in lesson06._hidden_cases():
        expected = lesson06._reference_fgsm(model, images, labels, epsilon)
        for mistake, _ in lesson06.FGSM_MISTAKES:
            assert not np.allclose(mistake(model, images, labels, epsilon), expected, atol=1e-6)
        targeted = lesson06._reference_one_step_targeted(model, images, labels, epsilon)
        for mistake, _ in lesson06.TARGETED_MISTAKES:
            assert not np.allclose(mistake(model, images, labels, epsilon), targeted, atol=1e-6)


def test_targeted_reference_passes_and_the_lessons_fgsm_does_not(capsys):
    passes(lesson06.exercise_2, lesson06._reference_one_step_targeted, capsys=capsys)
    fails(lesson06.exercise_2, adversarial.fgsm, match="raises\\* the target's loss")   # the lesson's code
    fails(lesson06.exercise_2, lesson06._targeted_without_clip, match="leave \\[0, 1\\]")
    fails(lesson06.exercise_2, lesson06._targeted_away_from_prediction, match="predicted class")


@pytest.mark.parametrize("exercise", [lesson06.exercise_1, lesson06.exercise_2], ids=["fgsm", "targeted"])
def test_stubs_and_placeholders_are_not_done_yet(exercise, capsys):
    exercise.check(...)
    exercise.check(stub)
    assert capsys.readouterr().out.count(NOT_DONE_PHRASE) == 2
    exercise.hint()
    exercise.solution()
    assert "input_gradient" in capsys.readouterr().out


def test_passing_the_result_instead_of_the_function_is_explained():
    fails(lesson06.exercise_1, np.zeros((2, 8, 8, 1)), match="the function itself")
