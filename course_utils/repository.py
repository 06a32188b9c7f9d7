"""Where the course lives on GitHub, and the Colab links built from it.

This is the one place that names the repository. The notebooks' badges and Colab
setup cells must agree with it: a fork changes REPOSITORY here, and
tests/test_notebook_structure.py then names each badge and setup cell still to update.
"""

from __future__ import annotations

REPOSITORY = "open-cnn-course/cnn-course"
BRANCH = "main"
COLAB_BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"


def repository_url() -> str:
    return f"https://github.com/{REPOSITORY}"


def colab_url(notebook_path: str) -> str:
    """The Open-in-Colab link of a notebook, given its path inside the repository."""
    return f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/{notebook_path}"


def colab_badge_markdown(notebook_path: str) -> str:
    return f"[![Open In Colab]({COLAB_BADGE_IMAGE})]({colab_url(notebook_path)})"


def pip_install_target() -> str:
    """What a Colab setup cell hands to pip: the course package straight from GitHub."""
    return f"git+{repository_url()}.git@{BRANCH}"
