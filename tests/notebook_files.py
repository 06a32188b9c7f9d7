"""Where the lessons are, shared by the structure and pairing tests."""

from pathlib import Path

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_FOLDER = REPOSITORY_ROOT / "notebooks"
LESSON_PATTERN = "[0-9][0-9]_*"


def lesson_notebooks() -> list[Path]:
    return sorted(NOTEBOOK_FOLDER.glob(f"{LESSON_PATTERN}.ipynb"))


def lesson_scripts() -> list[Path]:
    return sorted(NOTEBOOK_FOLDER.glob(f"{LESSON_PATTERN}.py"))
