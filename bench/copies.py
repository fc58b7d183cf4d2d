"""Groups of copies on copies made from ../shared/data/orangesum-dev.jsonl.gz:
precision and recall, and the cost of the signatures at ingest.

    python bench/copies.py quality                 # the 5,000-article set, groups by threshold
    python bench/copies.py quality --index         # and through an index built of it
    python bench/copies.py quality --cut 0.25      # copies cut harder: about 80% of the words kept
    python bench/copies.py ingest                  # ingest the whole corpus once (time it from outside)
    python bench/copies.py regroup                 # what grouping costs each commit on the whole corpus

quality: of the first articles of the corpus, COPIED get 1 to 3 copies each,
as an agency dispatch is taken up by other sites: the headline rewritten, a
block of sentences cut (the corpus has no paragraphs), a sentence of another
article added, an agency line put before the text; each copy keeps about 80%
of the words of its original. With the others, ARTICLES articles. The groups
found are compared with those made, pair by pair: precision is the share of
the pairs put in one group that were made copies, recall the share of the
pairs made copies that were put in one group. Pairs of the corpus's own
articles found in one group are printed apart: the corpus holds a few real
copies, which count against precision here.

ingest: the 31,034 articles ingested into a new temporary index: the
command to time, with /usr/bin/time -v or a harness of its own, against the
same command run with PYTHONPATH naming a checkout of a version without
signatures (it imports searchkit only, so it runs with either).

regroup: the corpus ingested once, then a day's ingest of one new article
timed (every commit groups every article anew), and the parts of it: reading
the signatures' column, grouping them.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
DATA = SHARED / "data" / "orangesum-dev.jsonl.gz"
ARTICLES = 5_000
COPIED = 230
THRESHOLDS = (0.4, 0.45, 0.5, 0.6, 0.7, 0.8)
AGENCIES = ("(AFP) - ", "(Reuters) - ", "(AFP) — ", "Paris (AFP) - ")
SITES = ("lemonde.fr", "20minutes.fr", "lefigaro.fr", "liberation.fr", "ouest-france.fr", "francetvinfo.fr")
_SENTENCE_END = re.compile(r"(?<=[.!?])(?=\S)|(?<=[.!?])\s+")


def read_corpus(count: int | None = None) -> list[dict]:
    articles = []
    with gzip.open(DATA, "rt", encoding="utf-8") as lines:
        for line in lines:
            articles.append(json.loads(line))
            if count is not None and len(articles) == count:
                break
    return articles


def sentences(text: str) -> list[str]:
    return [part for part in _SENTENCE_END.split(text) if part.strip()]


def make_copy(original: dict, other: dict, rng: random.Random, number: int, cut_share: float = 0.15) -> dict:
    """A copy of ``original``: a new headline, a block of its sentences cut,
    a sentence of ``other`` added, an agency line before the text."""
    parts = sentences(original["text"])
    words = sum(len(part.split()) for part in parts)
    if len(parts) > 3:
        # A block of sentences of at most 15% of the words (one sentence at
        # least), not the first: a paragraph cut, about 80% of the words kept
        # with the sentence and agency line added.
        start = rng.randrange(1, len(parts) - 1)
        end, cut = start + 1, len(parts[start].split())
        while end < len(parts) - 1 and cut + len(parts[end].split()) <= cut_share * words:
            cut += len(parts[end].split())
            end += 1
        parts = parts[:start] + parts[end:]
    added = rng.choice(sentences(other["text"]) or [other["title"]])
    parts.insert(rng.randrange(1, len(parts) + 1), added)
    title = original["title"].split(":")[-1].strip() + " : " + rng.choice(("ce qu'il faut savoir", "les détails",
                                                                            "ce que l'on sait"))
    # The lead (abstract) kept: searchkit puts it before the text, as a site's page does.
    return {"id": f"{original['id']}-copy{number}", "title": title, "date": original.get("date"),
            "abstract": original.get("abstract"), "source": rng.choice(SITES),
            "text": rng.choice(AGENCIES) + " ".join(parts)}


def copy_set(seed: int = 7, cut_share: float = 0.15) -> tuple[list[dict], list[list[str]]]:
    """ARTICLES articles, COPIED of them with their copies; and the groups made."""
    rng = random.Random(seed)
    corpus = read_corpus(ARTICLES + 200)
    others = corpus[ARTICLES:]
    # Originals from the articles kept whatever the count of copies (at most 3 each).
    originals = [a for a in corpus[:ARTICLES - 3 * COPIED] if len(a["text"].split()) >= 60]
    groups, copies = [], []
    for original in rng.sample(originals, COPIED):
        made = [make_copy(original, rng.choice(others), rng, n, cut_share) for n in range(1, rng.randint(1, 3) + 1)]
        groups.append([original["id"], *(copy["id"] for copy in made)])
        copies.extend(made)
    return corpus[:ARTICLES - len(copies)] + copies, groups


def lead_and_text(article: dict) -> str:
    """The text searchkit indexes of an article: its lead, then its text."""
    return f"{article['abstract']}\n\n{article['text']}" if article.get("abstract") else article["text"]


def copy_words(article: dict) -> set[str]:
    return set(lead_and_text(article).split())


def kept_words(original: str, copy: str) -> float:
    ours = set(original.split())
    return len(ours & set(copy.split())) / len(ours)


def pairs(groups: list[list[str]]) -> set[tuple[str, str]]:
    return {tuple(sorted(pair)) for group in groups for pair in combinations(group, 2)}  # type: ignore[misc]


def score(found: list[list[str]], made: list[list[str]], label: str, made_ids: set[str]) -> None:
    """Pair precision and recall. Precision counts the pairs found that hold
    an article of the groups made: pairs of two of the corpus's own articles
    are its real copies or not, which the groups made cannot say."""
    found_pairs, made_pairs = pairs(found), pairs(made)
    right = found_pairs & made_pairs
    judged = {pair for pair in found_pairs if set(pair) & made_ids}
    precision = len(right) / len(judged) if judged else 1.0
    recall = len(right) / len(made_pairs) if made_pairs else 1.0
    print(f"{label:<16} groups {len(found):4d}  pairs {len(judged):4d}  precision {precision:.3f}  "
          f"recall {recall:.3f}  (and {len(found_pairs - judged)} pairs of the corpus's own articles)")


def recall_by_kept(found: list[list[str]], made: list[list[str]], by_id: dict[str, dict]) -> None:
    """The share of copies found in their original's group, by the share of its words they keep."""
    group_of = {member: number for number, group in enumerate(found) for member in group}
    shares: dict[str, list[bool]] = {}
    for group in made:
        for member in group[1:]:
            kept = kept_words(lead_and_text(by_id[group[0]]), lead_and_text(by_id[member]))
            share = "<= 0.80" if kept <= 0.80 else "0.80 to 0.85" if kept <= 0.85 else "> 0.85"
            shares.setdefault(share, []).append(group_of.get(member, -1) == group_of.get(group[0], -2))
    print(f"{'':<16} " + ", ".join(f"words kept {share}: {sum(found) / len(found):.3f} of {len(found)}"
                                   for share, found in sorted(shares.items())))


def quality(through_index: bool, cut_share: float) -> None:
    from searchkit.analysis.french import index_tokens
    from searchkit.storage import minhash

    articles, made = copy_set(cut_share=cut_share)
    by_id = {a["id"]: a for a in articles}
    made_ids = {member for group in made for member in group}
    ratios = sorted(kept_words(lead_and_text(by_id[g[0]]), lead_and_text(by_id[m])) for g in made for m in g[1:])
    shares = sorted(len(copy_words(by_id[m]) & copy_words(by_id[g[0]])) / len(copy_words(by_id[m]))
                    for g in made for m in g[1:])
    print(f"{len(articles)} articles, {len(made)} groups made, {sum(len(g) - 1 for g in made)} copies; "
          f"words of the original kept by a copy: median {ratios[len(ratios) // 2]:.2f}, "
          f"min {ratios[0]:.2f}; words of a copy from its original: median {shares[len(shares) // 2]:.2f}, "
          f"min {shares[0]:.2f}")
    started = time.perf_counter()
    signatures = [(a["id"], a.get("date"), minhash.signature([t for t, _ in index_tokens(lead_and_text(a))]))
                  for a in articles]
    print(f"signatures: {time.perf_counter() - started:.2f} s for {len(articles)} articles")
    for threshold in THRESHOLDS:
        started = time.perf_counter()
        found = minhash.copy_groups(signatures, threshold)
        seconds = time.perf_counter() - started
        score(found, made, f"similarity {threshold}", made_ids)
        recall_by_kept(found, made, by_id)
        print(f"{'':<16} grouping {seconds:.2f} s")
    if through_index:
        from searchkit import Index

        with tempfile.TemporaryDirectory() as folder:
            news = Path(folder) / "news.jsonl"
            news.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), "utf-8")
            with Index(Path(folder) / "index") as index:
                index.ingest([news])
                found = index.copy_groups()
            score(found, made, "index", made_ids)


def ingest() -> None:
    from searchkit import Index

    with tempfile.TemporaryDirectory() as folder, Index(Path(folder) / "index") as index:
        report = index.ingest([DATA])
    print(report.summary(), file=sys.stderr)


def regroup() -> None:
    from searchkit import Index
    from searchkit.storage import minhash

    with tempfile.TemporaryDirectory() as folder, Index(Path(folder) / "index") as index:
        report = index.ingest([DATA])
        print(f"ingest: {report.summary()}")
        one = Path(folder) / "day.jsonl"
        one.write_text(json.dumps({"id": "day-1", "text": "Un article du jour. " * 40}) + "\n", "utf-8")
        started = time.perf_counter()
        index.ingest([one])
        print(f"a day's ingest of 1 article into {len(index)}: {time.perf_counter() - started:.2f} s")
        reader = index.searcher().reader()
        started = time.perf_counter()
        signed = list(zip(reader.column_reader("id"), reader.column_reader("date"), reader.column_reader("copy_sig")))
        read = time.perf_counter() - started
        started = time.perf_counter()
        groups = minhash.copy_groups((i, d or None, s) for i, d, s in signed)
        print(f"of which reading {len(signed)} signatures {read:.2f} s, grouping them {time.perf_counter() - started:.2f} s"
              f" ({len(groups)} groups, {sum(map(len, groups))} articles)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    asked = commands.add_parser("quality")
    asked.add_argument("--index", action="store_true", help="also through an index of the set")
    asked.add_argument("--cut", type=float, default=0.15, help="the largest share of words a copy's cut takes")
    commands.add_parser("ingest")
    commands.add_parser("regroup")
    arguments = parser.parse_args()
    if arguments.command == "quality":
        quality(arguments.index, arguments.cut)
    elif arguments.command == "regroup":
        regroup()
    else:
        ingest()


if __name__ == "__main__":
    main()
