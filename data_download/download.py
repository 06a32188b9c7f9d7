"""HTTP(S) downloads that give up in good time and say why in words.

Three limits (see settings.py for the defaults and variables):

* connect: a few seconds to open the connection (a dead host);
* stall (``CNN_COURSE_DATA_TIMEOUT``): seconds without a byte (a stalled server);
* deadline (``CNN_COURSE_DATA_DEADLINE``): the whole file from one source, retries
  included.  A server that trickles a byte now and then resets the stall timer for
  ever; the deadline does not.  The body is read with ``read1`` (whatever has
  arrived), so the deadline is checked at least once per stall timeout.

A failure that may pass (a timeout, a cut connection, HTTP 5xx, 408 or 429) is
retried ``CNN_COURSE_DATA_RETRIES`` times after a short pause; one that will not
(HTTP 404, a refused connection, an unknown host name) is not.  Every failure
raises DownloadFailed, whose message is one line for the "Tried, in order" list,
and which says whether the whole server is down (fetch.py then skips it for the
other files of the dataset).
"""

from __future__ import annotations

import time
from pathlib import Path

from . import settings

_CHUNK = 1 << 16
_RETRIED_STATUS = {408, 429}


class DownloadFailed(Exception):
    """One URL did not deliver the file; ``str()`` says what happened, in words.

    ``may_pass``: worth another attempt.  ``host_down``: the server did not answer
    at all (refused, unreachable, unknown, or silent), so its other files need not
    be tried in the same fetch.
    """

    def __init__(self, reason: str, may_pass: bool = False, host_down: bool = False):
        super().__init__(reason)
        self.may_pass = may_pass
        self.host_down = host_down


def download(url: str, destination: Path, *, size: int | None = None, progress: bool = True,
             label: str = "") -> None:
    """Write the body of ``url`` to ``destination`` (replaced on each attempt)."""
    attempts = 1 + settings.retries()
    limit = settings.deadline_seconds(size)
    deadline = time.monotonic() + limit
    pause = min(1.0, settings.timeout_seconds())
    for attempt in range(1, attempts + 1):
        try:
            _attempt(url, destination, deadline, limit, progress, label or url)
            return
        except DownloadFailed as failure:
            last_try = (not failure.may_pass or attempt == attempts
                        or time.monotonic() + pause >= deadline)
            if last_try:
                if attempt > 1:
                    raise DownloadFailed(f"{failure} ({attempt} attempts)",
                                         host_down=failure.host_down) from None
                raise
        time.sleep(pause)


def _attempt(url: str, destination: Path, deadline: float, limit: float, progress: bool,
             label: str) -> None:
    import requests
    from tqdm.auto import tqdm

    stall = settings.timeout_seconds()
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _too_slow(0, None, limit)
    connect = settings.connect_timeout_seconds()
    try:
        # identity: the bytes as published (no transport compression to undo or miscount)
        response = requests.get(url, stream=True, headers={"Accept-Encoding": "identity"},
                                timeout=(min(connect, remaining), min(stall, remaining)))
    except requests.exceptions.ConnectTimeout:
        raise DownloadFailed(f"no connection within {min(connect, remaining):g} s (the server is "
                             "down or unreachable)", may_pass=True, host_down=True) from None
    except requests.exceptions.ReadTimeout:  # connected, but no answer at all
        raise _stalled(stall, host_down=True) from None
    except requests.exceptions.ConnectionError as error:
        raise _connection_failed(error) from None
    except requests.exceptions.RequestException as error:  # a malformed URL, too many redirects...
        raise DownloadFailed(f"request failed ({type(error).__name__}: {str(error)[:200]})") from None
    with response:
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


def _so_far(received: int, total: int | None) -> str:
    return f"{amount(received)} of {amount(total)}" if total else amount(received)


def _stalled(stall: float, received: int = 0, total: int | None = None,
             host_down: bool = False) -> DownloadFailed:
    after = f" after {_so_far(received, total)}" if received else ""
    return DownloadFailed(f"timed out: no data for {stall:g} s{after} (the server stalled; "
                          f"{settings.TIMEOUT_VARIABLE} sets this limit)", may_pass=True,
                          host_down=host_down)


def _cut(received: int, total: int | None) -> DownloadFailed:
    return DownloadFailed(f"the connection was cut after {_so_far(received, total)} (the server "
                          "or the network dropped it; nothing partial was kept)", may_pass=True)


def _too_slow(received: int, total: int | None, limit: float) -> DownloadFailed:
    return DownloadFailed(f"too slow: only {_so_far(received, total)} arrived within {limit:g} s, "
                          f"the limit for one file ({settings.DEADLINE_VARIABLE} sets it)")


def _connection_failed(error) -> DownloadFailed:
    text = str(error)
    if "Connection refused" in text:
        return DownloadFailed("connection refused (nothing answers there: the server or mirror is down)",
                              host_down=True)
    if "NameResolutionError" in text or "Name or service not known" in text \
            or "nodename nor servname" in text or "getaddrinfo failed" in text:
        return DownloadFailed("host name not found (no internet connection, or DNS blocked)",
                              host_down=True)
    if "Read timed out" in text:
        return _stalled(settings.timeout_seconds(), host_down=True)
    return DownloadFailed(f"connection failed ({type(error).__name__}: {text[:200]})", may_pass=True)
