"""The gradebook CSV (one row per student and exercise), a summary per exercise, feedback files.

Points come from the syllabus (``points:`` of the week, 1 per exercise by default); a right
answer earns them, anything else 0. Hints and solutions viewed are what the student's own
notebook shows (its "Hint (...)"/"Solution (...)" outputs) or its results file says: a note
for the instructor, never part of the grade.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass

from course_utils.exercises.core import CORRECT

COLUMNS = ["student", "lesson", "exercise", "status", "points", "max_points", "hints_viewed",
           "solution_viewed", "detail"]
SUMMARY_COLUMNS = ["lesson", "exercise", "max_points", "submissions", "correct", "wrong", "not done",
                   "no answer", "timeout", "error", "no notebook", "mean_points"]
VIEWED = re.compile(r"^(Hint|Solution) \(Lesson \d+, exercise (\d+)\b", re.MULTILINE)


@dataclass
class Row:
    student: str
    lesson: str
    exercise: str
    status: str
    points: float
    max_points: float
    hints_viewed: int
    solution_viewed: bool
    detail: str

    def as_list(self) -> list:
        return [self.student, self.lesson, self.exercise, self.status, f"{self.points:g}",
                f"{self.max_points:g}", self.hints_viewed, "yes" if self.solution_viewed else "no",
                self.detail]


def help_seen(notebook) -> tuple[Counter, set]:
    """Hints printed per exercise and exercises whose solution was printed, from the outputs."""
    hints, solutions = Counter(), set()
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            for kind, number in VIEWED.findall(output.get("text", "")):
                if kind == "Hint":
                    hints[f"exercise_{number}"] += 1
                else:
                    solutions.add(f"exercise_{number}")
    return hints, solutions


def row(student: str, lesson: str, exercise: str, grade: dict, max_points: float, hints: int,
        solution: bool) -> Row:
    earned = max_points if grade["status"] == CORRECT else 0.0
    detail = " ".join(grade.get("message", "").split())
    return Row(student, lesson, exercise, grade["status"], earned, max_points, hints, solution, detail)


def gradebook_csv(rows: list[Row]) -> str:
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(r.as_list() for r in rows)
    return stream.getvalue()


def summary_csv(rows: list[Row]) -> str:
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(SUMMARY_COLUMNS)
    keys = list(dict.fromkeys((r.lesson, r.exercise) for r in rows))
    for lesson, exercise in keys:
        group = [r for r in rows if (r.lesson, r.exercise) == (lesson, exercise)]
        counts = Counter(r.status for r in group)
        writer.writerow([lesson, exercise, f"{group[0].max_points:g}", len(group)]
                        + [counts.get(status, 0) for status in SUMMARY_COLUMNS[4:-1]]
                        + [f"{sum(r.points for r in group) / len(group):.2f}"])
    return stream.getvalue()


def feedback_markdown(student: str, rows: list[Row], notes: list[str]) -> str:
    earned = sum(r.points for r in rows)
    possible = sum(r.max_points for r in rows)
    lines = [f"# Feedback for {student}", "", f"Points: {earned:g} of {possible:g}.", ""]
    for lesson in dict.fromkeys(r.lesson for r in rows):
        lines += [f"## {lesson}", ""]
        for r in (r for r in rows if r.lesson == lesson):
            lines.append(f"- {r.exercise}: **{r.status}** ({r.points:g}/{r.max_points:g})"
                         + (f". {r.detail}" if r.detail and r.status != CORRECT else ""))
        lines.append("")
    if notes:
        lines += ["## Notes", ""] + [f"- {note}" for note in notes] + [""]
    return "\n".join(lines)
