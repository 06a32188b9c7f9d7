"""Answers that are a number or a shape, checked against a salted hash.

The expected answer is stored only as ``sha256(salt + ":" + canonical text)``, so reading
a lesson's check module does not give the answer away (it hides, it does not protect:
a determined student can try every number). Known wrong answers can be hashed too, each
with its own hint ("you counted the weights only").

Before hashing, the answer must be of the right kind: a whole number is a Python or NumPy
integer, never a float (4321.0 or 4321.9), a string ("4321") or a bool; a shape is a
tuple or list of whole numbers. Anything else is rejected with a message saying why,
instead of being truncated into a right answer.

Authors compute digests with ``python -m course_utils.exercises digest SALT VALUE``.
"""

from __future__ import annotations

import hashlib
from typing import Any, Mapping

import numpy as np

from course_utils.exercises.core import Incorrect


def _is_whole_number(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def whole_number_text(value: Any, what: str) -> str:
    """The canonical text of a whole-number answer, or Incorrect saying what is wrong."""
    if _is_whole_number(value):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return _reject_float(value, what)
    if isinstance(value, str):
        raise Incorrect(f"{what} must be a number, not the string {value!r}: drop the quotes.")
    if isinstance(value, (bool, np.bool_)):
        raise Incorrect(f"{what} must be a whole number, not {value!r}.")
    if isinstance(value, np.ndarray) and value.size == 1 and _is_whole_number(value.reshape(-1)[0]):
        return str(int(value.reshape(-1)[0]))
    raise Incorrect(f"{what} must be a whole number (an int), got {type(value).__name__} {value!r}.")


def _reject_float(value: float, what: str) -> str:
    if float(value).is_integer():
        raise Incorrect(f"{what} must be a whole number (an int), got the float {value!r}: "
                        f"use // (floor division) rather than /, or write the number as an int.")
    raise Incorrect(f"{what} must be a whole number, got {value!r}: a count has no fractional "
                    f"part; check where a division crept in (sizes use //, the floor).")


def shape_text(value: Any, what: str) -> str:
    """The canonical text of a shape answer (``"5x3x12"``), or Incorrect."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, (tuple, list)) or len(value) == 0:
        raise Incorrect(f"{what} must be a shape: a tuple of whole numbers such as (5, 3, 12), "
                        f"got {value!r}.")
    if any(size is None for size in value):
        raise Incorrect(f"{what}: leave out the batch dimension (None); give the sizes only.")
    return "x".join(whole_number_text(size, f"every size in {what}") for size in value)


def digest(salt: str, canonical_text: str) -> str:
    """The salted SHA-256 of an answer's canonical text (what the check modules store)."""
    return hashlib.sha256(f"{salt}:{canonical_text}".encode()).hexdigest()


def digest_of(salt: str, value: Any) -> str:
    """Digest of a whole number or a shape, for authors writing a new check."""
    if isinstance(value, (tuple, list, np.ndarray)):
        return digest(salt, shape_text(value, "the value"))
    return digest(salt, whole_number_text(value, "the value"))


class HashedAnswer:
    """An answer stored as a salted hash.

    Parameters
    ----------
    salt:
        A string unique to this answer (e.g. ``"lesson99.exercise1.count"``), so equal
        answers of different exercises have different digests.
    expected_digest:
        ``digest_of(salt, right_answer)``.
    what:
        How messages name the answer ("the conv layer's parameter count").
    kind:
        ``"whole number"`` or ``"shape"``.
    wrong:
        The hint when the answer is wrong in an unforeseen way.
    mistakes:
        ``{digest_of(salt, plausible_wrong_answer): specific hint}``.
    """

    def __init__(self, salt: str, expected_digest: str, *, what: str, wrong: str,
                 kind: str = "whole number", mistakes: Mapping[str, str] | None = None) -> None:
        if kind not in ("whole number", "shape"):
            raise ValueError(f"kind must be 'whole number' or 'shape', got {kind!r}.")
        self.salt = salt
        self.expected_digest = expected_digest
        self.what = what
        self.wrong = wrong
        self.kind = kind
        self.mistakes = dict(mistakes or {})

    def verify(self, answer: Any) -> None:
        """Return if ``answer`` is right; raise Incorrect with the most specific hint if not."""
        if self.kind == "shape":
            text = shape_text(answer, self.what)
        else:
            text = whole_number_text(answer, self.what)
        answer_digest = digest(self.salt, text)
        if answer_digest == self.expected_digest:
            return
        shown = text.replace("x", ", ") if self.kind == "shape" else text
        hint = self.mistakes.get(answer_digest, self.wrong)
        raise Incorrect(f"{self.what}: {shown} is not right. {hint}")
