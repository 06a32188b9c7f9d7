"""While a check runs a student's function, the course's own implementation cannot be called.

An exercise that asks for ``conv2d`` is not done by handing in ``conv2d_forward`` from
the course's helpers, nor a lambda, a ``def`` or a ``functools.partial`` around it, nor
the helper imported under another name, nor the check module's own reference solution.
Each lesson's check module lists, per exercise, the functions that are off limits
(:class:`OffLimits`); :func:`~course_utils.exercises.cases.call_student` and
:func:`~course_utils.exercises.cases.compare_with_reference` call the student's function
inside :meth:`OffLimits.guard`, and a call to any of them becomes
``Incorrect("... write it by hand, without course_utils.X ...")``.

How: for the duration of the student's call, each off-limits function's code
(``function.__code__``) is swapped for a stand-in that records the call and raises.
Every alias of a function is the same function object, so every alias is caught, and
the helper does not even run: no time is lost, and the guard costs nothing outside the
functions it watches (a profiler hook would slow every Keras call of lessons 05 and 06).
The call is recorded before the stand-in raises, so a student's ``try/except`` around
the helper cannot hide it. The original code is put back when the call returns.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import sys
import types
from typing import Any, Callable, Iterable, Iterator

from course_utils.exercises.core import Incorrect

#: The stand-ins' calls seen by the guards that are active now (innermost last).
_ACTIVE_RECORDS: list[list[str]] = []
#: One stand-in code object per watched function (compiled once, named after it).
_STAND_INS: dict[str, types.CodeType] = {}


class OffLimitsCalled(Exception):
    """What a stand-in raises: the student's function called an off-limits helper."""


class Refused(Incorrect):
    """The student's answer called an off-limits helper: wrong whatever else it does."""


def _called(label: str) -> OffLimitsCalled:
    """Record the call (a student's except clause may swallow the exception) and build it."""
    for record in _ACTIVE_RECORDS:
        record.append(label)
    return OffLimitsCalled(f"{label} is off limits in this exercise")


def _stand_in_code(label: str) -> types.CodeType:
    """Code that takes any arguments and raises: ``__import__`` finds this module from any
    function's globals, so the code works wherever it is put."""
    if label not in _STAND_INS:
        source = ("def stand_in(*args, **kwargs):\n"
                  f"    raise __import__({__name__!r}, fromlist=['_called'])._called({label!r})\n")
        namespace: dict[str, Any] = {}
        exec(compile(source, f"<off limits: {label}>", "exec"), namespace)
        _STAND_INS[label] = namespace["stand_in"].__code__
    return _STAND_INS[label]


def _plain_function(function: Callable[..., Any]) -> types.FunctionType:
    """The Python function whose code runs when ``function`` is called (a method's,
    a partial's, a decorated function's), or TypeError when there is none to swap."""
    while True:
        if isinstance(function, functools.partial):
            function = function.func
        elif isinstance(function, (types.MethodType, staticmethod, classmethod)):
            function = function.__func__
        elif hasattr(function, "__wrapped__"):
            function = inspect.unwrap(function)
        else:
            break
    if not isinstance(function, types.FunctionType):
        raise TypeError(f"{function!r} is not a Python function: it cannot be put off limits")
    if function.__closure__:
        raise TypeError(f"{function.__qualname__} uses variables of an enclosing function: "
                        f"only module-level functions and methods can be put off limits")
    return function


def label_of(function: Callable[..., Any]) -> str:
    """How messages name a function: ``course_utils.convolution.conv2d_forward``."""
    plain = _plain_function(function)
    return f"{plain.__module__}.{plain.__qualname__}"


class OffLimits:
    """The functions a student's answer to one exercise may not call.

    ``OffLimits(conv2d_forward, im2col)``; ``off_limits.including(reference)`` adds more
    (``compare_with_reference`` adds the exercise's reference itself).
    """

    def __init__(self, *functions: Callable[..., Any], advice: str = "") -> None:
        self.advice = advice
        plain = {}
        for function in functions:
            function = _plain_function(function)
            plain[id(function)] = function
        self.functions: tuple[types.FunctionType, ...] = tuple(plain.values())

    def including(self, *functions: Callable[..., Any]) -> "OffLimits":
        return OffLimits(*self.functions, *functions, advice=self.advice)

    @property
    def labels(self) -> list[str]:
        return [f"{function.__module__}.{function.__qualname__}" for function in self.functions]

    def __repr__(self) -> str:
        return f"OffLimits({', '.join(self.labels)})"

    @contextlib.contextmanager
    def guard(self) -> Iterator[list[str]]:
        """Swap every off-limits function's code for a stand-in; yield the list of the
        stand-ins' calls (labels), which is filled while the guard is active."""
        record: list[str] = []
        swapped: list[tuple[types.FunctionType, types.CodeType]] = []
        try:
            for function in self.functions:
                label = f"{function.__module__}.{function.__qualname__}"
                stand_in = _stand_in_code(label)
                if function.__code__ is not stand_in:  # not already swapped by an outer guard
                    swapped.append((function, function.__code__))
                    function.__code__ = stand_in
            _ACTIVE_RECORDS.append(record)
            yield record
        finally:
            if _ACTIVE_RECORDS and _ACTIVE_RECORDS[-1] is record:
                _ACTIVE_RECORDS.pop()
            for function, code in reversed(swapped):
                function.__code__ = code


NOTHING = OffLimits()


def guardable(function: Any) -> bool:
    """Whether ``function`` can be put off limits (a Python function without a closure)."""
    try:
        _plain_function(function)
    except TypeError:
        return False
    return True


def check_module_functions(module_name: str) -> list[types.FunctionType]:
    """Every function a lesson's check module defines: its references, and its known
    mistakes too (a mistake without the final clip, clipped, is the reference)."""
    module = sys.modules[module_name]
    return [value for value in vars(module).values()
            if isinstance(value, types.FunctionType) and value.__module__ == module_name
            and not value.__closure__]


def for_exercise(module_name: str, *helpers: Callable[..., Any], advice: str = "") -> OffLimits:
    """What an exercise of ``module_name`` puts off limits: the course's ``helpers`` that
    implement it, and every function of the check module itself."""
    return OffLimits(*helpers, *check_module_functions(module_name), advice=advice)


def as_off_limits(functions: "OffLimits | Iterable[Callable[..., Any]] | None") -> OffLimits:
    """An :class:`OffLimits` from one, or from a list of functions (None: nothing)."""
    if functions is None:
        return NOTHING
    if isinstance(functions, OffLimits):
        return functions
    return OffLimits(*functions)


def refusal(name: str, called: list[str], off_limits: OffLimits) -> str:
    """The message for a student's function that called an off-limits helper."""
    first = called[0]
    what = "this check's own code" if ".exercises." in first else "the course's own implementation"
    others = [label for label in off_limits.labels if label != first and ".exercises." not in label]
    also = f" Also off limits here: {', '.join(others)}." if others else ""
    return (f"{name} calls {first}, {what}, directly or wrapped in another function: write it by "
            f"hand, without {first}.{also} {off_limits.advice or 'Write it with NumPy.'}")
