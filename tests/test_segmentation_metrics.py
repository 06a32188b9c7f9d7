"""course_utils.segmentation_metrics on hand-computed examples, empty masks, scikit-learn's F1,
and the count of separated objects."""

import numpy as np
import pytest
from sklearn.metrics import f1_score, jaccard_score

from course_utils.segmentation_metrics import (count_separated_objects, mean_dice, mean_iou,
                                               per_image_dice, per_image_iou, pixel_accuracy)

PREDICTED = np.array([[1, 1, 0],
                      [0, 0, 0]])
TRUTH = np.array([[0, 1, 1],
                  [0, 0, 0]])  # TP = 1, FP = 1, FN = 1, TN = 3


def test_hand_computed_example():
    assert pixel_accuracy(PREDICTED, TRUTH) == pytest.approx(4 / 6)
    assert mean_iou(PREDICTED, TRUTH) == pytest.approx(1 / 3)
    assert mean_dice(PREDICTED, TRUTH) == pytest.approx(2 / 4)


def test_perfect_and_disjoint():
    assert mean_dice(TRUTH, TRUTH) == mean_iou(TRUTH, TRUTH) == pixel_accuracy(TRUTH, TRUTH) == 1.0
    disjoint = np.array([[0, 0, 0], [1, 1, 1]])
    assert mean_dice(disjoint, TRUTH) == mean_iou(disjoint, TRUTH) == 0.0
    assert pixel_accuracy(disjoint, TRUTH) == pytest.approx(1 / 6)


def test_empty_masks():
    empty = np.zeros((4, 4), np.uint8)
    some = empty.copy()
    some[1, 1] = 1
    assert mean_dice(empty, empty) == mean_iou(empty, empty) == 1.0  # nothing to find, none found
    assert mean_dice(empty, some) == mean_dice(some, empty) == 0.0
    assert mean_iou(empty, some) == mean_iou(some, empty) == 0.0
    assert pixel_accuracy(empty, some) == pytest.approx(15 / 16)


def test_stacks_average_per_image():
    predicted = np.stack([PREDICTED, np.zeros_like(PREDICTED)])
    truth = np.stack([TRUTH, np.zeros_like(TRUTH)])
    assert np.allclose(per_image_dice(predicted, truth), [0.5, 1.0])
    assert np.allclose(per_image_iou(predicted, truth), [1 / 3, 1.0])
    assert mean_dice(predicted, truth) == pytest.approx(0.75)


def test_agree_with_scikit_learn_and_dice_is_2iou_over_1_plus_iou():
    rng = np.random.default_rng(0)
    for _ in range(5):
        predicted, truth = rng.random((12, 9)) < 0.4, rng.random((12, 9)) < 0.3
        assert mean_dice(predicted, truth) == pytest.approx(f1_score(truth.ravel(), predicted.ravel()))
        assert mean_iou(predicted, truth) == pytest.approx(jaccard_score(truth.ravel(), predicted.ravel()))
        iou = mean_iou(predicted, truth)
        assert mean_dice(predicted, truth) == pytest.approx(2 * iou / (1 + iou))


def test_bad_input_says_what_to_do():
    with pytest.raises(ValueError, match="same shape"):
        mean_dice(np.zeros((3, 3)), np.zeros((3, 4)))
    with pytest.raises(ValueError, match="binary"):
        mean_dice(np.full((3, 3), 0.7), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="argmax"):
        mean_dice(np.zeros((1, 3, 3, 2)), np.zeros((1, 3, 3, 2)))


@pytest.mark.parametrize("shape", [(0, 4, 4), (3, 0, 4), (0, 0)])
def test_masks_without_pixels_raise_instead_of_returning_nan(shape):
    # Regression: np.mean of no images returned NaN with a RuntimeWarning.
    empty = np.zeros(shape)
    for metric in (mean_iou, mean_dice, pixel_accuracy, per_image_dice, per_image_iou):
        with pytest.raises(ValueError, match="no pixels"):
            metric(empty, empty)


def two_touching_cells():
    instances = np.zeros((6, 9), np.int32)
    instances[1:5, 1:4] = 1
    instances[1:5, 5:8] = 2  # column 4 is the gap between them
    return instances


def test_separated_objects_count_split_and_merged_cells():
    instances = two_touching_cells()
    separated = instances > 0
    merged = separated.copy()
    merged[1:5, 4] = True  # the gap predicted as cell: one blob
    assert count_separated_objects(separated, instances) == (2, 2)
    assert count_separated_objects(merged, instances) == (0, 2)  # IoU of each cell with the blob < 0.5
    only_left = instances == 1
    assert count_separated_objects(only_left, instances) == (1, 2)
    assert count_separated_objects(np.zeros_like(separated), instances) == (0, 2)
    stack = np.stack([separated, merged])
    assert count_separated_objects(stack, np.stack([instances, instances])) == (2, 4)


def test_separated_objects_threshold_must_keep_matches_one_to_one():
    with pytest.raises(ValueError, match="one-to-one"):
        count_separated_objects(np.zeros((3, 3)), np.zeros((3, 3), int), iou_threshold=0.3)
