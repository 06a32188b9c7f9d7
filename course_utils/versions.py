"""The version ranges this course is tested with, and a check of what is installed.

The low end is Colab's current stack (constraints/colab.txt pins it exactly); the high
end is the newest release CI has passed with. A version outside a range may well work:
lesson 00 says so and suggests what to do, it does not stop the lesson.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata

# distribution name -> (oldest tested, newest tested), compared on major.minor.
TESTED_RANGES: dict[str, tuple[str, str]] = {
    "python": ("3.11", "3.13"),
    "tensorflow": ("2.20", "2.21"),
    "keras": ("3.13", "3.15"),
    "numpy": ("2.1", "2.4"),
    "scikit-learn": ("1.6", "1.9"),
    "matplotlib": ("3.10", "3.11"),
    "ipywidgets": ("7.7", "8.1"),
    "pooch": ("1.8", "1.9"),
    "jupytext": ("1.19", "1.19"),
}


@dataclass(frozen=True)
class VersionCheck:
    package: str
    installed: str | None  # None when the package is not installed
    tested_low: str
    tested_high: str

    @property
    def status(self) -> str:
        """'ok', 'missing', 'older' or 'newer' than the tested range."""
        if self.installed is None:
            return "missing"
        installed = major_minor(self.installed)
        if installed < major_minor(self.tested_low):
            return "older"
        if installed > major_minor(self.tested_high):
            return "newer"
        return "ok"


def major_minor(version: str) -> tuple[int, int]:
    """(2, 20) for '2.20.0', '2.20.0rc1' or '2.20'."""
    parts = []
    for piece in version.split(".")[:2]:
        digits = "".join(character for character in piece if character.isdigit()) or "0"
        parts.append(int(digits))
    while len(parts) < 2:
        parts.append(0)
    return parts[0], parts[1]


def installed_version(distribution: str) -> str | None:
    if distribution == "python":
        import platform
        return platform.python_version()
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def check_versions(installed: dict[str, str | None] | None = None) -> list[VersionCheck]:
    """One VersionCheck per tested package; ``installed`` overrides lookups (for tests)."""
    checks = []
    for package, (low, high) in TESTED_RANGES.items():
        version = installed[package] if installed and package in installed else installed_version(package)
        checks.append(VersionCheck(package, version, low, high))
    return checks
