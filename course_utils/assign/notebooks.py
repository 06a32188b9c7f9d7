"""A lesson's student version: solutions stubbed, outputs cleared, checks kept, badge re-pointed.

Besides stubbing the solution regions (:mod:`.regions`), a student copy

* installs the helpers pinned to the bundle's ref, from the student repository
  (:mod:`.pinning`), never from the course's own repository and branch;
* calls ``student_copy(...)`` in its exercises cell, so a wrong answer is printed in red
  and "Run all" goes on, and ``solution()`` says when solutions are released when the
  week withholds them (whose check cells then no longer advertise ``solution()``);
* words the exercise texts for a student ("Your answer" rather than "Solution");
* ends with a progress cell (``progress()``, and ``export()`` of the results to hand in).
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat

from course_utils.assign.regions import (NOT_DONE_IMPORT, MarkerError, needs_not_done_import,
                                         solution_lines, solution_regions, student_source)


class LessonError(ValueError):
    """A lesson that cannot be turned into a student version; the message names the cell."""


def read_lesson(path: Path) -> nbformat.NotebookNode:
    try:
        return nbformat.read(path, as_version=4)
    except FileNotFoundError:
        raise LessonError(f"{path} does not exist.") from None
    except Exception as error:  # nbformat raises several kinds for a broken file
        raise LessonError(f"{path} is not a readable notebook ({error}); run "
                          f"`jupytext --sync {path}` to rebuild it from its .py.") from None


def lesson_title(notebook: nbformat.NotebookNode, fallback: str) -> str:
    """'Lesson 02: Convolution by hand' from the title cell, or the fallback."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            first_line = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
            match = re.match(r"#\s+(.*)", first_line)
            return match.group(1).strip() if match else fallback
    return fallback


def count_exercises(notebook: nbformat.NotebookNode) -> int:
    """How many '### Exercise' headings the lesson has."""
    return sum(1 for cell in notebook.cells if cell.cell_type == "markdown"
               for line in cell.source.splitlines() if line.startswith("### Exercise"))


EXERCISES_HEADING = "## Exercises"
EXERCISES_IMPORT = re.compile(r"^from course_utils\.exercises\.lesson\d+ import .*$", re.MULTILINE)
SOLUTION_ADVERTISED = re.compile(r"^[ \t]*#[ \t]*exercise_\d+\.solution\(\)[ \t]*\n?", re.MULTILINE)
STUDENT_EXERCISES_TEXT = (
    "Each exercise has a cell for your answer, marked `# YOUR CODE HERE`, and a check cell below "
    "it. Write your answer, run the cell, then run the check: it prints \"Correct\", or which case "
    "went wrong and what was expected (in red), and the notebook goes on. Until you answer, it "
    "says \"not done yet\". `exercise_1.hint()` gives a nudge; run it again for a more precise "
    "one. {solutions} The last cell of the lesson shows your progress.")
SOLUTIONS_RELEASED_TEXT = "`exercise_1.solution()` shows a worked solution."
SOLUTIONS_WITHHELD_TEXT = "Solutions are released {release_note}."
PROGRESS_MARKDOWN = ("## Your progress\n\nRun this cell to see which exercises are done. To hand "
                     "in, uncomment `export()`: it writes `exercise_results.json`; hand it in "
                     "with this notebook (*File > Download > .ipynb*).")
PROGRESS_CODE = ("from course_utils.exercises import export, progress\n\nprogress()\n"
                 "# export()  # writes exercise_results.json, to hand in with this notebook")


def _student_copy_call(solutions_released: bool, release_note: str) -> str:
    return ("from course_utils.exercises import student_copy\n\n"
            f"student_copy(solutions_released={solutions_released!r}, release_note={release_note!r})")


def student_notebook(notebook: nbformat.NotebookNode, name: str,
                     badge_links: dict[str, str] | None = None, *, install_target: str | None = None,
                     course_install_target: str | None = None, solutions_released: bool = True,
                     release_note: str = "") -> nbformat.NotebookNode:
    """The student version of a lesson; LessonError if its markers are broken.

    ``badge_links`` maps a link in the lesson's markdown (its own Colab badge) to the link
    the student copy should carry instead (the bundle's copy). ``install_target`` replaces
    ``course_install_target`` (what the lesson's setup cell installs) in the setup cell.
    With ``solutions_released=False``, ``solution()`` says they come ``release_note``.
    """
    student = copy.deepcopy(notebook)
    code_sources = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    removed: list[str] = []
    for number, cell in enumerate(student.cells):
        if cell.cell_type == "code":
            try:
                removed.extend(solution_lines(cell.source))
                if solution_regions(cell.source):
                    cell.source = student_source(cell.source)
            except MarkerError as error:
                raise LessonError(f"{name}, cell {number + 1}: {error}.") from None
            cell.outputs = []
            cell.execution_count = None
            if not solutions_released:
                cell.source = SOLUTION_ADVERTISED.sub("", cell.source)
        elif cell.cell_type == "markdown":
            for old, new in (badge_links or {}).items():
                cell.source = cell.source.replace(old, new)
            cell.source = _student_markdown(cell.source, solutions_released, release_note)
        cell.metadata.pop("execution", None)
    if not any(line.strip() for line in removed):
        raise LessonError(f"{name} has no solution regions ('### BEGIN SOLUTION' ... "
                          f"'### END SOLUTION'): its student version would give the answers away.")
    if needs_not_done_import(code_sources) and not any(NOT_DONE_IMPORT.search(s) for s in code_sources):
        raise LessonError(f"{name}: a solution region inside a function becomes `raise NotDoneYet()`, "
                          f"but the lesson never imports it; add `from course_utils.exercises import "
                          f"NotDoneYet` to the cell that imports the exercises.")
    if install_target is not None:
        _pin_setup_cell(student, name, course_install_target, install_target)
    _mark_student_copy(student, name, solutions_released, release_note)
    student.cells.append(nbformat.v4.new_markdown_cell(PROGRESS_MARKDOWN))
    student.cells.append(nbformat.v4.new_code_cell(PROGRESS_CODE))
    student.metadata.pop("widgets", None)
    return student


def _student_markdown(source: str, solutions_released: bool, release_note: str) -> str:
    """Exercise texts as a student reads them: their answer, not the instructor's solution."""
    if source.strip().splitlines()[:1] == [EXERCISES_HEADING]:
        solutions = (SOLUTIONS_RELEASED_TEXT if solutions_released
                     else SOLUTIONS_WITHHELD_TEXT.format(release_note=release_note))
        return f"{EXERCISES_HEADING}\n\n" + STUDENT_EXERCISES_TEXT.format(solutions=solutions)
    return re.sub(r"^(#+)\s+Solution\s*$", r"\1 Your answer", source, flags=re.MULTILINE)


def _pin_setup_cell(student: nbformat.NotebookNode, name: str, course_target: str | None,
                    install_target: str) -> None:
    quoted = f'"{course_target}"'
    cells = [cell for cell in student.cells if cell.cell_type == "code" and quoted in cell.source]
    if not cells:
        raise LessonError(f"{name} has no Colab setup cell installing {course_target}: its student "
                          f"copy could not be pinned to the bundle's helpers. Restore the setup cell.")
    for cell in cells:
        cell.source = cell.source.replace(quoted, f'"{install_target}"')


def _mark_student_copy(student: nbformat.NotebookNode, name: str, solutions_released: bool,
                       release_note: str) -> None:
    for cell in student.cells:
        if cell.cell_type == "code" and EXERCISES_IMPORT.search(cell.source):
            cell.source = cell.source.rstrip() + "\n" + _student_copy_call(solutions_released, release_note)
            return
    raise LessonError(f"{name} has no cell importing its exercises (`from course_utils.exercises."
                      f"lessonNN import ...`), so its student copy cannot report progress.")
