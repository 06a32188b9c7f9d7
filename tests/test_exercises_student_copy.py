"""Hints one at a time, student copies that keep going, withheld solutions, progress and export."""

import json

import pytest

from course_utils.exercises import (Exercise, ExerciseFailed, Incorrect, NotDoneYet, export, progress,
                                    read_results, student_copy)
from course_utils.exercises import core


@pytest.fixture(autouse=True)
def lesson_copy():
    """Every test starts as a lesson (instructor copy) with an empty registry."""
    saved = list(core.REGISTRY)
    core.REGISTRY.clear()
    core._student_copy.__init__()
    yield
    core._student_copy.__init__()
    core.REGISTRY[:] = saved


def _check_seven(value):
    if value != 7:
        raise Incorrect("not seven; count again.")
    return "seven it is."


def _seven():
    return Exercise("Lesson 99, exercise 1 (seven)", _check_seven,
                    hint=["count the days", "a week has them"], solution="answer = 3 + 4")


def test_hints_come_one_at_a_time_and_by_number(capsys):
    exercise = _seven()
    exercise.hint()
    exercise.hint()
    exercise.hint()  # past the last: the last again
    exercise.hint(1)
    exercise.hint(5)
    lines = capsys.readouterr().out.splitlines()
    assert "hint 1 of 2" in lines[0] and "count the days" in lines[0]
    assert "hint 2 of 2" in lines[1] and "a week has them" in lines[1]
    assert "a week has them" in lines[2]
    assert "count the days" in lines[3]
    assert "has hints 1 to 2" in lines[4]
    assert exercise.hints_viewed == 2


def test_an_empty_hint_is_refused():
    with pytest.raises(ValueError, match="hint"):
        Exercise("x", _check_seven, hint=["useful", " "], solution="s")


def test_a_lesson_stops_on_a_wrong_answer_a_student_copy_goes_on(capsys):
    exercise = _seven()
    with pytest.raises(ExerciseFailed, match="not seven"):
        exercise.check(6)
    student_copy()
    exercise.check(6)  # prints, does not raise
    out = capsys.readouterr().out
    assert "Incorrect" in out and "not seven" in out and core.RED in out
    assert exercise.status == core.WRONG and exercise.attempts == 2


def test_a_withheld_solution_is_not_shown(capsys):
    exercise = _seven()
    student_copy(solutions_released=False, release_note="after the due date, 18 September 2026")
    exercise.solution()
    out = capsys.readouterr().out
    assert "3 + 4" not in out and "18 September 2026" in out
    assert not exercise.solution_viewed


def test_progress_lists_each_status_with_its_reason(capsys):
    right, wrong, stub, _unchecked = _seven(), _seven(), _seven(), _seven()  # the fourth is never run
    student_copy()
    right.check(7)
    wrong.check(8)

    def not_written():
        raise NotDoneYet()

    stub._checker = lambda answer: answer()
    stub.check(not_written)
    capsys.readouterr()
    progress()
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Your progress: 1 of 4 exercises done."
    assert "done" in out[1] and "seven it is" in out[1]
    assert "WRONG" in out[2] and "not seven" in out[2]
    assert "not done" in out[3]
    assert "not checked" in out[4] and "has not been run" in out[4]


def test_export_writes_a_results_file_that_notices_edits(tmp_path, capsys):
    exercise = _seven()
    exercise.hint()
    exercise.check(7)
    path = export(tmp_path / "results.json", student="ada")
    payload = read_results(path)
    assert payload["student"] == "ada"
    assert payload["results"] == [{"exercise": exercise.title, "status": "correct",
                                   "reason": "seven it is.", "attempts": 1, "hints_viewed": 1,
                                   "solution_viewed": False}]
    edited = json.loads(path.read_text())
    edited["results"][0]["attempts"] = 0
    path.write_text(json.dumps(edited))
    with pytest.raises(ValueError, match="changed after export"):
        read_results(path)
    (tmp_path / "other.json").write_text("[1, 2]")
    with pytest.raises(ValueError, match="not a results file"):
        read_results(tmp_path / "other.json")


def test_export_saves_a_copy_of_the_notebook_jupyter_names(tmp_path, monkeypatch, capsys):
    notebook = tmp_path / "lab" / "02_convolution_by_hand.ipynb"
    notebook.parent.mkdir()
    notebook.write_text('{"cells": []}')
    monkeypatch.setenv("JPY_SESSION_NAME", str(notebook))
    export(tmp_path / "results.json")
    assert (tmp_path / "submission-02_convolution_by_hand.ipynb").read_text() == '{"cells": []}'
    assert "Hand in both" in capsys.readouterr().out
    monkeypatch.delenv("JPY_SESSION_NAME")
    export(tmp_path / "again.json")
    assert "File > Download" in capsys.readouterr().out
