"""Publishing a bundle commits the student files and nothing else, and overwrites nothing foreign."""

import os
import subprocess

import pytest

from course_utils.assign.__main__ import REPOSITORY_ROOT, main

PUBLISH = ["--repo", "teacher/cnn-2026", "--syllabus", str(REPOSITORY_ROOT / "syllabus.yml")]
GIT_IDENTITY = {"GIT_AUTHOR_NAME": "Teacher", "GIT_AUTHOR_EMAIL": "t@example.org",
                "GIT_COMMITTER_NAME": "Teacher", "GIT_COMMITTER_EMAIL": "t@example.org"}


def git(folder, *arguments):
    return subprocess.run(["git", "-C", str(folder), *arguments], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture
def clone(tmp_path, monkeypatch):
    for name, value in GIT_IDENTITY.items():
        monkeypatch.setenv(name, value)
    folder = tmp_path / "cnn-2026"
    subprocess.run(["git", "init", "-q", "-b", "main", str(folder)], check=True)
    return folder


@pytest.fixture
def bundle(tmp_path):
    out = tmp_path / "build" / "weeks"
    assert main([*PUBLISH, "--ref", "course-0123456789ab", "--weeks", "1-2", "--out", str(out), "--zip"]) == 0
    # What the old recipe swept in: a virtual environment and caches beside the student folder.
    (out / ".venv" / "bin").mkdir(parents=True)
    (out / ".venv" / "bin" / "python").write_text("")
    return out


def test_publish_commits_exactly_the_student_files_and_tags_the_ref(bundle, clone, capsys):
    assert main(["publish", str(bundle), "--into", str(clone)]) == 0
    committed = sorted(git(clone, "ls-tree", "-r", "--name-only", "HEAD").split())
    student = sorted(path.relative_to(bundle / "student").as_posix()
                     for path in (bundle / "student").rglob("*") if path.is_file())
    assert committed == sorted(student + [".cnn-course-published.json"])
    assert not any(part in path for path in committed for part in ("instructor", ".venv", "__pycache__",
                                                                     "student.zip"))
    assert git(clone, "tag").split() == ["course-0123456789ab"], "the tag the student copies install from"
    assert "push --follow-tags" in capsys.readouterr().out
    # Publishing the next weeks again updates what publishing wrote, and keeps the tag.
    assert main(["publish", str(bundle), "--into", str(clone)]) == 0
    assert git(clone, "status", "--porcelain") == ""


def test_publish_refuses_to_overwrite_the_instructors_own_file(bundle, clone, capsys):
    (clone / "README.md").write_text("My own course page")
    git(clone, "add", "README.md")
    git(clone, "commit", "-qm", "mine")
    assert main(["publish", str(bundle), "--into", str(clone)]) == 2
    error = capsys.readouterr().err
    assert "README.md" in error and "Nothing was written" in error
    assert (clone / "README.md").read_text() == "My own course page"
    assert sorted(os.listdir(clone)) == [".git", "README.md"]


@pytest.mark.parametrize("make, message", [
    (lambda folder: (folder / "instructor").mkdir(), "instructor"),
    (lambda folder: (folder / "syllabus.yml").write_text("weeks: []"), "course repository itself"),
])
def test_publish_refuses_a_checkout_that_could_leak_solutions(bundle, clone, capsys, make, message):
    make(clone)
    before = sorted(os.listdir(clone))
    assert main(["publish", str(bundle), "--into", str(clone)]) == 2
    assert message in capsys.readouterr().err
    assert sorted(os.listdir(clone)) == before


def test_publish_refuses_what_is_not_a_bundle_or_not_a_checkout(tmp_path, bundle, capsys):
    (tmp_path / "plain").mkdir()
    assert main(["publish", str(tmp_path / "plain"), "--into", str(tmp_path)]) == 2
    assert "not a bundle" in capsys.readouterr().err
    assert main(["publish", str(bundle), "--into", str(tmp_path / "plain")]) == 2
    assert "not the top of a git checkout" in capsys.readouterr().err
    assert os.listdir(tmp_path / "plain") == []
