"""Build the bundle of one or more weeks: student and instructor notebooks, index pages, a zip.

Layout of ``--out DIR``::

    DIR/student/README.md, index.html      what students open: links to Colab and downloads
                                           (GitHub renders README.md; index.html is for Pages)
    DIR/student/week-01/NAME.ipynb         student versions (publish the student folder)
    DIR/student/pyproject.toml, LICENSE,   the helpers the student copies install, pinned to
      course_utils/, data_download/        the bundle's ref (see :mod:`.pinning`)
    DIR/instructor/README.md               keep this folder private: it has the solutions
    DIR/instructor/week-01/NAME.ipynb      instructor versions, the lessons unchanged
    DIR/student.zip                        with --zip: the student folder, for an LMS
    DIR/.cnn-course-bundle.json            the manifest: what this command wrote

Everything is prepared in memory and written to a staging folder beside DIR, which becomes
DIR only when all of it succeeded; on any error nothing is left behind. ``--force``
replaces only a bundle folder this command made (:mod:`.ownership`).
"""

from __future__ import annotations

import datetime
import errno
import html
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course_utils import repository as course_repository
from course_utils.assign.notebooks import lesson_title, read_lesson, student_notebook
from course_utils.assign.ownership import OwnershipError, check_replaceable, write_manifest
from course_utils.assign.pinning import install_target, validate_ref
from course_utils.assign.syllabus import Syllabus, Week

COLAB_PREFIX = "https://colab.research.google.com/github"
REPOSITORY_PATTERN = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
BRANCH_PATTERN = re.compile(r"^[A-Za-z0-9._/-]+$")


#: The course package, copied into the student folder so that its copies install from there.
PACKAGE_ROOT = Path(__file__).resolve().parents[2]
PACKAGE_FILES = ("pyproject.toml", "LICENSE")
PACKAGE_FOLDERS = ("course_utils", "data_download")


class BundleError(ValueError):
    """Options or an output folder that cannot be used."""


class PartialReplacement(BundleError):
    """The new bundle is in place but the old one could not be removed completely."""


@dataclass(frozen=True)
class Publication:
    """Where the student folder's contents will be on GitHub, and the ref its helpers install from."""

    repository: str
    ref: str
    branch: str = course_repository.BRANCH
    path_in_repo: str = ""

    def __post_init__(self):
        validate_ref(self.ref)
        if not REPOSITORY_PATTERN.match(self.repository):
            raise BundleError(f"--repo must be OWNER/NAME as on GitHub, got {self.repository!r}.")
        if not BRANCH_PATTERN.match(self.branch) or ".." in self.branch:
            raise BundleError(f"--branch {self.branch!r} is not a branch name.")
        path = self.path_in_repo.strip("/")
        if path and (path.startswith(".") or ".." in path.split("/") or not BRANCH_PATTERN.match(path)):
            raise BundleError(f"--path-in-repo must be a folder inside the repository such as "
                              f"'assignments', got {self.path_in_repo!r}.")

    def colab_link(self, relative_path: str) -> str:
        """Open-in-Colab link of a file at ``relative_path`` inside the student folder."""
        path = "/".join(part for part in (self.path_in_repo.strip("/"), relative_path) if part)
        return f"{COLAB_PREFIX}/{self.repository}/blob/{self.branch}/{path}"

    @property
    def install_target(self) -> str:
        return install_target(self.repository, self.ref, self.path_in_repo)


@dataclass
class LessonEntry:
    name: str
    title: str
    student_path: str  # relative to the student folder, e.g. week-01/01_mlp_review.ipynb
    colab_link: str


@dataclass
class WeekEntry:
    week: Week
    lessons: list[LessonEntry] = field(default_factory=list)


def _heading(syllabus: Syllabus, week: Week) -> str:
    return f"Week {week.number}" + (f": {week.title}" if week.title else "")


def _due_text(due: datetime.date | None) -> str:
    return f"{due:%A %d %B %Y}" if due else ""


STUDENT_ADVICE = ("Open a lesson in Colab, then *File > Save a copy in Drive* so that your work is "
                  "kept, and *Runtime > Change runtime type > T4 GPU*. Each exercise has a cell "
                  "for your answer and a check cell that says whether it is right; until you "
                  "answer, it says \"not done yet\". The last cell of each lesson shows your "
                  "progress and writes the results file you hand in with the notebook.")


def index_markdown(syllabus: Syllabus, weeks: list[WeekEntry]) -> str:
    lines = [f"# {syllabus.course}", "", STUDENT_ADVICE, ""]
    for entry in weeks:
        lines += [f"## {_heading(syllabus, entry.week)}", ""]
        if entry.week.due:
            lines += [f"Due: {_due_text(entry.week.due)}", ""]
        if entry.week.notes:
            lines += [entry.week.notes, ""]
        lines += ["| Lesson | Open | Download |", "|---|---|---|"]
        for lesson in entry.lessons:
            lines.append(f"| {lesson.title} | [![Open In Colab]({course_repository.COLAB_BADGE_IMAGE})]"
                         f"({lesson.colab_link}) | [{lesson.name}.ipynb]({lesson.student_path}) |")
        lines.append("")
    return "\n".join(lines)


def index_html(syllabus: Syllabus, weeks: list[WeekEntry]) -> str:
    e = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{e(syllabus.course)}</title></head><body>", f"<h1>{e(syllabus.course)}</h1>",
             f"<p>{e(STUDENT_ADVICE)}</p>"]
    for entry in weeks:
        parts.append(f"<h2>{e(_heading(syllabus, entry.week))}</h2>")
        if entry.week.due:
            parts.append(f"<p>Due: {e(_due_text(entry.week.due))}</p>")
        if entry.week.notes:
            parts.append(f"<p>{e(entry.week.notes)}</p>")
        parts.append("<table><tr><th>Lesson</th><th>Open</th><th>Download</th></tr>")
        for lesson in entry.lessons:
            parts.append(f'<tr><td>{e(lesson.title)}</td><td><a href="{e(lesson.colab_link)}">'
                         f'<img src="{e(course_repository.COLAB_BADGE_IMAGE)}" alt="Open In Colab"></a></td>'
                         f'<td><a href="{e(lesson.student_path)}">{e(lesson.name)}.ipynb</a></td></tr>')
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def instructor_markdown(syllabus: Syllabus, weeks: list[WeekEntry], publication: Publication) -> str:
    lines = [f"# {syllabus.course}: instructor copies", "",
             "These notebooks contain the solutions: keep this folder private. Publish the "
             "`student` folder with `python -m course_utils.assign publish BUNDLE --into "
             "CHECKOUT`, where CHECKOUT is a clone of "
             f"`{publication.repository}`; the links in `student/README.md` point at its branch "
             f"`{publication.branch}`"
             + (f", folder `{publication.path_in_repo.strip('/')}`" if publication.path_in_repo.strip("/") else "")
             + f", and every student copy installs the helpers from its ref `{publication.ref}`.", ""]
    for entry in weeks:
        lines += [f"## {_heading(syllabus, entry.week)}", ""]
        lines += [f"- [{lesson.title}]({lesson.student_path})" for lesson in entry.lessons]
        lines.append("")
    return "\n".join(lines)


def _prepare(syllabus: Syllabus, numbers: list[int], notebooks_dir: Path, publication: Publication,
             package_root: Path) -> tuple[list[WeekEntry], dict[str, bytes]]:
    """Every file of the bundle, in memory: {relative path: content}. Raises before writing."""
    files: dict[str, bytes] = {}
    entries = []
    for number in numbers:
        week = syllabus.week(number)
        entry = WeekEntry(week)
        for name in week.lessons:
            source_path = notebooks_dir / f"{name}.ipynb"
            lesson = read_lesson(source_path)
            relative = f"{week.folder}/{name}.ipynb"
            link = publication.colab_link(relative)
            own_badge = course_repository.colab_url(f"notebooks/{name}.ipynb")
            student = student_notebook(
                lesson, name, badge_links={own_badge: link}, install_target=publication.install_target,
                course_install_target=course_repository.pip_install_target(),
                solutions_released=week.solutions_released, release_note=week.release_note())
            files[f"student/{relative}"] = nbformat.writes(student).encode() + b"\n"
            files[f"instructor/{relative}"] = source_path.read_bytes()
            entry.lessons.append(LessonEntry(name, lesson_title(lesson, name), relative, link))
        entries.append(entry)
    files["student/README.md"] = index_markdown(syllabus, entries).encode()
    files["student/index.html"] = index_html(syllabus, entries).encode()
    files["instructor/README.md"] = instructor_markdown(syllabus, entries, publication).encode()
    files.update(_package_files(package_root))
    return entries, files


def _package_files(package_root: Path) -> dict[str, bytes]:
    """The course package (what ``pip install`` of the student repository needs), by path."""
    files = {}
    for name in PACKAGE_FILES:
        files[f"student/{name}"] = (package_root / name).read_bytes()
    for folder in PACKAGE_FOLDERS:
        for path in sorted((package_root / folder).rglob("*.py")):
            if "__pycache__" not in path.parts:
                files[f"student/{path.relative_to(package_root).as_posix()}"] = path.read_bytes()
    return files


def _check_output_folder(out: Path, force: bool, repository_root: Path) -> None:
    if out.exists() and not out.is_dir():
        raise BundleError(f"{out} exists and is not a folder; choose another --out.")
    for parent in out.parents:
        if parent.exists() and not parent.is_dir():
            raise BundleError(f"--out {out} cannot be made: {parent} is a file, not a folder.")
    if out.exists() and not force:
        raise BundleError(f"{out} already exists; choose another --out, or pass --force to "
                          f"replace a bundle this command built there.")
    if out.exists():
        try:
            check_replaceable(out, repository_root)
        except OwnershipError as error:
            raise BundleError(str(error)) from None


def _in_words(error: OSError, staging: Path, out: Path) -> str:
    """An OSError as a sentence naming the bundle's path, not the hidden staging folder."""
    where = str(error.filename or out).replace(str(staging), str(out))
    reason = error.strerror or str(error)
    if error.errno == errno.ENOSPC:
        reason = "the disk is full"
    elif error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = "permission denied (choose a folder you can write to)"
    return f"could not write the bundle at {where}: {reason}."


def build_bundle(syllabus: Syllabus, numbers: list[int], out: Path, notebooks_dir: Path, *,
                 publication: Publication, force: bool = False, make_zip: bool = False,
                 package_root: Path | None = None) -> list[str]:
    """Write the bundle of the given weeks to ``out``; returns the files written (relative).

    ``package_root`` is the checkout holding pyproject.toml, course_utils and data_download
    (default: the one this course_utils was imported from).
    """
    if not str(out).strip():
        raise BundleError("--out is empty: name a new folder, such as build/week-1.")
    notebooks_dir = Path(notebooks_dir)
    package_root = Path(package_root) if package_root else PACKAGE_ROOT
    out = Path(out).absolute()
    _check_output_folder(out, force, package_root)
    _, files = _prepare(syllabus, numbers, notebooks_dir, publication, package_root)
    created = out.parent  # the outermost missing parent folder, removed again on failure
    while not created.parent.exists():
        created = created.parent
    created = None if created.exists() else created
    staging = None
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
        for relative, content in files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        if make_zip:
            with zipfile.ZipFile(staging / "student.zip", "w", zipfile.ZIP_DEFLATED) as archive:
                for relative in sorted(files):
                    if relative.startswith("student/"):
                        archive.write(staging / relative, relative)
            files["student.zip"] = b""
        write_manifest(staging, list(files), weeks=numbers, repository=publication.repository,
                       ref=publication.ref, path_in_repo=publication.path_in_repo.strip("/"), built=datetime.datetime.now(datetime.timezone.utc)
                       .isoformat(timespec="seconds"))
        os.chmod(staging, 0o755)  # mkdtemp makes it private; the bundle is meant to be shared
        if out.exists():
            _replace(out, staging)
        else:
            os.rename(staging, out)
    except OSError as error:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)
        raise BundleError(_in_words(error, staging or out, out)) from None
    except BaseException:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)
        raise
    return sorted(files)


def _replace(out: Path, staging: Path) -> None:
    """Swap the complete new bundle in for the old one, then delete the old one.

    The old bundle moves aside first, so ``out`` always holds one complete bundle.
    :func:`~.ownership.check_replaceable` has already made sure every folder of the old
    bundle can be emptied; should deleting it still fail (a file locked meanwhile), the
    error says that the new bundle is in place and where the rest of the old one is.
    """
    holder = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.rename(out, holder / out.name)
    try:
        os.rename(staging, out)
    except OSError:
        os.rename(holder / out.name, out)  # the old bundle goes back; the caller removes staging
        holder.rmdir()
        raise
    try:
        shutil.rmtree(holder)
    except OSError as error:
        raise PartialReplacement(
            f"The new bundle is in {out}, but the old one could not be deleted completely "
            f"({error.strerror}): what is left of it is in {holder}; remove that folder "
            f"yourself.") from None
