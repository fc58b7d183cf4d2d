"""Small corpora for ranking tests."""

import json
import random
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


# What a spreadsheet export must carry through: commas, quotes, semicolons,
# a newline inside a paragraph, accents.
TRICKY = ['virgule, ici', 'des "guillemets"', 'point; virgule', 'ligne\ncoupée', 'accents éèçàœ «»']


def export_articles(folder: Path, count: int, word: str = "Tombouctou") -> Path:
    """A JSON Lines file of ``count`` articles of two paragraphs each, both
    holding ``word`` (one to five times, so that scores differ), their
    titles, sources and paragraphs holding what CSV must quote; and, beside
    them, one article per filler word without ``word``."""
    rows = []
    for number in range(count):
        tricky = TRICKY[number % len(TRICKY)]
        paragraphs = [
            # The first line long: not read as a headline.
            " ".join([f"Paragraphe {part} de l'article {number} sur {word}.",
                      *([word] * (1 + (number + part) % 5)),
                      # Drawn apart for each article: not copies of each other (searchkit.storage.minhash).
                      *random.Random(number * 3 + part).choices(FILLER, k=40), f"({tricky})."])
            for part in (1, 2)
        ]
        rows.append({"id": f"art{number:04d}", "title": f"Titre {number}: {tricky}",
                     "text": "\n\n".join(paragraphs), "date": f"2016-{1 + number % 12:02d}-{1 + number % 28:02d}",
                     "source": "Le Monde, Paris" if number % 2 else None, "author": f'Jean "{number}"',
                     "url": f"https://example.org/{number}?a=1,2"})
    rows += [{"id": f"other{number}", "text": f"{filler} {FILLER[number - 1]} canal " * 20}
             for number, filler in enumerate(FILLER)]
    path = folder / "export.jsonl"
    path.write_text("".join(json.dumps({k: v for k, v in row.items() if v is not None}) + "\n" for row in rows),
                    "utf-8")
    return path
