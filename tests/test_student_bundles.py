"""Every student notebook of every week runs top to bottom and says "not done yet" once per exercise.

This executes each lesson once more (as a student gets it), so it costs about as much as
the lessons' own nbval run; CI may run it in a job of its own. It runs in fast mode
(CNN_COURSE_FAST=1 unless set) and needs the dataset mirror (CNN_COURSE_DATA_MIRROR)
like the lessons. The instructor copies are the lessons byte for byte
(tests/test_assign.py), which nbval runs, so they are not executed again here.
"""

import os
from pathlib import Path

import nbformat
import pytest

from course_utils.assign.__main__ import REPOSITORY_ROOT, known_lessons, main
from course_utils.assign.notebooks import count_exercises
from course_utils.assign.syllabus import load_syllabus
from course_utils.exercises import NOT_DONE_PHRASE

nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = REPOSITORY_ROOT / "notebooks"
SYLLABUS = load_syllabus(REPOSITORY_ROOT / "syllabus.yml", known_lessons(NOTEBOOKS))
STUDENT_NOTEBOOKS = [f"{week.folder}/{lesson}.ipynb" for week in SYLLABUS.weeks for lesson in week.lessons]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundles") / "all-weeks"
    assert main(["--all", "--out", str(out), "--repo", "teacher/cnn-2026", "--ref", "v-test"]) == 0
    return out


def outputs_text(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts.append(str(output.get("data", {}).get("text/plain", "")))
        parts.extend(output.get("traceback", []))
    return "".join(parts)


@pytest.mark.parametrize("relative", STUDENT_NOTEBOOKS)
def test_student_notebook_runs_to_the_end_and_reports_each_exercise_not_done(bundle, relative, monkeypatch):
    monkeypatch.setenv("CNN_COURSE_FAST", os.environ.get("CNN_COURSE_FAST") or "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    path = Path(bundle) / "student" / relative
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    texts = [outputs_text(cell) for cell in notebook.cells if cell.cell_type == "code"]
    reports = sum(text.count(NOT_DONE_PHRASE) for text in texts)
    expected = count_exercises(notebook)
    assert expected > 0
    assert reports == expected, (f"{relative}: {reports} 'not done yet' reports for {expected} exercises; "
                                 f"every check cell should report its exercise exactly once")
    assert not any(text.startswith("Correct") or "\nCorrect (" in text for text in texts), (
        f"{relative}: a check says Correct although the student version has no solutions")
