"""Every lesson's own solutions, graded as a submission by `python -m course_utils.grade`, are
correct: the grader runs a submission's Exercises section after the lesson's imports,
functions and classes only (not the lesson, which trains networks), so an exercise that
needs anything else from the lesson (lesson 01's circles, lesson 04's training digits)
would grade a right answer as wrong. Runs each lesson's exercises in fast mode, with the
dataset mirror (CNN_COURSE_DATA_MIRROR) as for the lessons.
"""

import os

import nbformat
import pytest

from course_utils.grade.grading_notebook import build_grading_notebook, setup_cells
from course_utils.grade.runner import run_grading
from notebook_files import NOTEBOOK_FOLDER

pytest.importorskip("nbclient")

LESSONS = sorted(NOTEBOOK_FOLDER.glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", LESSONS, ids=[path.stem for path in LESSONS])
def test_the_lessons_own_solutions_grade_as_correct(path):
    lesson = nbformat.read(path, as_version=4)
    grading = build_grading_notebook(lesson, lesson)
    outcome = run_grading(grading, cell_timeout=300, notebook_timeout=600,
                          environment={"CNN_COURSE_FAST": os.environ.get("CNN_COURSE_FAST") or "1"})
    wrong = {name: grade for name, grade in outcome.grades.items() if grade["status"] != "correct"}
    assert set(outcome.grades) == set(grading.exercises) and not wrong, (wrong, outcome.student_errors)


def test_the_grader_gives_a_submission_the_lessons_functions_but_not_answers_or_ones_needing_data():
    lesson = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import numpy as np\n\n\n@staticmethod\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-z))"
                                  "\n\n\ndef conv2d(image, kernel):\n    return 'the lesson own'\n\nx_train = np.load('x.npy')"
                                  "\n\n\ndef batches(images=x_train):\n    return images"),
        nbformat.v4.new_markdown_cell("## Exercises"),
        nbformat.v4.new_code_cell("from course_utils.exercises.lesson02 import exercise_1"),
        nbformat.v4.new_code_cell("exercise_1.check(conv2d)"),
    ])
    imports, definitions = setup_cells(lesson)
    assert imports == "import numpy as np"
    assert definitions.startswith("@staticmethod\ndef sigmoid(z):") and "conv2d" not in definitions
    assert "batches" not in definitions  # its default value is the lesson's data: it cannot be defined alone
    assert "x_train" not in imports + definitions  # data is the lesson's, not the grader's: nothing runs
