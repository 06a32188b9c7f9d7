"""One small image-classification dataset for lesson 05: CIFAR-10 when it can be had,
Fashion-MNIST otherwise.

The architectures of lesson 05 were made for colour photographs, so CIFAR-10 is the
natural test. It is 160 MB and not in the offline mirror CI uses; Fashion-MNIST is.
:func:`load_preferred` tries the preferred dataset with a short download timeout and one
retry (a missing network costs seconds, not minutes), falls back when it cannot be
downloaded, and says which one it used.  A dataset name that does not exist, or is not
a single-label image-array dataset, is a mistake in the calling code and raises at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from course_utils.pixels import to_unit_float
from data_download import DATASETS, DatasetError, get_dataset, load

#: Seconds without a byte before the preferred dataset's download is abandoned.
QUICK_TIMEOUT_SECONDS = 10
#: One retry: a flaky mirror gets a second chance, but an optional dataset does not
#: hold up the lesson through a whole retry sequence before the fallback.
QUICK_RETRIES = 1


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


def as_images(x: np.ndarray) -> np.ndarray:
    """uint8 (N, H, W) or (N, H, W, C) in 0..255 -> float32 (N, H, W, C) in [0, 1]."""
    x = np.asarray(x)
    if x.ndim == 3:
        x = x[..., np.newaxis]
    if x.ndim != 4:
        raise ValueError(f"expected images of shape (N, height, width[, channels]), got {x.shape}")
    return to_unit_float(x)


def image_classification_names() -> list[str]:
    """The datasets :func:`load_preferred` accepts: image arrays with one label per image."""
    return [name for name, spec in DATASETS.items()
            if spec.loader in ("idx", "cifar", "medmnist") and spec.options.get("label_columns", 1) == 1]


def _known_name(role: str, name: str) -> str:
    """The registry's spelling of ``name`` (``"CIFAR10"`` -> ``"cifar10"``); a ValueError
    listing the choices for anything else, so a typo is not taken for a failed download."""
    known = image_classification_names()
    try:
        resolved = get_dataset(name).name
    except DatasetError:
        resolved = None
    if resolved not in known:
        raise ValueError(f"{role}={name!r} is not an image-classification dataset; "
                         f"choose one of: {', '.join(known)}")
    return resolved


def load_preferred(train_size: int, test_size: int, preferred: str = "cifar10",
                   fallback: str = "fashion-mnist", timeout_seconds: float = QUICK_TIMEOUT_SECONDS) -> ImageDataset:
    """The first ``train_size`` training and ``test_size`` test images of ``preferred``, or
    of ``fallback`` when ``preferred`` cannot be downloaded or found in a mirror/cache."""
    for size_name, size in (("train_size", train_size), ("test_size", test_size)):
        if not isinstance(size, (int, np.integer)) or size < 1:
            raise ValueError(f"{size_name} must be a positive whole number, got {size!r}")
    preferred, fallback = _known_name("preferred", preferred), _known_name("fallback", fallback)
    try:
        (x_train, y_train), (x_test, y_test) = load(preferred, progress=False, timeout=timeout_seconds,
                                                    retries=QUICK_RETRIES)
        name, why = preferred, f"{preferred}: found in the cache, the mirror or online"
    except DatasetError as error:  # only a dataset that could not be had falls back
        first_line = str(error).strip().splitlines()[0]
        (x_train, y_train), (x_test, y_test) = load(fallback, progress=False)
        name, why = fallback, f"{fallback}, because {preferred} could not be had ({first_line})"
    return ImageDataset(name, as_images(x_train[:train_size]), np.asarray(y_train[:train_size], "int32"),
                        as_images(x_test[:test_size]), np.asarray(y_test[:test_size], "int32"), why)
