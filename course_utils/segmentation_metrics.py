"""How good is a segmentation? Pixel accuracy, IoU, Dice, and counting separated objects.

For binary masks (1 = object, 0 = background), with TP, FP, FN the counts of true
positive, false positive and false negative pixels:

* pixel accuracy = correct pixels / all pixels. Misleading when the object is small:
  predicting "background" everywhere scores the background's share.
* IoU (intersection over union, Jaccard) = TP / (TP + FP + FN).
* Dice (F1 score of the pixels) = 2 TP / (2 TP + FP + FN) = 2 IoU / (1 + IoU).

Empty masks (conventions used throughout the course):

* both the prediction and the truth empty: IoU = Dice = 1 (nothing to find, nothing
  found: a perfect answer, and a 0/0 that must not become NaN);
* exactly one of them empty: IoU = Dice = 0.

Every function takes one mask (H, W) or a stack (N, H, W) with at least one pixel (an
empty stack raises ValueError rather than return NaN): ``per_image_*`` returns one
score per image, ``mean_*`` their mean (every image counts the same, however big its
objects; the pixels of all images pooled together would let big objects dominate).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage


def _as_binary_stack(predicted, truth):
    predicted, truth = np.asarray(predicted), np.asarray(truth)
    if predicted.shape != truth.shape:
        raise ValueError(f"predicted and true masks must have the same shape, got "
                         f"{predicted.shape} and {truth.shape}")
    if predicted.ndim not in (2, 3):
        raise ValueError(f"masks must be (H, W) or (N, H, W), got shape {predicted.shape}; "
                         f"take the argmax over the class axis of a model's output first.")
    if predicted.size == 0:
        # A mean over no images or no pixels is 0/0: NumPy would return NaN with a warning,
        # and a NaN score passes silently through comparisons (NaN >= 0.9 is just False).
        raise ValueError(f"masks of shape {predicted.shape} hold no pixels: there is nothing "
                         f"to score. Is the test set empty, or was it filtered to nothing?")
    for name, mask in (("predicted", predicted), ("truth", truth)):
        values = np.unique(mask)
        if not np.all(np.isin(values, (0, 1))):
            raise ValueError(f"{name} must be a binary mask of 0/1 (or bool), found values "
                             f"{values[:5].tolist()}: threshold probabilities or compare "
                             f"labels (mask == class) first.")
    if predicted.ndim == 2:
        predicted, truth = predicted[np.newaxis], truth[np.newaxis]
    return predicted.astype(bool), truth.astype(bool)


def _counts(predicted, truth):
    axes = (1, 2)
    tp = np.sum(predicted & truth, axis=axes)
    fp = np.sum(predicted & ~truth, axis=axes)
    fn = np.sum(~predicted & truth, axis=axes)
    return tp, fp, fn


def pixel_accuracy(predicted, truth) -> float:
    """Fraction of pixels whose label is right (all images together)."""
    predicted, truth = _as_binary_stack(predicted, truth)
    return float(np.mean(predicted == truth))


def per_image_iou(predicted, truth) -> np.ndarray:
    predicted, truth = _as_binary_stack(predicted, truth)
    tp, fp, fn = _counts(predicted, truth)
    union = tp + fp + fn
    # Both masks empty (union 0): 1 by convention. np.maximum avoids dividing by zero.
    return np.where(union == 0, 1.0, tp / np.maximum(union, 1))


def per_image_dice(predicted, truth) -> np.ndarray:
    predicted, truth = _as_binary_stack(predicted, truth)
    tp, fp, fn = _counts(predicted, truth)
    total = 2 * tp + fp + fn
    return np.where(total == 0, 1.0, 2 * tp / np.maximum(total, 1))


def mean_iou(predicted, truth) -> float:
    return float(np.mean(per_image_iou(predicted, truth)))


def mean_dice(predicted, truth) -> float:
    return float(np.mean(per_image_dice(predicted, truth)))


def count_separated_objects(predicted, instances, iou_threshold: float = 0.5) -> tuple[int, int]:
    """``(found, total)``: how many of the true objects come out as their own object.

    The predicted foreground (H, W) or (N, H, W) is split into connected regions
    (4-connectivity); a true object (a label > 0 in ``instances``) counts as found when
    one region overlaps it with IoU > ``iou_threshold``. With a threshold of at least 0.5
    a region can match at most one object, so two touching cells predicted as one blob
    count as at most one found (usually none).
    """
    if not 0.5 <= iou_threshold < 1:
        raise ValueError(f"iou_threshold must be in [0.5, 1) so that matches are one-to-one, "
                         f"got {iou_threshold}")
    predicted, instances = np.asarray(predicted), np.asarray(instances)
    if predicted.shape != instances.shape or predicted.ndim not in (2, 3):
        raise ValueError(f"predicted foreground and instances must both be (H, W) or (N, H, W), "
                         f"got {predicted.shape} and {instances.shape}")
    if predicted.ndim == 2:
        predicted, instances = predicted[np.newaxis], instances[np.newaxis]
    found = total = 0
    for mask, truth in zip(predicted.astype(bool), instances):
        regions, _ = ndimage.label(mask)
        labels = np.unique(truth[truth > 0])
        total += len(labels)
        if not len(labels) or regions.max() == 0:
            continue
        # overlap[t, r]: pixels shared by true object t and predicted region r.
        overlap = np.zeros((truth.max() + 1, regions.max() + 1), dtype=np.int64)
        np.add.at(overlap, (truth.ravel(), regions.ravel()), 1)
        true_sizes = overlap.sum(axis=1, keepdims=True)
        region_sizes = overlap.sum(axis=0, keepdims=True)
        iou = overlap / np.maximum(true_sizes + region_sizes - overlap, 1)
        best = iou[labels, 1:].max(axis=1)  # region 0 is the predicted background
        found += int(np.sum(best > iou_threshold))
    return found, total
