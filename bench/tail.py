"""Where the slow queries spend their time, step by step.

    python bench/tail.py                    # ingests ../shared/data/orangesum-dev.jsonl.gz once
    python bench/tail.py --index PATH       # an index of it built before
    python bench/tail.py --slowest 0.05 --sets paragraphs
    python bench/tail.py --index IX10 --every-copy   # bench/speed.py's corpus ten times over
    python bench/tail.py --corpus ../shared/eval/orangesum-title-dev/corpus.jsonl.gz
                                            # the articles without their title and abstract

Runs every query of each set (those of bench/speed.py: headlines, 1 to 3
words, pasted paragraphs) through ``Index.search(limit=10)`` as a script
would: first under cProfile, as it comes (its terms' postings read from the
index: what a query costs the first time), then again timed without the
profiler, then under it once more (warm). For the slowest share of the first
runs, and of the warm runs, it prints the milliseconds of each step: compiling
the query, spelling corrections, BM25, the reranks (proximity, words as typed,
quoted passages), reading stored fields, reading positions, choosing and
marking passages. Steps nest in none of the others, so what is left is the
rest (ids, results, Python's own overhead). Do not time anything else on the
machine meanwhile.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import tempfile
import time
from pathlib import Path

import speed

import searchkit

# (module file ending, function name) of each step, as cProfile names them.
STEPS = {
    "compile query": [("search/compiling.py", "compile_query")],
    "spelling": [("search/spelling.py", "corrections")],
    "BM25 (fast scorer)": [("ranking/fastscore.py", "top")],
    "BM25 (Whoosh)": [("whoosh/searching.py", "search")],
    "proximity": [("ranking/proximity.py", "proximity_rerank")],
    "words as typed": [("ranking/exactwords.py", "exact_word_rerank")],
    "quoted passages": [("ranking/proximity.py", "quoted_rerank"), ("ranking/exactwords.py", "exact_phrase_rerank")],
    "stored fields": [("whoosh/searching.py", "stored_fields")],
    "positions": [("search/hits.py", "term_positions")],
    "passages": [("search/hits.py", "passage_hits")],
}


def _steps_of(profile: cProfile.Profile) -> dict[str, float]:
    """Seconds of each step in one profile."""
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    found = {name: 0.0 for name in STEPS}
    for (filename, _, function), (_, _, _, cumulative, callers) in stats.items():
        for name, places in STEPS.items():
            if any(filename.endswith(ending) and function == wanted for ending, wanted in places):
                # A function called from itself would count twice: only calls from elsewhere.
                if not any(caller[2] == function and caller[0] == filename for caller in callers):
                    found[name] += cumulative
    return found


EVERY_COPY = False  # --every-copy: each article of a group of copies its own hit


def _search(index: searchkit.Index, text: str) -> float:
    """Seconds of one search, as bench/speed.py runs them."""
    started = time.perf_counter()
    try:
        index.search(text, limit=10, plain_text=True, copies=EVERY_COPY)
    except searchkit.QueryError:
        pass
    return time.perf_counter() - started


def _profiled_search(index: searchkit.Index, text: str) -> tuple[float, dict[str, float]]:
    """Seconds of one search under the profiler, and of each of its steps."""
    profile = cProfile.Profile()
    profile.enable()
    seconds = _search(index, text)
    profile.disable()
    return seconds, _steps_of(profile)


def profiled(index: searchkit.Index, queries: list[str]) -> list[tuple[float, float, dict[str, float]]]:
    """(seconds without the profiler, with it, seconds of each step) of each
    query, run again (its postings read already)."""
    return [(_search(index, text), *_profiled_search(index, text)) for text in queries]


def cold_profiled(index: searchkit.Index, queries: list[str]) -> list[tuple[float, dict[str, float]]]:
    """(seconds under the profiler, seconds of each step) of each query, on
    its first run: what a cold query costs, reading postings included."""
    return [_profiled_search(index, text) for text in queries]


def report(label: str, rows: list[tuple[float, dict[str, float]]]) -> None:
    total = sum(seconds for seconds, _ in rows)
    steps = {name: sum(found[name] for _, found in rows) for name in STEPS}
    print(f"  {label} ({len(rows)} queries, from {min(s for s, _ in rows) * 1000:.0f} ms under the profiler), "
          "ms per query:")
    for step, seconds in steps.items():
        if seconds:
            print(f"    {step:<26} {seconds * 1000 / len(rows):8.1f}")
    print(f"    {'(rest)':<26} {(total - sum(steps.values())) * 1000 / len(rows):8.1f}")
    print(f"    {'(all, under the profiler)':<26} {total * 1000 / len(rows):8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=speed.DATA, help="the articles to ingest (JSON lines)")
    parser.add_argument("--index", type=Path, help="an index of the corpus, built before")
    parser.add_argument("--slowest", type=float, default=0.05, help="the share of each set profiled")
    parser.add_argument("--sets", nargs="*", default=["titles", "1-3 words", "paragraphs"])
    parser.add_argument("--every-copy", action="store_true",
                        help="each copy its own hit (for bench/speed.py's scaled corpus, all copies)")
    args = parser.parse_args()
    global EVERY_COPY
    EVERY_COPY = args.every_copy
    titles = speed.title_queries()
    sets = {"titles": titles, "1-3 words": speed.short_queries(titles), "paragraphs": speed.paragraph_queries()}
    with tempfile.TemporaryDirectory() as tmp:
        index_path = speed.corpus_index(args.index, args.corpus, tmp)
        with searchkit.Index(index_path, create=False) as index:
            index.search("échauffement")  # open the searcher once, as a script would
            for name in args.sets:
                queries = sets[name]
                share = max(1, int(len(queries) * args.slowest))
                # Each query's first run (cold: its terms' postings read from the
                # index), profiled; then timed without the profiler and profiled warm.
                cold = sorted(cold_profiled(index, queries), key=lambda row: -row[0])
                warm = profiled(index, queries)
                ms = sorted(seconds * 1000 for seconds, _, _ in warm)
                print(f"\n{name}: {len(queries)} queries; run again (warm, no profiler): "
                      f"p50 {statistics.median(ms):.1f} ms, p95 {ms[int(0.95 * len(ms))]:.1f} ms")
                report("the slowest on their first run", cold[:share])
                slowest = sorted(warm, key=lambda row: -row[0])[:share]
                report("the slowest warm", [(seconds, steps) for _, seconds, steps in slowest])


if __name__ == "__main__":
    main()
