"""Publish a bundle's student folder into a clone of the student repository, and nothing else.

``python -m course_utils.assign publish BUNDLE --into CHECKOUT`` copies the files of
``BUNDLE/student`` (and only those) into ``CHECKOUT`` (at the bundle's ``--path-in-repo``),
stages exactly those paths, commits them, and tags the commit with the bundle's ref when the
ref is the default ``course-<commit>`` tag that the student copies install from. It refuses
a checkout that is the course repository, holds an ``instructor`` folder, or has a file at a
path it would write that an earlier publish did not write (the checkout's
:data:`PUBLISHED` file lists what publishing wrote), so it never overwrites the instructor's
own files and can never commit the solutions, a virtual environment or caches.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

from course_utils.assign.ownership import files_under, read_manifest
from course_utils.assign.pinning import TAG_PREFIX

PUBLISHED = ".cnn-course-published.json"


class PublishError(ValueError):
    """A bundle or checkout that cannot be published into; nothing was written."""


def _git(checkout: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(checkout), *arguments], capture_output=True, text=True,
                          check=False)


def _checked_git(checkout: Path, *arguments: str) -> str:
    result = _git(checkout, *arguments)
    if result.returncode != 0:
        raise PublishError(f"git {' '.join(arguments)} failed in {checkout}: {result.stderr.strip()}")
    return result.stdout.strip()


def _published_files(destination: Path) -> set[str]:
    try:
        payload = json.loads((destination / PUBLISHED).read_text(encoding="utf-8"))
        return set(payload["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def _check_checkout(checkout: Path, bundle: Path) -> None:
    if not checkout.is_dir():
        raise PublishError(f"{checkout} is not a folder: clone the student repository first "
                           f"(git clone URL {checkout}).")
    top = _git(checkout, "rev-parse", "--show-toplevel")
    if top.returncode != 0 or Path(top.stdout.strip()).resolve() != checkout.resolve():
        raise PublishError(f"{checkout} is not the top of a git checkout: clone the student "
                           f"repository there first (git clone URL {checkout}).")
    if (checkout / "syllabus.yml").exists() or (checkout / "notebooks").is_dir():
        raise PublishError(f"{checkout} looks like the course repository itself (it has syllabus.yml or "
                           f"notebooks/, which hold the solutions). Publish into a clone of the "
                           f"separate student repository.")
    if (checkout / "instructor").exists():
        raise PublishError(f"{checkout} holds an 'instructor' folder: the solutions must never be "
                           f"committed to the student repository. Remove it from there first.")
    if checkout.resolve() in bundle.resolve().parents:
        raise PublishError(f"the bundle {bundle} is inside the checkout {checkout}: build it "
                           f"elsewhere (e.g. build/ in the course repository).")


def publish(bundle: Path, checkout: Path, *, message: str | None = None) -> list[str]:
    """Copy, stage and commit the bundle's student files into ``checkout``; returns their paths."""
    bundle, checkout = Path(bundle), Path(checkout)
    manifest = read_manifest(bundle)
    student = bundle / "student"
    if manifest is None or not student.is_dir():
        raise PublishError(f"{bundle} is not a bundle built by `python -m course_utils.assign` "
                           f"(no manifest or no student folder).")
    _check_checkout(checkout, bundle)
    folder = str(manifest.get("path_in_repo", "")).strip("/")
    destination = checkout / folder if folder else checkout
    sources = sorted(files_under(student))
    targets = [f"{folder}/{path}" if folder else path for path in sources]
    earlier = _published_files(destination)
    foreign = [target for path, target in zip(sources, targets)
               if (destination / path).exists() and path not in earlier]
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise PublishError(f"{checkout} already has {shown}, which an earlier publish did not write: "
                           f"publishing would overwrite it. Move it, or publish into a fresh clone.")
    temporary = []
    try:  # every file written beside its target first, then all moved into place
        for path in sources:
            target = destination / path
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
            with os.fdopen(handle, "wb") as stream:
                stream.write((student / path).read_bytes())
            os.chmod(name, 0o644)
            temporary.append((Path(name), target))
        for name, target in temporary:
            os.replace(name, target)
    except OSError as error:
        for name, _ in temporary:
            name.unlink(missing_ok=True)
        raise PublishError(f"could not write into {checkout}: {error.strerror} ({error.filename}).") from None
    record = {"files": sorted(earlier | set(sources)), "ref": manifest.get("ref"),
              "weeks": manifest.get("weeks")}
    (destination / PUBLISHED).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    paths = targets + [f"{folder}/{PUBLISHED}" if folder else PUBLISHED]
    _checked_git(checkout, "add", "--", *paths)
    weeks = ", ".join(str(week) for week in manifest.get("weeks", []))
    if _git(checkout, "diff", "--cached", "--quiet", "--", *paths).returncode != 0:
        _checked_git(checkout, "commit", "--quiet", "-m", message or f"Week(s) {weeks} of the course",
                     "--", *paths)
    ref = str(manifest.get("ref", ""))
    if ref.startswith(TAG_PREFIX) and _git(checkout, "rev-parse", "--verify", "--quiet",
                                           f"refs/tags/{ref}").returncode != 0:
        _checked_git(checkout, "tag", ref)
    return paths
