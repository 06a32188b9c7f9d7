"""The headless run command: executes lessons, writes HTML and an index, cleans outputs."""

import importlib.util
import sys

import nbformat
import pytest

from notebook_files import NOTEBOOK_FOLDER, REPOSITORY_ROOT

spec = importlib.util.spec_from_file_location("run_notebooks", REPOSITORY_ROOT / "scripts" / "run_notebooks.py")
run_notebooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run_notebooks)


def test_clean_notebook_removes_state_paths_and_native_logs():
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    cell = nbformat.v4.new_code_cell("print(1)")
    cell.metadata["execution"] = {"iopub.status.busy": "2026-11-22T00:00:00"}
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text=f"saved to {REPOSITORY_ROOT}/build/x\n"),
        nbformat.v4.new_output("stream", name="stderr", text=(
            "I0000 00:00:1795376000.216762    4547 cudart_stub.cc:31] Could not find cuda drivers\n")),
        nbformat.v4.new_output("stream", name="stderr", text=f"{sys.prefix}/lib/x.py:1: UserWarning: hm\n"),
    ]
    notebook.cells.append(cell)
    slider = nbformat.v4.new_code_cell("slider")
    slider.outputs = [nbformat.v4.new_output("display_data", data={
        "text/plain": "IntSlider(value=3)",
        "application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2}})]
    notebook.cells.append(slider)
    cleaned = run_notebooks.clean_notebook(notebook)
    assert "widgets" not in cleaned.metadata
    assert cleaned.metadata["accelerator"] == "GPU"  # Colab's badge opens a GPU runtime
    assert cleaned.metadata["colab"]["gpuType"] == "T4"
    assert cleaned.metadata["kernelspec"]["name"] == "python3"
    assert "execution" not in cleaned.cells[0].metadata
    texts = [output["text"] for output in cleaned.cells[0].outputs]
    assert texts == ["saved to <course>/build/x\n", "<python-env>/lib/x.py:1: UserWarning: hm\n"]
    assert cleaned.cells[1].outputs[0]["data"] == {"text/plain": "IntSlider(value=3)"}


def test_headless_run_writes_html_and_index(tmp_path, monkeypatch):
    monkeypatch.setenv("CNN_COURSE_FAST", "1")
    lesson = NOTEBOOK_FOLDER / "00_environment_check.ipynb"
    assert run_notebooks.main([str(lesson), "--output", str(tmp_path)]) == 0
    index = (tmp_path / "index.html").read_text()
    assert '<a href="00_environment_check.html">' in index and "passed" in index
    html = (tmp_path / "00_environment_check.html").read_text()
    assert "Environment and GPU check" in html and "training accuracy" in html
    executed = nbformat.read(tmp_path / "00_environment_check.ipynb", as_version=4)
    assert all(cell.execution_count for cell in executed.cells if cell.cell_type == "code")


def test_failing_lesson_is_reported_and_not_written_in_place(tmp_path, monkeypatch, capsys):
    broken = nbformat.v4.new_notebook()
    broken.cells = [nbformat.v4.new_code_cell("raise RuntimeError('lesson broke')")]
    path = tmp_path / "99_broken.ipynb"
    nbformat.write(broken, path)
    before = path.read_text()
    assert run_notebooks.main([str(path), "--in-place"]) == 1
    assert path.read_text() == before
    assert "99_broken.ipynb" in capsys.readouterr().err


def test_unknown_notebook_is_a_usage_error(tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        run_notebooks.main([str(tmp_path / "nope.ipynb")])
    assert exit_info.value.code == 2


@pytest.mark.parametrize("value, mode", [("1", "fast"), ("true", "fast"), ("false", "full"), ("0", "full")])
def test_index_states_the_mode_as_the_lessons_read_it(tmp_path, monkeypatch, value, mode):
    """course_utils.mode is the one reader of CNN_COURSE_FAST: "false" is full mode here too."""
    monkeypatch.setenv("CNN_COURSE_FAST", value)
    run_notebooks.write_index([], tmp_path)
    assert f"Run in {mode} mode" in (tmp_path / "index.html").read_text()


def test_a_value_the_lessons_would_refuse_is_a_usage_error_before_any_lesson_runs(monkeypatch, capsys):
    monkeypatch.setenv("CNN_COURSE_FAST", "maybe")
    with pytest.raises(SystemExit) as exit_info:
        run_notebooks.main([str(NOTEBOOK_FOLDER / "00_environment_check.ipynb")])
    assert exit_info.value.code == 2
    assert "CNN_COURSE_FAST='maybe' is not understood" in capsys.readouterr().err


def test_the_script_does_not_read_the_fast_mode_variable_itself():
    source = (REPOSITORY_ROOT / "scripts" / "run_notebooks.py").read_text()
    assert 'environ.get("CNN_COURSE_FAST"' not in source and "is_fast_mode()" in source
