"""An inter-process lock on a file beside the target, so two notebooks (or a
notebook and the command line) fetching the same dataset never write the same
file at once: the second waits, then finds the first one's verified copy."""

from __future__ import annotations

import contextlib
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no flock; downloads still publish atomically.
    fcntl = None


@contextlib.contextmanager
def file_lock(target: Path):
    lock_path = target.with_name(target.name + ".lock")
    with open(lock_path, "a+b") as handle:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
