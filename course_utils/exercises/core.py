"""The exercise object every lesson's checks are built on: ``check``, ``hint``, ``solution``.

An :class:`Exercise` wraps a *checker*: a plain function that receives the student's
answers, raises :class:`Incorrect` with a specific message when something is wrong and
returns a one-line success message otherwise. The wrapper adds what every exercise
shares:

* answers still at their placeholder (``...``) or stubs that raise :class:`NotDoneYet`
  are reported as "not done yet" without a traceback, so "Run all" reaches the end;
* in the lessons themselves (the instructor's copies) a wrong answer raises
  :class:`ExerciseFailed`, an AssertionError shown as its message only, so an unattended
  run (nbval, CI) fails when a reference solution breaks;
* in a student copy (built by ``python -m course_utils.assign``, whose exercise cell calls
  :func:`student_copy`) a wrong answer prints its message in red and the notebook goes
  on, so "Run all" reaches the progress cell at the end;
* hints are revealed one at a time (``hint()``, then ``hint()`` again, or ``hint(2)``);
* ``solution()`` may be withheld until the instructor releases it;
* every check, hint and solution viewed is recorded for :mod:`course_utils.exercises.progress`.
"""

from __future__ import annotations

import inspect
import textwrap
from dataclasses import dataclass
from typing import Any, Callable, Sequence

NOT_DONE_PHRASE = "not done yet"
RED, RESET = "\x1b[31m", "\x1b[0m"

#: The statuses an exercise can have, in the order progress reports list them.
CORRECT, WRONG, NOT_DONE, NOT_CHECKED = "correct", "wrong", "not done", "not checked"


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
        return [f"{RED}{line}{RESET}" for line in str(self).splitlines()]


@dataclass(frozen=True)
class Result:
    """What one check found: ``status`` is CORRECT, WRONG or NOT_DONE; ``message`` says why."""

    status: str
    message: str


@dataclass
class _StudentCopy:
    """Set by :func:`student_copy` in a student notebook; the lessons leave it off."""

    active: bool = False
    solutions_released: bool = True
    release_note: str = ""


_student_copy = _StudentCopy()


def student_copy(*, solutions_released: bool = True, release_note: str = "") -> None:
    """Mark this kernel as running a student copy (the bundle's exercise cell calls it).

    A wrong answer then prints its hint in red instead of stopping "Run all";
    with ``solutions_released=False``, ``solution()`` says when it will be released
    (``release_note``, e.g. "after the due date, 18 September 2026") instead of showing it.
    """
    _student_copy.active = True
    _student_copy.solutions_released = solutions_released
    _student_copy.release_note = release_note


def is_placeholder(answer: Any) -> bool:
    """True for the placeholder a student has not replaced yet: ``...`` (Ellipsis)."""
    return answer is Ellipsis


#: Every exercise created in this kernel, in order (what progress reports list).
REGISTRY: list["Exercise"] = []


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
        A nudge that does not give the answer away, or a list of them, each more precise
        than the one before, revealed one at a time.
    solution:
        A string, or a function whose source is shown (a reference implementation).
        For answers checked by hash, give the method, not the number.
    """

    def __init__(self, title: str, checker: Callable[..., str], *, hint: str | Sequence[str],
                 solution: str | Callable[..., Any]) -> None:
        hints = [hint] if isinstance(hint, str) else list(hint)
        if not hints or not all(isinstance(text, str) and text.strip() for text in hints):
            raise ValueError(f"{title}: give at least one hint, each a non-empty string.")
        self.title = title
        self._checker = checker
        self.hints = hints
        self._solution = solution
        self.status = NOT_CHECKED
        self.reason = ""
        self.attempts = 0
        self.hints_viewed = 0
        self.solution_viewed = False
        REGISTRY.append(self)

    def evaluate(self, *answers: Any) -> Result:
        """Check the answers without printing or raising: a :class:`Result`."""
        if not answers:
            return Result(WRONG, "pass your answer to check(), e.g. check(my_function) or "
                                 "check(my_number).")
        expected = inspect.signature(self._checker)
        try:
            expected.bind(*answers)
        except TypeError:
            names = ", ".join(expected.parameters)
            return Result(WRONG, f"check() takes {len(expected.parameters)} answer(s), ({names}); "
                                 f"got {len(answers)}.")
        if any(is_placeholder(answer) for answer in answers):
            return Result(NOT_DONE, "an answer is still `...`: replace it with yours")
        try:
            return Result(CORRECT, self._checker(*answers))
        except NotDoneYet as stub:
            return Result(NOT_DONE, str(stub))
        except Incorrect as wrong:
            return Result(WRONG, str(wrong))

    def check(self, *answers: Any) -> None:
        """Print "Correct" or "not done yet"; a wrong answer raises (lessons) or prints in red
        (student copies)."""
        result = self.evaluate(*answers)
        self.attempts += 1
        self.status, self.reason = result.status, result.message
        if result.status == CORRECT:
            print(f"Correct ({self.title}): {result.message}")
        elif result.status == NOT_DONE:
            print(f"{self.title}: {NOT_DONE_PHRASE} ({result.message}).")
        else:
            message = (f"Incorrect ({self.title}): {result.message}\n"
                       f"For a hint, run .hint() on this exercise.")
            if not _student_copy.active:
                raise ExerciseFailed(message)
            print(f"{RED}{message}{RESET}")

    def hint(self, number: int | None = None) -> None:
        """Print the next hint (or hint ``number``, from 1); each is more precise than the last."""
        if number is None:
            number = min(self.hints_viewed + 1, len(self.hints))
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= len(self.hints):
            print(f"{self.title} has hints 1 to {len(self.hints)}; ask for one of those, e.g. hint(1).")
            return
        self.hints_viewed = max(self.hints_viewed, number)
        more = (f" (hint {number} of {len(self.hints)}; run hint() again for the next)"
                if number < len(self.hints) else f" (hint {number} of {len(self.hints)})")
        print(f"Hint ({self.title}){more}: {self.hints[number - 1]}")

    def solution(self) -> None:
        if not _student_copy.solutions_released:
            when = _student_copy.release_note or "later, by your instructor"
            print(f"Solution ({self.title}): not released yet; it will be released {when}. "
                  f"Until then, hint() gives a nudge.")
            return
        self.solution_viewed = True
        if callable(self._solution):
            text = textwrap.dedent(inspect.getsource(self._solution))
        else:
            text = textwrap.dedent(self._solution).strip()
        print(f"Solution ({self.title}):\n{text}")

    def __repr__(self) -> str:
        return f"<Exercise {self.title!r}: call .check(answer), .hint() or .solution()>"
