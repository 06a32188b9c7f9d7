"""Lesson 07's exercises: the references pass, the course's own implementations pass, and
plausible wrong answers fail with their hint."""

import numpy as np
import pytest

from course_utils.exercises import NOT_DONE_PHRASE
from course_utils.exercises.lesson07 import (_reference_dice, _reference_unet_output_size,
                                             exercise_1, exercise_2)
from course_utils.segmentation_metrics import mean_dice, mean_iou
from course_utils.unet import valid_output_size

from exercise_checks import fails, passes, stub


def test_dice_reference_and_the_course_metric_pass(capsys):
    passes(exercise_1, _reference_dice, capsys=capsys)
    passes(exercise_1, mean_dice, capsys=capsys)  # the lesson's metric is a right answer too


def iou(predicted, truth):  # the lesson's other metric is not Dice
    return mean_iou(predicted, truth)


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


def test_unet_output_size_reference_and_course_function_pass(capsys):
    passes(exercise_2, _reference_unet_output_size, capsys=capsys)
    passes(exercise_2, valid_output_size, capsys=capsys)


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
