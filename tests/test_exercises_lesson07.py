"""Lesson 07's exercises: right answers pass; the course's own implementations (mean_dice,
valid_output_size) are refused, bare and wrapped; plausible wrong answers fail with their
hint, matched on every hidden case."""

import numpy as np
import pytest

from course_utils.exercises import NOT_DONE_PHRASE
from course_utils.exercises import lesson07
from course_utils.exercises.lesson07 import (_reference_dice, _reference_unet_output_size,
                                             exercise_1, exercise_2)
from course_utils.segmentation_metrics import mean_dice, mean_iou
from course_utils.unet import valid_output_size

from exercise_checks import BY_HAND, fails, passes, refuses_helper, refuses_wrong_kinds, stub


def dice(predicted, truth):
    predicted, truth = np.asarray(predicted, bool), np.asarray(truth, bool)
    total = predicted.sum() + truth.sum()
    return 1.0 if total == 0 else 2 * np.sum(predicted & truth) / total


def unet_output_size(size, depth):
    for _ in range(depth):
        size = (size - 4) // 2
    size -= 4
    for _ in range(depth):
        size = 2 * size - 4
    return size


def test_right_answers_pass(capsys):
    passes(exercise_1, dice, capsys=capsys)
    passes(exercise_2, unet_output_size, capsys=capsys)


@pytest.mark.parametrize("exercise, helper", [
    (exercise_1, mean_dice), (exercise_1, mean_iou), (exercise_1, _reference_dice),
    (exercise_2, valid_output_size), (exercise_2, _reference_unet_output_size),
], ids=["mean_dice", "mean_iou", "dice reference", "valid_output_size", "size reference"])
def test_the_course_implementations_are_refused_bare_and_wrapped(exercise, helper):
    refuses_helper(exercise, helper)


def test_dice_from_the_lessons_iou_is_refused():
    # Dice = 2 IoU / (1 + IoU): right, but the lesson's metric does the counting.
    fails(exercise_1, lambda p, t: 2 * mean_iou(p, t) / (1 + mean_iou(p, t)), match=BY_HAND)
    fails(exercise_1, lambda p, t: 2 * lesson07._iou(p, t) / (1 + lesson07._iou(p, t)), match=BY_HAND)


@pytest.mark.parametrize("exercise, right", [(exercise_1, dice), (exercise_2, unet_output_size)],
                         ids=["dice", "size"])
def test_outputs_of_the_wrong_kind_are_refused(exercise, right):
    refuses_wrong_kinds(exercise, right)


def iou(predicted, truth):  # the lesson's other metric is not Dice
    predicted, truth = np.asarray(predicted, bool), np.asarray(truth, bool)
    union = np.sum(predicted | truth)
    return 1.0 if union == 0 else np.sum(predicted & truth) / union


def dice_averaged_per_row(predicted, truth):
    return float(np.mean([dice(p, t) for p, t in zip(np.asarray(predicted), np.asarray(truth))]))


def test_a_mistake_is_named_only_when_it_matches_every_hidden_case():
    # Issue 20: a per-row Dice gives the pixel accuracy's 0.875 on the first failing case and
    # was told "that is the pixel accuracy".
    fails(exercise_1, dice_averaged_per_row, match="wrong values")
    with pytest.raises(Exception) as failure:
        exercise_1.check(dice_averaged_per_row)
    assert "pixel accuracy" not in str(failure.value)
    fails(exercise_1, lambda p, t: float(np.mean(np.asarray(p, bool) == np.asarray(t, bool))),
          match="that is the pixel accuracy")


def dice_nan_when_empty(predicted, truth):
    predicted, truth = np.asarray(predicted, float), np.asarray(truth, float)
    with np.errstate(invalid="ignore"):
        return 2 * np.sum(predicted * truth) / (predicted.sum() + truth.sum())


def dice_zero_when_empty(predicted, truth):
    predicted, truth = np.asarray(predicted, bool), np.asarray(truth, bool)
    total = predicted.sum() + truth.sum()
    return 0.0 if total == 0 else 2 * np.sum(predicted & truth) / total


def dice_over_union(predicted, truth):
    predicted, truth = np.asarray(predicted, bool), np.asarray(truth, bool)
    union = np.sum(predicted | truth)
    return 1.0 if union == 0 else 2 * np.sum(predicted & truth) / union


@pytest.mark.parametrize("wrong, match", [
    (iou, "that is the IoU"),
    (dice_nan_when_empty, "0/0 = nan"),
    (dice_zero_when_empty, "convention gives 1.0"),
    (dice_over_union, "wrong values"),
])
def test_wrong_dice_answers_fail_with_a_hint(wrong, match):
    fails(exercise_1, wrong, match=match)


def no_bottleneck(size, depth):
    for _ in range(depth):
        size = (size - 4) // 2
    for _ in range(depth):
        size = 2 * size - 4
    return size


def two_pixels_per_block(size, depth):
    for _ in range(depth):
        size = (size - 2) // 2
    size -= 2
    for _ in range(depth):
        size = 2 * size - 2
    return size


def float_halving(size, depth):
    for _ in range(depth):
        size = (size - 4) / 2
    size -= 4
    for _ in range(depth):
        size = 2 * size - 4
    return size


def up_path_without_convolutions(size, depth):
    for _ in range(depth):
        size = (size - 4) // 2
    return (size - 4) * 2**depth


@pytest.mark.parametrize("wrong, match", [
    (no_bottleneck, "bottleneck"),
    (two_pixels_per_block, r"\*each\* side"),
    (lambda size, depth: size, "padded"),
    (float_halving, "whole number"),
    (up_path_without_convolutions, "wrong values"),
])
def test_wrong_output_sizes_fail_with_a_hint(wrong, match):
    fails(exercise_2, wrong, match=match)


def test_the_hidden_sizes_all_fit_the_network():
    from course_utils.exercises.lesson07 import _unet_cases

    for case in _unet_cases():
        assert valid_output_size(*case.args) == _reference_unet_output_size(*case.args)


def test_stubs_and_placeholders_are_not_done_yet(capsys):
    for exercise in (exercise_1, exercise_2):
        exercise.check(...)
        exercise.check(stub)
        exercise.hint()
        exercise.solution()
    assert capsys.readouterr().out.count(NOT_DONE_PHRASE) == 4
