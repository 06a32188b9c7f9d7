"""The student's progress through a lesson's exercises, and the results file they hand in.

``progress()`` prints one line per exercise checked in this kernel (like otter-grader's
``check_all()``): correct, wrong or not done, with the reason, and how many hints were
seen. ``export()`` writes the results to a small JSON file (exercise, status, attempts,
hints viewed, whether the solution was viewed) that a student hands in beside the
notebook; it carries a SHA-256 of its own contents, so an accidental edit is noticed.
Where the kernel can find its notebook (Colab; JupyterLab, which names it in
``JPY_SESSION_NAME``) it saves a copy of it beside the results, as last saved.

The results file is for the student and the instructor's overview; grading never trusts
it: ``python -m course_utils.grade`` runs the handed-in notebook's answers against the
instructor's checks itself.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
from pathlib import Path

from course_utils.exercises.core import CORRECT, NOT_CHECKED, NOT_DONE, REGISTRY, RED, RESET, WRONG

RESULTS_FORMAT = "cnn-course-results/1"
_SYMBOLS = {CORRECT: "done", WRONG: "WRONG", NOT_DONE: "not done", NOT_CHECKED: "not checked"}


def results() -> list[dict]:
    """One record per exercise created in this kernel."""
    return [{"exercise": exercise.title, "status": exercise.status, "reason": exercise.reason,
             "attempts": exercise.attempts, "hints_viewed": exercise.hints_viewed,
             "solution_viewed": exercise.solution_viewed} for exercise in REGISTRY]


def progress() -> None:
    """Print each exercise's status with a one-line reason; wrong ones in red."""
    records = results()
    if not records:
        print("No exercises yet: run the exercises' import cell and their check cells first.")
        return
    done = sum(record["status"] == CORRECT for record in records)
    print(f"Your progress: {done} of {len(records)} exercises done.")
    for record in records:
        reason = record["reason"].splitlines()[0] if record["reason"] else ""
        if record["status"] == NOT_CHECKED:
            reason = "its check cell has not been run"
        line = f"  {_SYMBOLS[record['status']]:>11}  {record['exercise']}" + (f": {reason}" if reason else "")
        print(f"{RED}{line}{RESET}" if record["status"] == WRONG else line)


def _digest(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _save_notebook_copy(folder: Path) -> Path | None:
    """A copy of the running notebook in ``folder``, where the kernel can find it; else None."""
    try:  # Colab hands the notebook to the kernel that asks
        from google.colab import _message  # type: ignore[import-not-found]
        notebook = _message.blocking_request("get_ipynb", timeout_sec=30)["ipynb"]
        target = folder / "submission.ipynb"
        target.write_text(json.dumps(notebook), encoding="utf-8")
        return target
    except Exception:  # not in Colab, or Colab did not answer: try Jupyter's own variable
        pass
    session = os.environ.get("JPY_SESSION_NAME", "")
    if session.endswith(".ipynb") and Path(session).is_file():
        target = folder / f"submission-{Path(session).name}"
        shutil.copyfile(session, target)
        return target
    return None


def export(path: str | Path = "exercise_results.json", *, student: str = "") -> Path:
    """Write this kernel's results to ``path`` (JSON), a copy of the notebook where it can,
    and say what to hand in."""
    payload = {"format": RESULTS_FORMAT, "student": student,
               "written": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "results": results()}
    payload["sha256"] = _digest(payload)
    path = Path(path)
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    copy = _save_notebook_copy(path.parent)
    if copy is not None:
        print(f"Wrote {path} and {copy} (the notebook as last saved: save it first). Hand in both.")
    else:
        print(f"Wrote {path}. Hand it in together with this notebook (File > Download > .ipynb, "
              f"or save both to your Drive).")
    return path


def read_results(path: str | Path) -> dict:
    """A results file, checked against its own SHA-256; ValueError if it was edited or is not one."""
    try:
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(f"{path} is not a readable results file ({error}).") from None
    if not isinstance(payload, dict) or payload.get("format") != RESULTS_FORMAT:
        raise ValueError(f"{path} is not a results file written by exercises.export().")
    claimed = payload.pop("sha256", None)
    if claimed != _digest(payload):
        raise ValueError(f"{path} was changed after export(): its checksum does not match.")
    return payload
