"""Lesson 06's exercises: a right answer passes; the usual FGSM mistakes fail with their
hint; the course's own attacks (adversarial.fgsm, targeted_pgd) and the check's own code
are refused, bare and wrapped; stubs are not done yet."""

import numpy as np
import pytest

from course_utils import adversarial
from course_utils.exercises import NOT_DONE_PHRASE
from course_utils.exercises import lesson06
from course_utils.input_gradients import input_gradient

from exercise_checks import BY_HAND, fails, passes, refuses_helper, refuses_wrong_kinds, stub


def fgsm(model, images, labels, epsilon):
    return np.clip(images + epsilon * np.sign(input_gradient(model, images, labels)), 0.0, 1.0)


def one_step_targeted(model, images, target_labels, epsilon):
    return np.clip(images - epsilon * np.sign(input_gradient(model, images, target_labels)), 0.0, 1.0)


def predictions(model, images):
    return np.asarray(model.predict_on_batch(images)).argmax(axis=1)


def test_right_answers_pass(capsys):
    passes(lesson06.exercise_1, fgsm, capsys=capsys)
    passes(lesson06.exercise_2, one_step_targeted, capsys=capsys)


def student_fgsm_with_a_tensorflow_style_mean_loss(model, images, labels, epsilon):
    # A correct answer written differently: the mean loss has the same gradient sign.
    gradient = input_gradient(model, images, labels) / len(images)
    return np.minimum(np.maximum(images + epsilon * np.sign(gradient), 0), 1)


def test_a_correct_answer_written_differently_passes(capsys):
    passes(lesson06.exercise_1, student_fgsm_with_a_tensorflow_style_mean_loss, capsys=capsys)


@pytest.mark.parametrize("wrong, match", [
    (lambda m, x, y, e: np.clip(x - e * np.sign(input_gradient(m, x, y)), 0, 1), "goes against the gradient"),
    (lambda m, x, y, e: fgsm(m, x, predictions(m, x), e), "predictions as labels"),
    (lambda m, x, y, e: x + e * np.sign(input_gradient(m, x, y)), "leave \\[0, 1\\]"),
    (lambda m, x, y, e: np.clip(x + e * input_gradient(m, x, y), 0, 1), "its sign"),
    (lambda model, images, labels, epsilon: images, "(?s)wrong values.*exactly epsilon"),   # no attack at all
    (lambda model, images, labels, epsilon: images[:, :4], "shape"),
], ids=["wrong sign", "predictions", "no clip", "raw gradient", "no attack", "cropped"])
def test_fgsm_mistakes_fail_with_their_hint(wrong, match):
    fails(lesson06.exercise_1, wrong, match=match)


def test_the_wrong_answers_really_differ_from_the_reference_on_the_hidden_cases():
    # Otherwise a mistake could pass unnoticed: every mistake changes some pixel on every case.
    for case in lesson06._hidden_cases():
        model, images, labels, epsilon = case.args
        expected = lesson06._reference_fgsm(model, images, labels, epsilon)
        for mistake in lesson06.FGSM_MISTAKES:
            assert not np.allclose(mistake.implementation(*case.args), expected, atol=1e-6)
        targeted = lesson06._reference_one_step_targeted(model, images, labels, epsilon)
        for mistake in lesson06.TARGETED_MISTAKES:
            assert not np.allclose(mistake.implementation(*case.args), targeted, atol=1e-6)


def test_targeted_mistakes_fail_with_their_hint():
    fails(lesson06.exercise_2, fgsm, match="raises\\* the target's loss")   # FGSM, unchanged
    fails(lesson06.exercise_2, lambda m, x, t, e: x - e * np.sign(input_gradient(m, x, t)), match="leave \\[0, 1\\]")
    fails(lesson06.exercise_2, lambda m, x, t, e: fgsm(m, x, predictions(m, x), e), match="predicted class")


@pytest.mark.parametrize("exercise, helper", [
    (lesson06.exercise_1, adversarial.fgsm),
    (lesson06.exercise_1, lesson06._reference_fgsm),
    (lesson06.exercise_1, lesson06._fgsm_without_clip),  # a mistake of the check's, clipped, is the answer
    (lesson06.exercise_2, adversarial.fgsm),
    (lesson06.exercise_2, lesson06._reference_one_step_targeted),
], ids=["fgsm", "fgsm reference", "fgsm mistake", "targeted with fgsm", "targeted reference"])
def test_the_course_attacks_are_refused_bare_and_wrapped(exercise, helper):
    refuses_helper(exercise, helper)


def test_the_course_iterative_attacks_are_refused_as_one_step_attacks():
    # Issue 20: this printed "Correct".
    fails(lesson06.exercise_2, lambda m, x, t, e: adversarial.targeted_pgd(m, x, t, e, steps=1, step_size=e),
          match=BY_HAND)
    fails(lesson06.exercise_1, lambda m, x, y, e: adversarial.pgd(m, x, y, e, steps=1, step_size=e),
          match=BY_HAND)
    fails(lesson06.exercise_1, lambda m, x, y, e: np.clip(lesson06._fgsm_without_clip(m, x, y, e), 0, 1),
          match=BY_HAND)


@pytest.mark.parametrize("exercise, right", [(lesson06.exercise_1, fgsm), (lesson06.exercise_2, one_step_targeted)],
                         ids=["fgsm", "targeted"])
def test_outputs_of_the_wrong_kind_are_refused(exercise, right):
    refuses_wrong_kinds(exercise, right)


def test_a_keras_tensor_is_accepted_as_an_array(capsys):
    import keras

    passes(lesson06.exercise_1, lambda m, x, y, e: keras.ops.convert_to_tensor(fgsm(m, x, y, e)), capsys=capsys)


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
