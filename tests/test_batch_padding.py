"""Padding a batch to a power of two: one helper, used by the predictions and the input
gradients of lesson 06 (they had a copy each)."""

import inspect

import numpy as np
import pytest

from course_utils import adversarial, batch_padding, input_gradients
from course_utils.batch_padding import MINIMUM_PADDED_SIZE, pad_batch, padded_size


@pytest.mark.parametrize("count, expected", [(0, 8), (1, 8), (8, 8), (9, 16), (500, 512), (512, 512), (513, 1024)])
def test_padded_size_is_the_next_power_of_two_and_at_least_the_minimum(count, expected):
    assert MINIMUM_PADDED_SIZE == 8
    assert padded_size(count) == expected


def test_pad_batch_adds_rows_of_zeros_and_keeps_the_rows_and_dtypes():
    images = np.arange(5 * 2 * 2, dtype="float32").reshape(5, 2, 2) + 1
    labels = np.array([3, 1, 4, 1, 5], "int32")
    padded_images, padded_labels = pad_batch(images, labels)
    assert padded_images.shape == (8, 2, 2) and padded_labels.shape == (8,)
    assert padded_images.dtype == np.float32 and padded_labels.dtype == np.int32
    np.testing.assert_array_equal(padded_images[:5], images)
    assert not padded_images[5:].any() and not padded_labels[5:].any()
    (same,) = pad_batch(np.zeros((16, 3)))
    assert same.shape == (16, 3)


def test_pad_batch_refuses_arrays_of_different_lengths():
    with pytest.raises(ValueError, match="same number of rows"):
        pad_batch(np.zeros((3, 2)), np.zeros(4))


def test_the_attacks_and_the_input_gradients_pad_through_the_one_helper(monkeypatch):
    # Regression: adversarial.py and input_gradients.py each had their own copy of the rule.
    assert input_gradients.pad_batch is batch_padding.pad_batch
    assert adversarial.pad_batch is batch_padding.pad_batch
    for module in (adversarial, input_gradients):
        assert "bit_length" not in inspect.getsource(module), f"{module.__name__} pads by itself"
    sizes = []
    monkeypatch.setattr(batch_padding, "padded_size", lambda count: sizes.append(count) or 16)

    class Model:
        @staticmethod
        def predict_on_batch(batch):
            assert len(batch) == 16
            return np.zeros((len(batch), 3), "float32")

    probabilities = adversarial.class_probabilities(Model(), np.zeros((5, 2, 2, 1), "float32"))
    assert probabilities.shape == (5, 3) and sizes == [5]
