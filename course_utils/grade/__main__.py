"""``python -m course_utils.grade --week N SUBMISSIONS --out gradebook.csv [options]``."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

import shutil

from course_utils.assign.__main__ import REPOSITORY_ROOT, known_lessons
from course_utils.assign.ownership import files_under, read_manifest, write_manifest
from course_utils.assign.syllabus import SyllabusError, load_syllabus
from course_utils.exercises.progress import read_results
from course_utils.grade import gradebook
from course_utils.grade.grading_notebook import GradingError, build_grading_notebook, exercise_calls
from course_utils.grade.runner import ERROR, run_grading
from course_utils.grade.submissions import find_submissions

NO_NOTEBOOK, UNREADABLE = "no notebook", "error"


class GradeError(ValueError):
    """Options or outputs that cannot be used; nothing was written."""


def parser() -> argparse.ArgumentParser:
    result = argparse.ArgumentParser(
        prog="python -m course_utils.grade",
        description="Grade a week's submissions against the instructor's checks, each notebook in a "
                    "fresh kernel, and write a gradebook CSV, a summary and feedback per student.")
    result.add_argument("--week", type=int, required=True, metavar="N")
    result.add_argument("submissions", type=Path, metavar="SUBMISSIONS",
                        help="a folder with one folder per student, holding their notebooks")
    result.add_argument("--out", type=Path, required=True, metavar="CSV",
                        help="the gradebook; CSV-summary.csv and the feedback/ folder go beside it")
    result.add_argument("--syllabus", type=Path, default=REPOSITORY_ROOT / "syllabus.yml")
    result.add_argument("--notebooks", type=Path, default=REPOSITORY_ROOT / "notebooks",
                        help="the instructor's lessons (default: notebooks/ in the repository)")
    result.add_argument("--jobs", type=int, default=2, help="notebooks graded at once (default 2)")
    result.add_argument("--cell-timeout", type=float, default=60, metavar="S",
                        help="seconds one cell may run (default 60)")
    result.add_argument("--timeout", type=float, default=300, metavar="S",
                        help="seconds one notebook may run (default 300)")
    result.add_argument("--force", action="store_true", help="replace a gradebook this command wrote")
    return result


def _outputs(out: Path) -> tuple[Path, Path, Path]:
    return out, out.with_name(f"{out.stem}-summary.csv"), out.parent / "feedback"


def _check_outputs(out: Path, force: bool) -> None:
    csv_path, summary_path, feedback = _outputs(out)
    for path, header in ((csv_path, gradebook.COLUMNS), (summary_path, gradebook.SUMMARY_COLUMNS)):
        if not path.exists():
            continue
        ours = path.is_file() and path.read_text(encoding="utf-8").split("\n", 1)[0] == ",".join(header)
        if not force or not ours:
            raise GradeError(f"{path} already exists" + ("; pass --force to replace it." if ours else
                             ", and this command did not write it: choose another --out."))
    if feedback.exists():
        manifest = read_manifest(feedback)
        ours = manifest is not None and files_under(feedback) <= set(manifest["files"]) | {".cnn-course-bundle.json"}
        if not force or not ours:
            raise GradeError(f"{feedback} already exists" + ("; pass --force to replace it." if ours else
                             ", and holds files this command did not write: choose another --out folder."))


def _prepare(path, lesson, calls):
    """Read a submission and build its grading notebook: in the main thread, because CPython
    3.11's ``ast.parse`` is not safe to call from several threads at once ("AST constructor
    recursion depth mismatch", python/cpython#106905)."""
    try:
        submitted = nbformat.read(path, as_version=4)
        return submitted, build_grading_notebook(lesson, submitted), None
    except (GradingError, ValueError, OSError) as error:  # nbformat raises several kinds
        reason = f"{path.name} could not be graded: {error}"
        return None, None, {call.name: {"status": UNREADABLE, "message": reason} for call in calls}


def _grade_one(lesson_name, prepared, arguments):
    submitted, grading, unreadable = prepared
    if unreadable is not None:
        return unreadable, [], None, []
    outcome = run_grading(grading, cell_timeout=arguments.cell_timeout, notebook_timeout=arguments.timeout)
    notes = list(outcome.student_errors)
    notes += [f"{lesson_name}: the check cell of {name} was changed or deleted; graded with the "
              f"instructor's check" for name in grading.checks_edited]
    return outcome.grades, notes, submitted, [outcome.seconds]


def grade(arguments) -> tuple[list, dict[str, str]]:
    syllabus = load_syllabus(arguments.syllabus, known_lessons(arguments.notebooks))
    week = syllabus.week(arguments.week)
    lessons = {name: nbformat.read(arguments.notebooks / f"{name}.ipynb", as_version=4) for name in week.lessons}
    calls = {name: exercise_calls(lesson) for name, lesson in lessons.items()}
    submissions = find_submissions(arguments.submissions, list(week.lessons))
    if not submissions:
        raise GradeError(f"{arguments.submissions} has no student folders: put each student's "
                         f"notebooks in a folder named after the student.")
    with ThreadPoolExecutor(max_workers=max(1, arguments.jobs)) as pool:
        futures = {(s.student, name): pool.submit(_grade_one, name,
                                                  _prepare(s.notebooks[name], lessons[name], calls[name]),
                                                  arguments)
                   for s in submissions for name in week.lessons if name in s.notebooks}
    rows, feedback = [], {}
    for submission in submissions:
        notes = [f"not graded: {reason}" for reason in submission.ignored]
        reported = {}
        if submission.results_file:
            try:
                reported = {r["exercise"]: r for r in read_results(submission.results_file)["results"]}
            except ValueError as error:
                notes.append(f"results file ignored: {error}")
        student_rows = []
        for name in week.lessons:
            if (submission.student, name) in futures:
                grades, more_notes, submitted, _ = futures[(submission.student, name)].result()
                notes += more_notes
                hints, solutions = gradebook.help_seen(submitted) if submitted else ({}, set())
            else:
                grades = {call.name: {"status": NO_NOTEBOOK, "message": f"no notebook for {name} was handed in"}
                          for call in calls[name]}
                hints, solutions = {}, set()
            for call in calls[name]:
                grade_ = grades.get(call.name, {"status": ERROR, "message": "no result"})
                title_records = [r for title, r in reported.items()
                                 if title.startswith(f"Lesson {name[:2]}, exercise {call.name.split('_')[1]} ")]
                hint_count = max([hints.get(call.name, 0)] + [r.get("hints_viewed", 0) for r in title_records])
                solution_seen = call.name in solutions or any(r.get("solution_viewed") for r in title_records)
                student_rows.append(gradebook.row(submission.student, name, call.name, grade_,
                                                  week.points_for(name, call.name), hint_count, solution_seen))
        rows += student_rows
        feedback[submission.student] = gradebook.feedback_markdown(submission.student, student_rows, notes)
    return rows, feedback


def _write(out: Path, rows, feedback: dict[str, str]) -> None:
    """Everything to temporary names first, then moved into place."""
    csv_path, summary_path, feedback_folder = _outputs(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".grade-partial-", dir=out.parent))
    try:
        (staging / "gradebook.csv").write_text(gradebook.gradebook_csv(rows), encoding="utf-8")
        (staging / "summary.csv").write_text(gradebook.summary_csv(rows), encoding="utf-8")
        (staging / "feedback").mkdir()
        for student, text in feedback.items():
            (staging / "feedback" / f"{student}.md").write_text(text, encoding="utf-8")
        write_manifest(staging / "feedback", [f"{student}.md" for student in feedback])
        if feedback_folder.exists():  # checked: written by this command, nothing else in it
            shutil.rmtree(feedback_folder)
        os.replace(staging / "gradebook.csv", csv_path)
        os.replace(staging / "summary.csv", summary_path)
        os.rename(staging / "feedback", feedback_folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    started = time.monotonic()
    try:
        _check_outputs(arguments.out, arguments.force)
        rows, feedback = grade(arguments)
        _write(arguments.out, rows, feedback)
    except (GradeError, SyllabusError, GradingError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        print("Nothing was written.", file=sys.stderr)
        return 2
    students = len(feedback)
    print(f"Graded {students} student(s), {len(rows)} exercise rows, in {time.monotonic() - started:.0f} s: "
          f"{arguments.out}, {_outputs(arguments.out)[1].name}, feedback/ beside it.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
