"""What counts as a whole number when a helper checks its arguments.

Sizes, counts and depths come from Python (``3``) as often as from NumPy (``x.shape[0]``,
``np.arange(...)``, ``len`` of an array is an ``int`` but ``array.max()`` is not), so a
NumPy integer is as good as an ``int``. A bool is not, although Python counts ``True``
as 1: ``depth=True`` is a mistake, not a depth of one. Floats are not, even ``3.0``.
"""

from __future__ import annotations

import numpy as np


def is_whole_number(value) -> bool:
    """True for ``int`` and NumPy integers, False for bools, floats and anything else."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def require_whole_number(name: str, value, minimum: int = 1) -> int:
    """``value`` as an ``int`` if it is a whole number of at least ``minimum``; else a ValueError."""
    if not is_whole_number(value) or value < minimum:
        what = "a positive whole number" if minimum == 1 else f"a whole number of at least {minimum}"
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return int(value)
