"""Which version of the helpers a student copy installs: a git ref fixed when the bundle is built.

A student copy's setup cell installs ``course_utils`` from the student repository at a ref
that never moves: the instructor's ``--ref``, or by default a tag named after the course
commit the bundle was built from (``course-<12 hex digits>``), which ``publish`` creates in
the student repository. A bundle built in week 1 therefore installs the same helpers all
term, whatever happens to the course's ``main`` later. A checkout with uncommitted changes
has no commit that describes it, so the default is refused there.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REF_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
TAG_PREFIX = "course-"


class PinningError(ValueError):
    """No ref can be fixed for the bundle; the message says what to pass."""


def _git(repository_root: Path, *arguments: str) -> str:
    result = subprocess.run(["git", "-C", str(repository_root), *arguments], capture_output=True,
                            text=True, check=False)
    if result.returncode != 0:
        raise PinningError(f"git {' '.join(arguments)} failed in {repository_root} "
                           f"({result.stderr.strip() or 'no git checkout'}).")
    return result.stdout.rstrip()


def course_commit(repository_root: Path) -> str | None:
    """The course checkout's commit, or None when it is not a git checkout."""
    try:
        return _git(repository_root, "rev-parse", "HEAD")
    except (PinningError, OSError):
        return None


def validate_ref(ref: str) -> str:
    if not REF_PATTERN.match(ref) or ".." in ref or ref.endswith((".", "/", ".lock")):
        raise PinningError(f"--ref {ref!r} is not a git tag, branch or commit name.")
    return ref


def default_ref(repository_root: Path) -> str:
    """``course-<commit>`` for a clean checkout; PinningError otherwise, saying what to do."""
    commit = course_commit(repository_root)
    if commit is None:
        raise PinningError(f"{repository_root} is not a git checkout, so the bundle cannot be pinned "
                           f"to a commit: pass --ref TAG_OR_COMMIT (a ref of the student repository "
                           f"that holds the helpers).")
    dirty = _git(repository_root, "status", "--porcelain", "--untracked-files=no",
                 "--", "course_utils", "data_download", "pyproject.toml", "notebooks")
    if dirty:
        changed = ", ".join(line[3:] for line in dirty.splitlines()[:3])
        raise PinningError(f"the course checkout has uncommitted changes ({changed}), so no commit "
                           f"describes the helpers a student would get. Commit them first, or pass "
                           f"--ref TAG_OR_COMMIT explicitly.")
    return f"{TAG_PREFIX}{commit[:12]}"


def install_target(repository: str, ref: str, path_in_repo: str = "") -> str:
    """What a student copy's setup cell hands to pip."""
    target = f"git+https://github.com/{repository}.git@{ref}"
    folder = path_in_repo.strip("/")
    return f"{target}#subdirectory={folder}" if folder else target
