"""What counting every matching article and explaining the hits cost:
Index.search with a timeline, facets or explain=True beside the same queries
without, on the OrangeSum set.

    python bench/facets.py                    # ingests the corpus first (about a minute)
    python bench/facets.py --index DIR        # an index of it, built before

The queries are bench/speed.py's 1 to 3 words drawn from the OrangeSum
headlines. Every query is run once first (its postings and its articles' sources and
authors read), then each query in every mode in turn, the modes' order
rotating; medians per mode, of the same run. Last, "cold" empties the
session's cache of stored sources and authors before each query: what a
query whose articles were never counted pays. Then the wall time of `searchkit query` in a new
process (Whoosh's matchers, no fast scorer), with --timeline and without.
Do not time anything else on the machine meanwhile.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import speed

import searchkit

MODES: dict[str, dict[str, object]] = {
    "plain": {},
    "timeline": {"timeline": True},
    "month facet": {"facets": ("month",)},
    "explain": {"explain": True},
    "timeline + month, source, author": {"facets": ("month", "source", "author"), "timeline": True},
    "timeline + month, source, author cold": {"facets": ("month", "source", "author"), "timeline": True},
}


def timed(index: searchkit.Index, text: str, mode: str) -> tuple[float, int | None]:
    if mode.endswith("cold"):
        index._session().sources_authors.clear()  # noqa: SLF001 - what the mode measures
    started = time.perf_counter()
    try:
        result = index.search(text, limit=10, plain_text=True, **MODES[mode])  # type: ignore[arg-type]
    except searchkit.QueryError:
        return time.perf_counter() - started, None
    return time.perf_counter() - started, result.matched


def cli_wall(index_path: Path, text: str, extra: list[str], runs: int) -> float:
    walls = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "searchkit", "query", text, "--index", str(index_path), *extra],
                       check=True, capture_output=True)
        walls.append(time.perf_counter() - started)
    return statistics.median(walls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=speed.DATA, help="the articles to ingest (JSON lines)")
    parser.add_argument("--index", type=Path, help="an index of the corpus, built before")
    parser.add_argument("--cli-queries", type=int, default=5, help="queries timed through the CLI, 5 runs each")
    args = parser.parse_args()
    queries = speed.short_queries(speed.title_queries())
    with tempfile.TemporaryDirectory() as tmp:
        index_path = speed.corpus_index(args.index, args.corpus, tmp)
        with searchkit.Index(index_path, create=False) as index:
            for text in queries:  # every query's postings and articles' sources read once
                timed(index, text, "timeline + month, source, author")
            times: dict[str, list[float]] = {mode: [] for mode in MODES}
            matched = []
            names = [mode for mode in MODES if not mode.endswith("cold")]
            for number, text in enumerate(queries):
                for mode in names[number % len(names):] + names[:number % len(names)]:
                    seconds, count = timed(index, text, mode)
                    times[mode].append(seconds)
                    if mode == "timeline" and count is not None:
                        matched.append(count)
            # Last: each run empties the cache the warm modes rely on.
            times["timeline + month, source, author cold"] = [
                timed(index, text, "timeline + month, source, author cold")[0] for text in queries]
            print(f"{len(queries)} queries of 1 to 3 words on {len(index)} articles; "
                  f"matching articles per query: median {statistics.median(matched):.0f}, max {max(matched)}")
            plain = statistics.median(times["plain"])
            for mode, seconds in times.items():
                ms = sorted(s * 1000 for s in seconds)
                median = statistics.median(ms)
                print(f"  {mode:<40} median {median:6.2f} ms  p95 {ms[int(0.95 * len(ms))]:6.2f} ms"
                      f"  (+{median - plain * 1000:.2f} ms)")
        if args.cli_queries:
            print("searchkit query in a new process, median of 5 runs:")
            for text in queries[:args.cli_queries]:
                without = cli_wall(index_path, text, [], 5)
                with_timeline = cli_wall(index_path, text, ["--timeline"], 5)
                print(f"  {text!r:<36} {without * 1000:6.0f} ms, with --timeline {with_timeline * 1000:6.0f} ms")


if __name__ == "__main__":
    main()
