"""The exercise object every lesson's checks are built on: ``check``, ``hint``, ``solution``.

An :class:`Exercise` wraps a *checker*: a plain function that receives the student's
answers, raises :class:`Incorrect` with a specific message when something is wrong and
returns a one-line success message otherwise. The wrapper adds what every exercise
shares: answers still at their placeholder (``...``) or stubs that raise
:class:`NotDoneYet` are reported as "not done yet" without a traceback, so "Run all"
reaches the end of a student notebook; wrong answers raise :class:`ExerciseFailed`, an
AssertionError that a notebook shows as its message only, so an unattended run of the
instructor's notebook fails when a reference solution breaks.
"""

from __future__ import annotations

import inspect
import textwrap
from typing import Any, Callable

NOT_DONE_PHRASE = "not done yet"


class NotDoneYet(NotImplementedError):
    """What an unfinished exercise raises: the stub a student replaces with their code."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message or "replace `raise NotDoneYet()` with your code, then run the "
                                    "check cell again.")


class Incorrect(Exception):
    """Raised by a checker when the student's answer is wrong; its message is the hint."""


class ExerciseFailed(AssertionError):
    """A wrong answer, as the student sees it: the message, without a traceback.

    IPython calls ``_render_traceback_`` instead of printing the traceback, so the cell
    shows only what is wrong and what to try; it is still an error, so "Run all" stops
    there and nbval fails an instructor notebook whose solution no longer passes.
    """

    def _render_traceback_(self) -> list[str]:
        red, reset = "\x1b[31m", "\x1b[0m"
        return [f"{red}{line}{reset}" for line in str(self).splitlines()]


def is_placeholder(answer: Any) -> bool:
    """True for the placeholder a student has not replaced yet: ``...`` (Ellipsis)."""
    return answer is Ellipsis


class Exercise:
    """One exercise: ``exercise.check(answer)``, ``exercise.hint()``, ``exercise.solution()``.

    Parameters
    ----------
    title:
        What the messages call it, e.g. ``"Lesson 02, exercise 1 (stride and padding)"``.
    checker:
        ``checker(*answers) -> str``: raises :class:`Incorrect` (or NotDoneYet) or returns
        the success message. It receives exactly the arguments given to ``check``.
    hint:
        A nudge that does not give the answer away.
    solution:
        A string, or a function whose source is shown (a reference implementation).
        For answers checked by hash, give the method, not the number.
    """

    def __init__(self, title: str, checker: Callable[..., str], *, hint: str,
                 solution: str | Callable[..., Any]) -> None:
        self.title = title
        self._checker = checker
        self._hint = hint
        self._solution = solution

    def check(self, *answers: Any) -> None:
        """Print "Correct" or "not done yet"; raise ExerciseFailed on a wrong answer."""
        if not answers:
            raise ExerciseFailed(f"{self.title}: pass your answer to check(), e.g. "
                                 f"check(my_function) or check(my_number).")
        expected = inspect.signature(self._checker)
        try:
            expected.bind(*answers)
        except TypeError:
            names = ", ".join(expected.parameters)
            raise ExerciseFailed(f"{self.title}: check() takes {len(expected.parameters)} answer(s), "
                                 f"({names}); got {len(answers)}.") from None
        if any(is_placeholder(answer) for answer in answers):
            print(self._not_done_message("an answer is still `...`: replace it with yours"))
            return
        try:
            message = self._checker(*answers)
        except NotDoneYet as stub:
            print(self._not_done_message(str(stub)))
            return
        except Incorrect as wrong:
            raise ExerciseFailed(f"Incorrect ({self.title}): {wrong}\n"
                                 f"For a hint, run .hint() on this exercise.") from None
        print(f"Correct ({self.title}): {message}")

    def hint(self) -> None:
        print(f"Hint ({self.title}): {self._hint}")

    def solution(self) -> None:
        if callable(self._solution):
            text = textwrap.dedent(inspect.getsource(self._solution))
        else:
            text = textwrap.dedent(self._solution).strip()
        print(f"Solution ({self.title}):\n{text}")

    def _not_done_message(self, detail: str) -> str:
        return f"{self.title}: {NOT_DONE_PHRASE} ({detail})."

    def __repr__(self) -> str:
        return f"<Exercise {self.title!r}: call .check(answer), .hint() or .solution()>"
