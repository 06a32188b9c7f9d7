"""Private work folders in the cache, and removing the ones their owner left behind.

A download is written into a ``.staging-*`` folder and an archive is extracted into
an ``.extracting-*`` folder, both inside the dataset's cache folder, and then moved
into place; a ``finally`` removes the folder.  A process killed by SIGKILL or SIGTERM
(a Colab kernel restart, a cancelled CI job) never runs that ``finally``, so each
folder's name records its owner::

    .staging-<pid>.<start>@<host>-<random>

``start`` is the owner's start time (Linux; 0 elsewhere), so that a PID reused by
an unrelated process is not taken for the owner.  :func:`remove_abandoned` removes
the folders whose owner on this machine is gone and leaves those of live processes
alone.  A folder whose owner cannot be checked (made on another machine sharing the
cache, or by an older version without an owner in the name) is removed only once
nothing in it has changed for :data:`STALE_SECONDS`: a live download writes at
least every ``CNN_COURSE_DATA_TIMEOUT`` seconds (at most 10 minutes), and an
extraction writes file after file.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
import time
from pathlib import Path

PREFIXES = (".staging-", ".extracting-")
STALE_SECONDS = 3600.0

_OWNED_NAME = re.compile(
    r"^(?:\.staging-|\.extracting-)(?P<pid>\d+)\.(?P<start>\d+)@(?P<host>[A-Za-z0-9._]+)-[A-Za-z0-9_]+$")


def create_private_folder(parent: Path, prefix: str) -> Path:
    """A new, empty folder in ``parent`` whose name records this process as its owner."""
    if prefix not in PREFIXES:
        raise ValueError(f"prefix must be one of {PREFIXES}, not {prefix!r}")
    pid = os.getpid()
    owner = f"{pid}.{_start_time(pid) or 0}@{_host_name()}"
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{owner}-", dir=parent))


def remove_abandoned(parent: Path) -> list[Path]:
    """Remove the work folders in ``parent`` that nobody will finish; return them.

    Only reads ``parent`` when there is nothing to remove (a read-only cache stays
    untouched), and never raises: a folder that cannot be removed is left for later.
    """
    try:
        entries = [entry for entry in os.scandir(parent)
                   if entry.name.startswith(PREFIXES) and entry.is_dir(follow_symlinks=False)]
    except OSError:
        return []
    removed = []
    for entry in entries:
        path = Path(entry.path)
        if _abandoned(path):
            shutil.rmtree(path, ignore_errors=True)
            if not path.exists():
                removed.append(path)
    return removed


def _abandoned(path: Path) -> bool:
    owner = _OWNED_NAME.match(path.name)
    if owner and owner["host"] == _host_name() and os.name == "posix":
        return not _alive(int(owner["pid"]), int(owner["start"]))
    return _now() - _last_change(path) > STALE_SECONDS


def _alive(pid: int, start: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, but belongs to another user
    except OSError:
        return True  # cannot tell: keep the folder
    stat = _proc_stat(pid)
    if stat is None:
        return True  # no /proc (macOS): the PID exists, trust it
    state, actual_start = stat
    if state == "Z":
        return False  # a zombie: dead, only not yet reaped by its parent
    return not start or actual_start == start  # else the PID now belongs to another process


def _start_time(pid: int) -> int | None:
    stat = _proc_stat(pid)
    return None if stat is None else stat[1]


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state, start time in clock ticks) from /proc/<pid>/stat, or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
        # The command name (field 2) is in parentheses and may contain spaces.
        fields = text[text.rindex(")") + 2:].split()
        return fields[0], int(fields[19])
    except (OSError, ValueError, IndexError):
        return None


def _host_name() -> str:
    return re.sub(r"[^A-Za-z0-9.]", "_", socket.gethostname())[:64] or "unknown"


def _last_change(path: Path) -> float:
    """The newest ctime in the tree: any write (and any utime, as extraction does) moves it."""
    newest = 0.0
    for root, dirs, files in os.walk(path):
        for name in [".", *dirs, *files]:
            try:
                newest = max(newest, os.lstat(os.path.join(root, name)).st_ctime)
            except OSError:
                pass
    return newest


def _now() -> float:
    return time.time()
