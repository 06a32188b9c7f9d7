"""Get a verified copy of each file of a dataset into the cache.

Sources, in order: the cache itself, the user mirror (``CNN_COURSE_DATA_MIRROR``,
a folder or an http(s) base URL laid out as ``<base>/<dataset>/<file>``), then
the public URLs of the registry.  Every candidate is written to a private
staging folder inside the dataset's cache folder, verified there, and only then
moved into place with ``os.replace``: an interrupted, truncated or corrupt
download never appears under its final name, and the staging folder is removed
whatever happens.  HTTP goes through pooch (its downloader, retries, progress
bar and hash check); a folder mirror is copied.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pooch

from . import settings, verify
from .errors import DatasetError, VerificationError
from .locking import file_lock
from .registry import DatasetSpec, FileSpec, get_dataset

STAGING_PREFIX = ".staging-"


@dataclass(frozen=True)
class Source:
    kind: str  # "mirror folder", "mirror URL" or "public URL"
    location: str  # a path or a URL

    def describe(self) -> str:
        return f"{self.kind} {self.location}"


def dataset_dir(name: str) -> Path:
    """Where ``name``'s files live in the cache (may not exist yet)."""
    return settings.cache_dir() / get_dataset(name).name


def sources_for(dataset: DatasetSpec, spec: FileSpec) -> list[Source]:
    """The non-cache sources for one file, in the order they are tried."""
    found = []
    mirror = settings.mirror()
    if mirror:
        if mirror.startswith(("http://", "https://")):
            found.append(Source("mirror URL", f"{mirror.rstrip('/')}/{dataset.name}/{spec.name}"))
        else:
            folder = Path(mirror.removeprefix("file://")).expanduser()
            found.append(Source("mirror folder", str(folder / dataset.name / spec.name)))
    found.extend(Source("public URL", url) for url in spec.urls)
    return found


def fetch(name: str, progress: bool = True) -> Path:
    """Make sure every file of dataset ``name`` is in the cache and verified.

    Returns the dataset's cache folder.  Raises DatasetError (with what was tried
    and how to fix it) if any file cannot be obtained.
    """
    dataset = get_dataset(name)
    folder = _writable_dataset_dir(dataset)
    for spec in dataset.files:
        fetch_file(dataset, spec, folder, progress=progress)
    return folder


def fetch_file(dataset: DatasetSpec, spec: FileSpec, folder: Path, progress: bool = True) -> Path:
    target = folder / spec.name
    with file_lock(target):
        cache_state = "not there"
        if target.exists():
            try:
                verify.verify_file(target, spec, quick=True)
                return target
            except VerificationError as error:
                # A corrupt cache entry (interrupted copy by hand, disk error...):
                # drop it and fetch a fresh copy.
                print(f"[data_download] cached {target} failed verification ({error.reason}); "
                      "fetching it again", file=sys.stderr)
                verify.remove_quietly(target)
                cache_state = f"corrupt ({error.reason}), removed"
        tried = [f"cache {target}: {cache_state}"]
        for source in sources_for(dataset, spec):
            outcome = _try_source(source, spec, target, progress)
            if outcome is None:
                return target
            tried.append(f"{source.describe()}: {outcome}")
        raise DatasetError(_failure_message(dataset, spec, target, tried))


def _try_source(source: Source, spec: FileSpec, target: Path, progress: bool) -> str | None:
    """Fetch from one source into place; None on success, else why it failed."""
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=target.parent))
    try:
        if source.kind == "mirror folder":
            candidate = _copy_from_folder(Path(source.location), staging, progress)
        else:
            candidate = _download(source.location, spec, staging, progress)
        verify.verify_file(candidate, spec)
        os.replace(candidate, target)
        verify.write_stamp(target)
        return None
    except VerificationError as error:
        return f"downloaded but failed verification: {error}"
    except Exception as error:  # network, HTTP status, pooch hash mismatch, OS errors
        return _describe_error(error)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _copy_from_folder(source: Path, staging: Path, progress: bool) -> Path:
    if not source.is_file():
        raise FileNotFoundError(f"no such file {source}")
    from tqdm.auto import tqdm

    destination = staging / source.name
    with open(source, "rb") as reader, open(destination, "wb") as writer, tqdm(
        total=source.stat().st_size, unit="B", unit_scale=True, unit_divisor=1024,
        desc=f"copy {source.parent.name}/{source.name}", disable=not progress, leave=True,
    ) as bar:
        while chunk := reader.read(1 << 20):
            writer.write(chunk)
            bar.update(len(chunk))
    return destination


def _download(url: str, spec: FileSpec, staging: Path, progress: bool) -> Path:
    # pooch checks the container hash itself when we have one and no payload
    # hash; payload hashes are checked by verify.py after the download.
    known_hash = None if (spec.payload_sha256 or spec.payload_size) else spec.hash
    fetcher = pooch.create(
        path=staging,
        base_url="",
        registry={spec.name: known_hash},
        urls={spec.name: url},
        retry_if_failed=settings.retries(),
    )
    downloader = pooch.HTTPDownloader(progressbar=progress, timeout=settings.timeout_seconds())
    return Path(fetcher.fetch(spec.name, downloader=downloader))


def _describe_error(error: Exception) -> str:
    import requests

    if isinstance(error, requests.exceptions.HTTPError) and error.response is not None:
        return f"HTTP {error.response.status_code} {error.response.reason}"
    if isinstance(error, requests.exceptions.Timeout):
        return f"timed out after {settings.timeout_seconds():g} s"
    if isinstance(error, requests.exceptions.ConnectionError):
        text = str(error)
        if "Connection refused" in text:
            return "connection refused"
        if "NameResolutionError" in text or "Name or service not known" in text:
            return "host name not found (no internet connection, or DNS blocked)"
        if "Read timed out" in text:
            return f"timed out after {settings.timeout_seconds():g} s"
        return f"connection failed ({type(error).__name__}: {text[:200]})"
    if isinstance(error, ValueError) and "hash" in str(error).lower():
        return f"downloaded but failed verification: {str(error).splitlines()[0]}"
    if isinstance(error, FileNotFoundError):
        return "file not found"
    return f"{type(error).__name__}: {str(error)[:300]}"


def _failure_message(dataset: DatasetSpec, spec: FileSpec, target: Path, tried: list[str]) -> str:
    lines = [
        f"Could not get {spec.name} for dataset {dataset.name!r}: every source failed.",
        "Tried, in order:",
        *(f"  - {line}" for line in tried),
        "How to fix:",
        "  - check the internet connection and try again (nothing partial was kept), or",
        f"  - download {spec.name} by hand from one of the URLs above and put it at",
        f"      {target}",
        "    (it is verified before use), or",
        f"  - set {settings.MIRROR_VARIABLE} to a folder or http(s) URL that has",
        f"      <mirror>/{dataset.name}/{spec.name}",
    ]
    return "\n".join(lines)


def _writable_dataset_dir(dataset: DatasetSpec) -> Path:
    folder = settings.cache_dir() / dataset.name
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-")
        probe.close()
    except OSError as error:
        raise DatasetError(
            f"The data cache folder {folder} is not writable ({type(error).__name__}: "
            f"{error.strerror or error}).\nHow to fix: set {settings.CACHE_VARIABLE} to a "
            f"folder you can write to, e.g. export {settings.CACHE_VARIABLE}=$HOME/cnn-course-data"
        ) from None
    return folder


def verify_cached(name: str) -> list[tuple[str, str]]:
    """Fully re-check every cached file of ``name`` without downloading.

    Returns ``(file name, status)`` pairs; status is "ok", "missing" or the
    reason the file failed (a failed file is removed, so a later fetch replaces it).
    """
    dataset = get_dataset(name)
    folder = settings.cache_dir() / dataset.name
    results = []
    for spec in dataset.files:
        target = folder / spec.name
        if not target.exists():
            results.append((spec.name, "missing"))
            continue
        with file_lock(target):
            try:
                verify.verify_file(target, spec)
                verify.write_stamp(target)
                results.append((spec.name, "ok"))
            except VerificationError as error:
                verify.remove_quietly(target)
                results.append((spec.name, f"corrupt, removed: {error.reason}"))
    return results
