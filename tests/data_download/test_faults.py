"""Fault cases: every one ends with an actionable DatasetError and a clean cache."""

from __future__ import annotations

import multiprocessing
import tarfile

import numpy as np
import pytest

from data_download import DatasetError, dataset_names, fetch, load
from data_download import registry


def test_happy_path_loads_tiny_mnist(cache, tiny, assert_clean):
    spec, arrays = tiny.mnist()
    (x_train, y_train), (x_test, y_test) = load("mnist", progress=False)
    assert x_train.dtype == np.uint8 and x_train.shape == (30, 28, 28)
    assert y_train.dtype == np.uint8 and y_train.shape == (30,)
    assert x_test.shape == (12, 28, 28) and y_test.shape == (12,)
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte"])
    np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte"])
    assert_clean(cache, [f.name for f in spec.files])


def test_subset_is_first_k(cache, tiny):
    _, arrays = tiny.mnist()
    (x_train, y_train), (x_test, y_test) = load("mnist", subset=5, progress=False)
    assert x_train.shape == (5, 28, 28) and x_test.shape == (5, 28, 28)
    np.testing.assert_array_equal(y_train, arrays["train-labels-idx1-ubyte"][:5])


def test_second_load_uses_cache_without_network(cache, tiny, server):
    tiny.mnist()
    load("mnist", progress=False)
    before = len(server.state.requests)
    load("mnist", progress=False)
    assert len(server.state.requests) == before


def test_connection_refused(cache, tiny, refused_url, assert_clean):
    tiny.mnist(urls_for=lambda path, url: (refused_url + path,))
    with pytest.raises(DatasetError) as caught:
        load("mnist", progress=False)
    message = str(caught.value)
    assert "connection refused" in message
    assert "CNN_COURSE_DATA_MIRROR" in message and "put it at" in message
    assert str(cache / "mnist" / "train-images-idx3-ubyte.gz") in message
    assert_clean(cache)


def test_404_on_first_url_then_good_second(cache, tiny, server, assert_clean):
    spec, _ = tiny.mnist(urls_for=lambda path, url: (server.url + "/missing" + path, url))
    load("mnist", progress=False)
    assert server.count("/missing/mnist/train-images-idx3-ubyte.gz") == 1
    assert server.count("/mnist/train-images-idx3-ubyte.gz") == 1
    assert_clean(cache, [f.name for f in spec.files])


def test_http_500(cache, tiny, server, assert_clean):
    tiny.mnist()
    server.behave("/mnist/train-images-idx3-ubyte.gz", "500")
    with pytest.raises(DatasetError) as caught:
        fetch("mnist", progress=False)
    assert "HTTP 500" in str(caught.value)
    assert "every source failed" in caught.value.reason
    assert_clean(cache)


def test_truncated_body(cache, tiny, server, assert_clean):
    tiny.mnist()
    server.behave("/mnist/train-images-idx3-ubyte.gz", "truncate")
    with pytest.raises(DatasetError) as caught:
        fetch("mnist", progress=False)
    assert "public URL" in str(caught.value)
    assert_clean(cache)


def test_flipped_byte_in_gzip_payload(cache, tiny, server, assert_clean):
    tiny.mnist()
    path = "/mnist/train-labels-idx1-ubyte.gz"
    body = bytearray(server.state.files[path])
    body[len(body) // 2] ^= 0x01
    server.add(path, bytes(body))
    with pytest.raises(DatasetError) as caught:
        fetch("mnist", progress=False)
    assert "failed verification" in str(caught.value)
    # The file before it was verified and may stay; the corrupt one may not.
    assert_clean(cache, ["train-images-idx3-ubyte.gz"])


def test_flipped_byte_against_published_md5(cache, tiny, server, assert_clean):
    spec, _, archive = tiny.cifar()
    corrupt = bytearray(archive)
    corrupt[-100] ^= 0x01
    server.add(f"/cifar10/{spec.files[0].name}", bytes(corrupt))
    with pytest.raises(DatasetError) as caught:
        fetch("cifar10", progress=False)
    assert "failed verification" in str(caught.value)
    assert_clean(cache)


def test_server_slower_than_timeout(cache, tiny, server, monkeypatch, assert_clean):
    monkeypatch.setenv("CNN_COURSE_DATA_TIMEOUT", "0.3")
    server.state.slow_seconds = 1.5
    tiny.mnist()
    server.behave("/mnist/train-images-idx3-ubyte.gz", "slow")
    with pytest.raises(DatasetError) as caught:
        fetch("mnist", progress=False)
    assert "timed out" in str(caught.value)
    assert_clean(cache)


def test_archive_member_with_dotdot_is_refused(cache, tiny, tmp_path, assert_clean):
    members = {"imagenette2-160/train/n01/a.JPEG": b"x", "imagenette2-160/val/n01/b.JPEG": b"y",
               "imagenette2-160/../../escaped.txt": b"evil"}
    tiny.archive_dataset("imagenette", members)
    with pytest.raises(DatasetError) as caught:
        load("imagenette", progress=False)
    assert "unsafe member path" in str(caught.value)
    assert not (tmp_path / "escaped.txt").exists() and not (cache / "escaped.txt").exists()
    assert_clean(cache)


def test_archive_with_link_out_is_refused(cache, tiny, assert_clean):
    link = tarfile.TarInfo("imagenette2-160/train/n01/link.JPEG")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    tiny.imagenette(extra=[link])
    with pytest.raises(DatasetError) as caught:
        load("imagenette", progress=False)
    assert "link" in str(caught.value)
    assert_clean(cache)


def _fetch_in_child(queue):
    try:
        fetch("mnist", progress=False)
        queue.put("ok")
    except Exception as error:  # report, do not hang the parent
        queue.put(repr(error))


def test_two_processes_fetch_at_once(cache, tiny, server, assert_clean):
    spec, arrays = tiny.mnist()
    for file in spec.files:
        server.behave(f"/mnist/{file.name}", "delay")
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    children = [context.Process(target=_fetch_in_child, args=(queue,)) for _ in range(2)]
    for child in children:
        child.start()
    results = [queue.get(timeout=30) for _ in children]
    for child in children:
        child.join(timeout=30)
    assert results == ["ok", "ok"]
    # The lock made the second process wait and then use the first one's copy.
    for file in spec.files:
        assert server.count(f"/mnist/{file.name}") == 1
    assert_clean(cache, [f.name for f in spec.files])
    (x_train, _), _ = load("mnist", progress=False)
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte"])


def test_unknown_dataset_lists_valid_names(cache):
    with pytest.raises(DatasetError) as caught:
        load("mnsit")
    assert "Unknown dataset 'mnsit'" in str(caught.value)
    for name in dataset_names():
        assert name in str(caught.value)


def test_unwritable_cache_folder(tmp_path, monkeypatch, tiny):
    tiny.mnist()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    # A path below a regular file cannot be created, even by root.
    monkeypatch.setenv("CNN_COURSE_DATA_DIR", str(blocker / "cache"))
    with pytest.raises(DatasetError) as caught:
        fetch("mnist", progress=False)
    assert "not writable" in str(caught.value) and "CNN_COURSE_DATA_DIR" in str(caught.value)
    assert blocker.read_text() == "not a folder"


def test_corrupt_cache_entry_is_detected_and_replaced(cache, tiny, server, assert_clean):
    spec, arrays = tiny.mnist()
    fetch("mnist", progress=False)
    cached = cache / "mnist" / "train-labels-idx1-ubyte.gz"
    cached.write_bytes(cached.read_bytes()[:-5])  # e.g. an interrupted manual copy
    (_, y_train), _ = load("mnist", progress=False)
    np.testing.assert_array_equal(y_train, arrays["train-labels-idx1-ubyte"])
    assert server.count("/mnist/train-labels-idx1-ubyte.gz") == 2
    assert_clean(cache, [f.name for f in spec.files])


def test_corrupt_cache_entry_with_no_source_left_is_removed(cache, tiny, server, assert_clean):
    spec, _ = tiny.mnist()
    fetch("mnist", progress=False)
    cached = cache / "mnist" / "t10k-labels-idx1-ubyte.gz"
    data = bytearray(cached.read_bytes())
    data[20] ^= 0xFF
    cached.write_bytes(bytes(data))
    server.behave("/mnist/t10k-labels-idx1-ubyte.gz", "404")
    with pytest.raises(DatasetError) as caught:
        fetch("mnist", progress=False)
    assert "corrupt" in str(caught.value) and "HTTP 404" in str(caught.value)
    assert_clean(cache, [f.name for f in spec.files if f.name != "t10k-labels-idx1-ubyte.gz"])


def test_manual_download_placed_in_cache_is_verified_and_used(cache, tiny, server, refused_url):
    spec, _ = tiny.mnist(urls_for=lambda path, url: (refused_url + path,))
    folder = cache / "mnist"
    folder.mkdir(parents=True)
    for file in spec.files:
        (folder / file.name).write_bytes(server.state.files[f"/mnist/{file.name}"])
    (x_train, _), _ = load("mnist", progress=False)
    assert x_train.shape == (30, 28, 28)


def test_registry_entries_are_complete():
    for spec in registry.DATASETS.values():
        assert spec.description and spec.licence and spec.citation and spec.files
        for file in spec.files:
            assert file.urls and all(u.startswith(("http://", "https://")) for u in file.urls)
            assert file.size
            assert file.hash or file.payload_sha256 or "no published hash" in file.hash_note
