"""Run a student's function on hidden cases against a reference and say what is wrong.

A :class:`Case` is the arguments of one call and the words that describe it to a student
("a 5x4 image, a 2x2 kernel, stride 3, padding 2"). :func:`compare_with_reference` calls
the student's function and the reference on each case (on copies, so neither can change
the other's input) and raises :class:`~course_utils.exercises.core.Incorrect` when they
differ:

* an output of the wrong kind (text, a bool, None, a list where an array is asked, a
  float where a whole number is asked) is refused at once, with what to return instead;
* a wrong output that a known mistake (a flipped kernel, a missing padding, the wrong
  derivative) reproduces on *every* hidden case gets that mistake's hint (one case can
  be matched by chance: a per-image Dice and the pixel accuracy agree on some masks);
* otherwise the first case that differs is shown: wrong shape (with the expected one) or
  wrong values (with the expected ones when they are small enough to read).

While the student's function runs, the course's own implementation of the exercise is
off limits (:mod:`course_utils.exercises.off_limits`): the reference itself, and the
helpers the lesson's check module names.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from course_utils.exercises.core import Incorrect, NotDoneYet
from course_utils.exercises.off_limits import OffLimits, Refused, as_off_limits, guardable, refusal

# Arrays up to this many numbers are printed in full in a failure message.
SHOWN_IN_FULL = 36

#: What an exercise asks its function to return, read off the reference's output.
WHOLE_NUMBER, NUMBER, ARRAY = "a whole number", "a number", "a NumPy array"


def _copied(values: Any, shared: Sequence[Any]) -> Any:
    """A deep copy of ``values`` in which the ``shared`` objects (a Keras model) stay themselves:
    deepcopy returns whatever its memo already holds for an object's id."""
    memo = {id(item): item for item in shared}
    return copy.deepcopy(values, memo)


@dataclass
class Case:
    """One hidden test call: ``function(*args, **kwargs)``, described in words."""

    description: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)

    def call(self, function: Callable[..., Any], shared: Sequence[Any] = ()) -> Any:
        return function(*_copied(self.args, shared), **_copied(self.kwargs, shared))


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
                 kwargs: dict | None = None, *, copy_arguments: bool = True, shared: Sequence[Any] = (),
                 off_limits: OffLimits | Iterable[Callable[..., Any]] | None = None) -> Any:
    """Call the student's function; its exceptions (but NotDoneYet and Incorrect) become
    Incorrect with the case, and a call to an ``off_limits`` function fails the exercise.

    Arguments are deep-copied unless ``copy_arguments`` is False (for arguments that the
    checker must observe, such as a fake clock); the ``shared`` objects are never copied
    (a Keras model: copying it is slow, and the student's function only reads it).
    """
    kwargs = kwargs or {}
    if copy_arguments:
        args, kwargs = _copied(args, shared), _copied(kwargs, shared)
    off_limits = as_off_limits(off_limits)
    with off_limits.guard() as called:
        try:
            result = function(*args, **kwargs)
        except Exception as error:  # the student's bug, reported with the case that shows it
            if called:  # first: a student's try/except may have turned the refusal into another error
                raise Refused(refusal(name, called, off_limits)) from None
            if isinstance(error, (NotDoneYet, Incorrect)):
                raise
            raise Incorrect(f"{name} raised {type(error).__name__}: {error} on {description}.") from None
    if called:
        raise Refused(refusal(name, called, off_limits))
    return result


def output_kind(value: Any) -> str:
    """What the reference returns: WHOLE_NUMBER, NUMBER or ARRAY (what the student must return)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return WHOLE_NUMBER
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return ARRAY
    return NUMBER


def kind_problem(value: Any, kind: str) -> str | None:
    """Why ``value`` is not of ``kind`` (what to return instead), or None when it is."""
    if value is None:
        return "returned None: is the `return` line missing?"
    if isinstance(value, (str, bytes)):
        return f"returned the text {value!r}: return {kind}, not a string (no str(), no quotes)."
    if isinstance(value, (bool, np.bool_)):
        return f"returned {value!r}, a truth value: return {kind}, not the result of a comparison."
    if isinstance(value, (list, tuple, dict, set)):
        return (f"returned a {type(value).__name__}: return {kind}"
                + (" (np.array(...), or NumPy operations on the inputs)." if kind == ARRAY else "."))
    if not hasattr(value, "__array__") and not isinstance(value, (int, float)):
        return f"returned a {type(value).__name__}: return {kind}."
    array = np.asarray(value)  # NumPy scalars and arrays; TensorFlow and JAX tensors too
    if array.dtype.kind == "b":
        return f"returned truth values (dtype bool): return {kind} of numbers."
    if array.dtype.kind not in "iuf":
        return f"returned values of dtype {array.dtype}: return {kind} of real numbers."
    if kind != ARRAY and array.ndim > 0:
        return (f"returned an array of shape {array.shape}: return one number "
                f"(float(...) or int(...) turns a one-element array into one).")
    if kind == WHOLE_NUMBER and array.dtype.kind == "f":
        return (f"returned the float {array.item()!r}: return a whole number (an int): use // "
                f"(floor division) rather than /, or int() where the value is exact.")
    return None


def _as_outputs(value: Any, kinds: Sequence[str] | None, name: str, case: Case,
                output_names: Sequence[str]) -> list[np.ndarray]:
    """The function's output(s) as float arrays, or Incorrect saying why they cannot be.

    ``kinds``: what each output must be (None for the reference, which sets them)."""
    count = len(output_names)
    if count > 1:
        if not isinstance(value, (tuple, list)) or len(value) != count:
            raise Incorrect(f"on {case.description}, {name} should return {count} values "
                            f"(a tuple), got {type(value).__name__}.")
        values = list(value)
    else:
        values = [value]
    outputs = []
    for index, item in enumerate(values):
        if kinds is not None:
            problem = kind_problem(item, kinds[index])
            if problem:
                which = f" ({output_names[index]})" if count > 1 else ""
                raise Incorrect(f"on {case.description}, {name}{which} {problem}")
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


def _matching_mistakes(mistakes: Sequence[Mistake], outputs: list[tuple[Case, list[np.ndarray]]],
                       output_names: Sequence[str], shared: Sequence[Any], rtol: float,
                       atol: float) -> list[str]:
    """The hints of the mistakes that reproduce the student's outputs on every case run."""
    hints = []
    for mistake in mistakes:
        reproduced = True
        for case, got in outputs:
            try:
                wrong = _as_outputs(case.call(mistake.implementation, shared), None, "a mistake",
                                    case, output_names)
            except Exception:  # a known mistake that cannot run on a case is not this student's
                reproduced = False
                break
            if not _agrees(got, wrong, rtol, atol):
                reproduced = False
                break
        if reproduced:
            hints.append(mistake.hint)
    return hints


def compare_with_reference(function: Any, reference: Callable[..., Any], cases: Sequence[Case], *,
                           name: str, output_names: Sequence[str] | None = None,
                           mistakes: Sequence[Mistake] = (), rtol: float = 1e-6, atol: float = 1e-8,
                           off_limits: OffLimits | Iterable[Callable[..., Any]] | None = None,
                           copy_arguments: bool = True, shared: Sequence[Any] = (),
                           advice: str = "") -> int:
    """Check ``function`` against ``reference`` on every case; return how many passed.

    ``output_names`` names each output when the function returns a tuple (its length
    sets how many outputs are expected); each output must be of the kind the reference
    returns (a whole number, a number or an array). ``off_limits``: the helpers the
    student may not call (the reference always is). ``copy_arguments=False`` passes the
    cases' arguments as they are; ``shared`` objects (a Keras model) are never copied.
    ``advice`` ends the message for wrong values. NotDoneYet from the student's code
    propagates, so the exercise reports "not done yet"; any other exception is reported
    with its case.
    """
    require_callable(function, name)
    names = list(output_names) if output_names else ["the output"]
    forbidden = as_off_limits(off_limits)
    if guardable(reference):  # a student may not hand in the reference, nor call it
        forbidden = forbidden.including(reference)
    outputs: list[tuple[Case, list[np.ndarray]]] = []
    first_failure: tuple[Case, list[np.ndarray], list[np.ndarray]] | None = None
    for case in cases:
        raw_expected = case.call(reference, shared) if copy_arguments else reference(*case.args, **case.kwargs)
        kinds = [output_kind(value) for value in
                 (raw_expected if len(names) > 1 else [raw_expected])]
        expected = _as_outputs(raw_expected, None, "the reference", case, names)
        try:
            raw = call_student(function, name, case.description, case.args, case.kwargs,
                               copy_arguments=copy_arguments, shared=shared, off_limits=forbidden)
        except Refused:
            raise
        except Incorrect:
            if first_failure is None:
                raise
            break  # report the earlier wrong output, with the mistakes that match the cases so far
        got = _as_outputs(raw, kinds, name, case, names)
        outputs.append((case, got))
        if first_failure is None and not _agrees(got, expected, rtol, atol):
            first_failure = (case, got, expected)
    if first_failure is None:
        return len(cases)
    matching = _matching_mistakes(mistakes, outputs, names, shared, rtol, atol)
    case, got, expected = first_failure
    if matching:  # two mistakes may give the same outputs: name both
        raise Incorrect(f"on {case.description}: " + " Or perhaps: ".join(matching))
    for output_name, g, e in zip(names, got, expected):
        if g.shape != e.shape:
            raise Incorrect(f"on {case.description}, {output_name} should have shape {e.shape}, "
                            f"got {g.shape}.")
        if not np.allclose(g, e, rtol=rtol, atol=atol, equal_nan=True):
            largest = float(np.nanmax(np.abs(g - e))) if g.size else 0.0
            share = float(np.mean(~np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)))
            differ = f"; {share:.0%} of the values differ" if g.size > SHOWN_IN_FULL else ""
            raise Incorrect(f"on {case.description}, {output_name} has wrong values (largest "
                            f"difference {largest:.3g}{differ}).\n  expected: {_show(e)}\n  "
                            f"got:      {_show(g)}" + (f"\n  {advice}" if advice else ""))
    raise AssertionError("unreachable: a failing case differs in shape or values")
