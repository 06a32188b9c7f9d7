"""Where data lives and how patient downloads are: read from the environment
each time, so that a notebook can change a variable without re-importing."""

from __future__ import annotations

import os
from pathlib import Path

import pooch

#: A folder or an http(s) base URL laid out like ``<base>/<dataset>/<file>``.
MIRROR_VARIABLE = "CNN_COURSE_DATA_MIRROR"
#: The cache folder; default ``pooch.os_cache("cnn-course")``.
CACHE_VARIABLE = "CNN_COURSE_DATA_DIR"
#: Seconds without data before an HTTP download is abandoned (default 60).
TIMEOUT_VARIABLE = "CNN_COURSE_DATA_TIMEOUT"
#: Extra attempts pooch makes per URL after a failed download (default 2).
RETRIES_VARIABLE = "CNN_COURSE_DATA_RETRIES"


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
    return _number(TIMEOUT_VARIABLE, 60.0)


def retries() -> int:
    return int(_number(RETRIES_VARIABLE, 2))


def _number(variable: str, default: float) -> float:
    value = os.environ.get(variable, "").strip()
    if not value:
        return default
    try:
        return float(value)
    except ValueError:
        # A typo in a variable must not stop a class: fall back, but say so.
        import warnings

        warnings.warn(f"{variable}={value!r} is not a number; using {default}", stacklevel=3)
        return default
