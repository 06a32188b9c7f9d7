"""Where data lives and how patient downloads are: read from the environment
each time, so that a notebook can change a variable without re-importing.

The defaults suit a classroom: a dead or stalled source costs seconds before the
next one is tried, and a server that trickles bytes meets an overall deadline.
A value out of range raises DatasetError naming the variable and its range
(:func:`check` runs before any download).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import pooch

from .errors import DatasetError

#: A folder or an http(s) base URL laid out like ``<base>/<dataset>/<file>``.
MIRROR_VARIABLE = "CNN_COURSE_DATA_MIRROR"
#: The cache folder; default ``pooch.os_cache("cnn-course")``.
CACHE_VARIABLE = "CNN_COURSE_DATA_DIR"
#: Seconds without data before a download attempt is abandoned (a stalled server).
TIMEOUT_VARIABLE = "CNN_COURSE_DATA_TIMEOUT"
#: Extra attempts per URL after a failure that may pass (timeout, cut connection, HTTP 5xx).
RETRIES_VARIABLE = "CNN_COURSE_DATA_RETRIES"
#: Seconds allowed for one file from one source, retries included.
DEADLINE_VARIABLE = "CNN_COURSE_DATA_DEADLINE"

DEFAULT_TIMEOUT = 10.0
MAX_TIMEOUT = 600.0
DEFAULT_RETRIES = 1
MAX_RETRIES = 5
MAX_DEADLINE = 86400.0
#: Seconds to open a connection (a dead host); never more than the stall timeout.
CONNECT_SECONDS = 5.0
#: The default deadline: this much, plus the file's size at this slow rate (2 Mbit/s).
DEADLINE_BASE_SECONDS = 60.0
SLOWEST_RATE_BYTES_PER_SECOND = 250_000
#: The default deadline for a file of unknown size.
DEADLINE_UNKNOWN_SIZE = 3600.0


def cache_dir() -> Path:
    """The cache folder (not created here)."""
    configured = os.environ.get(CACHE_VARIABLE, "").strip()
    if configured:
        return Path(configured).expanduser()
    return Path(pooch.os_cache("cnn-course"))


def mirror() -> str | None:
    """The user mirror: a folder path or an http(s) base URL, or None."""
    value = os.environ.get(MIRROR_VARIABLE, "").strip()
    return value or None


def timeout_seconds() -> float:
    """The stall timeout: seconds without a byte before an attempt is abandoned."""
    return _seconds(TIMEOUT_VARIABLE, DEFAULT_TIMEOUT, MAX_TIMEOUT,
                    f"seconds without data before a download attempt is abandoned "
                    f"(default {DEFAULT_TIMEOUT:g})")


def connect_timeout_seconds() -> float:
    """Seconds to open a connection: a few, and never more than the stall timeout."""
    return min(CONNECT_SECONDS, timeout_seconds())


def retries() -> int:
    text = os.environ.get(RETRIES_VARIABLE, "").strip()
    if not text:
        return DEFAULT_RETRIES
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_RETRIES:
        raise _bad_value(RETRIES_VARIABLE, text, f"a whole number from 0 to {MAX_RETRIES}",
                         f"number of extra attempts per URL after a failure that may pass "
                         f"(a timeout, a cut connection, HTTP 5xx; default {DEFAULT_RETRIES})",
                         DEFAULT_RETRIES)
    return value


def deadline_seconds(size: int | None) -> float:
    """Seconds allowed for one file of about ``size`` bytes from one source, retries included.

    Default: a minute plus the time the file takes at 250 kB/s, so a slow classroom
    connection still gets the 800 MB Oxford-IIIT Pet archive, while a server that
    trickles bytes cannot hold a 10 MB MNIST file for more than about 100 s.
    """
    configured = _seconds(DEADLINE_VARIABLE, None, MAX_DEADLINE,
                          "seconds allowed for one file from one source, retries included "
                          "(default 60 plus 4 per MB of the file)")
    if configured is not None:
        return configured
    if not size:
        return DEADLINE_UNKNOWN_SIZE
    return DEADLINE_BASE_SECONDS + size / SLOWEST_RATE_BYTES_PER_SECOND


def check() -> None:
    """Raise DatasetError if any download setting is out of range (call before downloading)."""
    timeout_seconds()
    retries()
    deadline_seconds(None)


def _seconds(variable: str, default: float | None, maximum: float, meaning: str) -> float | None:
    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 < value <= maximum):
        raise _bad_value(variable, text, f"a number of seconds greater than 0 and at most {maximum:g}",
                         meaning, default)
    return value


def _bad_value(variable: str, text: str, allowed: str, meaning: str, example) -> DatasetError:
    fix = "How to fix: set it within that range"
    if example is not None:
        fix += f", e.g. export {variable}={example:g}"
    return DatasetError(
        f"{variable}={text!r} is not allowed: it must be {allowed}.\n"
        f"It sets the {meaning}.\n"
        f"{fix}, or unset it to use the default (in a notebook: os.environ.pop({variable!r}, None)).")
