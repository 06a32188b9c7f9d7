"""A classroom's downloads against one flaky mirror, measured (issue 19).

    python benchmarks/benchmark_mirror.py [--fetchers 50] [--faults 0.1] [--backlog 1024]

Starts a threaded HTTP mirror of ``../shared/datasets/mnist`` on 127.0.0.1 only, then
N fetch *processes* at once, each ``python -m data_download get mnist -q`` with its own
empty cache and ``CNN_COURSE_DATA_MIRROR`` pointing at the mirror.  The mirror answers a
share ``--faults`` of the requests for files with a fault, alternately an HTTP 500 and a
response cut after a third of the file (the full Content-Length is announced).
``--backlog`` sets the mirror's accept backlog (small: an overloaded mirror).
``--fetch-only`` runs ``data_download.fetch("mnist")`` instead: the same download and
full verification, without ``get``'s final load into arrays, which holds about 100 MB
per process (200 fetchers on a small machine).

It prints, for the run with the package's default retries and then for a baseline
with ``CNN_COURSE_DATA_RETRIES=0`` (one attempt per URL, the old behaviour under faults):
fetches verified out of N, corrupt files kept in the caches (must be 0: a file kept
under its final name must equal the mirror's bytes), bytes served over the payload
(N times the dataset), the slowest fetch, and the retries the fetchers logged.  The
last line is the ratio of verified fetches, with retries over without.

Bounded: loopback only (each fetcher refuses any other address and looks up no host
name), at most ``--fetchers`` processes (1 to 400), at most 40 requests per file per
fetcher, and ``--time-limit`` seconds per run, after which the fetchers still running
are killed and the mirror stops by itself.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPOSITORY.parent / "shared" / "datasets"
DATASET = "mnist"
MAX_FETCHERS = 400
MAX_REQUESTS_PER_FILE = 40

# Each fetcher: loopback only, then exactly ``python -m data_download get mnist -q``.
FETCHER = r"""
import runpy, socket, sys

def loopback_only(event, args):
    # Every connection the fetcher opens must go to 127.0.0.1, and no name is looked up:
    # the public URLs of the registry fail at once, as they would offline.
    if event == "socket.connect" and isinstance(args[1], tuple) and args[1][0] != "127.0.0.1":
        raise ConnectionRefusedError(111, "Connection refused (benchmark: loopback only)")
    if event == "socket.getaddrinfo" and args[0] not in ("127.0.0.1", "localhost"):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known (benchmark: loopback only)")

sys.addaudithook(loopback_only)
if sys.argv[1:] == ["--fetch-only"]:
    import data_download
    data_download.fetch("mnist", progress=False)  # a DatasetError exits with status 1
else:
    sys.argv = ["data_download", "get", "mnist", "-q"]
    runpy.run_module("data_download", run_name="__main__", alter_sys=True)
"""


class FaultyMirror:
    """A threaded HTTP server on 127.0.0.1 serving ``/<dataset>/<file>`` from memory, with
    a share of faults spread evenly over the requests (request k is a fault when
    floor((k + 1) * share) > floor(k * share)), alternating 500 and a cut response."""

    def __init__(self, files: dict[str, bytes], faults: float, backlog: int, max_requests: int,
                 stop_after: float):
        self.files, self.faults, self.max_requests = files, faults, max_requests
        self.lock = threading.Lock()
        self.requests = self.faults_injected = self.bytes_served = self.refused_over_limit = 0
        mirror = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                mirror.answer(self)

        class Server(http.server.ThreadingHTTPServer):
            request_queue_size = backlog
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a fetcher that gave up on a response: counted by its own log, not printed here

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                       daemon=True)
        self.thread.start()
        # Stops by itself, even if whoever started it does not.
        self.watchdog = threading.Timer(stop_after, self.stop)
        self.watchdog.daemon = True
        self.watchdog.start()

    def _next_fault(self) -> str | None:
        with self.lock:
            index = self.requests
            self.requests += 1
            if index >= self.max_requests:
                self.refused_over_limit += 1
                return "over limit"
            if int((index + 1) * self.faults) > int(index * self.faults):
                self.faults_injected += 1
                return "500" if self.faults_injected % 2 else "cut"
        return None

    def answer(self, handler) -> None:
        body = self.files.get(handler.path)
        if body is None:
            return handler.send_error(404)
        fault = self._next_fault()
        if fault in ("500", "over limit"):
            return handler.send_error(500 if fault == "500" else 503)
        handler.send_response(200)
        handler.send_header("Content-Type", "application/octet-stream")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        sent = body if fault is None else body[: len(body) // 3]
        try:
            handler.wfile.write(sent)
            handler.wfile.flush()
        except OSError:  # the fetcher gave up on this response
            return
        finally:
            with self.lock:
                self.bytes_served += len(sent)
        if fault == "cut":
            handler.close_connection = True

    def stop(self) -> None:
        self.watchdog.cancel()
        if self.thread.is_alive():
            self.httpd.shutdown()
        self.httpd.server_close()


@dataclass
class RunResult:
    label: str
    fetchers: int
    faults: float
    verified: int
    corrupt_kept: int
    bytes_ratio: float
    slowest_seconds: float
    retries_logged: int
    requests: int
    killed: int
    failures: list  # the most common reasons the mirror failed a fetcher, with counts


def _lowest_priority() -> None:
    os.nice(19)  # clamped at the lowest priority, whatever this process's own niceness


def read_mirror_files(data: Path) -> dict[str, bytes]:
    folder = data / DATASET
    files = {f"/{DATASET}/{path.name}": path.read_bytes() for path in sorted(folder.glob("*.gz"))}
    if len(files) != 4:
        raise SystemExit(f"expected the 4 MNIST .gz files in {folder}; found {len(files)}")
    return files


def run(files: dict[str, bytes], fetchers: int, faults: float, backlog: int, retries: int | None,
        time_limit: float, label: str, fetch_only: bool = False) -> RunResult:
    """One run: a fresh mirror, ``fetchers`` processes at once, then every cache checked."""
    mirror = FaultyMirror(files, faults, backlog, max_requests=fetchers * len(files) * MAX_REQUESTS_PER_FILE,
                          stop_after=time_limit + 30)
    expected = {path.rsplit("/", 1)[1]: hashlib.sha256(body).hexdigest() for path, body in files.items()}
    work = Path(tempfile.mkdtemp(prefix="benchmark-mirror-"))
    processes, logs, started, ended = [], [], [], {}
    try:
        for index in range(fetchers):
            env = {key: value for key, value in os.environ.items() if not key.startswith("CNN_COURSE_DATA_")}
            env.update(CNN_COURSE_DATA_DIR=str(work / f"cache-{index}"), CNN_COURSE_DATA_MIRROR=mirror.url,
                       PYTHONPATH=str(REPOSITORY), PYTHONDONTWRITEBYTECODE="1")
            if retries is not None:
                env["CNN_COURSE_DATA_RETRIES"] = str(retries)
            log = open(work / f"fetcher-{index}.log", "w+b")
            logs.append(log)
            started.append(time.monotonic())
            command = [sys.executable, "-c", FETCHER] + (["--fetch-only"] if fetch_only else [])
            # The fetchers run at the lowest priority: in a class each has its own machine and
            # the mirror its own CPU, while here they share a few cores, and a mirror starved
            # of CPU by its own clients would measure this machine, not the download policy.
            processes.append(subprocess.Popen(command, env=env, cwd=work, stdout=log,
                                              stderr=subprocess.STDOUT, preexec_fn=_lowest_priority))
        give_up = time.monotonic() + time_limit
        killed = 0
        while len(ended) < fetchers:
            for index, process in enumerate(processes):
                if index not in ended and process.poll() is not None:
                    ended[index] = time.monotonic()
            if time.monotonic() > give_up:
                for index, process in enumerate(processes):
                    if index not in ended:
                        process.kill()  # only the fetchers this run started, by their own handle
                        process.wait()
                        ended[index] = time.monotonic()
                        killed += 1
            time.sleep(0.05)
        verified = corrupt = retries_logged = 0
        reasons = collections.Counter()
        for index, process in enumerate(processes):
            cache = work / f"cache-{index}" / DATASET
            kept = {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
                    for path in cache.glob("*.gz")} if cache.is_dir() else {}
            corrupt += sum(digest != expected[name] for name, digest in kept.items())
            verified += process.returncode == 0 and kept == expected
            logs[index].seek(0)
            text = logs[index].read().decode(errors="replace")
            retries_logged += text.count("trying again")
            if process.returncode != 0:  # why, in the fetcher's own words: its "Tried" lines
                reasons.update(line.split(": ", 1)[-1][:120] for line in text.splitlines()
                               if line.startswith("  - ") and "URL" in line and "127.0.0.1" in line)
        payload = fetchers * sum(len(body) for body in files.values())
        slowest = max(ended[index] - started[index] for index in range(fetchers))
        return RunResult(label, fetchers, faults, verified, corrupt, mirror.bytes_served / payload, slowest,
                         retries_logged, mirror.requests, killed, reasons.most_common(3))
    finally:
        for log in logs:
            log.close()
        mirror.stop()
        shutil.rmtree(work, ignore_errors=True)


def describe(result: RunResult) -> str:
    killed = f", {result.killed} killed at the time limit" if result.killed else ""
    return (f"{result.label:<22} verified {result.verified}/{result.fetchers}, corrupt files kept "
            f"{result.corrupt_kept}, bytes served/payload {result.bytes_ratio:.3f}x, slowest fetch "
            f"{result.slowest_seconds:.1f} s, retries {result.retries_logged} "
            f"({result.requests} requests{killed})"
            + "".join(f"\n    failed {count}x: {reason}" for reason, count in result.failures))


def main(argv: list[str] | None = None) -> list[RunResult]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fetchers", type=int, default=50, help="fetch processes at once (default 50)")
    parser.add_argument("--faults", type=float, default=0.1,
                        help="share of file requests answered with a 500 or a cut response (default 0.1)")
    parser.add_argument("--backlog", type=int, default=1024,
                        help="the mirror's accept backlog (default 1024; e.g. 4 for an overloaded mirror)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help=f"folder holding {DATASET}/*.gz (default ../shared/datasets)")
    parser.add_argument("--time-limit", type=float, default=300.0, help="seconds per run (default 300)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the run without retries")
    parser.add_argument("--fetch-only", action="store_true",
                        help="fetch and verify, without get's load into arrays (less memory)")
    args = parser.parse_args(argv)
    if not 1 <= args.fetchers <= MAX_FETCHERS:
        parser.error(f"--fetchers must be from 1 to {MAX_FETCHERS}")
    if not 0 <= args.faults < 1:
        parser.error("--faults must be at least 0 and below 1")
    if not 1 <= args.backlog <= 4096:
        parser.error("--backlog must be from 1 to 4096")
    files = read_mirror_files(args.data)
    print(f"{args.fetchers} fetchers of {DATASET} ({sum(map(len, files.values())) / 1e6:.1f} MB each), "
          f"{args.faults:.0%} faults, accept backlog {args.backlog}, CPU cores {os.cpu_count()}, "
          f"{'fetch only' if args.fetch_only else 'python -m data_download get'}", flush=True)
    results = [run(files, args.fetchers, args.faults, args.backlog, None, args.time_limit, "default retries",
                   args.fetch_only)]
    print(describe(results[0]), flush=True)
    if not args.no_baseline:
        results.append(run(files, args.fetchers, args.faults, args.backlog, 0, args.time_limit,
                           "baseline (retries=0)", args.fetch_only))
        print(describe(results[1]))
        new, old = results[0].verified, results[1].verified
        ratio = f"{new / old:.2f}x" if old else "inf"
        print(f"ratio of verified fetches, default retries over retries=0: {new}/{old} = {ratio}")
    return results


if __name__ == "__main__":
    main()
