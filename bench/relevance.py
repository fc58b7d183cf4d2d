"""Relevance of searchkit on the test sets in ../shared/eval (or sets given).

    python bench/relevance.py                       # every set in ../shared/eval
    python bench/relevance.py ../shared/eval/piaf   # one set
    python bench/relevance.py --runs runs/          # also write the TREC runs

For each set: ingest its corpus into a fresh index through the library, run
its queries through the path of `searchkit query --batch --format trec`, and
print article-level MRR@10, Success@1, Success@10, nDCG@10 and Recall@100 beside
the anchors of ../shared/eval/README.md, with the ingest time and the median
query time. A query with no relevant article in the top 100 scores 0.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

import searchkit
from searchkit import QueryError

EVAL_DIR = Path(__file__).resolve().parents[2] / "shared" / "eval"
DEPTH = 100
# MRR@10 measured in ../shared/eval/README.md.
ANCHORS = {
    "orangesum-title-dev": {"Lucene french": 0.730, "tantivy": 0.726, "plain Whoosh": 0.721},
    "piaf": {"Lucene french": 0.766, "Lucene + folding": 0.771, "tantivy": 0.772, "plain Whoosh": 0.748},
    "wikinews-keyphrases": {"Lucene french": 0.901, "tantivy": 0.899, "plain Whoosh": 0.897},
}


def read_queries(path: Path) -> list[tuple[str, str]]:
    queries = []
    for line in path.read_text("utf-8").splitlines():
        qid, _, text = line.partition("\t")
        if qid:
            queries.append((qid, text))
    return queries


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    for line in path.read_text("utf-8").splitlines():
        parts = line.split()
        if len(parts) == 4 and int(parts[3]) > 0:
            qrels.setdefault(parts[0], {})[parts[2]] = int(parts[3])
    return qrels


def evaluate(run: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    totals = {"MRR@10": 0.0, "S@1": 0.0, "S@10": 0.0, "nDCG@10": 0.0, "R@100": 0.0}
    for qid, relevant in qrels.items():
        ranked = run.get(qid, [])[:DEPTH]
        first = next((i for i, doc in enumerate(ranked) if doc in relevant), None)
        if first is not None and first < 10:
            totals["MRR@10"] += 1 / (first + 1)
            totals["S@10"] += 1
            totals["S@1"] += first == 0
        dcg = sum(
            (2 ** relevant.get(doc, 0) - 1) / math.log2(i + 2) for i, doc in enumerate(ranked[:10])
        )
        ideal = sorted(relevant.values(), reverse=True)[:10]
        idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
        totals["nDCG@10"] += dcg / idcg if idcg else 0.0
        totals["R@100"] += len(set(ranked) & set(relevant)) / len(relevant)
    return {name: value / len(qrels) for name, value in totals.items()}


def write_run(path: Path, run: dict[str, list[str]], tag: str) -> None:
    """The run in TREC format (qid Q0 docid rank score tag), for trec_eval or a diff."""
    with path.open("w", encoding="utf-8") as out:
        for qid, ranked in run.items():
            for rank, article_id in enumerate(ranked, 1):
                out.write(f"{qid} Q0 {article_id} {rank} {len(ranked) - rank + 1} {tag}\n")


def ranked_run(index, queries: list[tuple[str, str]], plain: bool = True
               ) -> tuple[dict[str, list[str]], list[float], int]:
    """The best DEPTH article ids of each query, the seconds of each, and
    how many the parser rejected (an empty run for those)."""
    run: dict[str, list[str]] = {}
    times = []
    failed = 0
    for qid, text in queries:
        started = time.perf_counter()
        try:
            ranked = index.rank_articles(text, limit=DEPTH, plain_text=plain)
        except QueryError:
            ranked = []
            failed += 1
        times.append(time.perf_counter() - started)
        run[qid] = [article_id for article_id, _ in ranked]
    return run, times, failed


def run_set(set_dir: Path, plain: bool, runs: Path | None = None) -> None:
    queries = read_queries(set_dir / "queries.tsv")
    qrels = read_qrels(set_dir / "qrels.tsv")
    with tempfile.TemporaryDirectory() as tmp, searchkit.Index(Path(tmp) / "index") as index:
        report = index.ingest([set_dir / "corpus.jsonl.gz"])
        run, times, failed = ranked_run(index, queries, plain)
    scores = evaluate(run, qrels)
    if runs is not None:
        runs.mkdir(parents=True, exist_ok=True)
        write_run(runs / f"{set_dir.name}.trec", run, "searchkit")
    print(f"\n## {set_dir.name}: {report.articles} articles, {len(queries)} queries"
          f"{f', {failed} rejected by the parser' if failed else ''}")
    print(f"ingest {report.seconds:.1f} s, median query {statistics.median(times) * 1000:.1f} ms")
    print("  ".join(f"{name} {value:.4f}" for name, value in scores.items()))
    anchors = ANCHORS.get(set_dir.name)
    if anchors:
        print("anchors MRR@10: " + ", ".join(f"{name} {value:.3f}" for name, value in anchors.items()))
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path, help="set folders (default: all in ../shared/eval)")
    parser.add_argument("--syntax", action="store_true",
                        help="read queries with the query syntax (default: as plain words)")
    parser.add_argument("--runs", type=Path, metavar="DIR",
                        help="also write each set's run to DIR/<set>.trec")
    args = parser.parse_args()
    sets = args.sets or sorted(p for p in EVAL_DIR.iterdir() if (p / "qrels.tsv").exists())
    for set_dir in sets:
        run_set(set_dir, plain=not args.syntax, runs=args.runs)


if __name__ == "__main__":
    main()
