"""`Index.similar` on ../shared/data/orangesum-dev.jsonl.gz: examples, speed,
and how much of the article the candidates share.

    python bench/similar.py                   # ingests the corpus into a temporary index
    python bench/similar.py --index /tmp/ix   # an index of it built already

Prints: for three articles, their titles and those of their five most
similar articles; the median and 95th percentile time of `Index.similar`
(limit 10) over 50 articles drawn at random, each asked once, after one
call that loads the fast scorer; then, for 400 other articles drawn at
random, how the best candidates of each (the ten first, before the copies are
left out) share its analysed terms (the Jaccard of the two term sets, which
``searchkit.search.similar.NEAR_COPY`` bounds), and how many the bound
leaves out. Do not time anything else on the machine meanwhile.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from searchkit import Index
from searchkit.search import similar

SHARED = Path(__file__).resolve().parents[2] / "shared"
DATA = SHARED / "data" / "orangesum-dev.jsonl.gz"
# A court case, a trial abroad, a diplomatic row: stories the corpus follows
# over several articles.
EXAMPLES = ["686", "2497", "18"]
SHOWN = 5
TIMED = 50
SHARED_TERMS = 400


def examples(index: Index) -> None:
    for article_id in EXAMPLES:
        article = index.get(article_id)
        if article is None:
            print(f"no article {article_id}")
            continue
        print(f"{article_id}  {article.date}  {article.title}")
        for hit in index.similar(article_id, limit=SHOWN).hits:
            print(f"    {hit.rank}. {hit.article_id:>6}  {hit.date}  {hit.title}")
        print()


def timing(index: Index, ids: list[str]) -> None:
    index.similar(ids[0])  # the fast scorer's field lengths, once
    seconds = []
    for article_id in ids[1:TIMED + 1]:
        started = time.perf_counter()
        index.similar(article_id)
        seconds.append(time.perf_counter() - started)
    seconds.sort()
    p95 = seconds[int(0.95 * (len(seconds) - 1))]
    print(f"Index.similar, limit 10, {len(seconds)} articles: median {statistics.median(seconds) * 1000:.1f} ms, "
          f"p95 {p95 * 1000:.1f} ms, max {seconds[-1] * 1000:.1f} ms")


def shared_terms(index: Index, ids: list[str]) -> None:
    session = index._session()
    scorer, searcher = session.fast_scorer(), session.searcher
    shares: Counter[str] = Counter()
    pairs = 0
    for article_id in ids:
        key = similar.key_terms(session, article_id)
        if not key.weights:
            continue
        best = max(key.weights.values())
        boosts = {term: weight / best for term, weight in key.weights.items()}
        for docnum, _ in scorer.top(list(key.weights), 11, boosts=boosts):
            if docnum == key.docnum:
                continue
            stored = searcher.stored_fields(docnum)
            share = similar.jaccard(key.terms, frozenset(similar._body_terms(stored, session.ranking.title_weight)))
            band = "< 0.4" if share < 0.4 else "0.4 to 0.8" if share < similar.NEAR_COPY else ">= 0.8 (left out)"
            shares[band] += 1
            pairs += 1
    print(f"Candidates of {len(ids)} articles (the 10 best of each): {pairs}; their Jaccard with the article:")
    for band in ("< 0.4", "0.4 to 0.8", ">= 0.8 (left out)"):
        print(f"    {band:<18} {shares[band]:>5}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", help="an index of the corpus built already")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        path = args.index
        if path is None:
            path = str(Path(scratch) / "index")
            subprocess.run([sys.executable, "-m", "searchkit", "ingest", str(DATA), "--index", path], check=True)
        with Index(path, create=False) as index:
            ids = sorted(index.article_ids())
            drawn = random.Random(7).sample(ids, TIMED + 1 + SHARED_TERMS)
            print(f"{len(ids)} articles\n")
            examples(index)
            timing(index, drawn[:TIMED + 1])
            shared_terms(index, drawn[TIMED + 1:])


if __name__ == "__main__":
    main()
