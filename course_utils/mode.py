"""Fast mode: one environment variable that makes every lesson small enough for CI.

Fast mode changes only *sizes* (how many examples, how many epochs), never the code
path: a lesson asks ``by_mode(fast=..., full=...)`` for each number it trains with.
This module is the only place that reads the variable.
"""

from __future__ import annotations

import os
from typing import TypeVar

FAST_MODE_VARIABLE = "CNN_COURSE_FAST"

_TRUE_WORDS = {"1", "true", "yes", "on"}
_FALSE_WORDS = {"", "0", "false", "no", "off"}

T = TypeVar("T")


def is_fast_mode() -> bool:
    """True when CNN_COURSE_FAST is set to 1/true/yes/on (read at every call)."""
    raw_value = os.environ.get(FAST_MODE_VARIABLE, "").strip().lower()
    if raw_value in _TRUE_WORDS:
        return True
    if raw_value in _FALSE_WORDS:
        return False
    raise ValueError(
        f"{FAST_MODE_VARIABLE}={os.environ[FAST_MODE_VARIABLE]!r} is not understood: "
        f"set it to 1 for fast mode or 0 (or leave it unset) for full mode."
    )


def by_mode(*, fast: T, full: T) -> T:
    """Return ``fast`` in fast mode and ``full`` otherwise."""
    return fast if is_fast_mode() else full


def describe_mode() -> str:
    """One line for the top of a lesson, saying which mode is on and how to switch."""
    if is_fast_mode():
        return (f"Fast mode ({FAST_MODE_VARIABLE}=1): small data and few epochs. "
                f"Unset {FAST_MODE_VARIABLE} for the full lesson.")
    return (f"Full mode: full data and epochs. Set {FAST_MODE_VARIABLE}=1 "
            f"for a quick run (as CI does).")
