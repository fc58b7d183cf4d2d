"""Where the slow queries spend their time, step by step.

    python bench/tail.py                    # ingests ../shared/data/orangesum-dev.jsonl.gz once
    python bench/tail.py --index PATH       # an index of it built before
    python bench/tail.py --slowest 0.05 --sets paragraphs
    python bench/tail.py --corpus ../shared/eval/orangesum-title-dev/corpus.jsonl.gz
                                            # the articles without their title and abstract

Times every query of each set (those of bench/speed.py: headlines, 1 to 3
words, pasted paragraphs) through ``Index.search(limit=10)`` as a script
would, then runs the slowest share of them again under cProfile and prints,
per query of that tail, the milliseconds of each step of a search: compiling
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


def timed(index: searchkit.Index, queries: list[str]) -> list[tuple[float, str]]:
    times = []
    for text in queries:
        started = time.perf_counter()
        try:
            index.search(text, limit=10, plain_text=True)
        except searchkit.QueryError:
            pass
        times.append((time.perf_counter() - started, text))
    return times


def step_times(index: searchkit.Index, queries: list[str]) -> dict[str, float]:
    """Seconds of each step over ``queries``, and of the whole searches."""
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for text in queries:
        try:
            index.search(text, limit=10, plain_text=True)
        except searchkit.QueryError:
            pass
    profile.disable()
    total = time.perf_counter() - started
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    found = {name: 0.0 for name in STEPS}
    for (filename, _, function), (_, _, _, cumulative, callers) in stats.items():
        for name, places in STEPS.items():
            if any(filename.endswith(ending) and function == wanted for ending, wanted in places):
                # A function called from itself would count twice: only calls from elsewhere.
                if not any(caller[2] == function and caller[0] == filename for caller in callers):
                    found[name] += cumulative
    found["(all, under the profiler)"] = total
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=speed.DATA, help="the articles to ingest (JSON lines)")
    parser.add_argument("--index", type=Path, help="an index of the corpus, built before")
    parser.add_argument("--slowest", type=float, default=0.05, help="the share of each set profiled")
    parser.add_argument("--sets", nargs="*", default=["titles", "1-3 words", "paragraphs"])
    args = parser.parse_args()
    titles = speed.title_queries()
    sets = {"titles": titles, "1-3 words": speed.short_queries(titles), "paragraphs": speed.paragraph_queries()}
    with tempfile.TemporaryDirectory() as tmp:
        index_path = args.index
        if index_path is None:
            index_path = Path(tmp) / "ix"
            print(speed.describe_ingest("1x", speed.ingest_in_child(args.corpus, index_path)))
        with searchkit.Index(index_path, create=False) as index:
            index.search("échauffement")  # open the searcher once, as a script would
            for name in args.sets:
                times = timed(index, sets[name])
                ms = sorted(seconds * 1000 for seconds, _ in times)
                slow = sorted(times, reverse=True)[:max(1, int(len(times) * args.slowest))]
                print(f"\n{name}: {len(times)} queries, p50 {statistics.median(ms):.1f} ms, "
                      f"p95 {ms[int(0.95 * len(ms))]:.1f} ms; the slowest {len(slow)} "
                      f"(from {slow[-1][0] * 1000:.0f} ms), per query:")
                found = step_times(index, [text for _, text in slow])
                steps = sum(seconds for step, seconds in found.items() if not step.startswith("("))
                found["(rest)"] = found["(all, under the profiler)"] - steps
                for step, seconds in found.items():
                    if seconds:
                        print(f"  {step:<26} {seconds * 1000 / len(slow):8.1f} ms")


if __name__ == "__main__":
    main()
