"""The shape every lesson shares, its Colab badge and setup cell, and output hygiene."""

import json
import re

import nbformat
import pytest

from course_utils.notebook_metadata import missing_colab_metadata
from course_utils.repository import colab_badge_markdown, pip_install_target
from notebook_files import REPOSITORY_ROOT, lesson_notebooks, lesson_scripts

LESSONS = lesson_notebooks()
# Headings every lesson has, in this order (the Carpentries' lesson shape).
REQUIRED_HEADINGS = ["## What you will learn", "## Setup", "## Key points", "## Exercises"]
# Colab already has these; a lesson that reinstalls one breaks the runtime's CUDA build
# or its widget frontend.
NEVER_REINSTALLED = ["tensorflow", "keras", "numpy", "ipywidgets", "jupyter", "notebook",
                     "ipykernel", "jax", "torch"]
# A committed lesson stays small enough to open quickly in Colab and on GitHub, and to
# review in a diff: figures at modest resolution, photographs cropped.
MAX_NOTEBOOK_BYTES = 300_000
MACHINE_PATH = re.compile(r"(/work/|/root/|/home/|/tmp/|/Users/|[A-Z]:\\\\Users|site-packages)")


def read(path):
    return nbformat.read(path, as_version=4)


def relative(path):
    return path.relative_to(REPOSITORY_ROOT).as_posix()


def markdown_headings(notebook):
    return [line.strip() for cell in notebook.cells if cell.cell_type == "markdown"
            for line in cell.source.splitlines() if line.startswith("#")]


@pytest.mark.parametrize("path", LESSONS, ids=lambda path: path.stem)
def test_title_and_badge_point_at_the_notebook_itself(path):
    first = read(path).cells[0]
    assert first.cell_type == "markdown", f"{path.name}: the first cell must be the title"
    assert first.source.startswith(f"# Lesson {path.stem[:2]}: "), (
        f"{path.name}: the first line must be '# Lesson {path.stem[:2]}: <title>'")
    assert colab_badge_markdown(relative(path)) in first.source, (
        f"{path.name}: the title cell needs the badge {colab_badge_markdown(relative(path))}")


@pytest.mark.parametrize("path", LESSONS, ids=lambda path: path.stem)
def test_lesson_shape(path):
    headings = markdown_headings(read(path))
    positions = []
    for heading in REQUIRED_HEADINGS:
        assert heading in headings, f"{path.name} lacks the heading '{heading}'"
        positions.append(headings.index(heading))
    assert positions == sorted(positions), f"{path.name}: headings out of order, want {REQUIRED_HEADINGS}"
    exercises = [i for i, heading in enumerate(headings) if heading.startswith("### Exercise")]
    assert exercises, f"{path.name} has no '### Exercise' headings"
    for index in exercises:
        following = headings[index + 1] if index + 1 < len(headings) else ""
        assert "Solution" in following, f"{path.name}: '{headings[index]}' is not followed by its solution"


@pytest.mark.parametrize("path", LESSONS, ids=lambda path: path.stem)
def test_first_code_cell_installs_only_the_course_in_colab(path):
    code_cells = [cell for cell in read(path).cells if cell.cell_type == "code"]
    setup = code_cells[0].source
    assert 'if "google.colab" in sys.modules:' in setup, f"{path.name}: setup must run only in Colab"
    assert "--no-deps" in setup, f"{path.name}: setup must pass --no-deps so Colab's stack stays"
    assert f'"{pip_install_target()}"' in setup, (
        f"{path.name}: setup must install {pip_install_target()} (course_utils/repository.py)")


@pytest.mark.parametrize("path", LESSONS, ids=lambda path: path.stem)
def test_no_cell_reinstalls_colabs_stack(path):
    install = re.compile(r"pip\"?,?\s*\"?install|pip install|conda install")
    for cell in read(path).cells:
        if cell.cell_type != "code" or not install.search(cell.source):
            continue
        code = "\n".join(line.split("#", 1)[0] for line in cell.source.lower().splitlines())
        words = re.findall(r"[\w.-]+", code)
        for package in NEVER_REINSTALLED:
            assert package not in words, f"{path.name}: a cell installs {package}, which Colab provides"


@pytest.mark.parametrize("path", LESSONS, ids=lambda path: path.stem)
def test_committed_with_outputs_of_a_real_run(path):
    code_cells = [cell for cell in read(path).cells if cell.cell_type == "code"]
    unexecuted = [i for i, cell in enumerate(code_cells) if cell.execution_count is None]
    assert not unexecuted, (f"{path.name}: code cells {unexecuted} were never run; refresh with "
                            f"`CNN_COURSE_FAST=1 python scripts/run_notebooks.py --in-place {relative(path)}`")
    errors = [o for cell in code_cells for o in cell.outputs if o.output_type == "error"]
    assert not errors, f"{path.name} was committed with an error output"


@pytest.mark.parametrize("path", LESSONS, ids=lambda path: path.stem)
def test_no_widget_state_or_machine_paths(path):
    notebook = read(path)
    assert "widgets" not in notebook.metadata, (
        f"{path.name} carries widget state; clean it with scripts/run_notebooks.py --in-place")
    for number, cell in enumerate(notebook.cells):
        views = [o for o in cell.get("outputs", []) if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
        assert not views, f"{path.name} cell {number} keeps a widget view whose state is gone"
        assert "execution" not in cell.metadata, f"{path.name} cell {number} keeps execution timestamps"
        found = MACHINE_PATH.search(json.dumps(cell.get("outputs", [])))
        assert found is None, f"{path.name} cell {number} output shows a machine path: {found.group(0)}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda path: path.stem)
def test_colab_opens_a_gpu_runtime(path):
    missing = missing_colab_metadata(read(path).metadata)
    assert not missing, (f"{path.name} lacks the metadata Colab reads ({'; '.join(missing)}); "
                         f"`python scripts/run_notebooks.py --in-place {relative(path)}` adds it "
                         f"(course_utils/notebook_metadata.py)")


@pytest.mark.parametrize("path", lesson_scripts(), ids=lambda path: path.stem)
def test_script_header_keeps_the_colab_metadata(path):
    # jupytext.toml keeps these keys in the py:percent header, so a notebook rebuilt from
    # its .py still opens on a GPU.
    header = path.read_text(encoding="utf-8").split("# %%", 1)[0]
    for line in ("#   accelerator: GPU", "#     gpuType: T4", "#     name: python3"):
        assert line in header, (f"{path.name}: its jupytext header lacks '{line.strip('# ')}'; "
                                f"run `jupytext --sync notebooks/{path.stem}.ipynb` after "
                                f"`scripts/run_notebooks.py --in-place`")


@pytest.mark.parametrize("path", LESSONS, ids=lambda path: path.stem)
def test_notebook_is_small(path):
    size = path.stat().st_size
    assert size < MAX_NOTEBOOK_BYTES, (
        f"{path.name} is {size / 1000:.0f} kB, over {MAX_NOTEBOOK_BYTES / 1000:.0f} kB: lower the "
        f"figures' dpi or size, crop images, and refresh with scripts/run_notebooks.py --in-place")


@pytest.mark.parametrize("path", LESSONS, ids=lambda path: path.stem)
def test_committed_figures_were_drawn(path):
    # A lesson refreshed with MPLBACKEND=Agg runs without error but keeps no figure: every
    # `plt.show()` silently draws nothing, and students open a lesson without its plots.
    for number, cell in enumerate(read(path).cells):
        if cell.cell_type != "code" or "plt.show()" not in cell.source:
            continue
        images = [o for o in cell.outputs if any(kind.startswith("image/") for kind in o.get("data", {}))]
        assert images, (f"{path.name} cell {number} calls plt.show() but keeps no figure: refresh it "
                        f"without MPLBACKEND=Agg (scripts/run_notebooks.py --in-place {relative(path)})")
