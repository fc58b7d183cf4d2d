"""Load on `searchkit serve`: concurrent clients on /api/search, on loopback.

    python bench/serve.py INDEX                          # 20 clients for 30 s
    python bench/serve.py INDEX --ingest extra.jsonl.gz  # then again while extra articles are ingested

INDEX is served by `searchkit serve` in a child process on a free
127.0.0.1 port (nothing else is contacted). Each client keeps one HTTP
connection and sends /api/search queries in turn (plain words, as pasted), the OrangeSum headlines
and 1 to 3 words drawn from them (bench/speed.py's), each client starting
at another place in the list. First, the baseline: the same queries through
Index.search in this process, one at a time, for a few seconds. Prints
throughput, p50/p95/p99 latency and the errors (any answer but 200).

With --ingest PATH, a second run starts `searchkit ingest PATH --index INDEX`
after 5 s and goes on until 5 s after it has committed (30 s at least): the
requests sent while it ran and those after its commit are given apart, and
the article count the API gives before and after shows the commit served. The ingest writes into INDEX: give a copy.
Do not time anything else on the machine meanwhile; the clients and the
server share its cores.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import urlencode

import speed

import searchkit


WARM_UP = 20  # queries run before anything is timed
AFTER_COMMIT = 5.0  # seconds the clients go on after an ingest commits


@dataclass
class Sample:
    started: float
    seconds: float
    status: int  # 0: no answer (connection failed)


@dataclass
class Run:
    samples: list[Sample] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def queries() -> list[str]:
    titles = speed.title_queries()
    short = speed.short_queries(titles, 1000)
    mixed = [query for pair in zip(titles, short) for query in pair]
    return [query for query in mixed if searchkit.terms(query)]  # not only stop words: those get a 400


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(connection: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    connection.request("GET", path)
    answer = connection.getresponse()
    return answer.status, answer.read()


def client(port: int, texts: list[str], offset: int, until: float, run: Run, lock: threading.Lock,
           going: threading.Event) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    samples, number = [], offset
    while (started := time.perf_counter()) < until or going.is_set():
        path = "/api/search?" + urlencode({"q": texts[number % len(texts)], "plain": 1})
        number += 1
        try:
            status, _ = get(connection, path)
        except (OSError, http.client.HTTPException) as error:
            status = 0
            with lock:
                run.failures.append(f"{type(error).__name__}: {error}")
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        samples.append(Sample(started, time.perf_counter() - started, status))
    connection.close()
    with lock:
        run.samples.extend(samples)


def load(port: int, texts: list[str], clients: int, seconds: float,
         going: threading.Event | None = None) -> tuple[Run, float, float]:
    """``clients`` searching for ``seconds``, and on while ``going`` is set."""
    run, lock = Run(), threading.Lock()
    begun = time.perf_counter()
    until = begun + seconds
    going = going or threading.Event()
    threads = [threading.Thread(target=client, args=(port, texts, n * len(texts) // clients, until, run, lock,
                                                     going))
               for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return run, begun, time.perf_counter()


def describe(label: str, samples: list[Sample], seconds: float) -> str:
    if not samples:
        return f"  {label:<28} no requests"
    ms = sorted(sample.seconds * 1000 for sample in samples)
    pick = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]  # noqa: E731
    errors = Counter(sample.status for sample in samples if sample.status != 200)
    said = ", ".join(f"{count} of status {status}" for status, count in sorted(errors.items()))
    return (f"  {label:<28} {len(samples):6d} requests {len(samples) / seconds:7.1f}/s  "
            f"p50 {statistics.median(ms):6.1f}  p95 {pick(0.95):6.1f}  p99 {pick(0.99):6.1f} ms  "
            f"errors {sum(errors.values())}{f' ({said})' if said else ''}")


def baseline(index_path: Path, texts: list[str], seconds: float) -> str:
    """Index.search in this process, one query at a time: what the server adds to."""
    times = []
    with searchkit.Index(index_path, create=False) as index:
        for text in texts[-WARM_UP:]:  # numpy, the fast scorer and the first postings loaded
            index.search(text, plain_text=True)
        until = time.perf_counter() + seconds
        number = 0
        while time.perf_counter() < until:
            started = time.perf_counter()
            index.search(texts[number % len(texts)], plain_text=True)
            times.append(Sample(started, time.perf_counter() - started, 200))
            number += 1
    return describe("Index.search, 1 thread", times, seconds)


def start_server(index_path: Path, port: int, texts: list[str], log: IO[bytes]) -> subprocess.Popen[bytes]:
    server = subprocess.Popen([sys.executable, "-m", "searchkit", "serve", "--index", str(index_path),
                               "--port", str(port)], stderr=log)
    for _ in range(200):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            if get(connection, "/api/stats")[0] == 200:
                for text in texts[-WARM_UP:]:  # as the baseline was
                    get(connection, "/api/search?" + urlencode({"q": text, "plain": 1}))
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("searchkit serve did not answer")


def articles(port: int) -> int:
    return json.loads(get(http.client.HTTPConnection("127.0.0.1", port, timeout=30), "/api/stats")[1])["articles"]


def with_ingest(port: int, index_path: Path, extra: Path, texts: list[str], args: argparse.Namespace) -> None:
    """The load again, an ingest of ``extra`` starting after 5 s; the clients
    go on until 5 s after it has committed."""
    before = articles(port)
    window: list[float] = []
    going = threading.Event()
    going.set()

    def ingest() -> None:
        time.sleep(5)
        window.append(time.perf_counter())
        subprocess.run([sys.executable, "-m", "searchkit", "ingest", str(extra), "--index", str(index_path)],
                       check=True, capture_output=True)
        window.append(time.perf_counter())
        time.sleep(AFTER_COMMIT)
        going.clear()

    ingesting = threading.Thread(target=ingest)
    ingesting.start()
    run, begun, ended = load(port, texts, args.clients, args.seconds, going)
    ingesting.join()
    after = articles(port)
    print(f"with `searchkit ingest {extra.name}` running from {window[0] - begun:.1f} s to "
          f"{window[1] - begun:.1f} s (articles served: {before:,} before, {after:,} after):")
    print(describe(f"{ended - begun:.0f} s in all", run.samples, ended - begun))
    print(describe("during the ingest", [s for s in run.samples if window[0] <= s.started <= window[1]],
                   window[1] - window[0]))
    print(describe(f"{AFTER_COMMIT:.0f} s after its commit", [s for s in run.samples if s.started > window[1]],
                   ended - window[1]))
    for failure in sorted(set(run.failures))[:5]:
        print(f"  failure: {failure}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index", type=Path, help="the index to serve")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--baseline-seconds", type=float, default=5.0)
    parser.add_argument("--ingest", type=Path, help="articles to ingest into INDEX during a second run")
    args = parser.parse_args()
    texts = queries()
    print(f"{len(texts)} queries (OrangeSum headlines and 1 to 3 of their words); {args.clients} clients, "
          f"{args.seconds:.0f} s, on 127.0.0.1")
    print(baseline(args.index, texts, args.baseline_seconds))
    port = free_port()
    log = tempfile.TemporaryFile()
    server = start_server(args.index, port, texts, log)
    try:
        run, begun, ended = load(port, texts, args.clients, args.seconds)
        print(describe(f"/api/search, {args.clients} clients", run.samples, ended - begun))
        for failure in sorted(set(run.failures))[:5]:
            print(f"  failure: {failure}")
        if args.ingest is not None:
            with_ingest(port, args.index, args.ingest, texts, args)
    finally:
        server.terminate()
        server.wait(10)
        log.seek(0)
        said = log.read().decode("utf-8", "replace").splitlines()[1:]  # after the line saying where it listens
        for line in said[:10]:
            print(f"  server: {line}")


if __name__ == "__main__":
    main()
