"""Query latency and CLI start-up on ../shared/data/orangesum-dev.jsonl.gz.

    python bench/speed.py               # 1x corpus
    python bench/speed.py --scale 10    # also a corpus ten times larger (long)
    python bench/speed.py --scale 10 --scale-only
    python bench/speed.py --index IX --scale 10 --scaled-index IX10   # indexes already built

Prints, from one run: p50 / p95 / p99 latency of top-10 queries with
highlighted passages for three query sets (the OrangeSum titles, 1 to 3 word
queries drawn from them, and 300 pasted paragraphs: abstracts of 25 words or
more), beside plain Whoosh (LanguageAnalyzer('fr'), default
searcher, top 10 with highlights) on the same articles; then the wall time of
`searchkit query` in a new process beside `python -c pass`. With --scale N, the
same latencies on the corpus repeated N times with new ids (each copy's texts
marked, as exact duplicates are indexed once), with that build's
ingest time and peak memory; there every article is one of a group of N
copies, so its queries show each copy (copies=True), as a corpus N times
larger would. Do not time anything else on the machine meanwhile.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
DATA = SHARED / "data" / "orangesum-dev.jsonl.gz"
TITLES = SHARED / "eval" / "orangesum-title-dev" / "queries.tsv"
STOP = {"le", "la", "les", "de", "des", "du", "un", "une", "et", "en", "a", "à", "au", "aux", "pour", "sur",
        "dans", "par", "est", "qui", "que", "avec", "son", "sa", "ses", "ce", "cette", "il", "elle", "d", "l"}


def title_queries() -> list[str]:
    return [line.split("\t", 1)[1] for line in TITLES.read_text("utf-8").splitlines() if "\t" in line]


def short_queries(titles: list[str], count: int = 500) -> list[str]:
    rng = random.Random(7)
    queries = []
    for title in rng.sample(titles, min(count, len(titles))):
        words = [w for w in re.findall(r"\w+", title) if w.lower() not in STOP and len(w) > 2]
        if words:
            start = rng.randrange(len(words))
            queries.append(" ".join(words[start:start + rng.randint(1, 3)]))
    return queries


def paragraph_queries(count: int = 300, min_words: int = 25) -> list[str]:
    """Pasted paragraphs: abstracts of the corpus of at least ``min_words``
    words ("where does this text come from?")."""
    with gzip.open(DATA, "rt", encoding="utf-8") as lines:
        abstracts = [article["abstract"] for article in map(json.loads, lines)
                     if len(article.get("abstract", "").split()) >= min_words]
    return random.Random(7).sample(abstracts, min(count, len(abstracts)))


def percentiles(times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    pick = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]  # noqa: E731
    return f"p50 {statistics.median(ms):7.1f}  p95 {pick(0.95):7.1f}  p99 {pick(0.99):7.1f} ms"


def time_searchkit(index_path: Path, queries: list[str], copies: bool = False) -> list[float]:
    import searchkit

    times = []
    with searchkit.Index(index_path, create=False) as index:
        index.search("échauffement")  # open the searcher once, as a script would
        for text in queries:
            started = time.perf_counter()
            try:
                index.search(text, limit=10, plain_text=True, copies=copies)
            except searchkit.QueryError:
                pass
            times.append(time.perf_counter() - started)
    return times


def build_whoosh(corpus: Path, index_dir: Path):  # type: ignore[no-untyped-def]
    from whoosh import index
    from whoosh.analysis import LanguageAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    index_dir.mkdir()
    schema = Schema(id=ID(stored=True), body=TEXT(analyzer=LanguageAnalyzer("fr"), stored=True))
    ix = index.create_in(index_dir, schema)
    writer = ix.writer()
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        for line in lines:
            article = json.loads(line)
            # The words searchkit indexes: the title, the lead (abstract) and the text.
            writer.add_document(id=str(article["id"]),
                                body=f"{article.get('title', '')}\n{article.get('abstract', '')}\n{article['text']}")
    writer.commit()
    return ix


def time_whoosh(ix, queries: list[str]) -> list[float]:  # type: ignore[no-untyped-def]
    from whoosh import qparser

    parser = qparser.QueryParser("body", ix.schema, group=qparser.OrGroup)
    times = []
    with ix.searcher() as searcher:
        for text in queries:
            started = time.perf_counter()
            results = searcher.search(parser.parse(re.sub(r"[^\w\s]", " ", text)), limit=10)
            for hit in results:
                hit.highlights("body")
            times.append(time.perf_counter() - started)
    return times


def scaled_corpus(scale: int, folder: Path) -> Path:
    corpus = folder / f"orangesum-x{scale}.jsonl.gz"
    with gzip.open(DATA, "rt", encoding="utf-8") as source:
        lines = source.read().splitlines()
    with gzip.open(corpus, "wt", encoding="utf-8") as out:
        for copy in range(scale):
            for line in lines:
                article = json.loads(line)
                article["id"] = f"{article['id']}-{copy}"
                if copy:  # an exact duplicate text would be indexed once
                    article["text"] += f"\n\n(copie {copy})"
                out.write(json.dumps(article, ensure_ascii=False) + "\n")
    return corpus


def ingest_in_child(corpus: Path, index_path: Path) -> tuple[float, int, float, float]:
    """Seconds, articles indexed, and peak MiB of the ingesting process and of its largest worker."""
    code = (
        "import json, resource, sys, time, searchkit\n"
        "t = time.perf_counter()\n"
        "with searchkit.Index(sys.argv[1]) as index:\n"
        "    index.ingest([sys.argv[2]])\n"
        "    count = len(index)\n"
        "peak = lambda who: resource.getrusage(who).ru_maxrss / 1024\n"
        "print(json.dumps([time.perf_counter() - t, count, peak(resource.RUSAGE_SELF), peak(resource.RUSAGE_CHILDREN)]))\n"
    )
    return tuple(json.loads(subprocess.run([sys.executable, "-c", code, str(index_path), str(corpus)], check=True,
                                           capture_output=True, text=True).stdout))  # type: ignore[return-value]


def corpus_index(index: Path | None, corpus: Path, folder: str) -> Path:
    """``index`` when given, else a new index of ``corpus`` in ``folder``, its ingest printed."""
    if index is not None:
        return index
    print(describe_ingest("1x", ingest_in_child(corpus, Path(folder) / "ix")))
    return Path(folder) / "ix"


def describe_ingest(label: str, figures: tuple[float, int, float, float]) -> str:
    seconds, count, peak, worker_peak = figures
    workers = os.cpu_count() or 1
    return (f"{label}: ingest of {count} articles {seconds:.1f} s, peak {peak:.0f} MiB, workers {workers} x "
            f"{worker_peak:.0f} MiB (at most {peak + workers * worker_peak:.0f} MiB in all)")


def cli_wall_time(index_path: Path, query: str, runs: int = 7) -> tuple[float, float]:
    def wall(args: list[str]) -> float:
        started = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        return time.perf_counter() - started

    cli = [sys.executable, "-m", "searchkit", "query", query, "--index", str(index_path)]
    return (statistics.median(wall(cli) for _ in range(runs)),
            statistics.median(wall([sys.executable, "-c", "pass"]) for _ in range(runs)))


def measure_1x(folder: Path, index: Path | None, titles: list[str], shorts: list[str],
               paragraphs: list[str]) -> None:
    index = corpus_index(index, DATA, str(folder))
    plain = build_whoosh(DATA, folder / "whoosh")
    for name, queries in (("titles", titles), ("1-3 words", shorts), ("paragraphs", paragraphs)):
        ours = time_searchkit(index, queries)
        theirs = time_whoosh(plain, queries)
        print(f"1x {name:<10} searchkit     {percentiles(ours)}")
        print(f"1x {name:<10} plain Whoosh  {percentiles(theirs)}")
        print(f"1x {name:<10} median speed-up over plain Whoosh: "
              f"{statistics.median(theirs) / statistics.median(ours):.2f}x")
    cli, floor = cli_wall_time(index, "libération de Mossoul")
    print(f"CLI `searchkit query` wall time (median of 7): {cli:.3f} s; `python -c pass`: {floor:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="also measure a corpus this many times larger")
    parser.add_argument("--scale-only", action="store_true", help="measure only the larger corpus")
    parser.add_argument("--index", type=Path, help="an index of the corpus already built (not timed)")
    parser.add_argument("--scaled-index", type=Path, help="an index of the larger corpus already built")
    args = parser.parse_args()
    titles = title_queries()
    shorts = short_queries(titles)
    paragraphs = paragraph_queries()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if not args.scale_only:
            measure_1x(folder, args.index, titles, shorts, paragraphs)
        if args.scale > 1:
            scaled = args.scaled_index
            if scaled is None:
                corpus = scaled_corpus(args.scale, folder)
                scaled = folder / f"ix{args.scale}"
                print(describe_ingest(f"{args.scale}x", ingest_in_child(corpus, scaled)))
            for name, queries in (("titles", titles), ("1-3 words", shorts), ("paragraphs", paragraphs)):
                print(f"{args.scale}x {name:<10} searchkit     "
                      f"{percentiles(time_searchkit(scaled, queries, copies=True))}")


if __name__ == "__main__":
    main()
