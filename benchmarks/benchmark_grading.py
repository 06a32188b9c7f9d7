"""Seconds to grade one week of synthetic submissions: two notebooks at a time against one.

Builds week 2 (lesson 02), makes N submissions (default 30: a third right, a third with a
wrong answer, a third untouched), grades them with ``--jobs 1`` (the baseline) and with
``--jobs 2`` in this process, and prints both times and the speed-up as its last line.

    .venv/bin/python benchmarks/benchmark_grading.py [--submissions 30] [--skip-baseline]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import nbformat

from course_utils.assign.__main__ import REPOSITORY_ROOT, main as assign
from course_utils.grade.__main__ import main as grade
from course_utils.grade.synthetic import filled_copy

LESSON = "02_convolution_by_hand"


def make_submissions(folder: Path, count: int) -> Path:
    bundle = folder / "bundle"
    assert assign(["--week", "2", "--out", str(bundle), "--repo", "teacher/bench", "--ref", "bench",
                   "--syllabus", str(REPOSITORY_ROOT / "syllabus.yml")]) == 0
    student = nbformat.read(bundle / "student" / "week-02" / f"{LESSON}.ipynb", as_version=4)
    instructor = nbformat.read(bundle / "instructor" / "week-02" / f"{LESSON}.ipynb", as_version=4)
    kinds = [filled_copy(student, instructor),
             filled_copy(student, instructor, {2: "conv_params = 144\ndense_params = 1"}),
             student]
    for number in range(count):
        target = folder / "submitted" / f"student-{number:02d}"
        target.mkdir(parents=True)
        nbformat.write(kinds[number % 3], target / f"{LESSON}.ipynb")
    return folder / "submitted"


def timed_grading(submissions: Path, out: Path, jobs: int) -> float:
    started = time.perf_counter()
    assert grade(["--week", "2", str(submissions), "--out", str(out), "--jobs", str(jobs),
                  "--syllabus", str(REPOSITORY_ROOT / "syllabus.yml")]) == 0
    return time.perf_counter() - started


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--submissions", type=int, default=30)
    options.add_argument("--skip-baseline", action="store_true", help="time --jobs 2 only")
    arguments = options.parse_args()
    os.environ.setdefault("CNN_COURSE_FAST", "1")
    with tempfile.TemporaryDirectory() as folder:
        submissions = make_submissions(Path(folder), arguments.submissions)
        print(f"{arguments.submissions} submissions of {LESSON}, {os.cpu_count()} cores")
        parallel = timed_grading(submissions, Path(folder) / "two" / "gradebook.csv", 2)
        print(f"--jobs 2: {parallel:.1f} s ({parallel / arguments.submissions:.2f} s per submission)")
        if arguments.skip_baseline:
            return
        serial = timed_grading(submissions, Path(folder) / "one" / "gradebook.csv", 1)
        print(f"--jobs 1 (baseline): {serial:.1f} s ({serial / arguments.submissions:.2f} s per submission)")
        print(f"speed-up of two at a time over one: {serial / parallel:.2f}x")


if __name__ == "__main__":
    main()
