"""Get a verified copy of each file of a dataset into the cache.

Sources, in order: the cache itself, the user mirror (``CNN_COURSE_DATA_MIRROR``,
a folder or an http(s) base URL laid out as ``<base>/<dataset>/<file>``), then
the public URLs of the registry.  Every candidate is written to a private
staging folder inside the dataset's cache folder, verified there, and only then
moved into place with ``os.replace``: an interrupted, truncated or corrupt
download never appears under its final name.  The staging folder is removed when
the attempt ends; if the process is killed first (SIGKILL, SIGTERM, a kernel
restart), the next fetch removes it (staging.py).  HTTP goes through download.py
(connect and stall timeouts, an overall deadline per file, retries with backoff for
failures that may pass, a dead server given up once per fetch: retry.py); a folder
mirror is copied.

A cache whose files are all verified is used without writing anything (no lock,
no write test), so an administrator can fill a cache and make it read-only.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from . import retry, settings, verify
from .download import DownloadFailed, download, server_of
from .errors import DatasetError, VerificationError
from .locking import file_lock
from .registry import DATASETS, DatasetSpec, FileSpec, get_dataset
from .staging import create_private_folder, remove_abandoned

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


def fetch(name: str, progress: bool = True, *, timeout: float | None = None,
          retries: int | None = None) -> Path:
    """Make sure every file of dataset ``name`` is in the cache and verified.

    ``timeout`` (seconds without data) and ``retries`` (extra attempts per URL after
    a failure that may pass) override ``CNN_COURSE_DATA_TIMEOUT`` and
    ``CNN_COURSE_DATA_RETRIES`` for this call.  Returns the dataset's cache folder.
    Raises DatasetError (with what was tried and how to fix it) if any file cannot
    be obtained.
    """
    dataset = get_dataset(name)
    patience = settings.patience(timeout, retries)  # a bad setting is an error before any network use
    folder = settings.cache_dir() / dataset.name
    _remove_abandoned_work()
    missing = [spec for spec in dataset.files if not _verified_in_cache(folder / spec.name, spec)]
    if not missing:
        return folder  # nothing written: a read-only cache works
    folder = _writable_dataset_dir(dataset)
    servers = retry.Servers(patience.timeout)  # shared by the files: a dead mirror costs its timeout once
    for spec in missing:
        fetch_file(dataset, spec, folder, progress=progress, servers=servers, patience=patience)
    return folder


def _remove_abandoned_work() -> None:
    """Remove the work folders that killed downloads and extractions left, in every
    dataset's folder (a cancelled 800 MB download must not wait for its own dataset
    to be fetched again).  Only the registry's folders are looked at, in case the cache
    is a folder with other things in it.  Reads only, unless there is something to remove.
    """
    cache = settings.cache_dir()
    for name in DATASETS:
        remove_abandoned(cache / name)


def _verified_in_cache(target: Path, spec: FileSpec) -> bool:
    """Whether ``target`` is a good copy, checked without a lock and without writing.

    Files enter the cache only by ``os.replace`` of a verified copy, so reading one
    without the lock is safe.  Anything doubtful (missing, corrupt, unreadable) is
    left to :func:`fetch_file`, which re-checks it under the lock.
    """
    try:
        if not target.is_file():
            return False
        if verify.stamp_matches(target):
            return True
        verify.verify_file(target, spec)
    except (VerificationError, OSError):
        return False
    verify.write_stamp(target)  # best effort: in a read-only cache it is re-checked each time
    return True


def fetch_file(dataset: DatasetSpec, spec: FileSpec, folder: Path, progress: bool = True,
               servers: retry.Servers | None = None, patience: settings.Patience | None = None) -> Path:
    """Get one verified file into ``folder`` (under its lock).

    ``servers`` is the fetch's memory of its servers: the URLs of one given up
    (it did not answer at all) are skipped, and servers given up here are added.
    """
    patience = patience or settings.patience()
    servers = servers if servers is not None else retry.Servers(patience.timeout)
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
            server = _server(source)
            if server in servers.down:
                tried.append(f"{source.describe()}: skipped, the server did not answer for an "
                             f"earlier file ({servers.down[server]})")
                continue
            outcome = _try_source(source, spec, target, progress, servers, patience)
            if outcome is None:
                return target
            tried.append(f"{source.describe()}: {outcome}")
        raise DatasetError(_failure_message(dataset, spec, target, tried))


def discard_if_damaged(name: str, file_name: str) -> str | None:
    """Fully re-check one cached file of ``name`` that failed to decode.

    The quick check trusts a stamp (size, modification time, inode), so a file damaged
    in place with its times kept passes it and shows itself only when it fails to
    decode.  Returns why the file is damaged (it has then been removed, stamp and all,
    so that the next fetch gets a fresh copy), or None when it is a good copy after all.
    Raises DatasetError if a damaged file cannot be removed (a read-only cache).
    """
    dataset = get_dataset(name)
    spec = next(f for f in dataset.files if f.name == file_name)
    target = settings.cache_dir() / dataset.name / spec.name
    with contextlib.ExitStack() as stack:
        try:  # under the lock, so that a copy another process is writing is not judged
            stack.enter_context(file_lock(target))
        except OSError:
            pass  # a read-only cache: nobody writes there, and nothing can be removed either
        try:
            verify.verify_file(target, spec)
            return None
        except VerificationError as error:
            reason = error.reason
        except OSError as error:  # unreadable, or gone
            reason = f"it cannot be read ({type(error).__name__}: {error.strerror or error})"
        try:
            verify.remove_quietly(target)
        except OSError as error:
            raise DatasetError(
                f"The cached file {target} is damaged ({reason}) and cannot be removed "
                f"({type(error).__name__}: {error.strerror or error}).\n"
                "How to fix: ask whoever filled this cache to run "
                f"`python -m data_download verify {dataset.name}` and then `python -m data_download get "
                f"{dataset.name}`, or set {settings.CACHE_VARIABLE} to a folder you can write to "
                "(the dataset is then downloaded there).") from None
    print(f"[data_download] cached {target} was damaged ({reason}); removed it, fetching it again",
          file=sys.stderr)
    return reason


def _server(source: Source) -> str | None:
    return None if source.kind == "mirror folder" else server_of(source.location)


def _try_source(source: Source, spec: FileSpec, target: Path, progress: bool,
                servers: retry.Servers, patience: settings.Patience) -> str | None:
    """Fetch from one source into place; None on success, else why it failed."""
    staging = create_private_folder(target.parent, STAGING_PREFIX)
    try:
        if source.kind == "mirror folder":
            candidate = _copy_from_folder(Path(source.location), staging, progress)
        else:
            candidate = staging / spec.name
            download(source.location, candidate, size=spec.size, progress=progress,
                     label=f"{target.parent.name}/{spec.name}", patience=patience, servers=servers)
        verify.verify_file(candidate, spec)
        os.replace(candidate, target)
        verify.write_stamp(target)
        return None
    except VerificationError as error:
        return f"downloaded but failed verification: {error}"
    except DownloadFailed as failure:  # a server given up is already in ``servers``
        return str(failure)
    except Exception as error:  # OS errors (disk full, a mirror folder that cannot be read)
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


def _describe_error(error: Exception) -> str:
    if isinstance(error, FileNotFoundError):
        return "file not found"
    if isinstance(error, OSError) and error.strerror:
        where = f" ({error.filename})" if error.filename else ""
        return f"{type(error).__name__}: {error.strerror}{where}"
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
