"""Command line.

Build::

    python -m course_utils.assign (--week N | --weeks 1-3 | --all) --out DIR --repo OWNER/NAME
        [--ref TAG_OR_COMMIT] [--branch main] [--path-in-repo FOLDER] [--zip] [--force]

Publish the student folder of a bundle into a clone of the student repository::

    python -m course_utils.assign publish DIR --into CHECKOUT
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from course_utils import repository
from course_utils.assign.bundle import BundleError, PartialReplacement, Publication, build_bundle
from course_utils.assign.notebooks import LessonError
from course_utils.assign.pinning import PinningError, default_ref
from course_utils.assign.publish import PublishError, publish
from course_utils.assign.syllabus import SyllabusError, load_syllabus

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
LESSON_PATTERN = "[0-9][0-9]_*.ipynb"
WEEKS_PATTERN = re.compile(r"^\s*\d+(\s*-\s*\d+)?(\s*,\s*\d+(\s*-\s*\d+)?)*\s*$")


def known_lessons(notebooks_dir: Path) -> list[str]:
    return sorted(path.stem for path in notebooks_dir.glob(LESSON_PATTERN))


def parse_weeks(text: str) -> list[int]:
    """'1-3' -> [1, 2, 3]; '1,3' -> [1, 3]; '2' -> [2]."""
    if not WEEKS_PATTERN.match(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of weeks: write e.g. 1-3, or 1,2,4.")
    numbers: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        low, high = int(first), int(last or first)
        if low > high:
            raise argparse.ArgumentTypeError(f"{part.strip()!r} runs backwards: write it as {high}-{low}.")
        numbers += [number for number in range(low, high + 1) if number not in numbers]
    return numbers


def _folder(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("is empty: name a new folder, such as build/week-1.")
    return Path(text)


class _Once(argparse.Action):
    """An option that may be given once: `--week 1 --week 2` is refused, not silently week 2."""

    def __call__(self, parser, namespace, values, option_string=None):
        if getattr(namespace, self.dest, None) is not None:
            parser.error(f"{option_string} given twice; for several weeks use --weeks 1-3 (or 1,2,4).")
        setattr(namespace, self.dest, values)


def parser() -> argparse.ArgumentParser:
    result = argparse.ArgumentParser(
        prog="python -m course_utils.assign",
        description="Build the student and instructor notebooks and index pages of weeks of "
                    "syllabus.yml. Publish a built bundle with `python -m course_utils.assign "
                    "publish DIR --into CHECKOUT`.")
    which = result.add_mutually_exclusive_group(required=True)
    which.add_argument("--week", type=int, metavar="N", action=_Once, help="one week")
    which.add_argument("--weeks", type=parse_weeks, metavar="LIST", action=_Once,
                       help="several weeks: a range or list such as 1-3 or 1,2,4 (the weeks so far)")
    which.add_argument("--all", action="store_true", help="every week of the syllabus")
    result.add_argument("--out", required=True, type=_folder, metavar="DIR",
                        help="output folder (must not exist, unless --force)")
    result.add_argument("--repo", required=True, metavar="OWNER/NAME",
                        help="the GitHub repository you publish the student folder in: the student "
                             "copies' links and their helpers' install point there, never at the "
                             "course repository, which holds the solutions")
    result.add_argument("--ref", metavar="TAG_OR_COMMIT",
                        help="the ref of that repository the student copies install the helpers from "
                             "(default: the tag course-<commit of this checkout>, which publish creates; "
                             "refused when the checkout has uncommitted changes)")
    result.add_argument("--branch", default=repository.BRANCH,
                        help=f"branch the student folder is published on (default: {repository.BRANCH})")
    result.add_argument("--path-in-repo", default="", metavar="FOLDER",
                        help="folder of that repository holding the student folder's contents (default: its root)")
    result.add_argument("--syllabus", type=Path, default=REPOSITORY_ROOT / "syllabus.yml",
                        help="the syllabus (default: syllabus.yml in the repository)")
    result.add_argument("--notebooks", type=Path, default=REPOSITORY_ROOT / "notebooks",
                        help="where the lessons are (default: notebooks/ in the repository)")
    result.add_argument("--zip", action="store_true", help="also write DIR/student.zip")
    result.add_argument("--force", action="store_true",
                        help="replace DIR if it is a bundle this command built (nothing else is ever replaced)")
    return result


def publish_parser() -> argparse.ArgumentParser:
    result = argparse.ArgumentParser(
        prog="python -m course_utils.assign publish",
        description="Copy a bundle's student folder (and nothing else) into a clone of the student "
                    "repository, stage exactly those files and commit them.")
    result.add_argument("bundle", type=Path, metavar="DIR", help="a bundle built with --out DIR")
    result.add_argument("--into", required=True, type=Path, metavar="CHECKOUT",
                        help="a git clone of the student repository (--repo of the build)")
    result.add_argument("--message", help="commit message (default: 'Week(s) N of the course')")
    return result


def main_publish(argv: list[str]) -> int:
    arguments = publish_parser().parse_args(argv)
    try:
        paths = publish(arguments.bundle, arguments.into, message=arguments.message)
    except PublishError as error:
        print(f"error: {error}", file=sys.stderr)
        print("Nothing was written.", file=sys.stderr)
        return 2
    print(f"Committed {len(paths)} student files in {arguments.into}. Push them (and the tag the "
          f"student copies install from) with:\n  git -C {arguments.into} push --follow-tags origin HEAD")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["publish"]:
        return main_publish(argv[1:])
    arguments = parser().parse_args(argv)
    try:
        if not arguments.notebooks.is_dir():
            raise BundleError(f"no lessons folder at {arguments.notebooks}: run this from a checkout "
                              f"of the course repository, or pass --notebooks DIR.")
        ref = arguments.ref or default_ref(REPOSITORY_ROOT)
        publication = Publication(arguments.repo, ref, arguments.branch, arguments.path_in_repo)
        syllabus = load_syllabus(arguments.syllabus, known_lessons(arguments.notebooks))
        if arguments.all:
            numbers = [week.number for week in syllabus.weeks]
        else:
            numbers = arguments.weeks or [arguments.week]
        for number in numbers:
            syllabus.week(number)  # an unknown week is an error before anything is written
        written = build_bundle(syllabus, numbers, arguments.out, arguments.notebooks,
                               publication=publication, force=arguments.force, make_zip=arguments.zip)
    except PartialReplacement as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (BundleError, LessonError, PinningError, SyllabusError) as error:
        print(f"error: {error}", file=sys.stderr)
        print("Nothing was written.", file=sys.stderr)
        return 2
    weeks = ", ".join(str(number) for number in numbers)
    print(f"Built week(s) {weeks} in {arguments.out}: {len(written)} files; the student copies "
          f"install the helpers from {publication.install_target}.")
    print(f"Publish the student folder into a clone of {publication.repository}:\n"
          f"  python -m course_utils.assign publish {arguments.out} --into PATH/TO/CLONE")
    print(f"Keep {arguments.out / 'instructor'} private: it has the solutions.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
