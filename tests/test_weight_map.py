"""course_utils.weight_map: the U-Net paper's weights on hand-computed examples and against a
brute-force distance computation."""

import itertools

import numpy as np
import pytest

from course_utils.weight_map import (class_balance_weights, nearest_two_distances,
                                      unet_weight_map)


def brute_force_distances(instances):
    """d1, d2 by measuring every pixel against every pixel of every object."""
    pixels = np.argwhere(np.ones_like(instances, bool))
    per_object = []
    for label in np.unique(instances[instances > 0]):
        members = np.argwhere(instances == label)
        distance = np.sqrt(((pixels[:, None, :] - members[None, :, :]) ** 2).sum(-1)).min(axis=1)
        per_object.append(distance.reshape(instances.shape))
    stacked = np.sort(np.stack(per_object), axis=0)
    return stacked[0], stacked[1]


def test_two_pixels_on_a_line_by_hand():
    instances = np.array([[1, 0, 0, 0, 0, 0, 2]])
    d1, d2 = nearest_two_distances(instances)
    assert np.allclose(d1, [[0, 1, 2, 3, 2, 1, 0]])
    assert np.allclose(d2, [[6, 5, 4, 3, 4, 5, 6]])
    weights = unet_weight_map(instances, w0=10, sigma=5)
    # class balance: foreground 2/7 of the pixels -> 0.5 / (2/7) = 1.75; background 0.5 / (5/7) = 0.7
    border = 10 * np.exp(-(6.0**2) / (2 * 5.0**2))  # d1 + d2 = 6 on every background pixel here
    expected = np.where(instances > 0, 1.75, 0.7 + border)
    assert np.allclose(weights, expected)
    assert weights.dtype == np.float32


def test_distances_match_brute_force():
    rng = np.random.default_rng(3)
    instances = np.zeros((12, 15), np.int32)
    for label, (y, x) in enumerate([(2, 3), (8, 4), (5, 11), (10, 13)], start=1):
        instances[y:y + rng.integers(1, 3), x:x + rng.integers(1, 4)] = label
    d1, d2 = nearest_two_distances(instances)
    expected_d1, expected_d2 = brute_force_distances(instances)
    assert np.allclose(d1, expected_d1) and np.allclose(d2, expected_d2)


def test_the_gap_between_touching_cells_weighs_most():
    instances = np.zeros((9, 11), np.int32)
    instances[2:7, 1:5] = 1
    instances[2:7, 6:10] = 2  # column 5 is a one-pixel gap
    weights = unet_weight_map(instances)
    gap = weights[2:7, 5]
    assert np.all(gap > 9) and np.allclose(gap, gap[0])
    assert weights.argmax() in np.ravel_multi_index((np.arange(2, 7), np.full(5, 5)), weights.shape)
    assert weights[0, 0] < gap.min() / 2  # a corner far from both cells


def test_one_object_or_none_has_no_border_term():
    one = np.zeros((5, 5), np.int32)
    one[1:3, 1:3] = 1
    assert np.allclose(unet_weight_map(one), class_balance_weights(one > 0))
    empty = np.zeros((4, 4), np.int32)
    assert np.allclose(unet_weight_map(empty), 1.0)  # nothing to balance, no border


def test_class_balance_makes_the_mean_weight_one():
    rng = np.random.default_rng(1)
    foreground = rng.random((3, 10, 10)) < 0.2
    weights = class_balance_weights(foreground)
    assert weights.mean() == pytest.approx(1.0)
    assert weights[foreground].sum() == pytest.approx(weights[~foreground].sum())


def test_background_only_and_given_frequencies():
    instances = np.zeros((9, 11), np.int32)
    instances[2:7, 1:5] = 1
    instances[2:7, 6:10] = 2
    everywhere = unet_weight_map(instances, background_only=False)
    background_only = unet_weight_map(instances)
    assert np.allclose(everywhere[instances == 0], background_only[instances == 0])
    assert np.all(everywhere[instances > 0] > background_only[instances > 0])
    fixed = unet_weight_map(instances, w0=0, class_frequencies=(0.75, 0.25))
    assert np.allclose(fixed, np.where(instances > 0, 2.0, 0.5 / 0.75))


def test_a_stack_equals_image_by_image_with_the_same_frequencies():
    rng = np.random.default_rng(2)
    stack = np.zeros((3, 10, 10), np.int32)
    for image, label in itertools.product(range(3), range(1, 4)):
        y, x = rng.integers(0, 8, 2)
        stack[image, y:y + 2, x:x + 2] = label
    frequencies = (1 - (stack > 0).mean(), (stack > 0).mean())
    together = unet_weight_map(stack)
    for image in range(3):
        assert np.allclose(together[image], unet_weight_map(stack[image], class_frequencies=frequencies))


@pytest.mark.parametrize("instances, arguments, words", [
    (np.zeros((2, 2, 2, 2), int), {}, r"\(H, W\) or \(N, H, W\)"),
    (np.zeros((3, 3)), {}, "integer labels"),
    (np.zeros((3, 3), int), {"sigma": 0}, "sigma > 0"),
])
def test_bad_input(instances, arguments, words):
    with pytest.raises(ValueError, match=words):
        unet_weight_map(instances, **arguments)
