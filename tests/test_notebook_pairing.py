"""Every lesson notebook has its jupytext py:percent twin, and the two agree."""

import jupytext
import pytest

from notebook_files import lesson_notebooks, lesson_scripts


def cells_of(path):
    notebook = jupytext.read(path)
    return [(cell.cell_type, cell.source.strip()) for cell in notebook.cells]


def test_there_are_lessons():
    assert lesson_notebooks(), "no lesson notebooks found in notebooks/"


def test_every_notebook_has_a_script_and_every_script_a_notebook():
    notebooks = {path.stem for path in lesson_notebooks()}
    scripts = {path.stem for path in lesson_scripts()}
    assert notebooks - scripts == set(), (
        f"notebooks without a paired .py: {sorted(notebooks - scripts)}; "
        f"run `jupytext --sync notebooks/NAME.ipynb`")
    assert scripts - notebooks == set(), (
        f".py lessons without a notebook: {sorted(scripts - notebooks)}; "
        f"run `jupytext --sync notebooks/NAME.py`")


@pytest.mark.parametrize("notebook", lesson_notebooks(), ids=lambda path: path.stem)
def test_pair_is_in_sync(notebook):
    script = notebook.with_suffix(".py")
    if not script.exists():
        pytest.skip("no pair; reported by the test above")
    assert cells_of(notebook) == cells_of(script), (
        f"{notebook.name} and {script.name} differ; edit one and run "
        f"`jupytext --sync notebooks/{notebook.name}`")
