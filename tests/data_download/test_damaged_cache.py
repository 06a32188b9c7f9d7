"""A cached file damaged in place with its times kept (issue 19, defect 1).

The quick check trusts a stamp (size, modification time, inode), so bit rot or a copy
tool that restores times passes it.  The damage shows when the file fails to decode:
``load`` must then re-hash that file, discard it and fetch it again, or raise a
DatasetError that says what happened and how to fix it; never a raw gzip, zlib,
tarfile or zipfile error.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np
import pytest

from data_download import DatasetError, load, verify

LABELS = "train-labels-idx1-ubyte.gz"


def flip_middle_byte_keeping_times(path: Path) -> None:
    """Flip one byte in the middle of ``path`` in place (same inode and size), then
    restore its access and modification times to the nanosecond."""
    info = path.stat()
    with open(path, "r+b") as handle:
        handle.seek(info.st_size // 2)
        byte = handle.read(1)
        handle.seek(info.st_size // 2)
        handle.write(bytes([byte[0] ^ 0xFF]))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


@pytest.fixture
def mnist_through_the_mirror(cache, tiny, server, monkeypatch, refused_url):
    """Tiny MNIST served by an HTTP mirror; the public URLs refuse connections."""
    arrays = tiny.idx_arrays(n_train=300, n_test=12)
    spec, _ = tiny.mnist(urls_for=lambda path, url: (refused_url + path,), arrays=arrays)
    monkeypatch.setenv("CNN_COURSE_DATA_MIRROR", server.url)
    load("mnist", progress=False)
    return spec, arrays


def test_damaged_labels_with_times_kept_are_fetched_again_from_the_mirror(
        cache, server, mnist_through_the_mirror, capsys):
    _, arrays = mnist_through_the_mirror
    target = cache / "mnist" / LABELS
    good = target.read_bytes()
    flip_middle_byte_keeping_times(target)
    # The damage is real, and the quick check cannot see it: what the issue reproduced.
    with pytest.raises((OSError, EOFError, gzip.zlib.error)):
        gzip.decompress(target.read_bytes())
    assert verify.stamp_matches(target)
    served_before = server.count(f"/mnist/{LABELS}")

    (x_train, y_train), (x_test, y_test) = load("mnist", progress=False)

    np.testing.assert_array_equal(y_train, arrays["train-labels-idx1-ubyte"])
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte"])
    assert server.count(f"/mnist/{LABELS}") == served_before + 1  # only the damaged file again
    assert target.read_bytes() == good and verify.stamp_matches(target)
    assert f"cached {target} was damaged" in capsys.readouterr().err
    load("mnist", progress=False)  # and the next load is quiet again
    assert server.count(f"/mnist/{LABELS}") == served_before + 1


def test_damaged_file_with_no_source_left_is_a_dataset_error_that_says_how_to_fix_it(
        cache, server, mnist_through_the_mirror):
    target = cache / "mnist" / LABELS
    flip_middle_byte_keeping_times(target)
    server.behave(f"/mnist/{LABELS}", "404")  # the mirror lost it; the public URLs refuse
    with pytest.raises(DatasetError) as caught:
        load("mnist", progress=False)
    message = str(caught.value)
    assert type(caught.value) is DatasetError
    assert f"The cached file {target} was damaged" in message and "removed" in message
    assert "every source failed" in message and "How to fix" in message
    assert not target.exists() and not verify.stamp_path(target).exists()
    server.behave(f"/mnist/{LABELS}", "ok")  # the mirror is back: the next load heals
    (_, y_train), _ = load("mnist", progress=False)
    assert y_train.shape == (300,)


def test_damaged_file_in_a_read_only_cache_says_it_cannot_be_removed(
        cache, mnist_through_the_mirror, read_only):
    target = cache / "mnist" / LABELS
    flip_middle_byte_keeping_times(target)
    read_only(cache)
    with pytest.raises(DatasetError) as caught:
        load("mnist", progress=False)
    message = str(caught.value)
    assert f"The cached file {target} is damaged" in message and "cannot be removed" in message
    assert "CNN_COURSE_DATA_DIR" in message and "data_download verify mnist" in message


def _cifar(tiny):
    tiny.cifar()
    return "cifar10", "cifar-10-binary.tar.gz"


def _medmnist(tiny):
    tiny.medmnist(sizes=(60, 20, 30))
    return "pathmnist", "pathmnist.npz"


@pytest.mark.parametrize("make", [_cifar, _medmnist], ids=["cifar tar.gz", "medmnist npz"])
def test_damaged_archives_are_fetched_again(cache, tiny, server, make):
    name, file_name = make(tiny)
    first = load(name, progress=False)
    target = cache / name / file_name
    good = target.read_bytes()
    flip_middle_byte_keeping_times(target)
    assert verify.stamp_matches(target)
    again = load(name, progress=False)
    for (x_first, y_first), (x_again, y_again) in zip(first, again):
        np.testing.assert_array_equal(x_first, x_again)
        np.testing.assert_array_equal(y_first, y_again)
    assert target.read_bytes() == good
