"""Is this file the expected content?  Hash first, then structure.

Hashing is pooch's (``pooch.file_hash``) for whole files; for a payload inside
a compressed container we stream the decompressed bytes through hashlib, which
pooch has no helper for.  A successful full check leaves a small stamp beside
the file (size, mtime, inode); later *quick* checks trust a matching stamp, so a
notebook does not re-hash 800 MB on every ``load``.  A write to the file changes
its mtime and replacing it changes its inode, so a modified or replaced file is
fully re-checked; the ctime is left out because ``chmod`` changes it (making a
filled cache read-only must not invalidate it).  Stamps are a speed-up only:
where one cannot be written (a read-only cache) the file is fully checked each
time.  ``python -m data_download verify`` always re-hashes.
"""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pooch

from . import extract, formats
from .errors import VerificationError
from .registry import FileSpec

STAMP_SUFFIX = ".verified"
_CHUNK = 1 << 20


def stamp_path(path: Path) -> Path:
    return path.with_name(path.name + STAMP_SUFFIX)


def _identity(path: Path) -> dict:
    info = path.stat()
    return {"size": info.st_size, "mtime_ns": info.st_mtime_ns, "inode": info.st_ino}


def verify_file(path: Path, spec: FileSpec, quick: bool = False) -> None:
    """Raise VerificationError unless ``path`` is a good copy of ``spec``."""
    if quick and stamp_matches(path):
        return
    stamp = stamp_path(path)
    if stamp.exists() and os.access(path.parent, os.W_OK):  # stale: drop it where we may
        _unlink_quietly(stamp)
    _check_content(path, spec)
    STRUCTURE_CHECKS[spec.check](path, spec)


def write_stamp(path: Path) -> None:
    """Record that ``path`` (already in its final place) passed a full check.

    Best effort: a read-only cache cannot hold a stamp, and only loses the speed-up
    (it is not even tried there, so that a read-only cache sees no write at all).
    """
    if not os.access(path.parent, os.W_OK):
        return
    try:
        stamp_path(path).write_text(json.dumps(_identity(path)))
    except OSError:
        pass


def stamp_matches(path: Path) -> bool:
    """Whether a stamp says ``path`` passed a full check and has not changed since."""
    try:
        return json.loads(stamp_path(path).read_text()) == _identity(path)
    except (OSError, ValueError):
        return False


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _check_content(path: Path, spec: FileSpec) -> None:
    if spec.payload_sha256 or spec.payload_size is not None:
        digest, size = _payload_digest(path)
        if spec.payload_size is not None and size != spec.payload_size:
            raise VerificationError(
                f"{spec.name}: decompressed size is {size} bytes, expected {spec.payload_size} "
                "(truncated or corrupt)")
        if spec.payload_sha256 and digest != spec.payload_sha256:
            raise VerificationError(
                f"{spec.name}: decompressed sha256 {digest} does not match the expected "
                f"{spec.payload_sha256} (corrupt file)")
    elif spec.hash:
        algorithm, _, expected = spec.hash.partition(":")
        actual = pooch.file_hash(str(path), alg=algorithm)
        if actual != expected.lower():
            raise VerificationError(
                f"{spec.name}: {algorithm} {actual} does not match the published {expected} "
                "(corrupt or truncated file)")


def _payload_digest(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    try:
        with formats.open_payload(path) as stream:
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except (OSError, EOFError, ValueError) as error:  # gzip.BadGzipFile is an OSError
        raise VerificationError(f"{path.name}: cannot decompress ({error}); truncated or corrupt")
    return digest.hexdigest(), size


# --- structure checks: run after the hash, or instead of it when none is known ---

def _check_idx(path: Path, spec: FileSpec) -> None:
    try:
        with formats.open_payload(path) as stream:
            header = stream.read(4 + 4 * 4)
            dims = formats.parse_idx_header(header)
            body = len(header) - 4 - 4 * len(dims)
            while chunk := stream.read(_CHUNK):
                body += len(chunk)
    except (OSError, EOFError, ValueError) as error:
        raise VerificationError(f"{path.name}: cannot decompress ({error}); truncated or corrupt")
    if body != int(np.prod(dims)):
        raise VerificationError(f"{path.name}: IDX body has {body} bytes, header says {int(np.prod(dims))}")


def _check_cifar(path: Path, spec: FileSpec) -> None:
    names = set(extract.member_names(path))
    record = formats.cifar_record_size(spec.options["label_bytes"])
    with tarfile.open(path, "r:*") as tar:
        for member, count in spec.options["members"].items():
            if member not in names:
                raise VerificationError(f"{path.name} lacks the member {member}")
            size = tar.getmember(member).size
            if size != count * record:
                raise VerificationError(f"{path.name}: {member} has {size} bytes, expected {count * record}")


def _check_medmnist(path: Path, spec: FileSpec) -> None:
    if not zipfile.is_zipfile(path):
        raise VerificationError(f"{path.name} is not an .npz (zip) file; truncated or corrupt")
    arrays = formats.read_npz(path)
    channels = spec.options.get("channels", 1)
    columns = spec.options.get("label_columns", 1)
    for split in formats.MEDMNIST_SPLITS:
        images, labels = arrays.get(f"{split}_images"), arrays.get(f"{split}_labels")
        if images is None or labels is None:
            raise VerificationError(f"{path.name} lacks {split}_images/{split}_labels")
        image_shape = (28, 28) if channels == 1 else (28, 28, channels)
        if images.dtype != np.uint8 or images.shape[1:] != image_shape:
            raise VerificationError(
                f"{path.name}: {split}_images is {images.dtype} {images.shape}, expected uint8 (N, "
                f"{', '.join(map(str, image_shape))})")
        if labels.shape != (len(images), columns):
            raise VerificationError(
                f"{path.name}: {split}_labels has shape {labels.shape}, expected ({len(images)}, {columns})")


def _check_archive(path: Path, spec: FileSpec) -> None:
    names = extract.member_names(path)
    for required in spec.options.get("required", []):
        if not any(name == required or name.startswith(required) for name in names):
            raise VerificationError(f"{path.name} lacks {required!r}; not the expected archive")


STRUCTURE_CHECKS = {
    "idx": _check_idx,
    "cifar-binary": _check_cifar,
    "medmnist-npz": _check_medmnist,
    "archive": _check_archive,
    "none": lambda path, spec: None,
}


def remove_quietly(path: Path) -> None:
    for candidate in (path, stamp_path(path)):
        try:
            os.unlink(candidate)
        except FileNotFoundError:
            pass
