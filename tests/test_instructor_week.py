"""An instructor's whole week, end to end: build, publish, students work, grade.

Builds weeks 1-2 with --repo and --ref, publishes them into a temporary git repository with
the README's recipe (and checks that nothing but student files was committed), executes two
student copies of lesson 02 with answers filled in (one right, one wrong) beside one left
untouched, adds synthetic submissions (an endless loop, a syntax error, a deleted check
cell, checks tampered with, a folder with no notebook), grades week 2 and compares the
gradebook with what each submission deserves.
"""

import csv
import os
import subprocess

import nbformat
import pytest

from course_utils.assign.__main__ import REPOSITORY_ROOT, main as assign
from course_utils.grade.__main__ import main as grade
from course_utils.grade.synthetic import answer_cells, filled_copy

nbclient = pytest.importorskip("nbclient")

LESSON = "02_convolution_by_hand"
EXERCISES = ["exercise_1", "exercise_2", "exercise_3"]
WRONG_CONV = "flipped"  # the instructor's conv2d with a flipped kernel: a true convolution
WRONG_COUNTS = "conv_params = 144   # forgot the biases\ndense_params = 2461760"


def filled(student, instructor, answers=None):
    """filled_copy, where the answer "flipped..." is the instructor's conv2d with a flipped kernel."""
    by_id = {cell.id: cell for cell in instructor.cells}
    references = [by_id[cell.id] for cell in answer_cells(student)]  # each answer cell, solved
    answers = dict(answers or {})
    for number, answer in answers.items():
        if answer.startswith(WRONG_CONV):
            reference = references[number].source
            flipped = reference.replace("windows, kernel)", "windows, kernel[::-1, ::-1])")
            assert flipped != reference, "lesson 02's conv2d solution changed: update this test"
            answers[number] = flipped + answer[len(WRONG_CONV):]
    return filled_copy(student, instructor, answers)


def execute(notebook, folder):
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(folder)}})
    client.execute()
    return notebook


def hand_in(submissions, student, notebook, name=f"Copy of {LESSON}.ipynb"):
    folder = submissions / student
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, folder / name)


@pytest.fixture(scope="module")
def week(tmp_path_factory):
    root = tmp_path_factory.mktemp("week")
    out = root / "build" / "weeks-1-2"
    assert assign(["--weeks", "1-2", "--out", str(out), "--repo", "teacher/cnn-2026",
                   "--ref", "course-0123456789ab", "--syllabus", str(REPOSITORY_ROOT / "syllabus.yml")]) == 0
    return root, out


def test_publish_commits_nothing_but_student_files(week, monkeypatch):
    root, out = week
    for name in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        monkeypatch.setenv(name, "Teacher")
    for name in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(name, "t@example.org")
    clone = root / "cnn-2026"
    subprocess.run(["git", "init", "-q", "-b", "main", str(clone)], check=True)
    assert assign(["publish", str(out), "--into", str(clone)]) == 0
    committed = subprocess.run(["git", "-C", str(clone), "ls-tree", "-r", "--name-only", "HEAD"],
                               capture_output=True, text=True, check=True).stdout.split()
    assert "week-02/02_convolution_by_hand.ipynb" in committed
    assert all(not path.startswith(("instructor", ".venv")) and "__pycache__" not in path for path in committed)
    for path in committed:
        if path.endswith(".ipynb"):
            assert "### BEGIN SOLUTION" not in (clone / path).read_text(), f"{path} has a solution"


def test_grading_a_week_of_submissions(week, tmp_path, monkeypatch):
    monkeypatch.setenv("CNN_COURSE_FAST", os.environ.get("CNN_COURSE_FAST") or "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    _, out = week
    instructor = nbformat.read(out / "instructor" / "week-02" / f"{LESSON}.ipynb", as_version=4)
    student = nbformat.read(out / "student" / "week-02" / f"{LESSON}.ipynb", as_version=4)
    submissions = tmp_path / "submitted"

    # Two students work through the whole lesson in their copy; a third hands it in untouched.
    right = execute(filled(student, instructor), tmp_path)
    wrong = execute(filled(student, instructor, {0: WRONG_CONV, 2: WRONG_COUNTS}), tmp_path)
    printed = "".join(output.get("text", "") for cell in wrong.cells for output in cell.get("outputs", []))
    assert "\x1b[31mIncorrect" in printed, "a wrong answer is printed in red and the lesson goes on"
    assert "Your progress: 1 of 3 exercises done." in printed
    hand_in(submissions, "ada", right)
    hand_in(submissions, "bob", wrong)
    hand_in(submissions, "cy", student)

    loop = filled(student, instructor, {0: "def conv2d(image, kernel, stride=1, padding='valid'):\n"
                                           "    while True:\n        pass"})
    hand_in(submissions, "dee", loop)
    syntax = filled(student, instructor, {1: "def receptive_field(layers:\n    return 1"})
    hand_in(submissions, "eve", syntax)
    deleted = filled(student, instructor)
    deleted.cells = [cell for cell in deleted.cells if "exercise_1.check(" not in cell.source]
    hand_in(submissions, "fay", deleted)
    tampered = filled(student, instructor, {0: WRONG_CONV + "\n\nimport course_utils.exercises.core as core\n"
                                               "core.Exercise.evaluate = lambda self, *answers: "
                                               "core.Result('correct', 'trust me')\n"
                                               "exercise_1.check = lambda *answers: print('Correct')"})
    hand_in(submissions, "gus", tampered)
    (submissions / "hal").mkdir()
    (submissions / "hal" / "answers.pdf").write_bytes(b"%PDF-1.4")

    gradebook = tmp_path / "grades" / "gradebook.csv"
    assert grade(["--week", "2", str(submissions), "--out", str(gradebook), "--cell-timeout", "20",
                  "--timeout", "240", "--syllabus", str(REPOSITORY_ROOT / "syllabus.yml")]) == 0
    with open(gradebook, newline="") as stream:
        rows = list(csv.DictReader(stream))
    got = {(row["student"], row["exercise"]): row["status"] for row in rows}
    expected = {
        "ada": ["correct", "correct", "correct"],
        "bob": ["wrong", "correct", "wrong"],
        "cy": ["not done", "not done", "not done"],
        "dee": ["timeout", "correct", "correct"],
        "eve": ["correct", "no answer", "correct"],
        "fay": ["correct", "correct", "correct"],
        "gus": ["error", "error", "error"],
        "hal": ["no notebook", "no notebook", "no notebook"],
    }
    assert got == {(who, exercise): status for who, statuses in expected.items()
                   for exercise, status in zip(EXERCISES, statuses)}
    points = {who: sum(float(row["points"]) for row in rows if row["student"] == who) for who in expected}
    assert points == {"ada": 3, "bob": 1, "cy": 0, "dee": 2, "eve": 2, "fay": 3, "gus": 0, "hal": 0}
    bob = next(row for row in rows if (row["student"], row["exercise"]) == ("bob", "exercise_1"))
    assert "flip" in bob["detail"], "the known mistake gets its own hint"
    feedback = (gradebook.parent / "feedback")
    assert "check cell of exercise_1 was changed or deleted" in (feedback / "fay.md").read_text()
    assert "answers.pdf: not a notebook" in (feedback / "hal.md").read_text()
    assert "SyntaxError" in (feedback / "eve.md").read_text()
    summary = (gradebook.parent / "gradebook-summary.csv").read_text().splitlines()
    assert summary[1].startswith(f"{LESSON},exercise_1,1,8,3,1,1,0,1,1,1,")
    # Grading again refuses to overwrite, and --force replaces only what it wrote.
    assert grade(["--week", "2", str(submissions), "--out", str(gradebook)]) == 2
    (feedback / "my-notes.txt").write_text("mine")
    assert grade(["--week", "2", str(submissions), "--out", str(gradebook), "--force"]) == 2
    assert (feedback / "my-notes.txt").read_text() == "mine"


def test_the_readmes_recipe_uses_the_commands_as_they_are():
    """Each command of the README's recipe parses with the options this test runs."""
    import re
    import shlex

    from course_utils.assign.__main__ import parser as assign_parser, publish_parser
    from course_utils.grade.__main__ import parser as grade_parser

    readme = (REPOSITORY_ROOT / "README.md").read_text()
    recipe = readme[readme.index("**Your week, start to end**"):readme.index("**1. The syllabus**")]
    commands = [shlex.split(line)[3:] for line in recipe.splitlines()
                if re.match(r"^\.venv/bin/python -m course_utils\.(assign|grade) ", line)]
    assert len(commands) == 3, "build, publish and grade"
    build, publish, grading = commands
    arguments = assign_parser().parse_args(build)
    assert arguments.weeks == [1, 2] and arguments.repo and arguments.ref is None
    assert publish[0] == "publish" and publish_parser().parse_args(publish[1:]).into
    assert grade_parser().parse_args(grading).week == 2
