"""Real MNIST and Fashion-MNIST from the shared mirror folder beside the repo
checkout (``<repo>/../shared/datasets``), when it exists."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from data_download import load

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"

pytestmark = pytest.mark.skipif(
    not (SHARED / "mnist").is_dir() or not (SHARED / "fashion-mnist").is_dir(),
    reason=f"no shared dataset mirror at {SHARED.resolve()} (real-data tests need it; offline tests cover the code)",
)


@pytest.fixture
def shared_mirror(tmp_path, monkeypatch):
    monkeypatch.setenv("CNN_COURSE_DATA_MIRROR", str(SHARED.resolve()))
    monkeypatch.setenv("CNN_COURSE_DATA_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _check_shapes(splits):
    (x_train, y_train), (x_test, y_test) = splits
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    return y_train, y_test


def test_real_mnist(shared_mirror):
    y_train, y_test = _check_shapes(load("mnist", progress=False))
    counts = np.bincount(y_train, minlength=10)
    assert list(counts[:3]) == [5923, 6742, 5958]
    assert counts.sum() == 60000 and np.bincount(y_test).sum() == 10000
    (x_small, y_small), _ = load("mnist", subset=100, progress=False)
    assert x_small.shape == (100, 28, 28) and y_small.shape == (100,)


def test_real_fashion_mnist(shared_mirror):
    y_train, y_test = _check_shapes(load("fashion-mnist", progress=False))
    assert list(np.bincount(y_train, minlength=10)) == [6000] * 10
    assert list(np.bincount(y_test, minlength=10)) == [1000] * 10
