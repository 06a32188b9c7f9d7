"""Every student notebook of every week: the lesson itself up to its exercises, and
exercises that run and say "not done yet" once each.

A student copy is its lesson, cell for cell, up to the "## Exercises" heading, except for
two lines: the Colab badge's link and the setup cell's install target (checked below). So
everything before the exercises runs as the lesson does, and nbval runs the lessons
themselves twice in CI (Colab's TensorFlow and JAX). What a student copy adds is from
the heading on: stubs in place of the solutions, checks that go on after a wrong answer,
the progress cell. That part is executed here, after the copy's setup cell and the lesson's
imports, functions and classes: the exercises depend on those alone, as
`python -m course_utils.grade` runs a submission's exercises the same way
(tests/test_grade_lessons.py).

Until 2026-11-29 this test ran every student copy top to bottom, so CI ran each lesson's
training a third time on TensorFlow (about 330 s of CI, two at a time), with nothing in it
that the lessons' own runs and the comparison below do not cover. Fast mode
(CNN_COURSE_FAST=1 unless set); the dataset mirror (CNN_COURSE_DATA_MIRROR) as for the lessons.
"""

import copy
import os
from pathlib import Path

import nbformat
import pytest

from course_utils import repository
from course_utils.assign.__main__ import REPOSITORY_ROOT, known_lessons, main
from course_utils.assign.bundle import Publication
from course_utils.assign.notebooks import count_exercises
from course_utils.assign.syllabus import load_syllabus
from course_utils.exercises import NOT_DONE_PHRASE
from course_utils.grade.grading_notebook import exercises_start, setup_cells

nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = REPOSITORY_ROOT / "notebooks"
SYLLABUS = load_syllabus(REPOSITORY_ROOT / "syllabus.yml", known_lessons(NOTEBOOKS))
STUDENT_NOTEBOOKS = [f"{week.folder}/{lesson}.ipynb" for week in SYLLABUS.weeks for lesson in week.lessons]
STUDENT_REPOSITORY, REF = "teacher/cnn-2026", "v-test"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundles") / "all-weeks"
    assert main(["--all", "--out", str(out), "--repo", STUDENT_REPOSITORY, "--ref", REF]) == 0
    return out


def outputs_text(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts.append(str(output.get("data", {}).get("text/plain", "")))
        parts.extend(output.get("traceback", []))
    return "".join(parts)


def as_in_the_lesson(source: str, relative: str) -> str:
    """A student cell with the bundle's two changes undone: the badge's link, the install target."""
    publication = Publication(STUDENT_REPOSITORY, REF)  # what the bundle fixture builds for
    own_badge = repository.colab_url(f"notebooks/{Path(relative).name}")
    return (source.replace(publication.colab_link(relative), own_badge)
            .replace(publication.install_target, repository.pip_install_target()))


@pytest.mark.parametrize("relative", STUDENT_NOTEBOOKS)
def test_a_student_copy_is_its_lesson_up_to_the_exercises(bundle, relative):
    student = nbformat.read(Path(bundle) / "student" / relative, as_version=4)
    lesson = nbformat.read(NOTEBOOKS / Path(relative).name, as_version=4)
    start = exercises_start(lesson)
    assert start is not None and exercises_start(student) == start
    changed = 0
    for index, (ours, theirs) in enumerate(zip(student.cells[:start], lesson.cells[:start])):
        assert ours.cell_type == theirs.cell_type, f"{relative}, cell {index + 1}"
        assert as_in_the_lesson(ours.source, relative) == theirs.source, (
            f"{relative}, cell {index + 1} differs from the lesson by more than the badge and the "
            f"install target, so the lessons' own runs no longer test it")
        changed += ours.source != theirs.source
    assert changed == 2, f"{relative}: expected the badge and the setup cell re-pointed, found {changed} changed cells"


def exercises_after_the_imports(student: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The copy's setup cell, the lesson's imports, functions and classes (the grader's setup),
    then the copy from its Exercises heading on."""
    start = exercises_start(student)
    setup = [cell for cell in student.cells[:start] if cell.cell_type == "code" and "google.colab" in cell.source]
    assert len(setup) == 1, "a student copy has one setup cell"
    short = copy.deepcopy(student)
    short.cells = ([copy.deepcopy(setup[0])] + [nbformat.v4.new_code_cell(code) for code in setup_cells(student)]
                   + copy.deepcopy(student.cells[start:]))
    return short


@pytest.mark.parametrize("relative", STUDENT_NOTEBOOKS)
def test_student_exercises_run_and_report_each_exercise_not_done(bundle, relative, monkeypatch):
    monkeypatch.setenv("CNN_COURSE_FAST", os.environ.get("CNN_COURSE_FAST") or "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    path = Path(bundle) / "student" / relative
    student = nbformat.read(path, as_version=4)
    notebook = exercises_after_the_imports(student)
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    texts = [outputs_text(cell) for cell in notebook.cells if cell.cell_type == "code"]
    reports = sum(text.count(NOT_DONE_PHRASE) for text in texts)
    expected = count_exercises(student)
    assert expected > 0
    assert reports == expected, (f"{relative}: {reports} 'not done yet' reports for {expected} exercises; "
                                 f"every check cell should report its exercise exactly once")
    assert not any(text.startswith("Correct") or "\nCorrect (" in text for text in texts), (
        f"{relative}: a check says Correct although the student version has no solutions")
