"""The command line: list, get, verify, path; exit codes and one-line reasons."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from data_download.cli import main

REPO = Path(__file__).resolve().parents[2]


def test_list_shows_every_dataset_with_size_and_licence(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in ("mnist", "cifar100", "organamnist", "tiny-imagenet-200", "oxford-iiit-pet"):
        assert name in out
    assert "CC BY-SA 3.0" in out and "MB" in out


def test_get_verify_path(cache, tiny, capsys):
    tiny.mnist()
    assert main(["get", "mnist", "-q"]) == 0
    out = capsys.readouterr().out
    assert "mnist: ok" in out and "(30, 28, 28) uint8" in out
    assert main(["verify"]) == 0
    assert "train-images-idx3-ubyte.gz: ok" in capsys.readouterr().out
    assert main(["path"]) == 0 and capsys.readouterr().out.strip() == str(cache)
    assert main(["path", "mnist"]) == 0 and capsys.readouterr().out.strip() == str(cache / "mnist")


def test_verify_removes_corrupt_file(cache, tiny, capsys):
    tiny.mnist()
    main(["get", "mnist", "-q"])
    target = cache / "mnist" / "train-images-idx3-ubyte.gz"
    target.write_bytes(target.read_bytes()[:100])
    capsys.readouterr()
    assert main(["verify", "mnist"]) == 1
    captured = capsys.readouterr()
    assert "corrupt, removed" in captured.out
    assert captured.err.strip().splitlines()[-1].startswith("error: 1 cached file(s) were corrupt")
    assert not target.exists()


def test_get_failure_exit_code_and_one_line_reason(cache, tiny, server, capsys):
    tiny.mnist()
    server.behave("/mnist/train-images-idx3-ubyte.gz", "404")
    assert main(["get", "mnist", "-q"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == ("error: Could not get train-images-idx3-ubyte.gz for dataset 'mnist': "
                       "every source failed.")
    assert any("HTTP 404" in line for line in err)


def test_unknown_name_exit_code(cache, capsys):
    assert main(["get", "nope"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: Unknown dataset 'nope'. Valid names: mnist, fashion-mnist")


def test_python_dash_m_entry_point():
    result = subprocess.run([sys.executable, "-m", "data_download", "path", "nope"],
                            capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("error: Unknown dataset")
