"""MaxScore against the exhaustive sum, on every query of the dev sets.

    python bench/pruning.py                        # every set in ../shared/eval
    python bench/pruning.py --index IX             # also the queries of bench/speed.py on IX

For each query of each set (its corpus ingested into a fresh index), the
fast scorer's best 10, 50 and 100 with pruning and without: the count of
queries whose documents and scores differ in any bit (must be 0), then the
median and p95 time of the best 50 (the depth the reranks read) both ways,
warm (the postings of the set read once before), and the postings added and
looked up against those an exhaustive sum adds. With --index, the same on
that index for the titles, 1-3 word queries and pasted paragraphs of
bench/speed.py.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import searchkit
from searchkit import QueryError
from searchkit.ranking.fastscore import FastScorer
from searchkit.search.compiling import compile_query

sys.path.insert(0, str(Path(__file__).resolve().parent))
import relevance  # noqa: E402
import speed  # noqa: E402

DEPTHS = (10, 50, 100)


def compare(index_path: Path, name: str, texts: list[str]) -> None:
    with searchkit.Index(index_path, create=False) as index:
        searcher = index.searcher()
        ranking = index.ranking
        scorer = FastScorer(searcher, ranking)
        queries = []
        for text in texts:
            try:
                compiled = compile_query(searcher, ranking, text, plain_text=True)
            except QueryError:
                continue
            if compiled.terms:
                queries.append(compiled)
        for compiled in queries:  # every posting list read once
            scorer.top(compiled.terms, 50, compiled.truncated, compiled.boosts, prune=False)
        differ = 0
        pruned_times, exhaustive_times = [], []
        lookups = []
        original = FastScorer._score_in

        def counted(self, term, family, boost, docs):  # type: ignore[no-untyped-def]
            lookups.append(len(docs))
            return original(self, term, family, boost, docs)

        looked_up = total = 0
        for compiled in queries:
            args = (compiled.terms, 50, compiled.truncated, compiled.boosts)
            started = time.perf_counter()
            exhaustive = scorer.top(*args, prune=False)
            exhaustive_times.append(time.perf_counter() - started)
            FastScorer._score_in = counted  # type: ignore[method-assign]
            lookups.clear()
            started = time.perf_counter()
            pruned = scorer.top(*args)
            pruned_times.append(time.perf_counter() - started)
            FastScorer._score_in = original  # type: ignore[method-assign]
            postings = sum(len(scorer._weights(term, compiled.truncated.get(term))[0])
                           for term in dict.fromkeys(compiled.terms))
            total += postings
            looked_up += sum(lookups)
            differ += pruned != exhaustive
            for depth in (10, 100):
                differ += scorer.top(compiled.terms, depth, compiled.truncated, compiled.boosts) != \
                    scorer.top(compiled.terms, depth, compiled.truncated, compiled.boosts, prune=False)

        def cut(times: list[float]) -> str:
            ordered = sorted(times)
            return (f"p50 {statistics.median(ordered) * 1000:.2f} ms, "
                    f"p95 {ordered[int(0.95 * (len(ordered) - 1))] * 1000:.2f} ms")

        ratio = statistics.median(np.array(pruned_times) / np.array(exhaustive_times))
        print(f"{name}: {len(queries)} queries x depths {DEPTHS}, differing: {differ}; best 50 "
              f"exhaustive {cut(exhaustive_times)}; pruned {cut(pruned_times)}; "
              f"median ratio pruned/exhaustive {ratio:.2f}; looked up {looked_up:,} "
              f"of {total:,} postings in the terms", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path, help="set folders (default: every set in ../shared/eval)")
    parser.add_argument("--index", type=Path, help="an index of orangesum-dev for bench/speed.py's queries")
    args = parser.parse_args()
    if args.index:
        titles = speed.title_queries()
        for name, texts in (("titles", titles), ("1-3 words", speed.short_queries(titles)),
                            ("paragraphs", speed.paragraph_queries())):
            compare(args.index, f"{args.index.name} {name}", texts)
        if not args.sets:
            return
    for folder in args.sets or sorted(p for p in relevance.EVAL_DIR.iterdir() if (p / "queries.tsv").exists()):
        with tempfile.TemporaryDirectory() as tmp:
            with searchkit.Index(Path(tmp) / "ix") as index:
                index.ingest([folder / "corpus.jsonl.gz"])
            compare(Path(tmp) / "ix", folder.name, [text for _, text in relevance.read_queries(folder / "queries.tsv")])


if __name__ == "__main__":
    main()
