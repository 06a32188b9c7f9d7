"""The README lists every lesson with its badge, and its two commands exist."""

import os
import re

from course_utils.repository import colab_badge_markdown
from notebook_files import REPOSITORY_ROOT, lesson_notebooks

README = (REPOSITORY_ROOT / "README.md").read_text(encoding="utf-8")


def lesson_rows():
    return {match.group(1): match.group(0) for match in re.finditer(r"^\| (\d\d) \|.*$", README, re.MULTILINE)}


def test_table_has_the_eight_lessons():
    assert sorted(lesson_rows()) == [f"{number:02d}" for number in range(8)]


def test_every_written_lesson_has_its_badge_in_the_table():
    rows = lesson_rows()
    for notebook in lesson_notebooks():
        path = notebook.relative_to(REPOSITORY_ROOT).as_posix()
        assert colab_badge_markdown(path) in rows[notebook.stem[:2]], f"README row {notebook.stem[:2]} lacks {path}'s badge"


def test_lessons_not_written_are_marked_coming():
    written = {notebook.stem[:2] for notebook in lesson_notebooks()}
    for number, row in lesson_rows().items():
        if number not in written:
            assert row.rstrip().endswith("| coming |"), f"README row {number} links a lesson that does not exist"


def test_the_readme_commands_exist_and_are_executable():
    for command in ("scripts/course.sh", "scripts/test.sh"):
        assert f"\n{command}" in README
        assert os.access(REPOSITORY_ROOT / command, os.X_OK), f"{command} is not executable"
    assert "scripts/test.sh" in (REPOSITORY_ROOT / ".ci" / "run").read_text()
