"""The syllabus: which lessons each week assigns, with due dates and notes (syllabus.yml).

::

    course: Convolutional neural networks
    weeks:
      - week: 1
        title: Tools and the MLP            # optional
        lessons: [00_environment_check, 01_mlp_review]
        due: 2026-09-18                     # optional, YYYY-MM-DD
        notes: Run lesson 00 on a GPU.      # optional
        solutions: withheld                 # optional: withheld (the default) or released
        points:                             # optional: points per exercise (default 1 each)
          01_mlp_review: {exercise_1: 2}

Student copies withhold the solutions (``solution()`` says they are released after the due
date) until the week says ``solutions: released``; rebuild and publish again to release them.

Every mistake is reported with the week it is in and what to write instead.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import yaml

WEEK_KEYS = {"week", "title", "lessons", "due", "notes", "solutions", "points"}
SOLUTIONS = ("withheld", "released")
EXERCISE_NAME = re.compile(r"^exercise_[1-9][0-9]*$")
TOP_KEYS = {"course", "weeks"}


class SyllabusError(ValueError):
    """A syllabus that cannot be used; the message says where and what to write."""


@dataclass(frozen=True)
class Week:
    number: int
    lessons: tuple[str, ...]
    title: str = ""
    due: datetime.date | None = None
    notes: str = ""
    solutions: str = "withheld"
    points: tuple[tuple[str, str, float], ...] = ()  # (lesson, exercise_N, points)

    @property
    def solutions_released(self) -> bool:
        return self.solutions == "released"

    def points_for(self, lesson: str, exercise: str) -> float:
        """Points of ``exercise`` (e.g. "exercise_2") of ``lesson``: 1 unless the syllabus says."""
        for name, number, value in self.points:
            if (name, number) == (lesson, exercise):
                return value
        return 1.0

    def release_note(self) -> str:
        """When a withheld solution is released, as ``solution()`` words it."""
        if self.due:
            return f"after the due date, {_due_words(self.due)}"
        return "later, by your instructor"

    @property
    def folder(self) -> str:
        return f"week-{self.number:02d}"


@dataclass(frozen=True)
class Syllabus:
    course: str
    weeks: tuple[Week, ...]

    def week(self, number: int) -> Week:
        for week in self.weeks:
            if week.number == number:
                return week
        raise SyllabusError(f"the syllabus has no week {number}; its weeks are "
                            f"{', '.join(str(w.number) for w in self.weeks)}.")


class _StringDatesLoader(yaml.SafeLoader):
    """YAML without implicit timestamps: dates stay text, so a bad one is reported by week."""


_StringDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _due_words(due: datetime.date) -> str:
    return f"{due:%A} {due.day} {due:%B %Y}"


def _parse_points(value: Any, names: list[str], where: str) -> tuple[tuple[str, str, float], ...]:
    if value is None:
        return ()
    example = "e.g. points: {01_mlp_review: {exercise_1: 2}}"
    if not isinstance(value, dict):
        raise SyllabusError(f"{where}: 'points' must map lessons to exercises and points, {example}.")
    result = []
    for lesson, exercises in value.items():
        if lesson not in names:
            raise SyllabusError(f"{where}: 'points' names {lesson!r}, which is not one of this week's "
                                f"lessons ({', '.join(names)}).")
        if not isinstance(exercises, dict):
            raise SyllabusError(f"{where}: points of {lesson} must map exercises to points, {example}.")
        for exercise, points in exercises.items():
            if not isinstance(exercise, str) or not EXERCISE_NAME.match(exercise):
                raise SyllabusError(f"{where}: {exercise!r} in the points of {lesson} is not an "
                                    f"exercise name such as exercise_1.")
            if isinstance(points, bool) or not isinstance(points, (int, float)) or points < 0:
                raise SyllabusError(f"{where}: points of {lesson} {exercise} must be a number from 0, "
                                    f"got {points!r}.")
            result.append((lesson, exercise, float(points)))
    return tuple(result)


def _parse_due(value: Any, where: str) -> datetime.date | None:
    if value is None:
        return None
    text = str(value).strip()
    try:
        if len(text) != 10:
            raise ValueError
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise SyllabusError(f"{where}: due {text!r} is not a date; write it as YYYY-MM-DD, "
                            f"e.g. due: 2026-09-18.") from None


def _parse_week(entry: Any, position: int, known_lessons: Sequence[str]) -> Week:
    where = f"weeks entry {position + 1}"
    if not isinstance(entry, dict):
        raise SyllabusError(f"{where} is {entry!r}; each week is a mapping with at least "
                            f"'week: N' and 'lessons: [...]'.")
    unknown = sorted(set(entry) - WEEK_KEYS)
    if unknown:
        raise SyllabusError(f"{where}: unknown key(s) {unknown}; a week may have {sorted(WEEK_KEYS)}.")
    number = entry.get("week")
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise SyllabusError(f"{where}: 'week' must be a whole number from 1, got {number!r}.")
    where = f"week {number}"
    lessons = entry.get("lessons")
    if isinstance(lessons, str):
        lessons = [lessons]
    if not isinstance(lessons, list) or not lessons:
        raise SyllabusError(f"{where}: 'lessons' must list at least one lesson, e.g. "
                            f"lessons: [01_mlp_review].")
    names = []
    for lesson in lessons:
        name = str(lesson).strip().removeprefix("notebooks/").removesuffix(".ipynb").removesuffix(".py")
        if name not in known_lessons:
            raise SyllabusError(f"{where}: lesson {lesson!r}: notebooks/{name}.ipynb is missing. If you "
                                f"deleted it, restore it (`git checkout -- notebooks/{name}.ipynb`, or "
                                f"`jupytext --to ipynb notebooks/{name}.py`); else use one of the "
                                f"lessons: {', '.join(known_lessons)}.")
        if name in names:
            raise SyllabusError(f"{where}: lesson {name!r} is listed twice.")
        names.append(name)
    solutions = entry.get("solutions", "withheld")
    if solutions not in SOLUTIONS:
        raise SyllabusError(f"{where}: 'solutions' must be one of {', '.join(SOLUTIONS)}, got {solutions!r}.")
    points = _parse_points(entry.get("points"), names, where)
    for key in ("title", "notes"):
        if entry.get(key) is not None and not isinstance(entry[key], str):
            raise SyllabusError(f"{where}: '{key}' must be text, got {entry[key]!r}.")
    return Week(number=number, lessons=tuple(names), title=(entry.get("title") or "").strip(),
                due=_parse_due(entry.get("due"), where), notes=(entry.get("notes") or "").strip(),
                solutions=solutions, points=points)


def parse_syllabus(text: str, known_lessons: Sequence[str], source: str = "syllabus.yml") -> Syllabus:
    """Check and read a syllabus; ``known_lessons`` are the lesson names it may use."""
    try:
        data = yaml.load(text, Loader=_StringDatesLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as error:
        raise SyllabusError(f"{source} is not valid YAML: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("weeks"), list) or not data["weeks"]:
        raise SyllabusError(f"{source} must be a mapping with a non-empty 'weeks' list "
                            f"(see the example at the top of syllabus.yml).")
    unknown = sorted(set(data) - TOP_KEYS)
    if unknown:
        raise SyllabusError(f"{source}: unknown top-level key(s) {unknown}; use {sorted(TOP_KEYS)}.")
    weeks = [_parse_week(entry, position, known_lessons) for position, entry in enumerate(data["weeks"])]
    seen = set()
    for week in weeks:
        if week.number in seen:
            raise SyllabusError(f"{source}: week {week.number} appears twice; give each week one entry.")
        seen.add(week.number)
    course = data.get("course") or "Course"
    if not isinstance(course, str):
        raise SyllabusError(f"{source}: 'course' must be text, got {course!r}.")
    return Syllabus(course=course.strip(), weeks=tuple(sorted(weeks, key=lambda week: week.number)))


def load_syllabus(path: Path, known_lessons: Sequence[str]) -> Syllabus:
    path = Path(path)
    if not path.is_file():
        raise SyllabusError(f"no syllabus at {path}: create it (see syllabus.yml in the course "
                            f"repository) or pass --syllabus PATH.")
    return parse_syllabus(path.read_text(encoding="utf-8"), known_lessons, source=path.name)
