"""The exercise framework: check/hint/solution, not-done-yet, hashed answers, hidden cases."""

import numpy as np
import pytest

from course_utils.exercises import (NOT_DONE_PHRASE, Case, Exercise, ExerciseFailed, HashedAnswer,
                                    Incorrect, Mistake, NotDoneYet, compare_with_reference, digest_of)
from course_utils.exercises.__main__ import main as digest_main


def reference_square(x):
    return x * x


def square_checker(square):
    cases = [Case("x = 3", (3.0,)), Case("a 2x2 array", (np.arange(4.0).reshape(2, 2),))]
    compare_with_reference(square, reference_square, cases, name="square",
                           mistakes=[Mistake(lambda x: 2 * x, "you doubled x instead of squaring it")])
    return "square matches the reference."


SQUARE = Exercise("Lesson 99, exercise 1", square_checker, hint="multiply x by itself",
                  solution=reference_square)


def students_square(x):
    return x**2


def test_right_answer_prints_correct(capsys):
    SQUARE.check(students_square)
    assert capsys.readouterr().out.startswith("Correct (Lesson 99, exercise 1): square matches")


def test_the_reference_itself_is_refused():
    # Handing in (or calling) the check's own reference is not writing it by hand.
    with pytest.raises(ExerciseFailed, match="write it by hand, without test_exercises_framework.reference_square"):
        SQUARE.check(reference_square)
    with pytest.raises(ExerciseFailed, match="write it by hand"):
        SQUARE.check(lambda x: reference_square(x))


def test_wrong_answer_raises_a_clean_assertion_with_the_case():
    with pytest.raises(ExerciseFailed, match="on x = 3, the output has wrong values") as failure:
        SQUARE.check(lambda x: x + 1)
    assert isinstance(failure.value, AssertionError)
    rendered = failure.value._render_traceback_()
    assert any("Incorrect" in line for line in rendered)
    assert not any("Traceback" in line for line in rendered)


def test_known_mistake_gets_its_own_hint():
    with pytest.raises(ExerciseFailed, match="you doubled x"):
        SQUARE.check(lambda x: 2 * x)


def test_wrong_shape_and_exceptions_and_uncalled_functions_are_explained():
    with pytest.raises(ExerciseFailed, match=r"on x = 3, square returned an array of shape \(1,\): return one number"):
        SQUARE.check(lambda x: np.ravel(x * x))
    with pytest.raises(ExerciseFailed, match="raised ZeroDivisionError"):
        SQUARE.check(lambda x: 1 / 0)
    with pytest.raises(ExerciseFailed, match="without calling it"):
        SQUARE.check(9.0)


@pytest.mark.parametrize("answer", [..., "stub"])
def test_placeholder_and_stub_report_not_done_yet_without_raising(answer, capsys):
    def stub(x):
        raise NotDoneYet()

    SQUARE.check(stub if answer == "stub" else answer)
    out = capsys.readouterr().out
    assert NOT_DONE_PHRASE in out and "Correct" not in out
    assert issubclass(NotDoneYet, NotImplementedError)


def test_hint_and_solution(capsys):
    SQUARE.hint()
    SQUARE.solution()
    out = capsys.readouterr().out
    assert "multiply x by itself" in out and "return x * x" in out


def test_check_without_an_answer_says_what_to_pass():
    with pytest.raises(ExerciseFailed, match="pass your answer"):
        SQUARE.check()
    with pytest.raises(ExerciseFailed, match=r"takes 1 answer\(s\), \(square\); got 2"):
        SQUARE.check(students_square, students_square)


COUNT = HashedAnswer("test.count", digest_of("test.count", 4320), what="the length",
                     wrong="follow the shapes.",
                     mistakes={digest_of("test.count", 4320 // 60): "multiply by the channels."})


def test_hashed_whole_number_accepts_int_and_numpy_integer():
    COUNT.verify(4320)
    COUNT.verify(np.int64(4320))
    assert "4320" not in COUNT.expected_digest


@pytest.mark.parametrize("answer, message", [
    (4320.9, "whole number"), (4320.0, "floor division"), ("4320", "drop the quotes"),
    (True, "whole number"), (4319, "not right. follow"), (4321, "not right"), ([4320], "whole number"),
    (None, "whole number"), (np.float32(4320), "floor division"),
])
def test_hashed_whole_number_rejects_wrong_kinds_and_near_misses(answer, message):
    with pytest.raises(Incorrect, match=message):
        COUNT.verify(answer)


def test_hashed_answer_gives_the_hint_of_a_known_mistake():
    with pytest.raises(Incorrect, match="multiply by the channels"):
        COUNT.verify(72)


SHAPE = HashedAnswer("test.shape", digest_of("test.shape", (6, 6, 120)), what="the output shape",
                     wrong="try again.", kind="shape")


def test_hashed_shape():
    SHAPE.verify((6, 6, 120))
    SHAPE.verify([6, 6, np.int32(120)])
    for wrong, message in [((6, 120, 6), "not right"), ((6, 6, 120.0), "whole number"),
                           ((None, 6, 6, 120), "batch dimension"), (4320, "a shape"), ("6x6x120", "a shape")]:
        with pytest.raises(Incorrect, match=message):
            SHAPE.verify(wrong)


def test_hashed_answer_rejects_an_unknown_kind():
    with pytest.raises(ValueError, match="kind"):
        HashedAnswer("s", "d", what="x", wrong="y", kind="float")


def test_reference_output_count_is_enforced():
    def pair(x):
        return x, 2 * x

    cases = [Case("x = 1", (1.0,))]
    compare_with_reference(lambda x: (x, 2 * x), pair, cases, name="pair", output_names=["first", "second"])
    with pytest.raises(Incorrect, match="should return 2 values"):
        compare_with_reference(lambda x: x, pair, cases, name="pair", output_names=["first", "second"])
    with pytest.raises(Incorrect, match="second has wrong values"):
        compare_with_reference(lambda x: (x, x), pair, cases, name="pair", output_names=["first", "second"])


def test_cases_get_copies_so_a_student_cannot_change_the_reference_input():
    def in_place(x):
        x *= x
        return x

    data = np.arange(3.0)
    compare_with_reference(in_place, reference_square, [Case("a vector", (data,))], name="square")
    assert np.array_equal(data, np.arange(3.0))


def test_digest_command(capsys):
    assert digest_main(["digest", "salt", "6x6x120"]) == 0
    assert capsys.readouterr().out.strip() == digest_of("salt", (6, 6, 120))
    digest_main(["digest", "salt", "4320"])
    assert capsys.readouterr().out.strip() == digest_of("salt", 4320)
    with pytest.raises(SystemExit, match="whole number"):
        digest_main(["digest", "salt", "3.5"])


def test_the_exercise_checks_are_installed_with_the_course_package():
    """Colab installs the course with pip; a subpackage that pyproject.toml does not name is left out."""
    import tomllib
    from pathlib import Path

    import setuptools

    root = Path(__file__).resolve().parent.parent
    packages = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"].get("packages")
    if isinstance(packages, list):
        installed = set(packages)
    else:
        find = (packages or {}).get("find", {})
        installed = set(setuptools.find_packages(where=str(root), include=find.get("include", ["*"]),
                                                 exclude=find.get("exclude", ())))
    missing = {"course_utils.exercises", "course_utils.assign"} - installed
    assert not missing, (f"pyproject.toml does not install {sorted(missing)}: in Colab the checks "
                         f"would fail with ModuleNotFoundError; list them in [tool.setuptools] packages")
