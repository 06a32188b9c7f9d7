"""A flaky classroom mirror (issue 19): transient failures are retried with exponential
backoff and jitter, a dead server still costs its timeout once per fetch, and
``load``/``fetch`` take ``timeout=`` and ``retries=`` per call."""

from __future__ import annotations

import os
import socket
import threading
import time

import pytest

from data_download import DatasetError, fetch, load, retry, settings

FIRST = "/mnist/train-images-idx3-ubyte.gz"
SECOND = "/mnist/train-labels-idx1-ubyte.gz"


@pytest.fixture
def class_defaults(monkeypatch):
    """The default retries, with a short stall timeout (which also shortens the pauses)."""
    monkeypatch.delenv("CNN_COURSE_DATA_RETRIES", raising=False)
    monkeypatch.setenv("CNN_COURSE_DATA_TIMEOUT", "0.4")


# ------------------------------------------------------------- the backoff itself

def test_pauses_double_with_jitter_and_a_ceiling():
    low, high = (lambda: 0.0), (lambda: 0.999999)
    assert [retry.pause_seconds(n, 10, draw=low) for n in (1, 2, 3, 4)] == [0.25, 0.5, 1.0, 2.0]
    assert [round(retry.pause_seconds(n, 10, draw=high), 3) for n in (1, 2, 3, 4)] == [0.75, 1.5, 3.0, 6.0]
    assert retry.pause_seconds(10, 10, draw=high) <= 1.5 * retry.LONGEST_PAUSE_SECONDS
    assert retry.pause_seconds(1, 0.2, draw=high) <= 0.15  # a short timeout, short pauses
    drawn = {retry.pause_seconds(1, 10) for _ in range(20)}
    assert len(drawn) > 10  # jitter: a class whose requests failed together does not retry together


# ------------------------------------------------------------- transient failures pass

@pytest.mark.parametrize("mode", ["500", "truncate"], ids=["HTTP 500", "cut after half the file"])
def test_a_flaky_mirror_is_retried_until_the_file_arrives(cache, tiny, server, class_defaults, mode,
                                                          assert_clean, capsys):
    spec, _ = tiny.mnist()
    server.fail_first(FIRST, mode, times=3)
    server.fail_first(SECOND, mode, times=1)
    fetch("mnist", progress=False)
    assert server.count(FIRST) == 4 and server.count(SECOND) == 2
    assert_clean(cache, [f.name for f in spec.files])
    log = capsys.readouterr().err
    assert log.count("trying again") == 4 and "(attempt 4 of 5)" in log


def test_retries_zero_is_the_old_single_attempt(cache, tiny, server, class_defaults):
    tiny.mnist()
    server.fail_first(FIRST, "500", times=1)
    with pytest.raises(DatasetError) as caught:
        fetch("mnist", progress=False, retries=0)
    assert "HTTP 500" in str(caught.value) and server.count(FIRST) == 1


def test_a_server_that_answered_is_retried_after_a_slow_answer(cache, tiny, server, monkeypatch,
                                                               class_defaults):
    # The mirror served the first file, so it is alive: a slow answer for the next one is
    # load, not death, and is retried.
    monkeypatch.setenv("CNN_COURSE_DATA_TIMEOUT", "0.3")
    server.state.slow_seconds = 1.0
    tiny.mnist()
    server.fail_first(SECOND, "slow", times=1)
    fetch("mnist", progress=False)
    assert server.count(SECOND) == 2


def test_a_connection_reset_before_any_answer_is_retried(cache, tiny, server, refused_url, monkeypatch):
    # A mirror that resets its first connections unanswered (overloaded), then forwards
    # to the real server; the public URLs refuse, so only the mirror can deliver.  A
    # server that has not answered yet may keep us waiting one stall timeout in all:
    # 3 s covers two pauses (at most 0.75 + 1.5 s).
    monkeypatch.delenv("CNN_COURSE_DATA_RETRIES", raising=False)
    monkeypatch.setenv("CNN_COURSE_DATA_TIMEOUT", "3")
    tiny.mnist(urls_for=lambda path, url: (refused_url + path,))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    dropped = []

    def serve():
        import urllib.request
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            request = connection.recv(65536).decode("latin-1")
            if len(dropped) < 2:
                dropped.append(request.split()[1])
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                connection.close()  # RST: "connection reset by peer"
                continue
            body = urllib.request.urlopen(server.url + request.split()[1]).read()
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                               % len(body) + body)
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        os.environ["CNN_COURSE_DATA_MIRROR"] = f"http://127.0.0.1:{port}"
        fetch("mnist", progress=False)
    finally:
        os.environ.pop("CNN_COURSE_DATA_MIRROR", None)
        listener.close()
    assert dropped == [FIRST] * 2
    assert server.count(FIRST) == 1  # forwarded by the mirror on the third attempt


# ------------------------------------------------------------- a dead server costs one timeout

def test_a_refusing_mirror_costs_at_most_its_timeout_per_fetch(cache, tiny, server, refused_url,
                                                               monkeypatch, class_defaults, assert_clean):
    monkeypatch.setenv("CNN_COURSE_DATA_MIRROR", refused_url)
    spec, _ = tiny.mnist()
    started = time.monotonic()
    fetch("mnist", progress=False)
    elapsed = time.monotonic() - started
    assert elapsed < 0.4 + 0.5, f"{elapsed:.2f} s for a refusing mirror with 4 retries"
    assert server.count(FIRST) == 1
    assert_clean(cache, [f.name for f in spec.files])


def test_a_stalled_mirror_costs_one_timeout_per_fetch_with_the_default_retries(
        cache, tiny, server, stalled_url, monkeypatch, class_defaults):
    monkeypatch.setenv("CNN_COURSE_DATA_MIRROR", stalled_url)
    tiny.mnist()
    started = time.monotonic()
    fetch("mnist", progress=False)
    elapsed = time.monotonic() - started
    assert elapsed < 0.4 + 0.5, f"{elapsed:.2f} s: more than one timeout for a dead mirror"


# ------------------------------------------------------------- per-call settings

def test_load_takes_timeout_and_retries_per_call_without_touching_the_environment(
        cache, tiny, server, monkeypatch):
    monkeypatch.setenv("CNN_COURSE_DATA_TIMEOUT", "30")
    monkeypatch.setenv("CNN_COURSE_DATA_RETRIES", "5")
    server.state.slow_seconds = 2.0
    tiny.mnist()
    server.behave(FIRST, "slow")
    started = time.monotonic()
    with pytest.raises(DatasetError) as caught:
        load("mnist", progress=False, timeout=0.3, retries=0)
    assert time.monotonic() - started < 1.5
    assert "timed out: no data for 0.3 s" in str(caught.value) and server.count(FIRST) == 1
    assert os.environ["CNN_COURSE_DATA_TIMEOUT"] == "30" and os.environ["CNN_COURSE_DATA_RETRIES"] == "5"


def test_per_call_retries_are_used(cache, tiny, server, class_defaults):
    tiny.mnist()
    server.fail_first(FIRST, "500", times=2)
    load("mnist", progress=False, retries=2)
    assert server.count(FIRST) == 3


@pytest.mark.parametrize("arguments, allowed", [
    ({"timeout": 0}, "greater than 0 and at most 600"), ({"timeout": float("nan")}, "greater than 0"),
    ({"timeout": "10"}, "greater than 0"), ({"retries": -1}, "0 to 5"), ({"retries": 6}, "0 to 5"),
    ({"retries": 1.5}, "0 to 5"), ({"retries": True}, "0 to 5"),
])
def test_bad_per_call_values_are_refused_before_any_network_use(cache, tiny, server, arguments, allowed):
    tiny.mnist()
    with pytest.raises(DatasetError) as caught:
        load("mnist", progress=False, **arguments)
    name, value = next(iter(arguments.items()))
    assert f"{name}={value!r}" in str(caught.value) and allowed in str(caught.value)
    assert server.state.requests == []


def test_per_call_values_of_numpy_types_are_accepted(cache, tiny):
    import numpy as np

    tiny.mnist()
    patience = settings.patience(timeout=np.float32(2.5), retries=np.int64(2))
    assert (patience.timeout, patience.retries) == (2.5, 2)
    load("mnist", progress=False, timeout=np.float64(5), retries=np.int64(1))
