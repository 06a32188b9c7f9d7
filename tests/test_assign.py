"""python -m course_utils.assign: solution regions, the syllabus, bundles, and bad input that writes nothing."""

import json
import re
import shutil
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from course_utils.assign import MarkerError, SyllabusError, parse_syllabus, student_source
from course_utils.assign.__main__ import REPOSITORY_ROOT, known_lessons, main
from course_utils.assign.notebooks import SOLUTION_ADVERTISED, count_exercises
from course_utils.assign.regions import solution_lines
from course_utils.assign.syllabus import load_syllabus

NOTEBOOKS = REPOSITORY_ROOT / "notebooks"
LESSONS = known_lessons(NOTEBOOKS)


# --------------------------------------------------------------------------- regions
FUNCTION_CELL = '''# @title Solution { display-mode: "form" }
def square(x):
    """Square x."""
    ### BEGIN SOLUTION
    return x * x
    ### END SOLUTION


### BEGIN SOLUTION
print(square(3))
### END SOLUTION'''


def test_region_in_a_function_becomes_a_raising_stub_and_top_level_a_comment():
    student = student_source(FUNCTION_CELL)
    assert student.splitlines() == [
        "# @title Your answer", "def square(x):", '    """Square x."""', "    # YOUR CODE HERE",
        "    raise NotDoneYet()", "", "", "# YOUR CODE HERE"]
    assert "x * x" not in student and "print(square(3))" not in student


def test_value_answer_keeps_its_placeholder():
    cell = "answer = ...  # a whole number\n### BEGIN SOLUTION\nanswer = 6 * 7\n### END SOLUTION"
    assert student_source(cell) == "answer = ...  # a whole number\n# YOUR CODE HERE"
    assert student_source("print(1)") == "print(1)"


@pytest.mark.parametrize("cell, message", [
    ("### BEGIN SOLUTION\nx = 1", "never closed"),
    ("x = 1\n### END SOLUTION", "without a '### BEGIN SOLUTION'"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n### END SOLUTION", "inside the region"),
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n### END SOLUTION", "indented differently"),
    ("### BEGIN SOLUTIONS\nx = 1\n### END SOLUTION", "not a solution marker"),
    ("### Begin solution\nx = 1\n### END SOLUTION", "not a solution marker"),
])
def test_unbalanced_or_misspelled_markers_are_errors(cell, message):
    with pytest.raises(MarkerError, match=re.escape(message)):
        student_source(cell)


# --------------------------------------------------------------------------- syllabus
GOOD = "course: C\nweeks:\n  - week: 1\n    lessons: [01_mlp_review]\n    due: 2026-09-18\n"


def test_syllabus_reads_weeks_dates_and_notes():
    syllabus = parse_syllabus(GOOD + "  - week: 2\n    title: T\n    lessons: 02_convolution_by_hand.ipynb\n"
                              "    notes: Bring questions.\n", LESSONS)
    assert [week.number for week in syllabus.weeks] == [1, 2]
    assert str(syllabus.weeks[0].due) == "2026-09-18" and syllabus.weeks[1].due is None
    assert syllabus.week(2).lessons == ("02_convolution_by_hand",) and syllabus.week(2).notes == "Bring questions."
    with pytest.raises(SyllabusError, match="no week 3"):
        syllabus.week(3)


@pytest.mark.parametrize("text, message", [
    (GOOD.replace("01_mlp_review", "09_nonexistent"), "notebooks/09_nonexistent.ipynb is missing"),
    (GOOD + "  - week: 1\n    lessons: [02_convolution_by_hand]\n", "week 1 appears twice"),
    (GOOD.replace("2026-09-18", "2026-13-01"), "due '2026-13-01' is not a date"),
    (GOOD.replace("2026-09-18", "2026-02-30"), "due '2026-02-30' is not a date"),
    (GOOD.replace("2026-09-18", "18.09.2026"), "YYYY-MM-DD"),
    (GOOD.replace("2026-09-18", "2026-9-18"), "YYYY-MM-DD"),
    (GOOD.replace("week: 1", "week: one"), "whole number"),
    (GOOD.replace("week: 1", "week: 0"), "whole number"),
    (GOOD.replace("lessons: [01_mlp_review]", "lessons: []"), "at least one lesson"),
    (GOOD.replace("due:", "deadline:"), "unknown key"),
    (GOOD.replace("[01_mlp_review]", "[01_mlp_review, 01_mlp_review]"), "listed twice"),
    ("weeks: [", "not valid YAML"),
    ("course: C\n", "non-empty 'weeks' list"),
])
def test_bad_syllabus_says_where_and_what(text, message):
    with pytest.raises(SyllabusError, match=re.escape(message)):
        parse_syllabus(text, LESSONS)


def test_the_course_syllabus_is_valid_and_uses_every_lesson_once():
    syllabus = load_syllabus(REPOSITORY_ROOT / "syllabus.yml", LESSONS)
    assigned = [lesson for week in syllabus.weeks for lesson in week.lessons]
    missing = sorted(set(LESSONS) - set(assigned))
    assert not missing, f"add {missing} to a week of syllabus.yml, so that the bundle tests cover them"
    assert len(assigned) == len(set(assigned)), "a lesson is assigned in two weeks of syllabus.yml"


# --------------------------------------------------------------------------- bundles
class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attributes):
        if tag == "a":
            self.links.append(dict(attributes)["href"])


def markdown_links(text):
    return re.findall(r"\]\(([^)\s]+)\)", text)


def assert_links_point_into(student_folder, links, repository, branch, path_in_repo):
    colab = f"https://colab.research.google.com/github/{repository}/blob/{branch}/"
    checked = 0
    for link in links:
        if link.endswith("colab-badge.svg"):
            continue
        if link.startswith("https://"):
            assert link.startswith(colab), f"{link} is not a Colab link into {repository}@{branch}"
            relative = link[len(colab):]
            prefix = path_in_repo.strip("/") + "/" if path_in_repo else ""
            assert relative.startswith(prefix), link
            relative = relative[len(prefix):]
        else:
            relative = link
        assert (student_folder / relative).is_file(), f"{link} points at no file of the bundle"
        checked += 1
    assert checked > 0


#: Where the tests publish: every build names a student repository and a fixed ref.
PUBLISH = ["--repo", "teacher/cnn-2026", "--ref", "v-test"]


def build(tmp_path, *arguments):
    return main([*PUBLISH, *arguments, "--syllabus", str(REPOSITORY_ROOT / "syllabus.yml")])


def test_week_1_bundle(tmp_path, capsys):
    out = tmp_path / "build" / "week1"  # a missing parent folder is created
    assert build(tmp_path, "--week", "1", "--out", str(out), "--zip", "--repo", "teacher/cnn-2026",
                 "--branch", "assignments", "--path-in-repo", "autumn") == 0
    syllabus = load_syllabus(REPOSITORY_ROOT / "syllabus.yml", LESSONS)
    lessons = syllabus.week(1).lessons
    student_folder = out / "student"
    for lesson in lessons:
        source = NOTEBOOKS / f"{lesson}.ipynb"
        instructor = out / "instructor" / "week-01" / f"{lesson}.ipynb"
        assert instructor.read_bytes() == source.read_bytes(), "the instructor version is the lesson unchanged"
        student = nbformat.read(student_folder / "week-01" / f"{lesson}.ipynb", as_version=4)
        original = nbformat.read(source, as_version=4)
        assert len(student.cells) == len(original.cells) + 2, "the lesson and a progress section"
        assert "progress()" in student.cells[-1].source
        assert all(not cell.get("outputs") and cell.get("execution_count") is None
                   for cell in student.cells if cell.cell_type == "code")
        checks = [cell.source for cell in original.cells if ".check(" in cell.source and "BEGIN" not in cell.source]
        assert len(checks) == count_exercises(original) > 0
        withheld = [SOLUTION_ADVERTISED.sub("", check) for check in checks]
        assert all(check in [cell.source for cell in student.cells] for check in withheld), "checks kept"
        assert not any(".solution()" in cell.source for cell in student.cells), "solutions withheld"
        link = f"https://colab.research.google.com/github/teacher/cnn-2026/blob/assignments/autumn/week-01/{lesson}.ipynb"
        assert link in student.cells[0].source, "the badge opens the student's own copy"
        assert student.metadata.get("accelerator") == original.metadata.get("accelerator")
    markdown = (student_folder / "README.md").read_text()
    parser = LinkParser()
    parser.feed((student_folder / "index.html").read_text())
    for links in (markdown_links(markdown), parser.links):
        assert_links_point_into(student_folder, links, "teacher/cnn-2026", "assignments", "autumn")
    assert "Friday 18 September 2026" in markdown
    with zipfile.ZipFile(out / "student.zip") as archive:
        assert sorted(archive.namelist()) == sorted(
            path.relative_to(out).as_posix() for path in student_folder.rglob("*") if path.is_file())
    assert "Keep" in capsys.readouterr().out


def test_all_weeks_build_and_no_solution_text_reaches_a_student(tmp_path):
    out = tmp_path / "all"
    assert build(tmp_path, "--all", "--out", str(out)) == 0
    syllabus = load_syllabus(REPOSITORY_ROOT / "syllabus.yml", LESSONS)
    for week in syllabus.weeks:
        for lesson in week.lessons:
            original = nbformat.read(NOTEBOOKS / f"{lesson}.ipynb", as_version=4)
            outside = set()
            hidden = []
            for cell in original.cells:
                if cell.cell_type == "code":
                    inside = {line.strip() for line in solution_lines(cell.source)}
                    hidden.extend(inside)
                    outside.update(line.strip() for line in cell.source.splitlines() if line.strip() not in inside)
                else:
                    outside.update(line.strip() for line in cell.source.splitlines())
            secret = {line for line in hidden if line and line not in outside}
            assert len(secret) >= 3, f"{lesson}: too little solution text to test"
            student_text = json.dumps(json.load(open(out / "student" / week.folder / f"{lesson}.ipynb")))
            student_lines = {line.strip() for cell in json.loads(student_text)["cells"]
                             for line in "".join(cell["source"]).splitlines()}
            leaked = secret & student_lines
            assert not leaked, f"{lesson}: solution lines in the student version: {sorted(leaked)[:3]}"
    markdown = (out / "student" / "README.md").read_text()
    assert_links_point_into(out / "student", markdown_links(markdown), "teacher/cnn-2026", "main", "")
    assert markdown.count("## Week") == len(syllabus.weeks)


def listing(folder):
    return sorted(path.relative_to(folder).as_posix() for path in Path(folder).rglob("*"))


def test_existing_output_is_refused_unless_forced_and_force_replaces_only_a_bundle(tmp_path, capsys):
    out = tmp_path / "week1"
    assert build(tmp_path, "--week", "1", "--out", str(out)) == 0
    first = listing(out)
    assert build(tmp_path, "--week", "1", "--out", str(out)) == 2
    assert "already exists" in capsys.readouterr().err
    assert build(tmp_path, "--week", "2", "--out", str(out), "--force") == 0
    assert (out / "student" / "week-02").is_dir() and not (out / "student" / "week-01").exists()
    assert [path.name for path in tmp_path.iterdir()] == ["week1"], "no staging or old folder left behind"
    assert first != listing(out)


def test_force_never_deletes_a_folder_it_did_not_make(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work")
    assert build(tmp_path, "--week", "1", "--out", str(out), "--force") == 2
    error = capsys.readouterr().err
    assert "was not made by this command" in error and "Nothing was written" in error
    assert listing(tmp_path) == ["mine", "mine/thesis.tex"]


def test_force_keeps_a_bundle_holding_files_of_someone_else(tmp_path, capsys):
    out = tmp_path / "week1"
    assert build(tmp_path, "--week", "1", "--out", str(out)) == 0
    (out / "student" / "grades.csv").write_text("ada,10")
    before = listing(tmp_path)
    assert build(tmp_path, "--week", "1", "--out", str(out), "--force") == 2
    error = capsys.readouterr().err
    assert "student/grades.csv" in error and "Nothing was written" in error
    assert listing(tmp_path) == before


def test_an_empty_output_folder_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit):
        build(tmp_path, "--week", "1", "--out", "", "--force")
    assert "is empty" in capsys.readouterr().err


@pytest.mark.parametrize("where", [".", "notebooks", "repository", "parent"])
def test_force_refuses_the_current_folder_the_repository_and_its_lessons(tmp_path, capsys, monkeypatch, where):
    """`--out . --force` in a clone once deleted the checkout, .git included."""
    clone = tmp_path / "clone"
    (clone / "notebooks").mkdir(parents=True)
    (clone / ".git").mkdir()
    (clone / "notebooks" / "lesson.ipynb").write_text("{}")
    monkeypatch.chdir(clone)
    import course_utils.assign.ownership as ownership
    monkeypatch.setattr(ownership, "protected_folders",
                        lambda root, original=ownership.protected_folders: original(clone))
    target = {".": ".", "notebooks": "notebooks", "repository": str(clone),
              "parent": str(tmp_path)}[where]
    # Pretend each was once a bundle: the manifest alone must not make it replaceable.
    before = listing(tmp_path)
    assert build(tmp_path, "--week", "1", "--out", target, "--force") == 2
    error = capsys.readouterr().err
    assert "Nothing was written" in error
    assert any(reason in error for reason in ("current folder", "course repository", "holds the lessons",
                                              "not made by this command"))
    assert listing(tmp_path) == before


def test_the_current_folder_is_refused_even_with_a_manifest(tmp_path, capsys, monkeypatch):
    out = tmp_path / "week1"
    assert build(tmp_path, "--week", "1", "--out", str(out)) == 0
    monkeypatch.chdir(out)
    before = listing(out)
    assert build(tmp_path, "--week", "1", "--out", ".", "--force") == 2
    assert "it is the current folder" in capsys.readouterr().err
    assert listing(out) == before


def test_an_old_bundle_that_cannot_be_emptied_is_refused_before_writing(tmp_path, capsys, monkeypatch):
    out = tmp_path / "week1"
    assert build(tmp_path, "--week", "1", "--out", str(out)) == 0
    import course_utils.assign.ownership as ownership
    locked = str(out / "student" / "week-01")
    monkeypatch.setattr(ownership.os, "access", lambda path, mode: str(path) != locked)
    before = listing(tmp_path)
    assert build(tmp_path, "--week", "1", "--out", str(out), "--force") == 2
    error = capsys.readouterr().err
    assert "cannot be emptied" in error and "Nothing was written" in error
    assert listing(tmp_path) == before


def test_a_failed_deletion_after_the_swap_says_the_new_bundle_is_in_place(tmp_path, capsys, monkeypatch):
    out = tmp_path / "week1"
    assert build(tmp_path, "--week", "1", "--out", str(out)) == 0
    import course_utils.assign.bundle as bundle

    def refuse(path, *args, **kwargs):
        if ".old-" in str(path) and not kwargs.get("ignore_errors"):
            raise OSError(13, "Permission denied", str(path))
        return original(path, *args, **kwargs)

    original = shutil.rmtree
    monkeypatch.setattr(bundle.shutil, "rmtree", refuse)
    assert build(tmp_path, "--week", "2", "--out", str(out), "--force") == 2
    error = capsys.readouterr().err
    assert "The new bundle is in" in error and ".old-" in error and "Nothing was written" not in error
    assert (out / "student" / "week-02").is_dir()


def test_repeated_week_is_refused_and_a_range_builds_every_week(tmp_path, capsys):
    with pytest.raises(SystemExit):
        build(tmp_path, "--week", "1", "--week", "2", "--out", str(tmp_path / "x"))
    assert "--weeks 1-3" in capsys.readouterr().err
    assert build(tmp_path, "--weeks", "1-2,4", "--out", str(tmp_path / "w")) == 0
    assert sorted(path.name for path in (tmp_path / "w" / "student").glob("week-*")) == [
        "week-01", "week-02", "week-04"]
    index = (tmp_path / "w" / "student" / "README.md").read_text()
    assert index.count("## Week") == 3


def test_an_output_under_a_file_is_explained_in_words(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert build(tmp_path, "--week", "1", "--out", str(tmp_path / "file" / "sub")) == 2
    error = capsys.readouterr().err
    assert "is a file, not a folder" in error and "Errno" not in error


def test_student_copies_install_pinned_helpers_from_the_student_repository(tmp_path):
    out = tmp_path / "w"
    assert build(tmp_path, "--weeks", "1-2", "--out", str(out), "--path-in-repo", "autumn") == 0
    target = "git+https://github.com/teacher/cnn-2026.git@v-test#subdirectory=autumn"
    for path in (out / "student").glob("week-*/*.ipynb"):
        text = path.read_text()
        assert target in text, f"{path.name} does not install the pinned helpers"
        assert "open-cnn-course/cnn-course" not in text, f"{path.name} leads to the course repository"
    for name in ("pyproject.toml", "course_utils/exercises/core.py", "data_download/__init__.py"):
        assert (out / "student" / name).is_file(), f"the student repository needs {name} to be installable"


def test_the_default_ref_is_the_clean_checkouts_commit(tmp_path):
    from course_utils.assign.pinning import PinningError, default_ref
    repository = tmp_path / "course"
    (repository / "course_utils").mkdir(parents=True)
    (repository / "course_utils" / "x.py").write_text("x = 1\n")
    git = ["git", "-C", str(repository), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q", str(repository)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "first"], check=True)
    commit = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    assert default_ref(repository) == f"course-{commit[:12]}"
    (repository / "course_utils" / "x.py").write_text("x = 2\n")
    with pytest.raises(PinningError, match="uncommitted changes .*course_utils/x.py"):
        default_ref(repository)
    with pytest.raises(PinningError, match="not a git checkout"):
        default_ref(tmp_path / "elsewhere")


def test_solutions_are_withheld_until_the_syllabus_releases_them(tmp_path):
    syllabus = tmp_path / "syllabus.yml"
    syllabus.write_text(GOOD.replace("    due: 2026-09-18\n", "    due: 2026-09-18\n    solutions: released\n"))
    assert main([*PUBLISH, "--week", "1", "--out", str(tmp_path / "released"), "--syllabus", str(syllabus)]) == 0
    assert build(tmp_path, "--week", "1", "--out", str(tmp_path / "withheld")) == 0
    released = (tmp_path / "released" / "student" / "week-01" / "01_mlp_review.ipynb").read_text()
    withheld = (tmp_path / "withheld" / "student" / "week-01" / "01_mlp_review.ipynb").read_text()
    assert "solutions_released=True" in released and "exercise_1.solution()" in released
    assert "solutions_released=False" in withheld and ".solution()" not in withheld
    assert "after the due date, Friday 18 September 2026" in withheld
    for text in (released, withheld):
        assert "#### Solution" not in text and "#### Your answer" in text
        assert "collapsed in Colab" not in text


@pytest.mark.parametrize("syllabus_text, arguments, message", [
    (GOOD.replace("01_mlp_review", "42_unknown"), ["--week", "1"], "notebooks/42_unknown.ipynb is missing"),
    (GOOD + "  - week: 1\n    lessons: [01_mlp_review]\n", ["--all"], "appears twice"),
    (GOOD.replace("2026-09-18", "2026-09-31"), ["--week", "1"], "not a date"),
    (GOOD, ["--week", "5"], "no week 5"),
    (GOOD, ["--week", "1", "--repo", "not a repo"], "OWNER/NAME"),
    (GOOD, ["--week", "1", "--path-in-repo", "../up"], "--path-in-repo"),
])
def test_bad_input_is_explained_and_writes_nothing(tmp_path, capsys, syllabus_text, arguments, message):
    syllabus = tmp_path / "syllabus.yml"
    syllabus.write_text(syllabus_text)
    out = tmp_path / "build" / "out"
    assert main([*PUBLISH, *arguments, "--out", str(out), "--syllabus", str(syllabus), "--zip"]) == 2
    error = capsys.readouterr().err
    assert message in error and "Nothing was written" in error
    assert listing(tmp_path) == ["syllabus.yml"]


def lesson_copy(tmp_path, edit):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    notebook = nbformat.read(NOTEBOOKS / "01_mlp_review.ipynb", as_version=4)
    edit(notebook)
    nbformat.write(notebook, notebooks / "01_mlp_review.ipynb")
    (tmp_path / "syllabus.yml").write_text(GOOD)
    return notebooks


@pytest.mark.parametrize("edit, message", [
    (lambda nb: nb.cells.append(nbformat.v4.new_code_cell("### BEGIN SOLUTION\nx = 1")), "never closed"),
    (lambda nb: nb.cells.append(nbformat.v4.new_code_cell("x = 1\n### END SOLUTION")), "without a"),
    (lambda nb: [setattr(cell, "source", cell.source.replace("from course_utils.exercises import NotDoneYet\n", ""))
                 for cell in nb.cells], "never imports it"),
    (lambda nb: [setattr(cell, "source", cell.source.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", ""))
                 for cell in nb.cells], "no solution regions"),
])
def test_a_lesson_with_broken_markers_writes_nothing(tmp_path, capsys, edit, message):
    notebooks = lesson_copy(tmp_path, edit)
    out = tmp_path / "out"
    assert main([*PUBLISH, "--week", "1", "--out", str(out), "--syllabus", str(tmp_path / "syllabus.yml"),
                 "--notebooks", str(notebooks)]) == 2
    error = capsys.readouterr().err
    assert message in error and "01_mlp_review" in error
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notebooks", "syllabus.yml"]


def test_building_needs_neither_keras_nor_a_network(tmp_path):
    """Keras, TensorFlow and JAX are made unimportable; sockets refuse to connect."""
    script = f"""
import socket, sys
for name in ("keras", "tensorflow", "jax"):
    sys.modules[name] = None
def refuse(*args, **kwargs):
    raise OSError("no network in this test")
socket.socket.connect = refuse
from course_utils.assign.__main__ import main
sys.exit(main([*{PUBLISH!r}, "--all", "--out", {str(tmp_path / 'out')!r}, "--zip"]))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=REPOSITORY_ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "student.zip").is_file()


def test_missing_notebooks_folder_is_explained(tmp_path, capsys):
    assert main([*PUBLISH, "--week", "1", "--out", str(tmp_path / "o"), "--notebooks", str(tmp_path / "none")]) == 2
    assert "no lessons folder" in capsys.readouterr().err
    shutil.rmtree(tmp_path / "o", ignore_errors=True)


def test_a_failure_while_writing_leaves_nothing_behind(tmp_path, capsys, monkeypatch):
    import course_utils.assign.bundle as bundle

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(bundle.zipfile, "ZipFile", disk_full)
    assert build(tmp_path, "--week", "1", "--out", str(tmp_path / "build" / "week1"), "--zip") == 2
    error = capsys.readouterr().err
    assert "the disk is full" in error and ".partial-" not in error and "Nothing was written" in error
    assert list(tmp_path.iterdir()) == [], "no staging folder and no created parent left behind"


def test_lessons_stop_on_a_wrong_reference_only_student_copies_go_on():
    """nbval fails a lesson whose reference solution breaks because only student copies call
    student_copy(); a lesson that called it would print its failures and pass."""
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py")):
        assert "student_copy(" not in path.read_text(), f"{path.name} must not mark itself a student copy"
