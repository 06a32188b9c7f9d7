"""The notebook that grades one submission: lesson imports, the student's code, fresh checks.

Only the student's code from the Exercises section runs (not the whole lesson, which trains
networks), after the lesson's imports and its functions and classes: the lesson's exercises
are written to depend on those alone (tests/test_grade_lessons.py grades every lesson's own
solutions this way). Each
exercise then gets a grading cell that drops every imported ``course_utils.exercises``
module, imports the instructor's check afresh (so a student cell that replaced
``exercise_1`` or patched its ``check`` changes nothing) and prints the result after a
random marker that the student's code could not know when it ran.
"""

from __future__ import annotations

import ast
import builtins
import re
import secrets
from dataclasses import dataclass

import nbformat

EXERCISES_HEADING = re.compile(r"^##\s+Exercises\s*$", re.MULTILINE)
EXERCISES_IMPORT = re.compile(r"^from (course_utils\.exercises\.lesson\d+) import ", re.MULTILINE)
# Lines of the student's cells that talk to the exercises rather than answer them.
NOT_AN_ANSWER = re.compile(r"^[ \t]*(exercise_\d+\.(check|hint|solution)\(.*\)|progress\(\)|export\(.*\)"
                           r"|student_copy\(.*\))[ \t]*(#.*)?$", re.MULTILINE)


class GradingError(ValueError):
    """A submission (or lesson) whose exercises cannot be found; the message says which."""


@dataclass(frozen=True)
class ExerciseCall:
    name: str          # "exercise_1"
    arguments: str     # "conv_params, dense_params": the names the check is called with
    check_source: str  # the instructor's check cell


def exercises_start(notebook: nbformat.NotebookNode) -> int | None:
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown" and EXERCISES_HEADING.search(cell.source):
            return index
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and EXERCISES_IMPORT.search(cell.source):
            return index
    return None


def exercise_module(notebook: nbformat.NotebookNode) -> str:
    for cell in notebook.cells:
        match = EXERCISES_IMPORT.search(cell.source) if cell.cell_type == "code" else None
        if match:
            return match.group(1)
    raise GradingError("the lesson has no cell importing its exercises.")


def exercise_calls(notebook: nbformat.NotebookNode) -> list[ExerciseCall]:
    """Every ``exercise_N.check(...)`` of the (instructor's) lesson, in order."""
    calls = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "check" and isinstance(node.func.value, ast.Name)
                    and re.fullmatch(r"exercise_\d+", node.func.value.id)):
                arguments = ", ".join(ast.get_source_segment(cell.source, arg) for arg in node.args)
                calls.append(ExerciseCall(node.func.value.id, arguments, cell.source))
    if not calls:
        raise GradingError("the lesson has no exercise_N.check(...) cells.")
    return calls


def _imports(source: str) -> list[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [ast.get_source_segment(source, node) for node in tree.body
            if isinstance(node, (ast.Import, ast.ImportFrom))]


def _imported_names(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {(alias.asname or alias.name).split(".")[0] for node in tree.body
            if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}


def _evaluated_when_defined(node) -> set[str]:
    """The names that defining ``node`` evaluates: its decorators, default values and bases."""
    expressions = list(node.decorator_list)
    if isinstance(node, ast.ClassDef):
        expressions += node.bases + [keyword.value for keyword in node.keywords]
    else:
        expressions += node.args.defaults + [value for value in node.args.kw_defaults if value is not None]
    return {name.id for expression in expressions for name in ast.walk(expression) if isinstance(name, ast.Name)}


def _definitions(source: str, leave_out: set[str], known: set[str]) -> list[str]:
    """Top-level functions and classes, with their decorators, that can be defined knowing only
    ``known`` (a default value taken from the lesson's data cannot), except those named in
    ``leave_out``. Adds each one's name to ``known``."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    lines, definitions = source.splitlines(), []
    for node in tree.body:
        if (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name not in leave_out
                and _evaluated_when_defined(node) <= known):
            first = min([node.lineno] + [decorator.lineno for decorator in node.decorator_list])
            definitions.append("\n".join(lines[first - 1:node.end_lineno]))
            known.add(node.name)
    return definitions


def setup_cells(lesson: nbformat.NotebookNode) -> list[str]:
    """What the lesson defines before its exercises that a student's answer may use, and nothing
    that trains or downloads: its top-level imports, then its top-level functions and classes
    (defining them runs nothing), as a student has them after running the lesson (lesson 01's
    ``sigmoid``, say). A definition named like an answer (``conv2d``) is left out, so that an
    answer the student deleted is not replaced by the lesson's own."""
    end = exercises_start(lesson) or len(lesson.cells)
    code = [cell.source for cell in lesson.cells[:end] if cell.cell_type == "code"]
    imports = [line for source in code for line in _imports(source)]
    answers = {name.strip() for call in exercise_calls(lesson) for name in call.arguments.split(",")}
    known = set(dir(builtins)).union(*(_imported_names(source) for source in code))
    definitions = [definition for source in code for definition in _definitions(source, answers, known)]
    cells = ["\n".join(dict.fromkeys(imports))] if imports else []
    return cells + (["\n\n\n".join(definitions)] if definitions else [])


def student_cells(submission: nbformat.NotebookNode) -> list[str]:
    """The student's code from the Exercises section, without their calls of the checks."""
    start = exercises_start(submission)
    if start is None:
        raise GradingError("the notebook has no Exercises section (no '## Exercises' heading and no "
                           "cell importing the exercises).")
    cells = []
    for cell in submission.cells[start:]:
        if cell.cell_type == "code":
            source = NOT_AN_ANSWER.sub("pass", cell.source)
            if source.strip():
                cells.append(source)
    return cells


def grading_cell(module: str, call: ExerciseCall, marker: str) -> str:
    """Re-import the checks (all but ``core``, whose NotDoneYet the student's stubs raise, and
    which is compared with a fresh copy of its file instead) and evaluate the answer."""
    return f'''import importlib.util as _util, json as _json, sys as _sys
for _name in [_n for _n in _sys.modules if _n.startswith("course_utils.exercises.")]:
    if _name != "course_utils.exercises.core":
        del _sys.modules[_name]
import course_utils.exercises.core as _core
_spec = _util.spec_from_file_location("_pristine_core", _core.__file__)
_pristine = _sys.modules["_pristine_core"] = _util.module_from_spec(_spec)
_spec.loader.exec_module(_pristine)
del _sys.modules["_pristine_core"]
from {module} import {call.name} as _exercise
if any(getattr(_core.Exercise, _method).__code__ != getattr(_pristine.Exercise, _method).__code__
       for _method in ("evaluate", "__init__")) or type(_exercise) is not _core.Exercise:
    _grade = {{"status": "error", "message": "the exercise checks were changed by the notebook"}}
else:
    try:
        _answers = ({call.arguments},)
    except NameError as _missing:
        _grade = {{"status": "no answer", "message": f"{{_missing}}: the answer cell did not define it"}}
    else:
        _result = _exercise.evaluate(*_answers)
        _grade = {{"status": _result.status, "message": _result.message}}
print({marker!r} + _json.dumps(_grade))'''


@dataclass
class GradingNotebook:
    notebook: nbformat.NotebookNode
    marker: str
    exercises: list[str]          # exercise names, in the order of the grading cells
    checks_edited: list[str]      # exercises whose check cell the student changed or deleted


def build_grading_notebook(lesson: nbformat.NotebookNode,
                           submission: nbformat.NotebookNode) -> GradingNotebook:
    module = exercise_module(lesson)
    calls = exercise_calls(lesson)
    marker = f"GRADE-{secrets.token_hex(16)}:"
    cells = [nbformat.v4.new_code_cell(source) for source in setup_cells(lesson)]
    for source in student_cells(submission):
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["grading_role"] = "student"
        cells.append(cell)
    for call in calls:
        cell = nbformat.v4.new_code_cell(grading_cell(module, call, marker))
        cell.metadata["grading_role"] = call.name
        cells.append(cell)
    submitted = [cell.source for cell in submission.cells if cell.cell_type == "code"]
    edited = [call.name for call in calls
              if not any(f"{call.name}.check({call.arguments})" in source for source in submitted)]
    notebook = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": lesson.metadata.get(
        "kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"})})
    return GradingNotebook(notebook, marker, [call.name for call in calls], edited)
