"""Readers for the official on-disk formats.  None of them unpickles anything.

* IDX (MNIST, Fashion-MNIST): big-endian header, then raw uint8.  The file may
  be gzip-, bz2- or xz-compressed, or not compressed at all: the container is
  sniffed from its first bytes, not from the file name, so that any faithful
  mirror works.
* CIFAR binary: fixed-size records ``<label byte(s)><1024 R><1024 G><1024 B>``.
* MedMNIST: ``.npz`` read with ``allow_pickle=False``.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import tarfile
from pathlib import Path
from typing import BinaryIO

import numpy as np

from .errors import VerificationError

IDX_UBYTE = 0x08
CIFAR_PIXELS = 32 * 32 * 3


def open_payload(path: Path) -> BinaryIO:
    """Open ``path`` for reading its decompressed content, whatever the container."""
    with open(path, "rb") as handle:
        magic = handle.read(6)
    if magic[:2] == b"\x1f\x8b":
        return gzip.open(path, "rb")
    if magic[:3] == b"BZh":
        return bz2.open(path, "rb")
    if magic == b"\xfd7zXZ\x00":
        return lzma.open(path, "rb")
    return open(path, "rb")


def parse_idx_header(header: bytes) -> tuple[int, ...]:
    """The dimensions an IDX header declares; VerificationError unless uint8 data."""
    if len(header) < 4 or header[0] != 0 or header[1] != 0 or header[2] != IDX_UBYTE:
        raise VerificationError("not an IDX uint8 file (bad magic number)")
    ndim = header[3]
    if ndim < 1 or len(header) < 4 + 4 * ndim:
        raise VerificationError("truncated IDX header")
    return tuple(int.from_bytes(header[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))


def read_idx(path: Path) -> np.ndarray:
    """The uint8 array stored in an (optionally compressed) IDX file."""
    with open_payload(path) as stream:
        data = stream.read()
    dims = parse_idx_header(data)
    offset = 4 + 4 * len(dims)
    expected = int(np.prod(dims))
    if len(data) - offset != expected:
        raise VerificationError(
            f"IDX file {path.name} holds {len(data) - offset} bytes of data, header says {expected}"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(dims).copy()


def read_to_end(tar: tarfile.TarFile) -> None:
    """Read a tar's container to its very end, so that gzip, bz2 or xz checks its CRC.

    tarfile stops at the archive's end marker, before the compressed stream's trailer,
    and a flipped byte in a stored (incompressible) block decodes without complaint:
    without this, a damaged archive would give wrong pixels instead of an error.
    """
    while tar.fileobj.read(1 << 20):
        pass


def cifar_record_size(label_bytes: int) -> int:
    return label_bytes + CIFAR_PIXELS


def read_cifar_members(archive: Path, members: list[str], label_bytes: int, label_index: int):
    """Images (N, 32, 32, 3) uint8 and labels (N,) uint8 from CIFAR binary members of a tar."""
    record = cifar_record_size(label_bytes)
    chunks = []
    with tarfile.open(archive, "r:*") as tar:
        for name in members:
            handle = tar.extractfile(name)
            if handle is None:
                raise VerificationError(f"{archive.name} has no regular file {name}")
            raw = handle.read()
            if len(raw) % record:
                raise VerificationError(f"{name} is not a whole number of {record}-byte records")
            chunks.append(np.frombuffer(raw, dtype=np.uint8).reshape(-1, record))
        read_to_end(tar)
    records = np.concatenate(chunks) if chunks else np.zeros((0, record), np.uint8)
    labels = records[:, label_index].copy()
    # Channel-major planes -> (N, 32, 32, 3), the layout Keras expects.
    images = records[:, label_bytes:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).copy()
    return images, labels


MEDMNIST_SPLITS = ("train", "val", "test")


def read_npz(path: Path) -> dict[str, np.ndarray]:
    """All arrays of an .npz, never unpickling (object arrays are refused)."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {key: archive[key] for key in archive.files}
    except ValueError as error:  # object arrays need pickle: refuse them
        raise VerificationError(f"{path.name} contains data that would need pickle: {error}")
    except Exception as error:  # zipfile.BadZipFile, OSError, EOFError...
        raise VerificationError(f"{path.name} is not a readable .npz file: {error}")
