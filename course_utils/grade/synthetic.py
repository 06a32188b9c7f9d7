"""Synthetic submissions, for the grader's tests and benchmark: a student copy with answers filled in.

An instructor can also grade the filled-in copy of a new lesson to see that every check
passes on the reference answers before assigning it.
"""

from __future__ import annotations

import nbformat

from course_utils.assign.regions import STUB_COMMENT, solution_regions


def answer_cells(notebook: nbformat.NotebookNode) -> list:
    """The student's answer cells, in order (those holding ``# YOUR CODE HERE``)."""
    return [cell for cell in notebook.cells if cell.cell_type == "code" and STUB_COMMENT in cell.source]


def filled_copy(student: nbformat.NotebookNode, instructor: nbformat.NotebookNode,
                answers: dict[int, str] | None = None) -> nbformat.NotebookNode:
    """``student`` with answer cell k replaced by ``answers[k]``, or else by the instructor's cell."""
    solutions = {cell.id: cell.source for cell in instructor.cells
                 if cell.cell_type == "code" and solution_regions(cell.source)}
    result = nbformat.from_dict(student)
    for number, cell in enumerate(answer_cells(result)):
        cell.source = (answers or {}).get(number, solutions[cell.id])
    return result
