"""Exercises of lesson 00 (environment and GPU check): timing and memory.

Exercise 1, ``median_seconds(operation, repeats, clock)``, is checked with a fake clock
that advances only while the operation runs, by hidden amounts, so the check is exact
and independent of the machine: it counts the calls (one warm-up, then ``repeats``) and
compares the result with the median of the timed runs.
"""

from __future__ import annotations

import math
import statistics

import numpy as np

from course_utils.exercises.answers import whole_number_text
from course_utils.exercises.cases import NUMBER, call_student, kind_problem, require_callable
from course_utils.exercises.core import Exercise, Incorrect
from course_utils.exercises.off_limits import for_exercise


class _FakeClock:
    """A clock that moves only when the operation runs, by the next scripted duration."""

    def __init__(self, durations: list[float]) -> None:
        self.now = 1000.0
        self.durations = list(durations)
        self.calls = 0

    def __call__(self) -> float:
        return self.now

    def operation(self) -> float:
        if self.calls < len(self.durations):
            self.now += self.durations[self.calls]
        self.calls += 1
        return 0.0


# Hidden scripts: (repeats, durations of the warm-up and then each repeat), chosen so that
# the mean, the minimum, a median that includes the warm-up and the total all differ from
# the median of the timed runs.
_TIMING_CASES = [
    (5, [0.900, 0.010, 0.030, 0.020, 0.050, 0.400]),
    (4, [0.700, 0.002, 0.006, 0.004, 0.300]),
    (3, [2.000, 0.250, 0.050, 0.100]),
]


def _reference_median_seconds(operation, repeats=5, clock=None):
    operation()  # warm-up: compilation and memory allocation happen on the first call
    times = []
    for _ in range(repeats):
        started = clock()
        operation()
        times.append(clock() - started)
    return statistics.median(times)


def _check_median_seconds(median_seconds) -> str:
    require_callable(median_seconds, "median_seconds")
    off_limits = for_exercise(__name__, advice="Time the runs yourself with the clock you are given.")
    for repeats, durations in _TIMING_CASES:
        clock = _FakeClock(durations)
        described = (f"{repeats} repeats whose runs take {durations[1:]} s after a "
                     f"{durations[0]} s warm-up")
        result = call_student(median_seconds, "median_seconds", described, (clock.operation,),
                              {"repeats": repeats, "clock": clock}, copy_arguments=False,
                              off_limits=off_limits)
        if clock.calls != repeats + 1:
            raise Incorrect(f"with repeats={repeats} the operation was called {clock.calls} times; "
                            f"it should run {repeats + 1} times: once to warm up (not timed), "
                            f"then once per repeat.")
        problem = kind_problem(result, NUMBER)
        if problem:
            raise Incorrect(f"median_seconds should return a number of seconds; on {described} it {problem}")
        timed = durations[1:]
        expected = statistics.median(timed)
        if math.isclose(result, expected, rel_tol=1e-9, abs_tol=1e-12):
            continue
        if math.isclose(result, expected * 1000, rel_tol=1e-9):
            hint = "that is in milliseconds; return seconds."
        elif math.isclose(result, statistics.mean(timed), rel_tol=1e-9):
            hint = "that is the mean; one slow run (another program, a garbage collection) pulls it up. Use the median."
        elif math.isclose(result, statistics.median(durations), rel_tol=1e-9):
            hint = "the warm-up run is in your median; time only the runs after it."
        elif math.isclose(result, min(timed), rel_tol=1e-9):
            hint = "that is the fastest run; the exercise asks for the median."
        elif abs(result) < 1e-3:
            hint = "read the time from the clock you are given (clock()), not from another timer."
        else:
            hint = f"expected the median of the timed runs, {expected:g} s."
        raise Incorrect(f"for {described} you returned {result!r}: {hint}")
    return f"one warm-up, then the median of the timed runs, on {len(_TIMING_CASES)} hidden scripts."


exercise_1 = Exercise(
    "Lesson 00, exercise 1 (a robust timer)", _check_median_seconds,
    hint=["Run the operation once before you start timing: the first call pays for compilation "
          "and memory allocation, which later calls do not.",
          "Then time each of the `repeats` runs on its own: read clock() just before and just "
          "after the call, and keep the difference.",
          "Return the middle one of those durations, in seconds (statistics.median or np.median): "
          "not the mean, which one slow run pulls up."],
    solution=_reference_median_seconds)


_MATRIX_CASES = [  # (free bytes, dtype, number of matrices)
    (15 * 2**30, "float32", 3), (16 * 10**9, "float16", 3), (12 * 3 * 4096**2, "float32", 3),
    (12 * 3 * 4096**2 - 1, "float32", 3), (10**9, "float64", 1), (7 * 10**8, "float32", 2),
    (100, "float64", 3), (5, "float32", 3),
]


def _reference_largest_square_matrix(free_bytes, dtype="float32", matrices=3):
    bytes_per_matrix_entry = np.dtype(dtype).itemsize * matrices
    return math.isqrt(free_bytes // bytes_per_matrix_entry)


def _check_largest_square_matrix(largest_square_matrix) -> str:
    require_callable(largest_square_matrix, "largest_square_matrix")
    off_limits = for_exercise(__name__)
    for free_bytes, dtype, matrices in _MATRIX_CASES:
        described = f"free_bytes={free_bytes:,}, dtype={dtype!r}, matrices={matrices}"
        result = call_student(largest_square_matrix, "largest_square_matrix", described, (free_bytes,),
                              {"dtype": dtype, "matrices": matrices}, off_limits=off_limits)
        n = int(whole_number_text(result, f"largest_square_matrix({described})"))
        expected = _reference_largest_square_matrix(free_bytes, dtype, matrices)
        if n == expected:
            continue
        itemsize = np.dtype(dtype).itemsize
        if n == math.isqrt(free_bytes // (8 * matrices)) and itemsize != 8:
            hint = f"a {dtype} number takes {itemsize} bytes, not 8: use np.dtype(dtype).itemsize."
        elif matrices > 1 and n == math.isqrt(free_bytes // itemsize):
            hint = f"all {matrices} matrices (both inputs and the product) must fit at once."
        elif n > expected:
            hint = (f"{matrices} matrices of {n}x{n} {dtype} need {matrices * n * n * itemsize:,} "
                    f"bytes, more than {free_bytes:,}: round down, not up.")
        else:
            hint = "a bigger matrix still fits: the largest n with matrices * n * n * itemsize <= free_bytes."
        raise Incorrect(f"for {described} you returned {n}: {hint}")
    return f"the largest n on {len(_MATRIX_CASES)} hidden memory sizes and dtypes."


exercise_2 = Exercise(
    "Lesson 00, exercise 2 (will it fit?)", _check_largest_square_matrix,
    hint=["How many bytes does one n x n matrix take? n * n numbers of np.dtype(dtype).itemsize "
          "bytes each.",
          "All `matrices` matrices must fit at once: solve matrices * n * n * itemsize <= free_bytes "
          "for n.",
          "n is a whole number and must round down, never up: math.isqrt(k) is the largest whole n "
          "with n * n <= k, without the rounding errors of a float square root."],
    solution=_reference_largest_square_matrix)
