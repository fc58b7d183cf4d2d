"""Merging segments: what a commit that merges holds in memory, and what it writes."""

from __future__ import annotations

import json
import random
import tracemalloc
from pathlib import Path

import pytest

import searchkit
from searchkit.writer import layout

WORDS = ("port mairie conseil budget ville rue école gare marché tribunal préfet maire députée "
         "commune hôpital usine grève salariés région club match but stade saison festival").split()


def _articles(path: Path, first: int, count: int) -> Path:
    lines = []
    for n in range(first, first + count):
        rng = random.Random(n)
        words = [rng.choice(WORDS) + str(rng.randrange(100)) for _ in range(60)]
        lines.append(json.dumps({"id": f"a{n}", "title": f"Article {n}", "text": " ".join(words)}))
    path.write_text("\n".join(lines), "utf-8")
    return path


def _peak_of_merging(tmp_path: Path, segments: int, per_segment: int) -> int:
    """Bytes of Python memory at the peak of merging ``segments`` segments into one."""
    index_path = tmp_path / f"index{segments}x{per_segment}"
    with searchkit.Index(index_path) as index:
        for number in range(segments):
            index.ingest([_articles(tmp_path / f"s{per_segment}-{number}.jsonl", number * per_segment, per_segment)])
        assert len(index._ix._segments()) == segments
        tracemalloc.start()
        try:
            index.optimize()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert len(index._ix._segments()) == 1 and len(index) == segments * per_segment
    return peak


def test_merging_segments_three_times_larger_does_not_hold_their_postings(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(layout, "ENCODE_CHUNK", 5_000)  # chunks far smaller than a segment
    small = _peak_of_merging(tmp_path, 2, 150)
    large = _peak_of_merging(tmp_path, 2, 450)
    # Holding every merged posting until the segment was written: 1.7 times as much.
    assert large < 1.4 * small, (small, large)


def _rare_words(path: Path, first: int, count: int) -> Path:
    """Articles of made-up words: nearly every word a new term of the index."""
    lines = []
    for n in range(first, first + count):
        rng = random.Random(n)
        words = ["".join(rng.choice("bcdfglmnprstvz") + rng.choice("aeiou") for _ in range(4)) for _ in range(40)]
        lines.append(json.dumps({"id": f"r{n}", "title": f"Article {n}", "text": " ".join(words)}))
    path.write_text("\n".join(lines), "utf-8")
    return path


def _peak_and_terms(tmp_path: Path, per_segment: int, monkeypatch) -> tuple[int, int]:
    """Bytes of Python memory at the peak of writing the segment that merges
    two of ``per_segment`` articles of made-up words, and the terms it holds."""
    from searchkit.writer import bulk

    peaks = []
    write_segment = bulk.write_segment

    def traced(*args, **kwargs):
        tracemalloc.start()
        try:
            write_segment(*args, **kwargs)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()

    with searchkit.Index(tmp_path / f"rare{per_segment}") as index:
        for number in range(2):
            index.ingest([_rare_words(tmp_path / f"r{per_segment}-{number}.jsonl", number * per_segment, per_segment)])
        with monkeypatch.context() as patch:
            patch.setattr(bulk, "write_segment", traced)
            index.optimize()
        reader = index._ix.reader()
        try:
            terms = sum(1 for _ in reader.all_terms())
        finally:
            reader.close()
    return peaks[0], terms


def test_a_merge_holds_a_few_bytes_per_term_of_the_segment_it_writes(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(layout, "ENCODE_CHUNK", 5_000)
    small_peak, small_terms = _peak_and_terms(tmp_path, 20, monkeypatch)
    large_peak, large_terms = _peak_and_terms(tmp_path, 80, monkeypatch)
    per_term = (large_peak - small_peak) / (large_terms - small_terms)
    # The term table's (hash, position) pairs kept as tuples of ints: about 135 bytes a term.
    assert per_term < 40, (per_term, small_peak, small_terms, large_peak, large_terms)


def test_a_merge_with_removed_articles_ranks_as_a_fresh_build(tmp_path: Path) -> None:
    with searchkit.Index(tmp_path / "index") as index:
        for number in range(3):
            index.ingest([_articles(tmp_path / f"day{number}.jsonl", number * 40, 40)])
        index.remove([f"a{n}" for n in range(0, 120, 3)])
        index.optimize()
        with searchkit.Index(tmp_path / "fresh") as fresh:
            kept = tmp_path / "kept.jsonl"
            rows = [line for number in range(3) for line in (tmp_path / f"day{number}.jsonl").read_text("utf-8").splitlines()
                    if int(json.loads(line)["id"][1:]) % 3]
            kept.write_text("\n".join(rows), "utf-8")
            fresh.ingest([kept])
            assert len(fresh) == len(index) == 80
            for query in ("port3 mairie4", "gare10 stade", "Article 100"):
                assert [(i, round(s, 6)) for i, s in index.rank_articles(query, limit=20)] == \
                    [(i, round(s, 6)) for i, s in fresh.rank_articles(query, limit=20)]


def test_an_import_cut_into_many_segments_is_merged_by_its_own_commit(tmp_path: Path, monkeypatch) -> None:
    from searchkit.writer import bulk
    from searchkit.writer.merges import MERGE_FACTOR

    articles = _articles(tmp_path / "import.jsonl", 0, 400)
    with searchkit.Index(tmp_path / "fresh") as fresh:
        fresh.ingest([articles])
        assert len(fresh._ix._segments()) == 1
        monkeypatch.setattr(bulk, "BATCH_SIZE", 20)
        monkeypatch.setattr(bulk, "MAX_POSTINGS", 5_000)  # a segment about every 40 articles
        with searchkit.Index(tmp_path / "index") as index:
            index.ingest([articles])
            # Before, five segments of one level were left to the next ingest to merge.
            assert len(index._ix._segments()) < MERGE_FACTOR and len(index) == 400
            for query in ("port3 mairie4", "gare10 stade", "Article 100"):
                assert [(i, round(s, 6)) for i, s in index.rank_articles(query, limit=20)] == \
                    [(i, round(s, 6)) for i, s in fresh.rank_articles(query, limit=20)]


class Interrupted(Exception):
    pass


def test_a_merge_interrupted_leaves_the_index_as_it_was(tmp_path: Path, monkeypatch) -> None:
    from searchkit.writer import merging
    from searchkit.writer.merges import MERGE_FACTOR

    with searchkit.Index(tmp_path / "index") as index:
        for day in range(MERGE_FACTOR):
            index.ingest([_articles(tmp_path / f"day{day}.jsonl", day * 10, 10)])
        before = sorted(article.id for article in index.articles())
        assert len(index._ix._segments()) == MERGE_FACTOR  # the next commit merges them

        def stop(*args, **kwargs):
            raise Interrupted()

        monkeypatch.setattr(merging, "_numbered", stop)
        last = _articles(tmp_path / "last.jsonl", 1000, 10)
        with pytest.raises(Interrupted):
            index.ingest([last])
        assert sorted(article.id for article in index.articles()) == before
        assert len(index._ix._segments()) == MERGE_FACTOR and index.check().ok
        monkeypatch.undo()
        index.ingest([last])
        assert len(index._ix._segments()) == 1 and len(index) == len(before) + 10
        assert index.rank_articles("Article 1005", limit=1)[0][0].endswith("a1005")
