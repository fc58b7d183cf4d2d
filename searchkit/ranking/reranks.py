"""The reranks after BM25, once, on either source of postings.

An OR of words is scored by BM25, by the fast scorer (numpy) or by Whoosh's
matchers; its best ``Ranking.rerank_depth`` documents are then reranked by
proximity, by the words as typed and by the passages the query quotes
(``rerank``). The reranks read the postings through ``Postings``: the fast
scorer (searchkit.ranking.fastscore.FastScorer) holds them already, a Whoosh
searcher (``SearcherPostings``) reads only the blocks holding the documents
asked for. Both give the same positions, norms, holders and idfs, so both
paths rank alike (tests/ranking/test_fastscore.py).
"""

from __future__ import annotations

import bisect
from typing import Any, Iterator, Mapping

from searchkit.ranking.exactwords import WORDS_FIELD, exact_word_rerank
from searchkit.ranking.postings import Postings
from searchkit.ranking.proximity import proximity_rerank, quoted_rerank
from searchkit.ranking.settings import Ranking

FIELD = "body"
# The reranks' names, as an explanation gives their bonuses.
RERANKS = ("proximity", "words as typed", "quoted passage")


def rerank(
    ranked: list[tuple[int, float]],
    postings: Postings,
    ranking: Ranking,
    terms: list[str],
    words: list[str],
    quoted: list[tuple[str, ...]],
    idf: Mapping[str, float],
    bonuses: dict[str, dict[int, float]] | None = None,
) -> list[tuple[int, float]]:
    """``ranked`` (docnum, score), best first, reranked by the proximity of
    ``terms``, then by the folded ``words`` as typed, then by the ``quoted``
    passages (terms in order, weighed by ``idf``), each on the first
    ``ranking.rerank_depth``. ``bonuses``, when given, gets each rerank's
    bonus per document, under the keys of ``RERANKS``."""
    def record(name: str) -> dict[int, float] | None:
        return None if bonuses is None else bonuses.setdefault(name, {})

    ranked = proximity_rerank(terms, ranked, postings, ranking, record(RERANKS[0]), idf)
    ranked = exact_word_rerank(words, ranked, postings, ranking, record(RERANKS[1]))
    return quoted_rerank(quoted, ranked, postings, idf, ranking, record(RERANKS[2]))


class SearcherPostings:
    """``Postings`` read from a Whoosh searcher, for one query: proximity and
    the quoted passages ask for the same terms in the same documents, read once."""

    def __init__(self, searcher, ranking: Ranking) -> None:
        self.searcher = searcher
        self.ranking = ranking
        self._average: float | None = None
        self._read: dict[tuple[str, tuple[int, ...]], dict[int, list[int]]] = {}

    def positions(self, term: str, docnums: list[int]) -> dict[int, list[int]]:
        key = (term, tuple(docnums))
        if key not in self._read:
            self._read[key] = read_positions(self.searcher, term, docnums)
        return self._read[key]

    def norm(self, docnum: int) -> float:
        if self._average is None:
            self._average = self.searcher.avg_field_length(FIELD) or 1
        return self.ranking.length_norm(self.searcher.doc_field_length(docnum, FIELD) or 0, self._average)

    def holding(self, word: str, docnums: list[int]) -> set[int]:
        return words_held(self.searcher, word, docnums)

    def word_idf(self, word: str) -> float:
        return self.searcher.idf(WORDS_FIELD, word)


def segments_holding(searcher, field: str, term: str, docnums: list[int]
                     ) -> Iterator[tuple[Any, int, list[int]]]:
    """(segment, its first global docnum, those of ``docnums`` in it as it
    numbers them, sorted) for each segment holding ``term`` and some of ``docnums``."""
    wanted = sorted(docnums)
    for leaf, offset in searcher.reader().leaf_readers():
        lo = bisect.bisect_left(wanted, offset)
        hi = bisect.bisect_left(wanted, offset + leaf.doc_count_all())
        if lo < hi and (field, term) in leaf:
            yield leaf, offset, [d - offset for d in wanted[lo:hi]]


def read_positions(searcher, term: str, docnums: list[int]) -> dict[int, list[int]]:
    """The positions of ``term`` in each of ``docnums`` that holds it, as
    ``FastScorer.positions`` gives them but without its cache: only the
    posting blocks holding one of ``docnums`` are decoded."""
    decode = searcher.schema[FIELD].format.decode_positions
    found: dict[int, list[int]] = {}
    for leaf, offset, targets in segments_holding(searcher, FIELD, term, docnums):
        matcher = leaf.postings(FIELD, term)
        matcher = getattr(matcher, "child", matcher)
        if not hasattr(matcher, "_next_block"):  # not Whoosh's block matcher
            for target in targets:
                if matcher.is_active():
                    matcher.skip_to(target)
                if matcher.is_active() and matcher.id() == target:
                    found[target + offset] = decode(matcher.value())
            continue
        i = 0
        while i < len(targets) and matcher.is_active():
            if matcher.block_max_id() < targets[i]:
                matcher._next_block()  # reads the block's header, not its postings
                continue
            matcher._read_ids()
            block_ids, block_values = matcher._ids, matcher._data[2]
            while i < len(targets) and targets[i] <= matcher.block_max_id():
                j = bisect.bisect_left(block_ids, targets[i])
                if j < len(block_ids) and block_ids[j] == targets[i]:
                    found[targets[i] + offset] = decode(block_values[j])
                i += 1
            matcher._next_block()
    return found


def words_held(searcher, word: str, docnums: list[int]) -> set[int]:
    """Those of ``docnums`` whose ``words`` field holds ``word``, as
    ``FastScorer.holding`` finds them, through Whoosh's matchers."""
    held = set()
    for leaf, offset, targets in segments_holding(searcher, WORDS_FIELD, word, docnums):
        matcher = leaf.postings(WORDS_FIELD, word)
        matcher = getattr(matcher, "child", matcher)
        for target in targets:
            if matcher.is_active():
                matcher.skip_to(target)
            if matcher.is_active() and matcher.id() == target:
                held.add(target + offset)
    return held
