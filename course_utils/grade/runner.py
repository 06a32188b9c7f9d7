"""Execute one grading notebook in a fresh kernel, in a process of its own, with timeouts.

A cell that runs longer than ``cell_timeout`` is interrupted (its exercise is graded
"timeout") and the rest still run; a notebook that outlives ``notebook_timeout`` is killed
with every process it started, kernel included. ``python -m course_utils.grade.runner IN OUT
CELL_TIMEOUT`` is the child's side.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import psutil

from course_utils.grade.grading_notebook import GradingNotebook

TIMEOUT, ERROR = "timeout", "error"


@dataclass
class Outcome:
    grades: dict[str, dict] = field(default_factory=dict)   # exercise -> {"status", "message"}
    student_errors: list[str] = field(default_factory=list)  # errors raised by the student's cells
    seconds: float = 0.0


def _kill_tree(process: subprocess.Popen) -> None:
    try:
        parent = psutil.Process(process.pid)
        family = parent.children(recursive=True) + [parent]
    except psutil.NoSuchProcess:
        return
    for member in family:
        try:
            member.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(family, timeout=10)


def _error_text(cell) -> tuple[str, str] | None:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return output.get("ename", "Error"), output.get("evalue", "")
    return None


def _read_outcome(executed: nbformat.NotebookNode, grading: GradingNotebook) -> Outcome:
    outcome = Outcome()
    for cell in executed.cells:
        role = cell.metadata.get("grading_role")
        error = _error_text(cell)
        if role == "student" and error:
            name, value = error
            first_line = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
            what = "ran too long and was stopped" if name == "KeyboardInterrupt" else f"raised {name}: {value}"
            outcome.student_errors.append(f"your cell starting `{first_line[:60]}` {what}")
        elif role in grading.exercises:
            text = "".join(output.get("text", "") for output in cell.get("outputs", [])
                           if output.get("output_type") == "stream")
            lines = [line for line in text.splitlines() if line.startswith(grading.marker)]
            if lines:
                outcome.grades[role] = json.loads(lines[-1][len(grading.marker):])
            elif error and error[0] == "KeyboardInterrupt":
                outcome.grades[role] = {"status": TIMEOUT, "message": "the check ran too long and was stopped "
                                                                      "(an endless loop?)"}
            else:
                name, value = error or ("no result", "")
                outcome.grades[role] = {"status": ERROR, "message": f"the check could not run: {name}: {value}"}
    return outcome


def run_grading(grading: GradingNotebook, *, cell_timeout: float, notebook_timeout: float,
                environment: dict[str, str] | None = None) -> Outcome:
    """Execute ``grading`` in a child process; every exercise gets a grade, whatever happens."""
    import time
    with tempfile.TemporaryDirectory(prefix="cnn-course-grade-") as folder:
        source, executed = Path(folder) / "grading.ipynb", Path(folder) / "executed.ipynb"
        nbformat.write(grading.notebook, source)
        started = time.monotonic()
        process = subprocess.Popen([sys.executable, "-m", "course_utils.grade.runner", str(source),
                                    str(executed), str(cell_timeout)], cwd=folder,
                                   env={**os.environ, "MPLBACKEND": "Agg", **(environment or {})},
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            _, stderr = process.communicate(timeout=notebook_timeout)
        except subprocess.TimeoutExpired:
            _kill_tree(process)
            process.communicate()
            outcome = Outcome(seconds=time.monotonic() - started)
            for name in grading.exercises:
                outcome.grades[name] = {"status": TIMEOUT, "message": f"the notebook ran longer than "
                                                                      f"{notebook_timeout:.0f} s and was stopped"}
            return outcome
        if not executed.exists():
            reason = stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
            outcome = Outcome(seconds=time.monotonic() - started)
            for name in grading.exercises:
                outcome.grades[name] = {"status": ERROR, "message": f"the notebook could not be run: {reason[0]}"}
            return outcome
        outcome = _read_outcome(nbformat.read(executed, as_version=4), grading)
        outcome.seconds = time.monotonic() - started
        return outcome


def _child(source: str, executed: str, cell_timeout: str) -> None:
    import nbclient
    notebook = nbformat.read(source, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=float(cell_timeout), allow_errors=True,
                                     interrupt_on_timeout=True, kernel_name="python3",
                                     resources={"metadata": {"path": str(Path(source).parent)}})
    client.execute()
    nbformat.write(notebook, executed)


if __name__ == "__main__":
    _child(*sys.argv[1:4])
