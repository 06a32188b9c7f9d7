"""A lesson's student version: solutions stubbed, outputs cleared, checks kept, badge re-pointed."""

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


def student_notebook(notebook: nbformat.NotebookNode, name: str,
                     badge_links: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """The student version of a lesson; LessonError if its markers are broken.

    ``badge_links`` maps a link in the lesson's markdown (its own Colab badge) to the link
    the student copy should carry instead (the bundle's copy).
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
        elif cell.cell_type == "markdown":
            for old, new in (badge_links or {}).items():
                cell.source = cell.source.replace(old, new)
        cell.metadata.pop("execution", None)
    if not any(line.strip() for line in removed):
        raise LessonError(f"{name} has no solution regions ('### BEGIN SOLUTION' ... "
                          f"'### END SOLUTION'): its student version would give the answers away.")
    if needs_not_done_import(code_sources) and not any(NOT_DONE_IMPORT.search(s) for s in code_sources):
        raise LessonError(f"{name}: a solution region inside a function becomes `raise NotDoneYet()`, "
                          f"but the lesson never imports it; add `from course_utils.exercises import "
                          f"NotDoneYet` to the cell that imports the exercises.")
    student.metadata.pop("widgets", None)
    return student
