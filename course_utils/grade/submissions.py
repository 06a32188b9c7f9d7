"""Find each student's notebooks in a submissions folder and match them to the week's lessons.

Layout: ``SUBMISSIONS/<student>/<anything containing the lesson name>.ipynb`` (Colab downloads
are called "Copy of 02_convolution_by_hand.ipynb"), optionally with the
``exercise_results.json`` that ``export()`` wrote. A file that is not a notebook is
reported, not graded; so is a student folder without the lesson.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Submission:
    student: str
    notebooks: dict[str, Path] = field(default_factory=dict)   # lesson name -> file
    results_file: Path | None = None
    ignored: list[str] = field(default_factory=list)            # files that are not graded, and why


def find_submissions(folder: Path, lessons: list[str]) -> list[Submission]:
    """One Submission per student folder, sorted by student; files loose in ``folder`` are ignored."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no submissions folder at {folder}: make one folder per student in it, "
                                f"holding that student's notebooks.")
    found = []
    for student_folder in sorted(path for path in folder.iterdir() if path.is_dir()):
        submission = Submission(student_folder.name)
        for path in sorted(p for p in student_folder.rglob("*") if p.is_file()):
            relative = path.relative_to(student_folder).as_posix()
            if path.name == "exercise_results.json":
                submission.results_file = path
            elif path.suffix != ".ipynb":
                submission.ignored.append(f"{relative}: not a notebook")
            else:
                matches = [lesson for lesson in lessons if lesson in path.stem]
                if len(matches) != 1:
                    submission.ignored.append(f"{relative}: its name names no lesson of this week "
                                              f"({', '.join(lessons)})")
                elif matches[0] in submission.notebooks:
                    submission.ignored.append(f"{relative}: a second notebook for {matches[0]}; "
                                              f"graded {submission.notebooks[matches[0]].name}")
                else:
                    submission.notebooks[matches[0]] = path
        found.append(submission)
    return found
