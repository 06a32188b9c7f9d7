"""Run a student's function on hidden cases against a reference and say which case failed.

A :class:`Case` is the arguments of one call and the words that describe it to a student
("a 7x6 image, a 2x3 kernel, stride 2, padding 1"). :func:`compare_with_reference` calls
the student's function and the reference on each case (on copies, so neither can change
the other's input) and raises :class:`~course_utils.exercises.core.Incorrect` at the first
case that differs: wrong type, wrong shape (with the expected one) or wrong values (with
the expected ones when they are small enough to read). When the wrong output matches a
known mistake (a flipped kernel, a missing padding, the wrong derivative), the message is
that mistake's hint instead (every matching one's, when
several mistakes give the same output on that case).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from course_utils.exercises.core import Incorrect, NotDoneYet

# Arrays up to this many numbers are printed in full in a failure message.
SHOWN_IN_FULL = 36


@dataclass
class Case:
    """One hidden test call: ``function(*args, **kwargs)``, described in words."""

    description: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)

    def call(self, function: Callable[..., Any]) -> Any:
        return function(*copy.deepcopy(self.args), **copy.deepcopy(self.kwargs))


@dataclass
class Mistake:
    """A plausible wrong implementation and the hint to give when a student's output matches it."""

    implementation: Callable[..., Any]
    hint: str


def require_callable(answer: Any, name: str) -> None:
    """Incorrect unless the student passed a function (not the result of calling it)."""
    if not callable(answer):
        raise Incorrect(f"pass the function itself, {name}, without calling it (no parentheses); "
                        f"got {type(answer).__name__}.")


def call_student(function: Callable[..., Any], name: str, description: str, args: tuple = (),
                 kwargs: dict | None = None, *, copy_arguments: bool = True) -> Any:
    """Call the student's function; its exceptions (but NotDoneYet) become Incorrect with the case.

    Arguments are deep-copied unless ``copy_arguments`` is False (for arguments that the
    checker must observe, such as a fake clock).
    """
    kwargs = kwargs or {}
    if copy_arguments:
        args, kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
    try:
        return function(*args, **kwargs)
    except NotDoneYet:
        raise
    except Exception as error:  # the student's bug, reported with the case that shows it
        raise Incorrect(f"{name} raised {type(error).__name__}: {error} on {description}.") from None


def _as_outputs(value: Any, count: int, name: str, case: Case) -> list[np.ndarray]:
    """The function's output(s) as float arrays, or Incorrect saying why they cannot be."""
    if count > 1:
        if not isinstance(value, (tuple, list)) or len(value) != count:
            raise Incorrect(f"on {case.description}, {name} should return {count} values "
                            f"(a tuple), got {type(value).__name__}.")
        values = list(value)
    else:
        values = [value]
    outputs = []
    for item in values:
        try:
            outputs.append(np.asarray(item, dtype=np.float64))
        except (TypeError, ValueError):
            raise Incorrect(f"on {case.description}, {name} returned {type(item).__name__}, "
                            f"which is not an array of numbers.") from None
    return outputs


def _show(array: np.ndarray) -> str:
    if array.size <= SHOWN_IN_FULL:
        return np.array2string(array, precision=4, suppress_small=True, separator=", ")
    return f"an array of shape {array.shape}"


def _agrees(got: list[np.ndarray], expected: list[np.ndarray], rtol: float, atol: float) -> bool:
    return all(g.shape == e.shape and np.allclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
               for g, e in zip(got, expected))


def compare_with_reference(function: Any, reference: Callable[..., Any], cases: Sequence[Case], *,
                           name: str, output_names: Sequence[str] | None = None,
                           mistakes: Sequence[Mistake] = (), rtol: float = 1e-6,
                           atol: float = 1e-8) -> int:
    """Check ``function`` against ``reference`` on every case; return how many passed.

    ``output_names`` names each output when the function returns a tuple (its length
    sets how many outputs are expected). NotDoneYet from the student's code propagates,
    so the exercise reports "not done yet"; any other exception is reported with its case.
    """
    require_callable(function, name)
    names = list(output_names) if output_names else ["the output"]
    for case in cases:
        expected = _as_outputs(case.call(reference), len(names), "the reference", case)
        raw = call_student(function, name, case.description, case.args, case.kwargs)
        got = _as_outputs(raw, len(names), name, case)
        if _agrees(got, expected, rtol, atol):
            continue
        matching = []
        for mistake in mistakes:
            try:
                wrong = _as_outputs(case.call(mistake.implementation), len(names), "a mistake", case)
            except Exception:  # a known mistake that cannot run on this case does not match it
                continue
            if _agrees(got, wrong, rtol, atol):
                matching.append(mistake.hint)
        if matching:  # on some cases two mistakes give the same output: name both
            raise Incorrect(f"on {case.description}: " + " Or perhaps: ".join(matching))
        for output_name, g, e in zip(names, got, expected):
            if g.shape != e.shape:
                raise Incorrect(f"on {case.description}, {output_name} should have shape {e.shape}, "
                                f"got {g.shape}.")
            if not np.allclose(g, e, rtol=rtol, atol=atol, equal_nan=True):
                largest = float(np.nanmax(np.abs(g - e))) if g.size else 0.0
                raise Incorrect(f"on {case.description}, {output_name} has wrong values (largest "
                                f"difference {largest:.3g}).\n  expected: {_show(e)}\n  got:      {_show(g)}")
    return len(cases)
