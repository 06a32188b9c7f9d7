"""Receptive fields: the formula against a brute-force gradient experiment."""

import numpy as np
import pytest

from course_utils.receptive_field import (footprint_size, gradient_footprint, receptive_field,
                                          receptive_fields)


def test_stacked_3x3_layers_see_3_5_7():
    assert [field for field, _ in receptive_fields([(3, 1)] * 3)] == [3, 5, 7]


def test_stride_and_pooling_make_later_layers_grow_faster():
    # conv 3 stride 2, then conv 3: 3, then 3 + 2 * 2 = 7
    assert receptive_fields([(3, 2), (3, 1)]) == [(3, 2), (7, 2)]
    # conv 3, 2x2 pool, conv 3, 2x2 pool, conv 3 (a small LeNet-like stack)
    assert receptive_field([(3, 1), (2, 2), (3, 1), (2, 2), (3, 1)]) == 18
    # AlexNet's first layer, 11x11 stride 4, then 3x3 max pool stride 2
    assert receptive_fields([(11, 4), (3, 2)]) == [(11, 4), (19, 8)]


@pytest.mark.parametrize("layers", [
    [(3, 1)], [(3, 1)] * 2, [(3, 1)] * 3, [(5, 1), (3, 1)], [(3, 2), (3, 1)],
    [(3, 1), (2, 2), (3, 1)], [(3, 1), (2, 2), (3, 1), (2, 2), (3, 1)], [(7, 2), (3, 2), (3, 1)],
])
def test_formula_matches_the_gradient_experiment(layers):
    size = receptive_field(layers)
    footprint = gradient_footprint(layers, input_size=size + 12)
    assert footprint_size(footprint) == (size, size)
    # every pixel inside the box really receives a gradient: the field is a full square
    assert np.count_nonzero(footprint) == size * size


def test_footprint_size_of_nothing_and_of_one_pixel():
    assert footprint_size(np.zeros((4, 4))) == (0, 0)
    one = np.zeros((5, 5))
    one[2, 3] = 0.1
    assert footprint_size(one) == (1, 1)


@pytest.mark.parametrize("layers, message", [([], "at least one layer"), ([(0, 1)], "at least 1"),
                                             ([(3,)], "kernel_size, stride")])
def test_bad_layers_are_refused(layers, message):
    with pytest.raises(ValueError, match=message):
        receptive_fields(layers)


def test_input_smaller_than_the_field_is_refused():
    with pytest.raises(ValueError, match="smaller than the receptive field"):
        gradient_footprint([(3, 1)] * 3, input_size=5)
