"""Exercises of lesson 07 (U-Net segmentation): the Dice coefficient with empty masks, and
the output size of an unpadded U-Net."""

from __future__ import annotations

import numpy as np

from course_utils import segmentation_metrics, unet
from course_utils.exercises.cases import Case, Mistake, compare_with_reference, require_callable
from course_utils.exercises.core import Exercise
from course_utils.exercises.off_limits import for_exercise


# --------------------------------------------------------------------------- exercise 1
def _reference_dice(predicted, truth):
    predicted, truth = np.asarray(predicted, bool), np.asarray(truth, bool)
    total = predicted.sum() + truth.sum()  # 2 TP + FP + FN
    if total == 0:
        return 1.0  # both empty: nothing to find, nothing found
    return float(2 * np.sum(predicted & truth) / total)


def _iou(predicted, truth):
    predicted, truth = np.asarray(predicted, bool), np.asarray(truth, bool)
    union = np.sum(predicted | truth)
    return 1.0 if union == 0 else float(np.sum(predicted & truth) / union)


def _pixel_accuracy(predicted, truth):
    return float(np.mean(np.asarray(predicted, bool) == np.asarray(truth, bool)))


def _dice_empty_is_zero(predicted, truth):
    predicted, truth = np.asarray(predicted, bool), np.asarray(truth, bool)
    total = predicted.sum() + truth.sum()
    return 0.0 if total == 0 else float(2 * np.sum(predicted & truth) / total)


def _dice_without_the_two(predicted, truth):
    predicted, truth = np.asarray(predicted, bool), np.asarray(truth, bool)
    total = predicted.sum() + truth.sum()
    return 1.0 if total == 0 else float(np.sum(predicted & truth) / total)


def _dice_nan_when_empty(predicted, truth):
    predicted, truth = np.asarray(predicted, float), np.asarray(truth, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(2 * np.sum(predicted * truth) / (predicted.sum() + truth.sum()))


def _dice_cases() -> list[Case]:
    rng = np.random.default_rng(701)
    square = np.zeros((8, 8), np.uint8)
    square[2:6, 2:6] = 1
    shifted = np.roll(square, 1, axis=1)
    cases = [
        Case("a 4x4 square against the same square moved one pixel right", (shifted, square)),
        Case("two random 16x16 masks", (rng.random((16, 16)) < 0.3, rng.random((16, 16)) < 0.4)),
        Case("a prediction that covers the truth and more", (np.ones((6, 6), np.uint8), square[1:7, 1:7])),
        Case("both masks empty (no object, none predicted)", (np.zeros((5, 5), np.uint8),) * 2),
        Case("an empty prediction for an image with an object", (np.zeros((8, 8), np.uint8), square)),
        Case("an object predicted where there is none", (square, np.zeros((8, 8), np.uint8))),
        Case("two masks of bool dtype, 3x7", (rng.random((3, 7)) < 0.5, rng.random((3, 7)) < 0.5)),
        Case("identical masks", (square, square.copy())),
    ]
    return cases


def _check_dice(dice) -> str:
    require_callable(dice, "dice")
    cases = _dice_cases()
    compare_with_reference(dice, _reference_dice, cases, name="dice", mistakes=[
        Mistake(_iou, "that is the IoU, TP / (TP + FP + FN). Dice counts the overlap twice: "
                "2 TP / (2 TP + FP + FN)."),
        Mistake(_pixel_accuracy, "that is the pixel accuracy (it counts the background as right "
                "answers too); Dice looks only at the object's pixels."),
        Mistake(_dice_empty_is_zero, "when both masks are empty the lesson's convention gives 1.0 "
                "(nothing to find, nothing found), not 0."),
        Mistake(_dice_nan_when_empty, "both masks empty gives 0/0 = nan: return 1.0 in that case."),
        Mistake(_dice_without_the_two, "the overlap counts twice: 2 TP in the numerator, because "
                "the denominator counts TP once in each mask."),
    ], off_limits=for_exercise(
        __name__, segmentation_metrics.mean_dice, segmentation_metrics.per_image_dice,
        segmentation_metrics.mean_iou, segmentation_metrics.per_image_iou, segmentation_metrics._counts,
        advice="Count the pixels with NumPy (np.sum of the masks and of their overlap)."))
    return f"dice matches the reference on {len(cases)} hidden pairs of masks, empty ones included."


exercise_1 = Exercise(
    "Lesson 07, exercise 1 (the Dice coefficient)", _check_dice,
    hint=["Dice = 2 TP / (2 TP + FP + FN), with TP the pixels that both masks mark; unlike the "
          "pixel accuracy it ignores the background.",
          "With both masks as bool arrays, TP is the number of pixels of predicted & truth, and "
          "2 TP + FP + FN is simply the number of pixels each mask marks, added.",
          "When both masks are empty the ratio is 0 / 0: the lesson's convention returns 1.0 "
          "(nothing to find, nothing found)."],
    solution=_reference_dice)


# --------------------------------------------------------------------------- exercise 2
def _reference_unet_output_size(input_size, depth):
    size = input_size
    for _ in range(depth):
        size = (size - 4) // 2  # two unpadded 3x3 convolutions, then 2x2 pooling
    size -= 4  # the bottleneck block
    for _ in range(depth):
        size = 2 * size - 4  # up-convolution doubles, then two convolutions
    return size


def _no_bottleneck(input_size, depth):
    size = input_size
    for _ in range(depth):
        size = (size - 4) // 2
    for _ in range(depth):
        size = 2 * size - 4
    return size


def _one_pixel_per_convolution(input_size, depth):
    size = input_size
    for _ in range(depth):
        size = (size - 2) // 2
    size -= 2
    for _ in range(depth):
        size = 2 * size - 2
    return size


def _padded(input_size, depth):
    return input_size


def _unet_cases() -> list[Case]:
    # Sizes that fit: every pooled map has an even side. 572 is the paper's.
    fitting = [(572, 4), (188, 2), (92, 1), (252, 3), (1148, 5), (60, 1), (700, 4)]
    return [Case(f"input_size={size}, depth={depth}", (size, depth)) for size, depth in fitting]


def _check_unet_output_size(unet_output_size) -> str:
    require_callable(unet_output_size, "unet_output_size")
    cases = _unet_cases()
    compare_with_reference(unet_output_size, _reference_unet_output_size, cases,
                           name="unet_output_size", mistakes=[
        Mistake(_no_bottleneck, "the bottleneck (the bottom of the U) is a block of two "
                "convolutions too: 4 more pixels off before the way up."),
        Mistake(_one_pixel_per_convolution, "an unpadded 3x3 convolution takes 1 pixel off "
                "*each* side, so 2 off the side length, and a block has two: 4 per block."),
        Mistake(_padded, "that is a padded U-Net; the paper's convolutions are unpadded."),
    ], off_limits=for_exercise(__name__, unet.valid_output_size, unet.build_unet, unet.paper_unet,
                               advice="Follow the side length down the U and back up by hand."))
    return f"unet_output_size is right on {len(cases)} hidden input sizes and depths."


exercise_2 = Exercise(
    "Lesson 07, exercise 2 (how much an unpadded U-Net shrinks)", _check_unet_output_size,
    hint=["Follow one side length down the U and back up. An unpadded 3x3 convolution loses one "
          "pixel at each edge, so its output side is 2 shorter.",
          "On the way down each level is a block of two such convolutions, then a 2x2 pooling "
          "that halves the side; the bottom of the U is one more block.",
          "On the way up each level doubles the side (the up-convolution), then loses what its "
          "block of two convolutions takes off."],
    solution=_reference_unet_output_size)
