"""``load(name)``: fetch (if needed), verify, and return NumPy arrays.

Return values, by kind of dataset (all deterministic):

* ``mnist``, ``fashion-mnist``: ``(x_train, y_train), (x_test, y_test)``;
  images uint8 (N, 28, 28), labels uint8 (N,).
* ``cifar10``, ``cifar100``: the same, images uint8 (N, 32, 32, 3) in HWC order,
  labels uint8 (N,); CIFAR-100 gives the 100 *fine* labels.
* MedMNIST sets: the same, images uint8 (N, 28, 28) for grey sets or
  (N, 28, 28, 3) for RGB sets, labels uint8 (N,); ChestMNIST is multi-label and
  keeps labels (N, 14).  ``validation=True`` returns three pairs
  ``(train), (val), (test)``.
* ``tiny-imagenet-200``, ``imagenette``, ``imagewoof`` (image folders): the
  archive is extracted once into the cache and ``load`` returns **file paths**,
  not pixels: ``(train_paths, train_labels), (val_paths, val_labels)`` with
  paths a str ndarray of absolute JPEG paths and labels uint8 (N,), the index of
  the class's WordNet id in sorted order (``class_names(name)``).  Decode them
  with e.g. ``keras.utils.load_img`` or ``tf.io.decode_jpeg``.
* ``oxford-iiit-pet``: ``(train_images, train_masks), (test_images, test_masks)``,
  str ndarrays of image (.jpg) and trimap (.png) paths for the official
  trainval/test split; ``target="category"`` gives uint8 breed labels (0-36)
  instead of mask paths.

``subset=k`` keeps the first k items of every split.  For the array datasets
that is simply the first k (MNIST-style files are already shuffled).  For the
path datasets, whose files are grouped by class, it is the first k of a
round-robin over classes, so a small subset still has every class.

A cached file that fails to decode (damaged after it was verified, in a way the
quick check cannot see) is re-hashed; if it is damaged it is replaced from the
mirror or the public URLs and read again.  Every failure is a DatasetError.
"""

from __future__ import annotations

import errno
import lzma
import tarfile
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from . import extract, formats, settings
from .errors import DatasetError, VerificationError
from .fetch import discard_if_damaged, fetch
from .locking import file_lock
from .registry import DatasetSpec, get_dataset


def load(name: str, subset: int | None = None, *, progress: bool = True,
         timeout: float | None = None, retries: int | None = None, **options):
    """Load dataset ``name`` as NumPy arrays (see the module docstring for shapes).

    ``timeout`` (seconds without data before a download attempt is abandoned) and
    ``retries`` (extra attempts per URL after a failure that may pass) override
    ``CNN_COURSE_DATA_TIMEOUT`` and ``CNN_COURSE_DATA_RETRIES`` for this call.
    """
    dataset = get_dataset(name)
    if subset is not None and (not isinstance(subset, (int, np.integer)) or subset < 1):
        raise DatasetError(f"subset must be a positive integer or None, not {subset!r}")
    unknown = set(options) - _OPTIONS[dataset.loader]
    if unknown:
        raise DatasetError(
            f"load({dataset.name!r}) does not take {', '.join(sorted(unknown))}; "
            f"options for it: {', '.join(sorted(_OPTIONS[dataset.loader])) or 'none'}")
    patience = {"timeout": timeout, "retries": retries}
    folder = fetch(dataset.name, progress=progress, **patience)
    replaced = set()
    while True:
        try:
            splits = LOADERS[dataset.loader](dataset, folder, **options)
            break
        except UnreadableCachedFile as problem:
            if problem.path.name in replaced:  # a fresh, verified copy that still cannot be read
                raise DatasetError(f"{problem}\nIt was replaced by a freshly verified copy, which "
                                   "could not be read either: please report this as a bug.") from None
            replaced.add(problem.path.name)
            folder = _replace_damaged(dataset, problem, progress, patience)
    return tuple(_take(split, subset, dataset.loader) for split in splits)


class UnreadableCachedFile(DatasetError):
    """A cached file of a dataset failed to decode; ``path`` says which."""

    def __init__(self, dataset: DatasetSpec, path: Path, error: str):
        super().__init__(f"{dataset.name}: the cached file {path} could not be read ({error}). Run "
                         f"`python -m data_download verify {dataset.name}` to re-check it.")
        self.path = path


# What a damaged file raises while it is decoded (besides OSError such as gzip.BadGzipFile,
# handled on its own): a truncated
# file EOFError, a bad deflate stream zlib.error, a bad .npz or
# IDX file VerificationError (formats.py).
_DECODE_ERRORS = (EOFError, ValueError, zlib.error, lzma.LZMAError, tarfile.TarError,
                  zipfile.BadZipFile, VerificationError)


# Decode errors carry no errno; a file gone or unreadable in place is damage too.
_DAMAGE_ERRNOS = (None, errno.ENOENT, errno.EIO)


@contextmanager
def _reading(dataset: DatasetSpec, path: Path):
    """Turn a decode error while reading the cached ``path`` into UnreadableCachedFile."""
    try:
        yield
    except UnreadableCachedFile:
        raise
    except OSError as error:
        if error.errno not in _DAMAGE_ERRNOS:  # the disk, not the file: a full disk, no permission
            raise DatasetError(f"{dataset.name}: reading {path} failed ({type(error).__name__}: "
                               f"{error.strerror or error})") from None
        raise UnreadableCachedFile(dataset, path, f"{type(error).__name__}: {error}") from None
    except _DECODE_ERRORS as error:
        detail = error.reason if isinstance(error, DatasetError) else f"{type(error).__name__}: {error}"
        raise UnreadableCachedFile(dataset, path, detail) from None


def _replace_damaged(dataset: DatasetSpec, problem: UnreadableCachedFile, progress: bool,
                     patience: dict) -> Path:
    """Re-hash the file that failed to decode; if it is damaged, fetch it again."""
    damage = discard_if_damaged(dataset.name, problem.path.name)
    if damage is None:
        raise DatasetError(f"{problem}\nIts full hash check passes, so the file is as published "
                           "but could not be decoded here: please report this as a bug.")
    try:
        return fetch(dataset.name, progress=progress, **patience)
    except DatasetError as error:
        raise DatasetError(
            f"The cached file {problem.path} was damaged ({damage}), so it was removed, and a "
            f"fresh copy could not be had.\n{error}") from None


def _take(split, subset, loader):
    if loader in _PATH_LOADERS:
        if subset is None:
            return split[0], split[1]
        order = _round_robin(split[2])[:subset]
        return split[0][order], split[1][order]
    if subset is None:
        return split
    return tuple(part[:subset] for part in split)


def _round_robin(classes: np.ndarray) -> np.ndarray:
    """Indices ordered class0[0], class1[0], ..., class0[1], ... (stable)."""
    rank = np.zeros(len(classes), dtype=np.int64)
    for value in np.unique(classes):
        members = np.flatnonzero(classes == value)
        rank[members] = np.arange(len(members))
    return np.lexsort((np.arange(len(classes)), classes, rank))


def _file(folder: Path, dataset: DatasetSpec, prefix: str) -> Path:
    return folder / next(f.name for f in dataset.files if f.name.startswith(prefix))


def _load_idx(dataset, folder):
    def read(prefix):
        path = _file(folder, dataset, prefix)
        with _reading(dataset, path):
            return formats.read_idx(path)

    return (read("train-images"), read("train-labels")), (read("t10k-images"), read("t10k-labels"))


def _load_cifar(dataset, folder):
    archive = folder / dataset.files[0].name
    options = dataset.options
    with _reading(dataset, archive):
        return tuple(
            formats.read_cifar_members(archive, options[split], options["label_bytes"], options["label_index"])
            for split in ("train", "test")
        )


def _load_medmnist(dataset, folder, validation: bool = False):
    path = folder / dataset.files[0].name
    with _reading(dataset, path):
        arrays = formats.read_npz(path)
    single_label = dataset.options.get("label_columns", 1) == 1
    splits = ("train", "val", "test") if validation else ("train", "test")
    result = []
    for split in splits:
        labels = arrays[f"{split}_labels"].astype(np.uint8)
        result.append((arrays[f"{split}_images"], labels.reshape(-1) if single_label else labels))
    return tuple(result)


def extracted(dataset: DatasetSpec, folder: Path, file_name: str) -> Path:
    """The extraction folder of one archive of ``dataset`` (extracting it once)."""
    archive = folder / file_name
    destination = folder / ("extracted-" + file_name.split(".")[0])
    if extract.is_complete(destination):
        return destination  # no lock needed (and none taken: the cache may be read-only)
    with file_lock(archive), _reading(dataset, archive):
        return extract.extract(archive, destination)


def _paths(files) -> np.ndarray:
    return np.array([str(p) for p in files], dtype=str)


def _folder_split(split_dir: Path, classes: list[str], pattern: str):
    paths, labels = [], []
    for index, wnid in enumerate(classes):
        found = sorted((split_dir / wnid).glob(pattern))
        paths += found
        labels += [index] * len(found)
    labels = np.array(labels, dtype=np.uint8)
    return _paths(paths), labels, labels


def _load_image_folder(dataset, folder):
    root = extracted(dataset, folder, dataset.files[0].name) / dataset.options["root"]
    classes = sorted(p.name for p in (root / "train").iterdir() if p.is_dir())
    return tuple(_folder_split(root / split, classes, "*.JPEG") for split in ("train", "val"))


def _load_tiny_imagenet(dataset, folder):
    root = extracted(dataset, folder, dataset.files[0].name) / dataset.options["root"]
    classes = sorted((root / "wnids.txt").read_text().split())
    train = _folder_split(root / "train", classes, "images/*.JPEG")
    index = {wnid: i for i, wnid in enumerate(classes)}
    rows = [line.split("\t") for line in (root / "val" / "val_annotations.txt").read_text().splitlines() if line]
    rows.sort()
    labels = np.array([index[row[1]] for row in rows], dtype=np.uint8)
    val = _paths(root / "val" / "images" / row[0] for row in rows), labels, labels
    return train, val


def _load_oxford_pet(dataset, folder, target: str = "segmentation"):
    if target not in ("segmentation", "category"):
        raise DatasetError(f"target must be 'segmentation' or 'category', not {target!r}")
    images = extracted(dataset, folder, "images.tar.gz") / "images"
    annotations = extracted(dataset, folder, "annotations.tar.gz") / "annotations"
    result = []
    for split in ("trainval", "test"):
        names, labels = [], []
        for line in (annotations / f"{split}.txt").read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                fields = line.split()
                names.append(fields[0])
                labels.append(int(fields[1]) - 1)  # class ids are 1-based
        labels = np.array(labels, dtype=np.uint8)
        image_paths = _paths(images / f"{n}.jpg" for n in names)
        second = labels if target == "category" else _paths(annotations / "trimaps" / f"{n}.png" for n in names)
        result.append((image_paths, second, labels))
    return tuple(result)


def class_names(name: str) -> list[str]:
    """Class names in label order for the datasets whose names are data-defined."""
    dataset = get_dataset(name)
    if dataset.loader == "image-folder":
        root = extracted(dataset, fetch(name), dataset.files[0].name) / dataset.options["root"]
        return sorted(p.name for p in (root / "train").iterdir() if p.is_dir())
    if dataset.loader == "tiny-imagenet":
        root = extracted(dataset, fetch(name), dataset.files[0].name) / dataset.options["root"]
        return sorted((root / "wnids.txt").read_text().split())
    if dataset.loader == "oxford-pet":
        _load_oxford_pet(dataset, fetch(name))
        names = {}
        annotations = settings.cache_dir() / dataset.name / "extracted-annotations" / "annotations"
        for line in (annotations / "trainval.txt").read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                fields = line.split()
                names[int(fields[1]) - 1] = fields[0].rsplit("_", 1)[0]
        return [names[i] for i in sorted(names)]
    raise DatasetError(f"class_names() covers the image-folder datasets; {name!r} has integer labels")


LOADERS = {
    "idx": _load_idx,
    "cifar": _load_cifar,
    "medmnist": _load_medmnist,
    "image-folder": _load_image_folder,
    "tiny-imagenet": _load_tiny_imagenet,
    "oxford-pet": _load_oxford_pet,
}
_OPTIONS = {
    "idx": set(), "cifar": set(), "medmnist": {"validation"},
    "image-folder": set(), "tiny-imagenet": set(), "oxford-pet": {"target"},
}
# Loaders whose splits are (paths, second, class-for-round-robin) triples.
_PATH_LOADERS = {"image-folder", "tiny-imagenet", "oxford-pet"}
