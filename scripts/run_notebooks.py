"""Execute the lessons unattended and write them out as notebooks and HTML.

    python scripts/run_notebooks.py                      # all lessons -> build/
    python scripts/run_notebooks.py notebooks/00_*.ipynb  # some lessons
    python scripts/run_notebooks.py --in-place ...       # refresh the committed outputs

build/ gets each executed notebook, its HTML rendering and an index.html linking them,
which is what an instructor previews. --in-place writes the outputs back into
notebooks/ for committing: widget state and execution timestamps removed and machine
paths replaced, so the committed files say nothing about the machine they ran on, and
the metadata Colab reads (GPU runtime, Python 3 kernel) added where it is missing, so
that a new lesson's badge opens a GPU runtime from its first refresh on.
Set CNN_COURSE_FAST=1 for the fast versions (as CI does).
"""

from __future__ import annotations

import argparse
import html
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_FOLDER = REPOSITORY_ROOT / "notebooks"
sys.path.insert(0, str(REPOSITORY_ROOT))  # run from a checkout without installing the course

from course_utils.mode import is_fast_mode  # noqa: E402  (the one reader of CNN_COURSE_FAST)
from course_utils.notebook_metadata import ensure_colab_metadata  # noqa: E402


def machine_paths() -> list[tuple[str, str]]:
    """(path, placeholder) pairs to scrub from outputs, longest first."""
    candidates = {
        str(REPOSITORY_ROOT): "<course>",
        sys.prefix: "<python-env>",
        sys.base_prefix: "<python>",
        str(Path.home()): "<home>",
        tempfile.gettempdir(): "<tmp>",
    }
    return sorted(((path, name) for path, name in candidates.items() if len(path) > 1),
                  key=lambda pair: -len(pair[0]))


def scrub_text(text: str) -> str:
    for path, placeholder in machine_paths():
        text = text.replace(path, placeholder)
    return text


# TensorFlow's C++ start-up chatter ("I0000 00:00:17953... cudart_stub.cc:31] Could not
# find cuda drivers"), which no environment variable silences in TF 2.21. It carries
# timestamps and process ids, so it would make every committed run differ.
NATIVE_LOG_LINE = re.compile(r"^([IWEF]\d{4} \d\d:\d\d:[\d.]+ +\d+ [\w.]+:\d+\]|"
                             r"WARNING: All log messages before absl::InitializeLog\(\)|"
                             r"To enable the following instructions: )")


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def without_native_logs(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not NATIVE_LOG_LINE.match(line))


def clean_notebook(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop widget state, timings and native log chatter; replace machine paths in outputs.

    Also make sure the notebook carries the metadata Colab reads (see
    course_utils.notebook_metadata): the kernel run rewrites language_info, and a lesson
    created from its .py has none of it.
    """
    notebook.metadata.pop("widgets", None)
    ensure_colab_metadata(notebook.metadata)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        if "outputs" in cell:
            for output in cell.outputs:
                if output.get("name") == "stderr":
                    output["text"] = without_native_logs(output["text"])
            cell.outputs = [output for output in cell.outputs
                            if output.get("output_type") != "stream" or output["text"]]
        for output in cell.get("outputs", []):
            # A widget view without its saved state only shows "model not found" when the
            # notebook is opened; keep its plain-text stand-in instead.
            output.get("data", {}).pop(WIDGET_VIEW, None)
            if "text" in output:
                output["text"] = scrub_text(output["text"])
            for mime, value in output.get("data", {}).items():
                if isinstance(value, str) and (mime.startswith("text/") or mime.endswith("json")):
                    output["data"][mime] = scrub_text(value)
            if "traceback" in output:
                output["traceback"] = [scrub_text(line) for line in output["traceback"]]
    return notebook


def execute(path: Path, timeout: int) -> tuple[nbformat.NotebookNode, str | None, float]:
    """Run a notebook top to bottom in its own folder; return it, the error if any, seconds."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    started = time.perf_counter()
    error = None
    try:
        client.execute()
    except CellExecutionError as failure:
        error = str(failure).splitlines()[-1] if str(failure) else "a cell failed"
    return notebook, error, time.perf_counter() - started


def write_atomically(text: str, destination: Path) -> None:
    """Write to a temporary file beside the destination, then move it into place."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_index(results: list[tuple[Path, str | None, float]], output_folder: Path) -> None:
    mode = "fast" if is_fast_mode() else "full"
    rows = []
    for path, error, seconds in results:
        status = "passed" if error is None else f"FAILED: {html.escape(error)}"
        rows.append(f'<tr><td><a href="{path.stem}.html">{path.stem}</a></td>'
                    f"<td>{status}</td><td>{seconds:.0f} s</td></tr>")
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>CNN course: executed lessons</title>"
        "<style>body{font-family:sans-serif;margin:2em}td{padding:.3em 1em}</style></head><body>"
        f"<h1>CNN course: executed lessons</h1><p>Run in {mode} mode on "
        f"{time.strftime('%Y-%m-%d %H:%M')}.</p><table><tr><th>lesson</th><th>result</th>"
        f"<th>time</th></tr>{''.join(rows)}</table></body></html>\n")
    write_atomically(page, output_folder / "index.html")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to run (default: every lesson in notebooks/)")
    parser.add_argument("--in-place", action="store_true",
                        help="write cleaned outputs back into the notebooks instead of build/")
    parser.add_argument("--output", type=Path, default=REPOSITORY_ROOT / "build",
                        help="folder for executed notebooks, HTML and index.html (default: build/)")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed per cell")
    arguments = parser.parse_args(argv)
    try:  # a value like CNN_COURSE_FAST=maybe stops here, not after an hour of lessons
        is_fast_mode()
    except ValueError as error:
        parser.error(str(error))

    notebooks = arguments.notebooks or sorted(NOTEBOOK_FOLDER.glob("[0-9][0-9]_*.ipynb"))
    missing = [str(path) for path in notebooks if not path.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")

    # The kernels inherit this process's environment. MPLBACKEND=Agg (set by CI and
    # headless shells) would make every plt.show() draw nothing, so the committed lessons
    # and the HTML previews would lose their figures: let the kernel use its inline backend.
    os.environ.pop("MPLBACKEND", None)

    from nbconvert import HTMLExporter

    exporter = HTMLExporter()
    results = []
    for path in notebooks:
        path = path.resolve()
        print(f"running {path.name} ...", flush=True)
        notebook, error, seconds = execute(path, arguments.timeout)
        results.append((path, error, seconds))
        print(f"  {'passed' if error is None else 'FAILED: ' + error} in {seconds:.0f} s", flush=True)
        notebook = clean_notebook(notebook)
        if arguments.in_place:
            if error is None:  # never overwrite a lesson with a broken run
                write_atomically(nbformat.writes(notebook) + "\n", path)
                print(f"  wrote {path.name}: {path.stat().st_size / 1000:.0f} kB "
                      f"(tests/test_notebook_structure.py allows 300 kB)", flush=True)
            continue
        write_atomically(nbformat.writes(notebook) + "\n", arguments.output / path.name)
        body, _ = exporter.from_notebook_node(notebook)
        write_atomically(body, arguments.output / f"{path.stem}.html")
    if not arguments.in_place:
        write_index(results, arguments.output)
        print(f"wrote {arguments.output / 'index.html'}")
    failures = [path.name for path, error, _ in results if error is not None]
    if failures:
        print(f"{len(failures)} lesson(s) failed: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
