"""Small corpora for ranking tests."""

import json
from pathlib import Path

import searchkit

FILLER = "marché voiture soleil montagne rivière forêt village château jardin musée orage".split()


def index_of(folder: Path, articles: dict[str, str]) -> Path:
    """An index in ``folder`` of ``articles`` (id -> text), beside one short
    article per filler word, so that idf counts."""
    articles = dict(articles)
    for number, word in enumerate(FILLER):
        articles[f"other{number}"] = f"{word} {FILLER[number - 1]} canal"
    with open(folder / "news.jsonl", "w", encoding="utf-8") as out:
        for article_id, text in articles.items():
            out.write(json.dumps({"id": article_id, "text": text}) + "\n")
    with searchkit.Index(folder / "ix") as ix:
        ix.ingest([folder / "news.jsonl"])
    return folder / "ix"
