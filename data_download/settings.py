"""Where data lives and how patient downloads are: read from the environment
each time, so that a notebook can change a variable without re-importing.

The defaults suit a classroom: a dead or stalled source costs seconds before the
next one is tried, a flaky one is tried again a few times (retry.py), and a server
that trickles bytes meets an overall deadline.  A value out of range raises
DatasetError naming the variable and its range (:func:`check` runs before any
download).  ``load(name, timeout=..., retries=...)`` overrides the first two for
one call (:func:`patience`), with the same ranges.
"""

from __future__ import annotations

import math
import numbers
import os
from dataclasses import dataclass
from pathlib import Path

import pooch

from .errors import DatasetError

#: A folder or an http(s) base URL laid out like ``<base>/<dataset>/<file>``.
MIRROR_VARIABLE = "CNN_COURSE_DATA_MIRROR"
#: The cache folder; default ``pooch.os_cache("cnn-course")``.
CACHE_VARIABLE = "CNN_COURSE_DATA_DIR"
#: Seconds without data before a download attempt is abandoned (a stalled server).
TIMEOUT_VARIABLE = "CNN_COURSE_DATA_TIMEOUT"
#: Extra attempts per URL after a failure that may pass (HTTP 5xx, a cut or refused connection,
#: a timeout), with exponential backoff and jitter between them (retry.py).
RETRIES_VARIABLE = "CNN_COURSE_DATA_RETRIES"
#: Seconds allowed for one file from one source, retries included.
DEADLINE_VARIABLE = "CNN_COURSE_DATA_DEADLINE"

DEFAULT_TIMEOUT = 10.0
MAX_TIMEOUT = 600.0
#: Four extra attempts: at 10 % transient faults per response, one file in 100 000 fails
#: (0.1 ** 5), so a class of 200 fetching MNIST's 4 files almost never sees a failure;
#: a dead server is not retried that often (retry.Servers), so it still costs one timeout.
DEFAULT_RETRIES = 4
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
        raise _bad_value(RETRIES_VARIABLE, text, _RETRIES_ALLOWED, _RETRIES_MEANING, DEFAULT_RETRIES)
    return value


_retries_from_environment = retries  # patience() has an argument of the same name

_RETRIES_ALLOWED = f"a whole number from 0 to {MAX_RETRIES}"
_RETRIES_MEANING = (f"number of extra attempts per URL after a failure that may pass "
                    f"(HTTP 5xx, a cut or refused connection, a timeout; default {DEFAULT_RETRIES})")


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
    patience()


@dataclass(frozen=True)
class Patience:
    """How patient one fetch is: the stall timeout and the retries, from ``load``'s
    arguments where given and from the environment otherwise."""

    timeout: float  # seconds without data before an attempt is abandoned
    retries: int  # extra attempts per URL after a failure that may pass

    @property
    def connect_timeout(self) -> float:
        """Seconds to open a connection: a few, and never more than the stall timeout."""
        return min(CONNECT_SECONDS, self.timeout)

    def deadline(self, size: int | None) -> float:
        return deadline_seconds(size)


def patience(timeout: float | None = None, retries: int | None = None) -> Patience:
    """The settings for one fetch; DatasetError for a value out of range (an argument
    is held to the same range as its variable)."""
    deadline_seconds(None)  # checks CNN_COURSE_DATA_DEADLINE now, before any network use
    if timeout is None:
        timeout = timeout_seconds()
    elif not (isinstance(timeout, numbers.Real) and not isinstance(timeout, bool)
              and math.isfinite(timeout) and 0 < timeout <= MAX_TIMEOUT):
        raise _bad_argument("timeout", timeout, f"a number of seconds greater than 0 and at most "
                            f"{MAX_TIMEOUT:g}", TIMEOUT_VARIABLE)
    if retries is None:
        retries = _retries_from_environment()
    elif not (isinstance(retries, numbers.Integral) and not isinstance(retries, bool)
              and 0 <= retries <= MAX_RETRIES):
        raise _bad_argument("retries", retries, _RETRIES_ALLOWED, RETRIES_VARIABLE)
    return Patience(float(timeout), int(retries))


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


def _bad_argument(name: str, value, allowed: str, variable: str) -> DatasetError:
    return DatasetError(f"load(..., {name}={value!r}) is not allowed: it must be {allowed}.\n"
                        f"How to fix: pass a value in that range, or leave it out to use "
                        f"{variable} (or its default).")
