"""Command line: ``python -m course_utils.assign (--week N | --all) --out DIR [options]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from course_utils import repository
from course_utils.assign.bundle import BundleError, Publication, build_bundle
from course_utils.assign.notebooks import LessonError
from course_utils.assign.syllabus import SyllabusError, load_syllabus

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
LESSON_PATTERN = "[0-9][0-9]_*.ipynb"


def known_lessons(notebooks_dir: Path) -> list[str]:
    return sorted(path.stem for path in notebooks_dir.glob(LESSON_PATTERN))


def parser() -> argparse.ArgumentParser:
    result = argparse.ArgumentParser(
        prog="python -m course_utils.assign",
        description="Build a week's student and instructor notebooks and index pages from syllabus.yml.")
    which = result.add_mutually_exclusive_group(required=True)
    which.add_argument("--week", type=int, metavar="N", help="the week to build")
    which.add_argument("--all", action="store_true", help="every week of the syllabus")
    result.add_argument("--out", required=True, type=Path, metavar="DIR",
                        help="output folder (must not exist, unless --force)")
    result.add_argument("--syllabus", type=Path, default=REPOSITORY_ROOT / "syllabus.yml",
                        help="the syllabus (default: syllabus.yml in the repository)")
    result.add_argument("--notebooks", type=Path, default=REPOSITORY_ROOT / "notebooks",
                        help="where the lessons are (default: notebooks/ in the repository)")
    result.add_argument("--repo", default=repository.REPOSITORY, metavar="OWNER/NAME",
                        help=f"GitHub repository the student folder is published in (default: {repository.REPOSITORY})")
    result.add_argument("--branch", default=repository.BRANCH,
                        help=f"branch it is published on (default: {repository.BRANCH})")
    result.add_argument("--path-in-repo", default="", metavar="FOLDER",
                        help="folder of that repository holding the student folder's contents (default: its root)")
    result.add_argument("--zip", action="store_true", help="also write DIR/student.zip")
    result.add_argument("--force", action="store_true", help="replace DIR if it exists")
    return result


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    try:
        if not arguments.notebooks.is_dir():
            raise BundleError(f"no lessons folder at {arguments.notebooks}: run this from a checkout "
                              f"of the course repository, or pass --notebooks DIR.")
        publication = Publication(arguments.repo, arguments.branch, arguments.path_in_repo)
        syllabus = load_syllabus(arguments.syllabus, known_lessons(arguments.notebooks))
        numbers = [week.number for week in syllabus.weeks] if arguments.all else [arguments.week]
        for number in numbers:
            syllabus.week(number)  # an unknown week is an error before anything is written
        written = build_bundle(syllabus, numbers, arguments.out, arguments.notebooks,
                               publication=publication, force=arguments.force, make_zip=arguments.zip)
    except (BundleError, LessonError, SyllabusError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        print("Nothing was written.", file=sys.stderr)
        return 2
    weeks = ", ".join(str(number) for number in numbers)
    print(f"Built week(s) {weeks} in {arguments.out}: {len(written)} files.")
    print(f"Publish the contents of {arguments.out / 'student'} at "
          f"'{publication.path_in_repo.strip('/') or '(root)'}' of {publication.repository}, branch "
          f"{publication.branch}; then share {arguments.out / 'student' / 'index.html'} or its links.")
    print(f"Keep {arguments.out / 'instructor'} private: it has the solutions.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
