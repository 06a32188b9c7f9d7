"""course_utils.synthetic_cells: shapes, determinism, masks that agree, gaps between touching
cells, and images that a brightness threshold cannot segment."""

import numpy as np
import pytest
from scipy import ndimage

from course_utils.segmentation_metrics import mean_dice
from course_utils.synthetic_cells import make_cells


@pytest.fixture(scope="module")
def cells():
    return make_cells(40, size=64, seed=5)


def test_shapes_dtypes_and_ranges(cells):
    assert len(cells) == 40
    assert cells.images.shape == (40, 64, 64, 1) and cells.images.dtype == np.float32
    assert cells.instances.shape == (40, 64, 64) and cells.instances.dtype == np.int32
    assert cells.foreground.dtype == np.uint8
    assert cells.images.min() >= 0 and cells.images.max() <= 1
    assert np.array_equal(cells.foreground, (cells.instances > 0).astype(np.uint8))
    assert 0.1 < cells.foreground.mean() < 0.4


def test_deterministic_per_seed_and_independent_of_the_count(cells):
    again = make_cells(10, size=64, seed=5)
    for name in ("images", "instances", "foreground"):
        assert np.array_equal(getattr(again, name), getattr(cells, name)[:10])
    other = make_cells(10, size=64, seed=6)
    assert not np.array_equal(other.images, again.images)


def test_labels_are_numbered_1_to_k_and_each_cell_is_one_piece(cells):
    for labels in cells.instances:
        present = np.unique(labels[labels > 0])
        assert np.array_equal(present, np.arange(1, len(present) + 1))
        assert 3 <= len(present) <= 12
        for label in present:
            _, pieces = ndimage.label(labels == label)
            assert pieces == 1


def test_touching_cells_are_separated_by_background(cells):
    near_pairs = 0
    for labels in cells.instances:
        # No two different cells are 4-neighbours: a gap of background lies between them.
        for shifted, original in ((labels[1:, :], labels[:-1, :]), (labels[:, 1:], labels[:, :-1])):
            assert not np.any((shifted > 0) & (original > 0) & (shifted != original))
        for label in range(1, labels.max() + 1):
            grown = ndimage.binary_dilation(labels == label, iterations=2)
            near_pairs += len(np.setdiff1d(np.unique(labels[grown]), [0, label]))
    # Many cells touch (across a 1-2 pixel gap): the weight map has work to do.
    assert near_pairs / 2 >= 2 * len(cells)


def test_a_brightness_threshold_cannot_segment_them(cells):
    foreground = cells.foreground.astype(bool)
    best = max(mean_dice(cells.images[..., 0] > t, foreground) for t in np.linspace(0.05, 0.95, 37))
    assert 0.5 < best < 0.85  # uneven illumination and debris defeat one global threshold


def test_other_sizes_and_subsets():
    big = make_cells(3, size=96, seed=1)
    assert big.images.shape == (3, 96, 96, 1)
    assert len(big[1:]) == 2 and big[0].images.shape == (1, 96, 96, 1)
    assert make_cells(0).images.shape == (0, 64, 64, 1)


@pytest.mark.parametrize("arguments, words", [
    (dict(n_images=-1), "n_images"), (dict(n_images=2.5), "n_images"), (dict(n_images=1, size=8), "size"),
    (dict(n_images=1, cells_per_image=(5, 2)), "cells_per_image"),
    (dict(n_images=1, touching_probability=1.5), "touching_probability"),
])
def test_bad_arguments(arguments, words):
    with pytest.raises(ValueError, match=words):
        make_cells(**arguments)
