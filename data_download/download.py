"""HTTP(S) downloads that give up in good time, retry what may pass, and say why in words.

Three limits (see settings.py for the defaults and variables):

* connect: a few seconds to open the connection (a dead host);
* stall (``CNN_COURSE_DATA_TIMEOUT``): seconds without a byte (a stalled server);
* deadline (``CNN_COURSE_DATA_DEADLINE``): the whole file from one source, retries
  included.  A server that trickles a byte now and then resets the stall timer for
  ever; the deadline does not.  The body is read with ``read1`` (whatever has
  arrived), so the deadline is checked at least once per stall timeout.

A failure that may pass (HTTP 5xx, 408 or 429, a cut, reset or refused connection, a
timeout) is retried up to ``retries`` times with exponential backoff and jitter; one
that will not (HTTP 404, an unknown host name, the deadline) is not.  A server that
has not answered at all in this fetch is given up once it has cost the stall timeout
(retry.py), and the other files of the dataset skip it.  Every failure raises
DownloadFailed, whose message is one line for the "Tried, in order" list.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from . import retry, settings

_CHUNK = 1 << 16
_RETRIED_STATUS = {408, 429}


class DownloadFailed(Exception):
    """One URL did not deliver the file; ``str()`` says what happened, in words.

    ``may_pass``: worth another attempt.  ``answered``: the server sent an HTTP
    response (so it is alive, whatever went wrong afterwards).
    """

    def __init__(self, reason: str, may_pass: bool = False, answered: bool = False):
        super().__init__(reason)
        self.may_pass = may_pass
        self.answered = answered


def server_of(url: str) -> str:
    """``scheme://host:port`` of ``url``: what retry.Servers remembers."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def download(url: str, destination: Path, *, size: int | None = None, progress: bool = True,
             label: str = "", patience: settings.Patience | None = None,
             servers: retry.Servers | None = None) -> int:
    """Write the body of ``url`` to ``destination`` (replaced on each attempt).

    Returns how many retries it took.  ``servers`` is the fetch's memory of which
    servers answer (a new one if not given); a server given up here is recorded in it.
    """
    patience = patience or settings.patience()
    servers = servers if servers is not None else retry.Servers(patience.timeout)
    server, label = server_of(url), label or url
    attempts = 1 + patience.retries
    limit = patience.deadline(size)
    deadline = time.monotonic() + limit
    import requests  # noqa: F401  (imported here, lazily, so that it is not timed as the server's silence)

    for attempt in range(1, attempts + 1):
        started = time.monotonic()
        try:
            _attempt(url, destination, deadline, limit, progress, label, patience,
                     servers.silence_left(server))
            servers.heard_from(server)
            return attempt - 1
        except DownloadFailed as failure:
            if failure.answered:
                servers.heard_from(server)
            else:
                servers.kept_waiting(server, time.monotonic() - started)
            pause = retry.pause_seconds(attempt, patience.timeout)
            if _last_attempt(failure, attempt, attempts, pause, deadline, servers.silence_left(server)):
                if server not in servers.answered:
                    servers.give_up(server, str(failure))
                if attempt > 1:
                    raise DownloadFailed(f"{failure} ({attempt} attempts)", answered=failure.answered) from None
                raise
            # A line per retry: a student sees why the download is slow, and the mirror
            # benchmark counts them.
            print(f"[data_download] {label}: {failure}; trying again in {pause:.1f} s "
                  f"(attempt {attempt + 1} of {attempts})", file=sys.stderr)
        time.sleep(pause)
        if server not in servers.answered:
            servers.kept_waiting(server, pause)
    raise AssertionError("unreachable: the last attempt returns or raises")


def _last_attempt(failure: DownloadFailed, attempt: int, attempts: int, pause: float,
                  deadline: float, silence_left: float) -> bool:
    return (not failure.may_pass or attempt == attempts
            or time.monotonic() + pause >= deadline  # the file's deadline comes first
            or silence_left - pause <= 0)  # a server that never answered has had its time


def _attempt(url: str, destination: Path, deadline: float, limit: float, progress: bool,
             label: str, patience: settings.Patience, silence_left: float) -> None:
    import requests

    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _too_slow(0, None, limit)
    # Waiting for an answer is also bounded by what a silent server has left.
    connect = min(patience.connect_timeout, remaining, silence_left)
    first_answer = min(patience.timeout, remaining, silence_left)
    try:
        # identity: the bytes as published (no transport compression to undo or miscount)
        response = requests.get(url, stream=True, headers={"Accept-Encoding": "identity"},
                                timeout=(connect, first_answer))
    except requests.exceptions.ConnectTimeout:
        raise DownloadFailed(f"no connection within {_seconds(connect)} s (the server is down, "
                             "unreachable or overloaded)", may_pass=True) from None
    except requests.exceptions.ReadTimeout:  # connected, but no answer at all
        raise _stalled(first_answer) from None
    except requests.exceptions.ConnectionError as error:
        raise _connection_failed(error, first_answer) from None
    except requests.exceptions.RequestException as error:  # a malformed URL, too many redirects...
        raise DownloadFailed(f"request failed ({type(error).__name__}: {str(error)[:200]})") from None
    with response:
        try:
            _receive(response, destination, deadline, limit, progress, label, first_answer)
        except DownloadFailed as failure:
            failure.answered = True  # whatever went wrong, the server is alive
            raise


def _receive(response, destination: Path, deadline: float, limit: float, progress: bool,
             label: str, stall: float) -> None:
    from tqdm.auto import tqdm

    if response.status_code >= 400:
        code = response.status_code
        raise DownloadFailed(f"HTTP {code} {response.reason}",
                             may_pass=code >= 500 or code in _RETRIED_STATUS)
    encoded = bool(response.headers.get("Content-Encoding", "identity").lower() != "identity")
    length = response.headers.get("Content-Length", "")
    total = int(length) if length.isdigit() and not encoded else None
    received = 0
    with open(destination, "wb") as writer, tqdm(
        total=total, unit="B", unit_scale=True, unit_divisor=1024,
        desc=f"download {label}", disable=not progress, leave=True,
    ) as bar:
        while True:
            if time.monotonic() > deadline:
                raise _too_slow(received, total, limit)
            chunk = _read_some(response, received, total, stall)
            if not chunk:
                break
            writer.write(chunk)
            received += len(chunk)
            bar.update(len(chunk))
    if total is not None and received < total:
        raise _cut(received, total)


def _read_some(response, received: int, total: int | None, stall: float) -> bytes:
    """Whatever part of the body has arrived (b"" at its end), errors in words."""
    import urllib3

    raw = response.raw
    try:
        if hasattr(raw, "read1"):  # urllib3 >= 2.3: returns as soon as some bytes are there
            return raw.read1(_CHUNK, decode_content=True)
        return raw.read(1 << 14, decode_content=True)
    except urllib3.exceptions.ReadTimeoutError:
        raise _stalled(stall, received, total) from None
    except urllib3.exceptions.ProtocolError:  # IncompleteRead, connection reset mid-body
        raise _cut(received, total) from None
    except urllib3.exceptions.DecodeError as error:
        raise DownloadFailed(f"the server's response could not be decoded ({error})") from None
    except OSError:
        raise _cut(received, total) from None


def amount(size: int | None) -> str:
    """``1.2 MB``-style sizes for messages."""
    if size is None:
        return "?"
    for unit in ("bytes", "kB", "MB"):
        if size < 1000:
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"


def _seconds(value: float) -> str:
    return f"{round(value, 2):g}"


def _so_far(received: int, total: int | None) -> str:
    return f"{amount(received)} of {amount(total)}" if total else amount(received)


def _stalled(stall: float, received: int = 0, total: int | None = None) -> DownloadFailed:
    after = f" after {_so_far(received, total)}" if received else ""
    return DownloadFailed(f"timed out: no data for {_seconds(stall)} s{after} (the server stalled; "
                          f"{settings.TIMEOUT_VARIABLE} sets this limit)", may_pass=True)


def _cut(received: int, total: int | None) -> DownloadFailed:
    return DownloadFailed(f"the connection was cut after {_so_far(received, total)} (the server "
                          "or the network dropped it; nothing partial was kept)", may_pass=True)


def _too_slow(received: int, total: int | None, limit: float) -> DownloadFailed:
    return DownloadFailed(f"too slow: only {_so_far(received, total)} arrived within {_seconds(limit)} s, "
                          f"the limit for one file ({settings.DEADLINE_VARIABLE} sets it)")


def _connection_failed(error, stall: float) -> DownloadFailed:
    """A connection that failed before any HTTP answer, in words.  Refused and reset
    connections may pass (a mirror restarting, or overloaded); a name not found will not."""
    text = str(error)
    if "NameResolutionError" in text or "Name or service not known" in text \
            or "nodename nor servname" in text or "getaddrinfo failed" in text:
        return DownloadFailed("host name not found (no internet connection, or DNS blocked)")
    if "Connection refused" in text:
        return DownloadFailed("connection refused (nothing answers there: the server or mirror is "
                              "down or overloaded)", may_pass=True)
    if "Read timed out" in text:
        return _stalled(stall)
    if "reset by peer" in text or "aborted" in text or "RemoteDisconnected" in text:
        return DownloadFailed("the connection was reset before any answer (the server is "
                              "overloaded or restarting)", may_pass=True)
    return DownloadFailed(f"connection failed ({type(error).__name__}: {text[:200]})", may_pass=True)
