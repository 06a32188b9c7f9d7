"""course_utils.image_datasets.load_preferred: unknown names are a mistake in the code
(issue 19, defect 5), only a failed download falls back, and the download settings are
passed per call instead of through os.environ."""

from __future__ import annotations

import os

import numpy as np
import pytest

from course_utils import image_datasets
from data_download import DatasetError


@pytest.fixture
def fake_load(monkeypatch):
    """Replace data_download.load: cifar10 cannot be downloaded, the others are tiny."""
    calls = []

    def load(name, progress=True, **patience):
        calls.append((name, patience, os.environ.get("CNN_COURSE_DATA_TIMEOUT")))
        if name == "cifar10":
            raise DatasetError("Could not get cifar-10-binary.tar.gz: offline\nTried: ...")
        images = np.full((5, 28, 28), 255, "uint8")
        return (images, np.arange(5) % 3), (images[:2], np.array([0, 9]))

    monkeypatch.setattr(image_datasets, "load", load)
    return calls


@pytest.mark.parametrize("preferred", ["cifar-10", "CIFAR 10", "imagenette", "chestmnist", "oxford-iiit-pet"])
def test_an_unknown_or_unsuitable_preferred_name_raises_with_the_names(fake_load, preferred):
    with pytest.raises(ValueError) as caught:
        image_datasets.load_preferred(3, 2, preferred=preferred)
    message = str(caught.value)
    assert f"preferred={preferred!r}" in message
    assert "cifar10" in message and "fashion-mnist" in message and "mnist" in message
    assert fake_load == []  # nothing was loaded, nothing fell back


def test_an_unknown_fallback_name_raises_too(fake_load):
    with pytest.raises(ValueError, match=r"fallback='fashion_mnst'.*choose one of"):
        image_datasets.load_preferred(3, 2, fallback="fashion_mnst")
    assert fake_load == []


def test_names_are_taken_in_the_registry_spelling(fake_load):
    data = image_datasets.load_preferred(3, 2, preferred="MNIST", fallback="Fashion_MNIST")
    assert data.name == "mnist" and [call[0] for call in fake_load] == ["mnist"]


def test_a_failed_download_falls_back_with_per_call_settings_and_leaves_the_environment(
        fake_load, monkeypatch):
    monkeypatch.setenv("CNN_COURSE_DATA_TIMEOUT", "42")
    data = image_datasets.load_preferred(3, 2, timeout_seconds=7)
    assert data.name == "fashion-mnist" and "offline" in data.why and "Tried" not in data.why
    assert fake_load == [
        ("cifar10", {"timeout": 7, "retries": image_datasets.QUICK_RETRIES}, "42"),
        ("fashion-mnist", {}, "42"),
    ]
    assert os.environ["CNN_COURSE_DATA_TIMEOUT"] == "42"
    assert data.x_train.shape == (3, 28, 28, 1) and data.x_train.dtype == np.float32
    assert data.x_train.max() == 1 and data.input_shape == (28, 28, 1) and data.num_classes == 10


def test_sizes_are_checked_first(fake_load):
    with pytest.raises(ValueError, match="train_size"):
        image_datasets.load_preferred(0, 2)
    assert fake_load == []


def test_real_load_takes_the_per_call_settings(tmp_path, monkeypatch, capsys):
    # Against the real data_download: an unreachable cifar10 (nothing in the cache, no
    # mirror, public URLs refused) falls back to a tiny cached Fashion-MNIST.
    from data_download import registry

    monkeypatch.setenv("CNN_COURSE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CNN_COURSE_DATA_RETRIES", "5")
    monkeypatch.delenv("CNN_COURSE_DATA_MIRROR", raising=False)
    original = registry.DATASETS["cifar10"]
    refused = tuple(f"http://127.0.0.1:9/{f.name}" for f in original.files)
    from dataclasses import replace

    monkeypatch.setitem(registry.DATASETS, "cifar10", replace(
        original, files=tuple(replace(f, urls=(url,)) for f, url in zip(original.files, refused))))
    seen = []

    def fashion(name, progress=True, **patience):
        seen.append((name, patience))
        if name == "cifar10":
            from data_download import load
            return load(name, progress=progress, **patience)
        images = np.zeros((4, 28, 28), "uint8")
        return (images, np.arange(4)), (images, np.arange(4))

    monkeypatch.setattr(image_datasets, "load", fashion)
    data = image_datasets.load_preferred(2, 2, timeout_seconds=0.5)
    assert data.name == "fashion-mnist" and "every source failed" in data.why
    assert seen == [("cifar10", {"timeout": 0.5, "retries": 1}), ("fashion-mnist", {})]
    # The download itself ran with one retry, whatever CNN_COURSE_DATA_RETRIES says.
    assert "connection refused" in capsys.readouterr().err.split("(attempt 2 of 2)")[0]
