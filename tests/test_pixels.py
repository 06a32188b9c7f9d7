"""One conversion of 8-bit pixels to floats in [0, 1], used by every loader of the course."""

import re

import numpy as np
import pytest

from course_utils import image_datasets
from course_utils.pixels import to_unit_float
from notebook_files import REPOSITORY_ROOT


def test_whole_numbers_0_to_255_become_float32_in_0_to_1():
    for dtype in ("uint8", "int64"):
        scaled = to_unit_float(np.array([[0, 51, 255]], dtype=dtype))
        assert scaled.dtype == np.float32
        np.testing.assert_array_equal(scaled, np.array([[0.0, 0.2, 1.0]], dtype=np.float32))


def test_floats_are_refused_rather_than_scaled_twice():
    with pytest.raises(ValueError, match="scaled already"):
        to_unit_float(np.array([0.0, 1.0], dtype=np.float32))


@pytest.mark.parametrize("values", [[-1, 0], [0, 256]])
def test_whole_numbers_outside_0_to_255_are_refused(values):
    with pytest.raises(ValueError, match="0..255"):
        to_unit_float(np.array(values))


def test_lesson05_loader_scales_through_the_helper():
    with pytest.raises(ValueError, match="scaled already"):  # it divided floats again before
        image_datasets.as_images(np.ones((2, 4, 4), dtype=np.float32))
    scaled = image_datasets.as_images(np.full((2, 4, 4), 255, dtype=np.uint8))
    assert scaled.shape == (2, 4, 4, 1) and scaled.max() == 1.0


def test_no_other_module_divides_pixels_by_255():
    divided = re.compile(r"/\s*255(\.0*)?\b")
    offenders = [path.name for path in sorted((REPOSITORY_ROOT / "course_utils").glob("*.py"))
                 if path.name != "pixels.py" and divided.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
