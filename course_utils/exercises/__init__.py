'''Exercises that check themselves, in Colab or anywhere, with no server and no test folder.

Every lesson ends with exercises in one format. Each exercise is an :class:`Exercise`
object in ``course_utils.exercises.lessonNN`` (``exercise_1``, ``exercise_2``, ...):

* ``exercise_1.check(answer)`` runs the student's answer on hidden cases against a
  reference and prints ``Correct (...)``; a wrong answer says which case failed and what
  was expected: in the lessons it raises :class:`ExerciseFailed` (an AssertionError shown
  as its message only, so nbval fails a broken reference solution), in a student copy
  (whose exercise cell calls :func:`student_copy`) it prints the message in red and "Run
  all" goes on. An answer that is still the placeholder ``...``, or a stub that raises
  :class:`NotDoneYet`, prints ``... not done yet (...)``.
* ``exercise_1.hint()`` prints the first nudge, the next call the next one, ``hint(2)``
  the second; ``exercise_1.solution()`` prints a solution (the method, for answers
  checked by hash), or says when it will be released in a student copy built with
  withheld solutions.
* ``progress()`` prints every exercise's status with a reason; ``export()`` writes the
  results file a student hands in with the notebook (:mod:`.progress`).

The checks import nothing from the notebook, so they work after "Restart runtime".

Building blocks for a lesson's check module
-------------------------------------------
``Exercise(title, checker, hint=[...], solution=...)``
    ``hint`` is one string or a list, each more precise than the one before.
    ``checker(*answers)`` raises ``Incorrect("what is wrong, what to try")`` or returns
    the success message.
``compare_with_reference(function, reference, cases, name=..., mistakes=[...])``
    Runs ``function`` on each hidden :class:`Case` against ``reference``; a
    :class:`Mistake` (a plausible wrong implementation and its hint) turns a matching
    wrong output into a specific hint (flipped kernel, missing padding, wrong derivative).
    It also takes ``off_limits=for_exercise(__name__, helper, ...)``: while the student's
    function runs, those helpers (and the check module's own functions, the reference
    included) cannot be called, so handing in the course's implementation, bare or
    wrapped, is refused (:mod:`.off_limits`); ``shared=[model]`` for arguments that are
    not copied, ``copy_arguments=False``, and ``advice=`` for a line added to failures.
``call_student(function, name, description, args, kwargs)``
    For checkers that loop themselves: calls on copies of the arguments and turns the
    student's exceptions (but NotDoneYet) into Incorrect naming the case.
``HashedAnswer(salt, digest, what=..., wrong=..., kind="whole number"|"shape", mistakes={digest: hint})``
    A number or shape stored as a salted SHA-256. ``verify`` rejects floats (1234.5 and
    1234.0), strings ("1234") and bools before comparing, so nothing is truncated into a
    right answer. Digests: ``python -m course_utils.exercises digest SALT VALUE``.

A tiny check module::

    from course_utils.exercises import Case, Exercise, compare_with_reference

    def _reference_square(x):
        return x * x

    def _check_square(square):
        cases = [Case("x = 3", (3.0,)), Case("a 2x2 array", (np.arange(4.0).reshape(2, 2),))]
        compare_with_reference(square, _reference_square, cases, name="square")
        return "square matches the reference on 2 cases."

    exercise_1 = Exercise("Lesson 99, exercise 1 (squares)", _check_square,
                          hint=["what is x times x?", "multiply x by itself elementwise"],
                          solution=_reference_square)

Notebook cell format (in the lesson's ``.py``; jupytext keeps every line)
----------------------------------------------------------------------
Exercises come after "## Key points", under "## Exercises", so nothing later in the
lesson depends on them. The section opens with one code cell of imports::

    # %%
    from course_utils.exercises import NotDoneYet
    from course_utils.exercises.lesson99 import exercise_1, exercise_2

Then, for each exercise, a markdown cell with the heading and text, a "#### Solution"
markdown cell, the solution cell and the check cell::

    # %% [markdown]
    # ### Exercise 1: squares
    #
    # Write `square(x)` ...

    # %% [markdown]
    # #### Solution

    # %%
    # @title Solution { display-mode: "form" }
    def square(x):
        ### BEGIN SOLUTION
        return x * x
        ### END SOLUTION

    # %%
    exercise_1.check(square)
    # exercise_1.hint()
    # exercise_1.solution()

``# @title Solution { display-mode: "form" }`` collapses the solution in Colab. A
student notebook (``python -m course_utils.assign``) keeps everything but the lines from
``### BEGIN SOLUTION`` to ``### END SOLUTION``: inside a block (a function body) they
become ``raise NotDoneYet()``; at the top level of a cell they become a comment only,
so an answer that is a value needs a placeholder line *before* the region::

    # %%
    # @title Solution { display-mode: "form" }
    n_parameters = ...  # your answer: a whole number
    ### BEGIN SOLUTION
    n_parameters = 784 * 10 + 10
    ### END SOLUTION

    # %%
    exercise_2.check(n_parameters)

Nothing after a solution region may use its result except the check cell (in a student
notebook the function raises NotDoneYet and the value is ``...``). Run the lesson's
student version before committing: ``python -m course_utils.assign --all --out DIR``
and tests/test_student_bundles.py do.
'''

from course_utils.exercises.answers import HashedAnswer, digest, digest_of
from course_utils.exercises.cases import (Case, Mistake, call_student, compare_with_reference,
                                         require_callable)
from course_utils.exercises.off_limits import OffLimits, for_exercise
from course_utils.exercises.core import (NOT_DONE_PHRASE, Exercise, ExerciseFailed, Incorrect,
                                         NotDoneYet, Result, is_placeholder, student_copy)
from course_utils.exercises.progress import export, progress, read_results, results

__all__ = [
    "Case", "Exercise", "call_student", "ExerciseFailed", "HashedAnswer", "Incorrect", "Mistake",
    "NOT_DONE_PHRASE", "NotDoneYet", "OffLimits", "Result", "for_exercise", "compare_with_reference", "digest", "digest_of",
    "export", "is_placeholder", "progress", "read_results", "require_callable", "results",
    "student_copy",
]
