"""Ingest speed and memory on ../shared/data/orangesum-dev.jsonl.gz.

    python bench/ingest.py              # all 31k articles
    python bench/ingest.py --limit 5000

Prints, from one run: searchkit's full ingest, a re-ingest with nothing
changed, and a plain Whoosh baseline (LanguageAnalyzer('fr'), default writer,
one document per article) on the same articles, with the ratios and the peak
memory of each. Each phase runs in a process of its own so that its peak
memory is its own; do not time anything else on the machine meanwhile.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "orangesum-dev.jsonl.gz"


def peak_mib() -> tuple[float, float]:
    """Peak resident memory of this process, and of the largest of its
    children (searchkit's indexing workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return own / 1024, children / 1024


def phase_whoosh(corpus: Path, index_dir: Path) -> dict[str, float]:
    from whoosh import index
    from whoosh.analysis import LanguageAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    started = time.perf_counter()
    schema = Schema(id=ID(stored=True, unique=True), body=TEXT(analyzer=LanguageAnalyzer("fr")))
    ix = index.create_in(index_dir, schema)
    writer = ix.writer()
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        for line in lines:
            article = json.loads(line)
            # The words searchkit indexes: the title, the lead (abstract) and the text.
            writer.add_document(id=str(article["id"]),
                                body=f"{article.get('title', '')}\n{article.get('abstract', '')}\n{article['text']}")
    writer.commit()
    return {"seconds": time.perf_counter() - started, "articles": ix.doc_count()}


def phase_searchkit(corpus: Path, index_dir: Path) -> dict[str, float]:
    import searchkit

    started = time.perf_counter()
    with searchkit.Index(index_dir) as index:
        report = index.ingest([corpus])
        count = len(index)
    return {"seconds": time.perf_counter() - started, "articles": count, "added": report.added,
            "unchanged": report.unchanged, "failed": report.failed}


PHASES = {"whoosh": phase_whoosh, "searchkit": phase_searchkit}


def run_phase(name: str, corpus: Path, index_dir: Path) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--phase", name, "--corpus", str(corpus), "--index", str(index_dir)],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def write_corpus(limit: int | None, folder: Path) -> Path:
    corpus = folder / "orangesum.jsonl.gz"
    with gzip.open(DATA, "rt", encoding="utf-8") as source, gzip.open(corpus, "wt", encoding="utf-8") as out:
        for number, line in enumerate(source):
            if limit is not None and number >= limit:
                break
            out.write(line)
    return corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, help="only the first N articles")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--index", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        figures = PHASES[args.phase](args.corpus, args.index)
        figures["peak_mib"], figures["worker_peak_mib"] = peak_mib()
        figures["workers"] = (os.cpu_count() or 1) if args.phase == "searchkit" else 0
        print(json.dumps(figures))
        return

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        corpus = write_corpus(args.limit, folder) if args.limit else DATA
        (folder / "whoosh").mkdir()
        full = run_phase("searchkit", corpus, folder / "searchkit")
        again = run_phase("searchkit", corpus, folder / "searchkit")
        plain = run_phase("whoosh", corpus, folder / "whoosh")
    print(f"corpus: {corpus.name}, {full['articles']:.0f} articles")
    print(f"{'run':<28}{'seconds':>9}{'peak MiB':>10}{'+ workers':>11}")
    for name, figures in (("searchkit full ingest", full), ("searchkit re-ingest (same)", again),
                          ("plain Whoosh baseline", plain)):
        workers = f"{figures['workers']:.0f} x {figures['worker_peak_mib']:.0f}" if figures["worker_peak_mib"] else ""
        print(f"{name:<28}{figures['seconds']:>9.1f}{figures['peak_mib']:>10.0f}{workers:>11}")
    print(f"speed-up of the full ingest over plain Whoosh: {plain['seconds'] / full['seconds']:.2f}x "
          "(target >= 3x)")
    print(f"re-ingest: {again['seconds']:.2f} s, {again['unchanged']:.0f} unchanged (target < 3 s)")
    total = full["peak_mib"] + full["workers"] * full["worker_peak_mib"]
    print(f"peak memory of the full ingest: {full['peak_mib']:.0f} MiB, at most {total:.0f} MiB "
          "with its workers (target < 1024 MiB)")


if __name__ == "__main__":
    main()
