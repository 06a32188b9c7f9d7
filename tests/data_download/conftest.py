"""Fixtures for offline tests of data_download.

* ``server``: a loopback HTTP server (127.0.0.1, random port) serving bytes
  from a dict; ``server.behave(path, mode)`` makes one path answer 404/500,
  send a truncated body, sleep past the client's timeout, trickle its body a
  byte at a time, or send half its body and hang until ``server.release()``;
  ``server.fail_first(path, mode, times)`` does so for the first ``times``
  requests only (a flaky server), then serves the file.
* ``cache``: an empty cache folder in tmp_path, with the mirror unset, no
  retries and a short timeout (set through the package's environment variables).
* ``tiny``: builders for small archives in each official format, and
  ``install`` to register a dataset entry whose URLs point at the server, so
  the real fetch code runs against them.
* ``read_only``: makes a filled cache read-only, in a way that also holds for
  root, and checks afterwards that nothing under it was written.
"""

from __future__ import annotations

import builtins
import errno
import gzip
import hashlib
import http.server
import io
import os
import socket
import tarfile
import threading
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from data_download import registry
from data_download.registry import DatasetSpec, FileSpec


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):
        state = self.server.state
        path = self.path.split("?")[0]
        state.requests.append(path)
        body = state.files.get(path)
        mode = state.modes.get(path, "ok")
        with state.lock:
            if state.failures_left.get(path, 0) > 0:
                state.failures_left[path] -= 1
                mode = state.failure_modes[path]
        if mode == "404" or body is None:
            return self.send_error(404)
        if mode == "500":
            return self.send_error(500)
        if mode == "slow":
            time.sleep(state.slow_seconds)
        if mode == "delay":  # slow but within the timeout
            time.sleep(0.3)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            if mode == "trickle":  # a byte at a time: never idle long enough for a stall timeout
                give_up = time.monotonic() + state.trickle_limit  # bounded, so a test cannot hang
                for offset in range(len(body)):
                    if time.monotonic() > give_up or state.released.is_set():
                        break
                    self.wfile.write(body[offset:offset + 1])
                    self.wfile.flush()
                    time.sleep(state.trickle_interval)
                self.close_connection = True
                return
            if mode == "hang":  # half the body, then nothing until released (at most 20 s)
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                state.released.wait(20)
                self.close_connection = True
                return
            if mode == "truncate":
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


class _State:
    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.modes: dict[str, str] = {}
        self.requests: list[str] = []
        self.slow_seconds = 3.0
        self.trickle_interval = 0.05
        self.trickle_limit = 6.0
        self.released = threading.Event()
        self.lock = threading.Lock()
        self.failures_left: dict[str, int] = {}
        self.failure_modes: dict[str, str] = {}


class Server:
    def __init__(self):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.state = self.state = _State()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        # A short poll interval: shutdown() waits up to one interval, after every test.
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def add(self, path: str, body: bytes) -> str:
        self.state.files[path] = body
        return self.url + path

    def behave(self, path: str, mode: str) -> None:
        self.state.modes[path] = mode

    def fail_first(self, path: str, mode: str, times: int) -> None:
        """Answer the first ``times`` requests for ``path`` as ``mode``, then normally."""
        with self.state.lock:
            self.state.failure_modes[path] = mode
            self.state.failures_left[path] = times

    def count(self, path: str) -> int:
        return self.state.requests.count(path)

    def release(self) -> None:
        """Let "hang" and "trickle" responses end now."""
        self.state.released.set()

    def close(self):
        self.release()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    running = Server()
    yield running
    running.close()


@pytest.fixture
def other_server():
    """A second loopback server: another host:port, e.g. a mirror in front of ``server``."""
    running = Server()
    yield running
    running.close()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("CNN_COURSE_DATA_DIR", str(folder))
    monkeypatch.delenv("CNN_COURSE_DATA_MIRROR", raising=False)
    monkeypatch.setenv("CNN_COURSE_DATA_RETRIES", "0")
    monkeypatch.setenv("CNN_COURSE_DATA_TIMEOUT", "1")
    return folder


@pytest.fixture
def refused_url():
    """A loopback URL on which nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def leftovers(folder: Path) -> list[str]:
    """Files that must never stay in the cache: staging, partial, probe files."""
    if not folder.exists():
        return []
    bad = (".staging-", ".extracting-", ".write-test-", "tmp")
    return [str(p) for p in folder.rglob("*") if p.name.startswith(bad)]


def data_files(folder: Path) -> list[str]:
    """Cached data files (not lock files or verification stamps)."""
    if not folder.exists():
        return []
    return sorted(
        p.name for p in folder.rglob("*")
        if p.is_file() and not p.name.endswith((".lock", ".verified"))
        and "extracted-" not in str(p.relative_to(folder))
    )


# ------------------------------- builders -------------------------------- #

def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def tar_bytes(members: dict[str, bytes], extra=None, mode="w:gz") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for info in extra or []:
            tar.addfile(info)
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        for name, data in members.items():
            zipped.writestr(name, data)
    return buffer.getvalue()


class Tiny:
    """Small datasets in the official formats, registered against the server."""

    def __init__(self, server: Server, monkeypatch):
        self.server = server
        self.monkeypatch = monkeypatch
        self.rng = np.random.default_rng(0)

    def install(self, spec: DatasetSpec) -> DatasetSpec:
        self.monkeypatch.setitem(registry.DATASETS, spec.name, spec)
        return spec

    # --- MNIST / Fashion-MNIST: IDX, gzip, verified by payload sha256 ---
    def idx_arrays(self, n_train=30, n_test=12):
        images = lambda n: self.rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)  # noqa: E731
        labels = lambda n: (np.arange(n) % 10).astype(np.uint8)  # noqa: E731
        return {"train-images-idx3-ubyte": images(n_train), "train-labels-idx1-ubyte": labels(n_train),
                "t10k-images-idx3-ubyte": images(n_test), "t10k-labels-idx1-ubyte": labels(n_test)}

    def mnist(self, name="mnist", urls_for=None, arrays=None):
        """Register a tiny ``name`` whose files the server holds (gzip IDX)."""
        arrays = arrays or self.idx_arrays()
        files = []
        for stem, array in arrays.items():
            payload = idx_bytes(array)
            path = f"/{name}/{stem}.gz"
            url = self.server.add(path, gzip.compress(payload))
            urls = urls_for(path, url) if urls_for else (url,)
            files.append(FileSpec(
                name=f"{stem}.gz", urls=tuple(urls), check="idx", size=len(payload),
                payload_sha256=hashlib.sha256(payload).hexdigest(), payload_size=len(payload)))
        spec = replace(registry.DATASETS[name], files=tuple(files))
        self.install(spec)
        return spec, arrays

    # --- CIFAR binary tar.gz, verified by the archive's md5 ---
    def cifar(self, name="cifar10", per_batch=4):
        original = registry.DATASETS[name]
        label_bytes = original.options["label_bytes"]
        members, expected = {}, {}
        for member in original.options["train"] + original.options["test"]:
            labels = self.rng.integers(0, 10 if label_bytes == 1 else 100, (per_batch, label_bytes), dtype=np.uint8)
            pixels = self.rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8)
            members[member] = np.concatenate([labels, pixels], axis=1).tobytes()
            expected[member] = (labels, pixels)
        archive = tar_bytes(members)
        file = original.files[0]
        url = self.server.add(f"/{name}/{file.name}", archive)
        spec = replace(original, files=(replace(
            file, urls=(url,), hash="md5:" + hashlib.md5(archive).hexdigest(),
            options={**file.options, "members": {m: per_batch for m in members}}),))
        self.install(spec)
        return spec, expected, archive

    # --- MedMNIST npz, verified by md5 ---
    def medmnist(self, name="pathmnist", sizes=(6, 2, 3), arrays=None):
        original = registry.DATASETS[name]
        channels = original.options["channels"]
        columns = original.options["label_columns"]
        if arrays is None:
            arrays = {}
            for split, n in zip(("train", "val", "test"), sizes):
                shape = (n, 28, 28) if channels == 1 else (n, 28, 28, channels)
                arrays[f"{split}_images"] = self.rng.integers(0, 256, shape, dtype=np.uint8)
                arrays[f"{split}_labels"] = self.rng.integers(0, 2, (n, columns), dtype=np.uint8)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        body = buffer.getvalue()
        file = original.files[0]
        url = self.server.add(f"/{name}/{file.name}", body)
        spec = replace(original, files=(replace(file, urls=(url,), hash="md5:" + hashlib.md5(body).hexdigest()),))
        self.install(spec)
        return spec, arrays

    # --- archives of image folders, verified by md5 (or structure only) ---
    def archive_dataset(self, name, members, extra=None, as_zip=False, with_hash=True, file_index=0,
                        spec=None):
        original = spec or registry.DATASETS[name]
        body = zip_bytes(members) if as_zip else tar_bytes(members, extra)
        file = original.files[file_index]
        url = self.server.add(f"/{name}/{file.name}", body)
        new_file = replace(file, urls=(url,), hash=("md5:" + hashlib.md5(body).hexdigest()) if with_hash else None)
        files = list(original.files)
        files[file_index] = new_file
        return self.install(replace(original, files=tuple(files)))

    def imagenette(self, name="imagenette", root="imagenette2-160", classes=("n01", "n02", "n03"), per_class=3,
                   extra=None):
        members = {}
        for wnid in classes:
            for split, count in (("train", per_class), ("val", 1)):
                for i in range(count):
                    members[f"{root}/{split}/{wnid}/{wnid}_{i}.JPEG"] = b"\xff\xd8jpeg" + bytes([i])
        return self.archive_dataset(name, members, extra=extra)


@pytest.fixture
def tiny(server, monkeypatch):
    return Tiny(server, monkeypatch)


@pytest.fixture
def assert_clean():
    """``assert_clean(cache, kept=[...])``: no staging/partial files, and only
    the named (verified) data files in the cache."""

    def check(folder: Path, kept=()):
        assert leftovers(folder) == []
        assert data_files(folder) == sorted(kept)

    return check


@pytest.fixture
def builders():
    """The format builders, for tests that make their own archives."""
    return {"idx": idx_bytes, "tar": tar_bytes, "zip": zip_bytes}



# ----------------------------- read-only cache ----------------------------- #

class ReadOnlyFolder:
    """Make ``folder`` read-only (chmod) and refuse every write under it in this process.

    chmod alone proves nothing when the tests run as root (root writes anyway), so
    the write functions the package could use (``open`` for writing, ``os.open`` with
    a write flag, mkdir, unlink, rename, replace...) are wrapped to raise
    PermissionError for paths under the folder, and ``os.access`` says the folder is
    not writable: what a student sees in a read-only folder.  ``assert_unchanged()``
    checks that nothing was even tried, and compares the tree's listing, sizes, modes
    and modification times with a snapshot taken when it was made read-only.
    """

    _WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND

    def __init__(self, folder: Path, monkeypatch):
        self.folder = Path(os.path.realpath(folder))
        self.refused: list[str] = []
        for path in [self.folder, *self.folder.rglob("*")]:
            path.chmod(0o555 if path.is_dir() else 0o444)
        self.snapshot = self._state()
        self._guard(monkeypatch)

    def restore_permissions(self):
        for path in [self.folder, *self.folder.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)

    def _state(self):
        found = {}
        for root, dirs, files in os.walk(self.folder):
            for name in [".", *dirs, *files]:
                path = os.path.join(root, name)
                info = os.lstat(path)
                found[os.path.relpath(path, self.folder)] = (info.st_mode, info.st_size, info.st_mtime_ns)
        return found

    def assert_unchanged(self):
        assert self.refused == [], f"tried to write in the read-only cache: {self.refused}"
        assert self._state() == self.snapshot

    def _inside(self, path, dir_fd=None) -> bool:
        if isinstance(path, int):
            return False
        path = os.fsdecode(os.fspath(path))
        if dir_fd is not None and not os.path.isabs(path):
            path = os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), path)
        real = os.path.realpath(path)
        return real == str(self.folder) or real.startswith(str(self.folder) + os.sep)

    def _refuse(self, path):
        self.refused.append(os.fsdecode(os.fspath(path)))
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(os.fspath(path)))

    def _guard(self, monkeypatch):
        real_open, real_os_open = builtins.open, os.open

        def guarded_open(file, mode="r", *args, **kwargs):
            if not isinstance(file, int) and any(c in mode for c in "wax+") and self._inside(file):
                self._refuse(file)
            return real_open(file, mode, *args, **kwargs)

        def guarded_os_open(path, flags, mode=0o777, *, dir_fd=None):
            if flags & self._WRITE_FLAGS and self._inside(path, dir_fd):
                self._refuse(path)
            return real_os_open(path, flags, mode, dir_fd=dir_fd)

        def refusing(real, arguments=1):
            def wrapper(*args, **kwargs):
                dir_fd = kwargs.get("dir_fd", kwargs.get("src_dir_fd"))
                for path in args[:arguments]:
                    if self._inside(path, dir_fd):
                        self._refuse(path)
                return real(*args, **kwargs)
            return wrapper

        monkeypatch.setattr(builtins, "open", guarded_open)
        monkeypatch.setattr(io, "open", guarded_open)
        monkeypatch.setattr(os, "open", guarded_os_open)
        real_mkdir = os.mkdir

        def guarded_mkdir(path, mode=0o777, *, dir_fd=None):
            # An existing folder gives FileExistsError, as on a real read-only folder.
            if self._inside(path, dir_fd) and not os.path.lexists(path):
                self._refuse(path)
            return real_mkdir(path, mode, dir_fd=dir_fd)

        monkeypatch.setattr(os, "mkdir", guarded_mkdir)
        real_access = os.access

        def guarded_access(path, mode, *args, **kwargs):
            # What a student (not root) is told about a read-only folder.
            if mode & os.W_OK and self._inside(path):
                return False
            return real_access(path, mode, *args, **kwargs)

        monkeypatch.setattr(os, "access", guarded_access)
        for name in ("unlink", "remove", "rmdir", "truncate", "utime", "chmod"):
            monkeypatch.setattr(os, name, refusing(getattr(os, name)))
        for name in ("rename", "replace", "link", "symlink"):
            monkeypatch.setattr(os, name, refusing(getattr(os, name), arguments=2))


@pytest.fixture
def read_only(monkeypatch):
    """``read_only(folder)``: see ReadOnlyFolder; permissions are restored afterwards."""
    made = []

    def make(folder: Path) -> ReadOnlyFolder:
        made.append(ReadOnlyFolder(folder, monkeypatch))
        return made[-1]

    yield make
    monkeypatch.undo()  # the real os functions again, before restoring permissions
    for folder in made:
        folder.restore_permissions()


@pytest.fixture
def stalled_url():
    """A loopback URL whose server accepts connections and then never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)  # the kernel completes the handshakes; nobody ever reads
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()
