"""Folders this command made, and the rule that it never deletes or overwrites anything else.

A bundle folder carries a manifest (:data:`MANIFEST`) listing every file the command wrote
into it. ``--force`` replaces a folder only when that manifest is there and the folder holds
nothing it does not list, and never the current folder, one of its parents, the course
repository or anything inside its ``notebooks/``. The same manifest idea protects a student
repository's checkout when a bundle is published into it (:mod:`.publish`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

MANIFEST = ".cnn-course-bundle.json"
MANIFEST_FORMAT = "cnn-course-bundle/1"


class OwnershipError(ValueError):
    """A folder that this command did not make, or cannot safely replace; nothing was written."""


def write_manifest(folder: Path, files: list[str], **details) -> None:
    payload = {"format": MANIFEST_FORMAT, "files": sorted(files), **details}
    (folder / MANIFEST).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


def read_manifest(folder: Path) -> dict | None:
    """The folder's manifest, or None when it has none (or an unreadable one)."""
    try:
        payload = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(payload, dict) or payload.get("format") != MANIFEST_FORMAT:
        return None
    if not isinstance(payload.get("files"), list):
        return None
    return payload


def files_under(folder: Path) -> set[str]:
    """Every file and symbolic link under ``folder``, as paths relative to it (with '/')."""
    found = set()
    for root, directories, names in os.walk(folder):
        for name in names + [d for d in directories if os.path.islink(os.path.join(root, d))]:
            found.add(Path(os.path.relpath(os.path.join(root, name), folder)).as_posix())
    return found


def protected_folders(repository_root: Path) -> list[tuple[Path, str]]:
    """Folders that may never be replaced, with the reason to give."""
    here = Path.cwd().resolve()
    protected = [(here, "it is the current folder")]
    protected += [(parent, "it holds the current folder") for parent in here.parents]
    root = repository_root.resolve()
    protected += [(root, "it is the course repository"),
                  (root / "notebooks", "it holds the lessons")]
    protected += [(parent, "it holds the course repository") for parent in root.parents]
    return protected


def check_replaceable(out: Path, repository_root: Path) -> None:
    """OwnershipError unless ``out`` is a bundle folder this command made, holding nothing else."""
    resolved = out.resolve()
    for folder, reason in protected_folders(repository_root):
        if resolved == folder:
            raise OwnershipError(f"--force will not replace {out}: {reason}. Choose a new folder "
                                 f"for --out, such as build/week-1.")
    if (repository_root / "notebooks").resolve() in resolved.parents:
        raise OwnershipError(f"--force will not replace {out}: it is inside the lessons folder. "
                             f"Choose a folder such as build/week-1.")
    manifest = read_manifest(out)
    if manifest is None:
        raise OwnershipError(f"--force will not replace {out}: it was not made by this command (it "
                             f"has no {MANIFEST}). Choose a new folder for --out, or remove it yourself.")
    extra = sorted(files_under(out) - set(manifest["files"]) - {MANIFEST})
    if extra:
        shown = ", ".join(extra[:5]) + (f" and {len(extra) - 5} more" if len(extra) > 5 else "")
        raise OwnershipError(f"--force will not replace {out}: it holds files this command did not "
                             f"write ({shown}). Move them elsewhere first, or choose a new --out.")
    blocked = [root for root, _, _ in os.walk(out) if not os.access(root, os.W_OK | os.X_OK)]
    if blocked:
        raise OwnershipError(f"--force cannot replace {out}: {blocked[0]} cannot be emptied "
                             f"(no write permission), so the old bundle could not be removed. "
                             f"Fix its permissions or choose a new --out.")
