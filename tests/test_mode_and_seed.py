import numpy as np
import pytest

from course_utils.mode import FAST_MODE_VARIABLE, by_mode, describe_mode, is_fast_mode
from course_utils.seed import set_seed


@pytest.mark.parametrize("value", ["1", "true", "YES", " on "])
def test_fast_mode_words(monkeypatch, value):
    monkeypatch.setenv(FAST_MODE_VARIABLE, value)
    assert is_fast_mode()
    assert by_mode(fast=2, full=20) == 2
    assert "Fast mode" in describe_mode()


@pytest.mark.parametrize("value", ["0", "false", "", "off"])
def test_full_mode_words(monkeypatch, value):
    monkeypatch.setenv(FAST_MODE_VARIABLE, value)
    assert not is_fast_mode()
    assert by_mode(fast=2, full=20) == 20


def test_unset_means_full_mode(monkeypatch):
    monkeypatch.delenv(FAST_MODE_VARIABLE, raising=False)
    assert by_mode(fast="small", full="large") == "large"


def test_unclear_value_says_what_to_set(monkeypatch):
    monkeypatch.setenv(FAST_MODE_VARIABLE, "fastest")
    with pytest.raises(ValueError, match="set it to 1 for fast mode"):
        is_fast_mode()


def test_set_seed_repeats_numpy_and_returns_a_seeded_generator():
    first_generator = set_seed(7)
    first = (np.random.rand(3), first_generator.random(3))
    second_generator = set_seed(7)
    second = (np.random.rand(3), second_generator.random(3))
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert not np.array_equal(set_seed(8).random(3), second[1])
