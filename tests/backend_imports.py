"""Which test modules depend on Keras's backend, read from their imports.

CI runs the unit tests once on TensorFlow and again, on Keras's JAX backend, only the
modules whose code or comparisons go through Keras. A hand-kept list of those modules
forgot seven of them, so tests/conftest.py marks them instead (``keras_backend``) from
this analysis, and CI selects them with ``-m keras_backend``.

A module depends on the backend when it imports keras, tensorflow or jax, or imports a
module of this repository (course_utils, data_download, the tests' own helpers) that
does, at any depth. Imports inside functions count too (the course imports Keras lazily
in places), so the analysis errs on the side of running a module on both backends.
tests/test_backend_marker.py checks it against what importing the modules really loads.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
TESTS_FOLDER = REPOSITORY_ROOT / "tests"
BACKEND_PACKAGES = frozenset({"keras", "tensorflow", "jax"})
MARKER = "keras_backend"

# Where an absolute import of this repository's code can come from: the checkout (the
# course's packages) and tests/ (helpers such as exercise_checks, put on sys.path by
# tests/conftest.py).
_SEARCH_FOLDERS = (REPOSITORY_ROOT, TESTS_FOLDER)


def _source_of(module_name: str) -> Path | None:
    """The file of a module of this repository, or None for anything else (numpy, ...)."""
    parts = module_name.split(".")
    for folder in _SEARCH_FOLDERS:
        candidate = folder.joinpath(*parts)
        if (candidate / "__init__.py").is_file():
            return candidate / "__init__.py"
        if candidate.with_suffix(".py").is_file():
            return candidate.with_suffix(".py")
    return None


def _package_of(path: Path) -> str:
    """The dotted package a file belongs to, for its relative imports ("" at the top)."""
    folder = path.parent
    parts = []
    while (folder / "__init__.py").is_file():
        parts.append(folder.name)
        folder = folder.parent
    return ".".join(reversed(parts))


def imported_modules(path: Path) -> set[str]:
    """Every module name an ``import`` anywhere in the file may load.

    ``from a import b`` yields ``a`` and ``a.b``, since ``b`` may be a submodule.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the file's package
                package = _package_of(path).split(".")
                base = package[:len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return {name.strip(".") for name in names if name.strip(".")}


@lru_cache(maxsize=None)
def depends_on_backend(path: Path, _visiting: frozenset = frozenset()) -> bool:
    """True if the module at ``path`` imports keras, tensorflow or jax, directly or not."""
    path = Path(path).resolve()
    for name in sorted(imported_modules(path)):
        if name.split(".")[0] in BACKEND_PACKAGES:
            return True
        source = _source_of(name)
        if source is None or source == path or source in _visiting:
            continue
        if depends_on_backend(source.resolve(), _visiting | {path}):
            return True
    return False


def all_test_modules() -> list[Path]:
    """Every test module under tests/."""
    return sorted(TESTS_FOLDER.rglob("test_*.py"))
