"""Do the ranking steps hold on queries they were not tuned on?

    python bench/heldout.py                  # 1500 queries a set, seed 7
    python bench/heldout.py --queries 500

The steps of the ranking were kept by what they did on the sets of
../shared/eval. This builds two query sets that are not there, from
../shared/data/orangesum-dev.jsonl.gz: the headlines of other articles than
those orangesum-title-dev asks for, and the abstracts (one or two sentences
written by the newsroom) of other articles again; each query finds the
article it comes from (and, in the abstracts' "story" set, any copy of it
another outlet ran: see stories()). The corpus is that of orangesum-title-dev: the same
articles, without their title and abstract. It is ingested once through the
library; then the dev set's queries and both new sets run with the ranking as
shipped, with each query-time step turned off in turn, and with all of them
off (BM25F over stems alone), then with tantivy as ../shared/eval/README.md
ranks its own sets (bench/anchor.py; needs `pip install '.[bench]'`), and
MRR@10 is printed for each; beside each variant, its difference from the
shipped ranking, with twice the standard error of that difference over the
set's queries (a difference inside it is noise).
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import random
import statistics
import tempfile
from dataclasses import fields, replace
from pathlib import Path

import anchor
import relevance

import searchkit
from searchkit import QueryError, Ranking

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "orangesum-dev.jsonl.gz"
DEV_SET = relevance.EVAL_DIR / "orangesum-title-dev"

SHIPPED = Ranking()
# Each query-time step, as the ranking that turns it off (the title weight is
# applied at ingest: the index is built once, with the shipped ranking).
STEPS = {
    "family words": replace(SHIPPED, family_weight=0.0),
    "capital initial": replace(SHIPPED, capital_weight=1.0),
    "proximity": replace(SHIPPED, proximity_weight=0.0),
    "words as typed": replace(SHIPPED, exact_word_weight=0.0),
    "quoted passages": replace(SHIPPED, quoted_weight=0.0),
}


def without_all(steps: dict[str, Ranking]) -> Ranking:
    """The shipped ranking with every step of ``steps`` turned off."""
    changed = {f.name: getattr(ranking, f.name) for ranking in steps.values() for f in fields(ranking)
               if getattr(ranking, f.name) != getattr(SHIPPED, f.name)}
    return replace(SHIPPED, **changed)


def build_sets(count: int, seed: int, folder: Path) -> dict[str, tuple[list[tuple[str, str]], dict[str, dict[str, int]]]]:
    """Write the corpus to ``folder`` and return the query sets (queries, qrels) by name."""
    asked = {doc for docs in relevance.read_qrels(DEV_SET / "qrels.tsv").values() for doc in docs}
    articles = []
    with gzip.open(DATA, "rt", encoding="utf-8") as data, \
            gzip.open(folder / "corpus.jsonl.gz", "wt", encoding="utf-8") as corpus:
        for line in data:
            record = json.loads(line)
            corpus.write(json.dumps({"id": record["id"], "date": record["date"], "text": record["text"]},
                                    ensure_ascii=False) + "\n")
            if record["id"] not in asked:
                articles.append(record)
    rng = random.Random(seed)
    titles = rng.sample([record for record in articles if record["title"].strip()], count)
    taken = {record["id"] for record in titles}
    abstracts = rng.sample([record for record in articles
                            if record["abstract"].strip() and record["id"] not in taken], count)
    sets = {}
    for name, field, sample in (("orangesum-title-heldout", "title", titles),
                                ("orangesum-abstract", "abstract", abstracts)):
        queries = [(f"{field}-{record['id']}", " ".join(record[field].split())) for record in sample]
        qrels = {qid: {qid.split("-", 1)[1]: 1} for qid, _ in queries}
        sets[name] = (queries, qrels)
    return sets


def stories(index: searchkit.Index, qrels: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """``qrels`` with every copy of a relevant article relevant too: the
    members of its group of copies (searchkit.storage.minhash), found from the
    articles' text alone, whatever the queries."""
    groups = index._session().copy_groups()
    return {qid: {member: grade for article, grade in relevant.items() for member in groups.members(article)}
            for qid, relevant in qrels.items()}


def reciprocal_ranks(index: searchkit.Index, queries: list[tuple[str, str]],
                     qrels: dict[str, dict[str, int]]) -> list[float]:
    """1/rank of each query's article in the first 10, else 0 (MRR@10 is their mean)."""
    ranks = []
    for qid, text in queries:
        try:
            ranked = index.rank_articles(text, limit=10, plain_text=True)
        except QueryError:
            ranked = []
        ranks.append(reciprocal_rank([article_id for article_id, _ in ranked], qrels.get(qid, {})))
    return ranks


def reciprocal_rank(ranked: list[str], relevant: dict[str, int]) -> float:
    found = [rank for rank, article_id in enumerate(ranked[:10], 1) if article_id in relevant]
    return 1 / found[0] if found else 0.0


def cell(ranks: list[float], shipped: list[float] | None) -> str:
    """MRR@10, and beside a variant its difference from the shipped ranking
    with twice the standard error of that paired difference."""
    mean = statistics.fmean(ranks)
    if shipped is None:
        return f"{mean:.4f}"
    differences = [a - b for a, b in zip(ranks, shipped)]
    error = 2 * statistics.stdev(differences) / math.sqrt(len(differences))
    return f"{mean:.4f} ({mean - statistics.fmean(shipped):+.4f} ±{error:.4f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=1500, help="queries in each new set")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--shipped-only", action="store_true", help="no row per step turned off")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sets = {"orangesum-title-dev (tuned on)": (relevance.read_queries(DEV_SET / "queries.tsv"),
                                                   relevance.read_qrels(DEV_SET / "qrels.tsv"))}
        sets.update(build_sets(args.queries, args.seed, folder))
        with searchkit.Index(folder / "index", ranking=SHIPPED) as index:
            report = index.ingest([folder / "corpus.jsonl.gz"])
            queries, qrels = sets["orangesum-abstract"]
            # Another outlet's copy of a dispatch holds the abstract its own
            # article lost: as relevant to the reader as the article itself.
            sets["orangesum-abstract-story"] = (queries, stories(index, qrels))
        copied = sum(len(relevant) > 1 for relevant in sets["orangesum-abstract-story"][1].values())
        print(f"corpus: {report.articles} articles ({copied} abstracts' articles have copies); MRR@10 of each set")
        configs = {"as shipped": SHIPPED}
        if not args.shipped_only:
            configs.update({f"without {step}": ranking for step, ranking in STEPS.items()})
        if not args.shipped_only:
            configs["BM25F over stems alone"] = without_all(STEPS)
        names = list(sets)
        print(f"{'ranking':<28}" + "".join(f"{name.split(' ')[0]:>32}" for name in names))
        print(f"{'':<28}" + "".join(f"{f'({len(sets[name][0])} queries)':>32}" for name in names))
        shipped = None
        for label, ranking in configs.items():
            with searchkit.Index(folder / "index", create=False, ranking=ranking) as index:
                ranks = [reciprocal_ranks(index, *sets[name]) for name in names]
            cells = [cell(r, s) for r, s in zip(ranks, shipped or [None] * len(ranks))]
            print(f"{label:<28}" + "".join(f"{c:>32}" for c in cells), flush=True)
            shipped = shipped or ranks
        # The anchor ../shared/eval/README.md gives for its own sets, on these.
        try:
            runs = anchor.tantivy_runs(folder / "corpus.jsonl.gz", {name: sets[name][0] for name in names})
        except ImportError:
            print("(tantivy is not installed: pip install '.[bench]' for its row)")
            return
        ranks = [[reciprocal_rank(runs[name][qid], sets[name][1].get(qid, {})) for qid, _ in sets[name][0]]
                 for name in names]
        cells = [cell(r, s) for r, s in zip(ranks, shipped or [])]
        print(f"{'tantivy (README anchor)':<28}" + "".join(f"{c:>32}" for c in cells), flush=True)

if __name__ == "__main__":
    main()
