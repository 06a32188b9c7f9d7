"""The linter configured in pyproject.toml ([tool.ruff]) finds nothing in the tree."""

import shutil
import subprocess
import sys

import pytest

from notebook_files import REPOSITORY_ROOT


def ruff_command():
    try:
        import ruff  # noqa: F401  (installed with the test extra)
    except ImportError:
        if shutil.which("ruff") is None:
            pytest.skip("ruff is not installed: pip install -e '.[test]'")
        return ["ruff"]
    return [sys.executable, "-m", "ruff"]


def test_ruff_finds_nothing():
    result = subprocess.run([*ruff_command(), "check", "--output-format", "concise", "."],
                            cwd=REPOSITORY_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_catches_what_it_is_configured_for(tmp_path):
    """The configuration is in force: an undefined name and an unused import are found."""
    sample = tmp_path / "sample.py"
    sample.write_text("import os\n\nprint(undefined_name)\n")
    result = subprocess.run([*ruff_command(), "check", "--config", str(REPOSITORY_ROOT / "pyproject.toml"),
                             "--output-format", "concise", str(sample)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "F401" in result.stdout and "F821" in result.stdout
