"""Safe archive handling: list-and-check members, then extract atomically.

An archive is refused as a whole if any member has an absolute path, a ``..``
component, is a link, or is a device/fifo: a dataset has no need for any of
them, and each is a way to write outside the extraction folder.  The check runs
before the archive is admitted to the cache (see verify.py), and extraction
itself also uses tarfile's ``data`` filter as a second line of defence.
"""

from __future__ import annotations

import os
import shutil
import stat
import tarfile
import zipfile
from pathlib import Path, PurePosixPath

from . import formats
from .errors import VerificationError
from .staging import create_private_folder

COMPLETE_MARKER = ".complete"


def is_complete(destination: Path) -> bool:
    """Whether ``destination`` holds a finished extraction (renamed into place whole)."""
    return (destination / COMPLETE_MARKER).exists()


def is_zip(path: Path) -> bool:
    return zipfile.is_zipfile(path)


def _check_name(archive: Path, name: str) -> str:
    pure = PurePosixPath(name.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts or (pure.parts and ":" in pure.parts[0]):
        raise VerificationError(
            f"archive {archive.name} has an unsafe member path {name!r} "
            "(absolute or containing '..'); refusing it"
        )
    return str(pure)


def member_names(archive: Path) -> list[str]:
    """Every member name, after checking that all members are safe to extract."""
    names = []
    try:
        if is_zip(archive):
            with zipfile.ZipFile(archive) as zipped:
                for info in zipped.infolist():
                    mode = info.external_attr >> 16
                    if stat.S_ISLNK(mode):
                        raise VerificationError(
                            f"archive {archive.name} has a link member {info.filename!r}; refusing it")
                    names.append(_check_name(archive, info.filename) + ("/" if info.is_dir() else ""))
        else:
            with tarfile.open(archive, "r:*") as tar:
                for member in tar:
                    if not (member.isfile() or member.isdir()):
                        raise VerificationError(
                            f"archive {archive.name} has a link or special member "
                            f"{member.name!r}; refusing it")
                    names.append(_check_name(archive, member.name) + ("/" if member.isdir() else ""))
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as error:
        raise VerificationError(f"{archive.name} is not a readable archive: {error}")
    return names


def extract(archive: Path, destination: Path) -> Path:
    """Extract ``archive`` into ``destination`` (atomically) and return it.

    The caller holds the dataset lock.  Extraction goes to a temporary sibling
    folder that is renamed into place only when complete, so an interrupted
    extraction never looks finished.
    """
    if is_complete(destination):
        return destination
    member_names(archive)  # refuses unsafe archives before writing anything
    # Named after this process, so that a later fetch removes it if we are killed.
    staging = create_private_folder(destination.parent, ".extracting-")
    try:
        if is_zip(archive):
            with zipfile.ZipFile(archive) as zipped:
                zipped.extractall(staging)
        else:
            with tarfile.open(archive, "r:*") as tar:
                tar.extractall(staging, filter="data")
                formats.read_to_end(tar)  # a damaged archive is an error, not wrong files
        (staging / COMPLETE_MARKER).write_text("ok\n")
        if destination.exists():  # an incomplete earlier extraction
            shutil.rmtree(destination)
        os.replace(staging, destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return destination
