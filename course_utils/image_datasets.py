"""One small image-classification dataset for lesson 05: CIFAR-10 when it can be had,
Fashion-MNIST otherwise.

The architectures of lesson 05 were made for colour photographs, so CIFAR-10 is the
natural test. It is 160 MB and not in the offline mirror CI uses; Fashion-MNIST is.
:func:`load_preferred` tries the preferred dataset with a short download timeout (a
missing network costs seconds, not minutes), falls back when it cannot be had, and says
which one it used.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from course_utils.pixels import to_unit_float
from data_download import DatasetError, load
from data_download.settings import RETRIES_VARIABLE, TIMEOUT_VARIABLE

#: Seconds without a byte before the preferred dataset's download is abandoned.
QUICK_TIMEOUT_SECONDS = 10


@dataclass
class ImageDataset:
    name: str
    x_train: np.ndarray  # float32 (N, height, width, channels) in [0, 1]
    y_train: np.ndarray  # int32 (N,)
    x_test: np.ndarray
    y_test: np.ndarray
    why: str  # one line: which dataset and why

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return tuple(int(size) for size in self.x_train.shape[1:])

    @property
    def num_classes(self) -> int:
        return int(max(self.y_train.max(), self.y_test.max())) + 1


@contextmanager
def _patient_for(seconds: float):
    """Set a short stall timeout and no retries for the duration, then restore."""
    saved = {name: os.environ.get(name) for name in (TIMEOUT_VARIABLE, RETRIES_VARIABLE)}
    os.environ[TIMEOUT_VARIABLE] = str(seconds)
    os.environ[RETRIES_VARIABLE] = "0"
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def as_images(x: np.ndarray) -> np.ndarray:
    """uint8 (N, H, W) or (N, H, W, C) in 0..255 -> float32 (N, H, W, C) in [0, 1]."""
    x = np.asarray(x)
    if x.ndim == 3:
        x = x[..., np.newaxis]
    if x.ndim != 4:
        raise ValueError(f"expected images of shape (N, height, width[, channels]), got {x.shape}")
    return to_unit_float(x)


def load_preferred(train_size: int, test_size: int, preferred: str = "cifar10",
                   fallback: str = "fashion-mnist", timeout_seconds: float = QUICK_TIMEOUT_SECONDS) -> ImageDataset:
    """The first ``train_size`` training and ``test_size`` test images of ``preferred``, or
    of ``fallback`` when ``preferred`` cannot be downloaded or found in a mirror/cache."""
    for size_name, size in (("train_size", train_size), ("test_size", test_size)):
        if not isinstance(size, (int, np.integer)) or size < 1:
            raise ValueError(f"{size_name} must be a positive whole number, got {size!r}")
    try:
        with _patient_for(timeout_seconds):
            (x_train, y_train), (x_test, y_test) = load(preferred, progress=False)
        name, why = preferred, f"{preferred}: found in the cache, the mirror or online"
    except DatasetError as error:
        first_line = str(error).strip().splitlines()[0]
        (x_train, y_train), (x_test, y_test) = load(fallback, progress=False)
        name, why = fallback, f"{fallback}, because {preferred} could not be had ({first_line})"
    return ImageDataset(name, as_images(x_train[:train_size]), np.asarray(y_train[:train_size], "int32"),
                        as_images(x_test[:test_size]), np.asarray(y_test[:test_size], "int32"), why)
