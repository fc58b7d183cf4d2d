"""The tantivy anchor of ../shared/eval/README.md, for query sets it has no figure for.

    pip install '.[bench]'          # tantivy, for the benchmarks only
    python bench/anchor.py          # the eval sets: the README's tantivy figures again

As the README's anchor: tantivy 0.27, its simple tokenizer, lower case, ASCII
folding, French stop words and Snowball French stems; title and text in one
field; each query an OR of its words, punctuation removed; the first 100.
bench/heldout.py ranks its held-out sets with it too, beside searchkit.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from pathlib import Path

import relevance

DEPTH = 100
_NOT_WORD_RE = re.compile(r"\W+")


def tantivy_runs(corpus: Path, query_sets: dict[str, list[tuple[str, str]]]) -> dict[str, dict[str, list[str]]]:
    """For each named set of (qid, text) queries, the article ids tantivy
    ranks first for each query, over the articles of ``corpus`` (JSON Lines)."""
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("body", tokenizer_name="french")
    index = tantivy.Index(builder.build())
    analyzer = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    for token_filter in (tantivy.Filter.lowercase(), tantivy.Filter.ascii_fold(),
                         tantivy.Filter.stopword("french"), tantivy.Filter.stemmer("french")):
        analyzer = analyzer.filter(token_filter)
    index.register_tokenizer("french", analyzer.build())
    writer = index.writer(heap_size=200_000_000, num_threads=1)
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            writer.add_document(tantivy.Document(id=record["id"],
                                                 body=(record.get("title") or "") + "\n" + record["text"]))
    writer.commit()
    index.reload()
    searcher = index.searcher()
    runs: dict[str, dict[str, list[str]]] = {}
    for name, queries in query_sets.items():
        run = runs[name] = {}
        for qid, text in queries:
            words = _NOT_WORD_RE.sub(" ", text).strip()
            try:
                query = index.parse_query(words, ["body"]) if words else None
            except ValueError:  # only stop words
                query = None
            hits = searcher.search(query, DEPTH).hits if query is not None else []
            run[qid] = [searcher.doc(address)["id"][0] for _, address in hits]
    return runs


def main() -> None:
    sets = [Path(arg) for arg in sys.argv[1:]] or sorted(
        p for p in relevance.EVAL_DIR.iterdir() if (p / "qrels.tsv").exists())
    for set_dir in sets:
        queries = relevance.read_queries(set_dir / "queries.tsv")
        run = tantivy_runs(set_dir / "corpus.jsonl.gz", {set_dir.name: queries})[set_dir.name]
        scores = relevance.evaluate(run, relevance.read_qrels(set_dir / "qrels.tsv"))
        anchor = relevance.ANCHORS.get(set_dir.name, {}).get("tantivy")
        print(f"{set_dir.name}: tantivy MRR@10 {scores['MRR@10']:.4f}"
              + (f" (README: {anchor:.3f})" if anchor else ""), flush=True)


if __name__ == "__main__":
    main()
