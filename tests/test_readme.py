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


def test_every_lesson_has_a_row_with_its_link_and_badge():
    rows = lesson_rows()
    notebooks = lesson_notebooks()
    assert len(notebooks) == 8  # the loop below must check every lesson, not none
    for notebook in notebooks:
        number, path = notebook.stem[:2], notebook.relative_to(REPOSITORY_ROOT).as_posix()
        assert number in rows, f"README has no row for {path}"
        assert f"]({path})" in rows[number], f"README row {number} does not link {path}"
        assert colab_badge_markdown(path) in rows[number], f"README row {number} lacks {path}'s badge"


def test_every_row_points_at_lessons_that_exist():
    """A renamed lesson must not leave a row whose link or badge leads nowhere."""
    for number, row in lesson_rows().items():
        targets = set(re.findall(r"(notebooks/[^)\s]+\.ipynb)", row))
        assert targets, f"README row {number} links no lesson"
        for target in targets:
            assert (REPOSITORY_ROOT / target).is_file(), f"README row {number} points at {target}, which does not exist"
            assert target.startswith(f"notebooks/{number}_"), f"README row {number} points at {target}"


def test_the_readme_commands_exist_and_are_executable():
    for command in ("scripts/course.sh", "scripts/test.sh"):
        assert f"\n{command}" in README
        assert os.access(REPOSITORY_ROOT / command, os.X_OK), f"{command} is not executable"
    assert "scripts/test.sh" in (REPOSITORY_ROOT / ".ci" / "run").read_text()
