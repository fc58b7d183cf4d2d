"""BM25 term at a time: the ranking of Whoosh's BM25F for OR queries of words,
without its matcher tree.

Whoosh scores document at a time through a tree of Python matchers: every
posting of every query term costs several Python calls (next, id, score, the
field length of the document). Here each term's postings are read from the
postings file in one pass over its blocks (no matcher), kept in numpy arrays
for the life of the searcher, and scored for all documents at once into an
accumulator; the best are taken with argpartition.
The formula, statistics and field lengths are Whoosh's own, so the scores are
the same as Whoosh's to floating-point rounding (tests/ranking/test_fastscore.py).

It is also a source of ``searchkit.ranking.postings.Postings`` for the reranks
after BM25 (proximity, words as typed, quoted passages): positions kept with
the postings, length norms, the documents holding a word.
"""

from __future__ import annotations

from collections import OrderedDict
from math import log
from typing import Iterator, Mapping, Sequence, cast

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

from searchkit.ranking.exactwords import WORDS_FIELD
from searchkit.ranking.maxscore import TermScores, best
from searchkit.ranking.settings import Ranking
from searchkit.ranking.truncation import TRUNCATED_FIELD
from searchkit.storage.postings import blocks as _blocks
from searchkit.storage.postings import term_postings
from searchkit.storage.tails import Tail

FIELD = "body"
MAX_CACHED_TERMS = 20_000
MAX_CACHED_BLOCKS = 256  # decoded blocks kept per term with a tail


# Whoosh stores each document's field length as one byte.
_BYTE_TO_LENGTH = np.array([byte_to_length(b) if b else 0 for b in range(256)], dtype=np.float64)


def _field_lengths(leaf, count: int) -> np.ndarray:
    """The body length of every document of a segment, as Whoosh's scorer sees it."""
    try:  # the whole length column at once, from the W3 codec
        column = leaf._perdoc._cached_reader(_lenfield(FIELD), LENGTHS_COLUMN)
        return _BYTE_TO_LENGTH[np.frombuffer(bytes(column.load()), dtype=np.uint8)][:count]
    except AttributeError:
        return np.array([leaf.doc_field_length(d, FIELD) or 0 for d in range(count)], dtype=np.float64)


def _at(ids: np.ndarray, values: np.ndarray, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which of the sorted ``docs`` the sorted ``ids`` hold, and the value of
    each there (0 where absent)."""
    if not len(ids):
        return np.zeros(len(docs), dtype=bool), np.zeros(len(docs), dtype=np.float64)
    at = np.minimum(np.searchsorted(ids, docs), len(ids) - 1)
    held = ids[at] == docs
    return held, np.where(held, values[at], 0.0)


def _joint(tf: np.ndarray, family_part: np.ndarray, weight: float) -> np.ndarray:
    """The frequency a word is scored with where its stem is held ``tf``
    times and its family gives ``family_part`` (searchkit.ranking.truncation)."""
    return np.maximum(tf, (1 - weight) * tf + family_part)


def _indexes_of(wanted: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The indexes in the sorted ``ids`` of those of ``wanted`` it holds."""
    if not len(ids):
        return np.zeros(0, dtype=np.int64)
    found = np.minimum(np.searchsorted(ids, wanted), len(ids) - 1)
    return found[ids[found] == wanted]


class _JoinedValues:
    """The encoded positions of a term's postings in one segment, read with
    them and kept joined."""

    def __init__(self, ids: np.ndarray, values: Sequence[bytes]) -> None:
        self.ids = ids
        self.data = b"".join(values)
        self.bounds = np.concatenate(([0], np.cumsum(np.fromiter(map(len, values), np.int64, len(values)))))

    def find(self, wanted: np.ndarray) -> Iterator[tuple[int, bytes]]:
        held = _indexes_of(wanted, self.ids)
        data = self.data
        for docnum, start, end in zip(self.ids[held].tolist(), self.bounds[held].tolist(),
                                      self.bounds[held + 1].tolist()):
            yield docnum, data[start:end]


class _BlockValues:
    """The encoded positions of a term with a tail, from the blocks that hold
    the documents asked for."""

    def __init__(self, postfile, tail: Tail, ids: np.ndarray) -> None:
        self.postfile, self.tail, self.ids = postfile, tail, ids
        self._read: dict[int, tuple[bytes, ...]] = {}  # block number -> values

    def _values(self, block: int) -> tuple[bytes, ...]:
        values = self._read.get(block)
        if values is None:
            starts = self.tail.block_starts
            start = int(starts[block])
            end = int(starts[block + 1]) if block + 1 < len(starts) else self.tail.blocks_end
            _, (_, _, values) = next(_blocks(self.postfile.get(self.tail.offset + start, end - start), 0))
            if len(self._read) >= MAX_CACHED_BLOCKS:
                self._read.clear()
            self._read[block] = values
        return values

    def find(self, wanted: np.ndarray) -> Iterator[tuple[int, bytes]]:
        held = _indexes_of(wanted, self.ids)
        size = self.tail.block_size
        for docnum, index in zip(self.ids[held].tolist(), held.tolist()):
            yield docnum, self._values(index // size)[index % size]


class FastScorer:
    """BM25 over the ``body`` field of one searcher's index, with the k1, b
    and family_weight of ``ranking`` (the searcher weighs with
    ``ranking.weighting()``: see searchkit.search.session)."""

    def __init__(self, searcher, ranking: Ranking) -> None:
        self.searcher = searcher
        self.ranking = ranking
        reader = searcher.reader()
        self.leaves = list(reader.leaf_readers())
        self.size = reader.doc_count_all()
        self.avgfl = searcher.avg_field_length(FIELD) or 1
        lengths = np.zeros(self.size, dtype=np.float64)
        live = np.ones(self.size, dtype=bool)
        for leaf, offset in self.leaves:
            count = leaf.doc_count_all()
            lengths[offset:offset + count] = _field_lengths(leaf, count)
            if leaf.has_deletions():
                live[offset:offset + count] = [not leaf.is_deleted(d) for d in range(count)]
        self.norms: np.ndarray = ranking.length_norm(lengths, self.avgfl)
        self.live = live
        self.deleted = np.flatnonzero(~live)
        # (field, term) -> document numbers and term frequencies
        self._postings: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        # (term, truncated word or None) -> document numbers and BM25 scores
        self._scores: OrderedDict[tuple[str, str | None], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._joint = np.zeros(self.size, dtype=np.float64)  # scratch for joint_frequency
        # (field, term) -> where the encoded positions of its postings are, per segment (body only)
        self._values: dict[tuple[str, str], list[_JoinedValues | _BlockValues]] = {}
        self.format = searcher.schema[FIELD].format
        self._holders: OrderedDict[str, np.ndarray] = OrderedDict()  # word -> documents holding it
        self._highest: dict[tuple[str, str | None], float] = {}  # (term, family) -> its highest score

    def idf(self, doc_frequency: int) -> float:
        """Whoosh's BM25 idf of a term in ``doc_frequency`` documents (deleted
        ones included, as Whoosh counts them), from the postings already read:
        Whoosh's own would look the term up again in every segment."""
        return log(self.size / (doc_frequency + 1)) + 1

    def word_idf(self, word: str) -> float:
        """The idf of ``word`` in the ``words`` field; after ``holding(word, ...)``."""
        return self.idf(len(self._holders[word]))

    def holding(self, word: str, docnums: list[int]) -> set[int]:
        """Those of ``docnums`` whose ``words`` field holds ``word``."""
        holders = self._holders.get(word)
        if holders is None:
            found = []
            for leaf, offset in self.leaves:
                try:
                    postings = term_postings(leaf, word, WORDS_FIELD, tails=True)
                except TermNotFound:
                    continue
                ids = postings.ids if isinstance(postings, Tail) else postings[0]
                found.append(np.asarray(ids, dtype=np.int64) + offset)
            holders = self._holders[word] = np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
            if len(self._holders) > MAX_CACHED_TERMS:
                self._holders.popitem(last=False)
        return set(holders[_indexes_of(np.asarray(docnums, dtype=np.int64), holders)].tolist())

    def postings(self, term: str, field: str = FIELD) -> tuple[np.ndarray, np.ndarray]:
        """Global document numbers of a term's postings, and its frequency in each."""
        key = (field, term)
        cached = self._postings.get(key)
        if cached is not None:
            self._postings.move_to_end(key)
            return cached
        ids: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        values: list[_JoinedValues | _BlockValues] = []
        for leaf, offset in self.leaves:
            try:
                postings = term_postings(leaf, term, field, tails=True)
            except TermNotFound:
                continue
            positional = field == FIELD  # other fields have no positions to keep
            if isinstance(postings, Tail):
                ids.append(postings.ids + offset)
                weights.append(postings.weights)
                if positional:
                    values.append(_BlockValues(leaf._terms._postfile, postings, ids[-1]))
            else:
                leaf_ids, leaf_weights, leaf_values = postings
                ids.append(np.array(leaf_ids, dtype=np.int64) + offset)
                weights.append(np.array(leaf_weights, dtype=np.float64))
                if positional:
                    # Decoded only for the documents proximity and passages look at.
                    values.append(_JoinedValues(ids[-1], cast("Sequence[bytes]", leaf_values)))
        all_ids = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
        tf = np.concatenate(weights) if weights else np.zeros(0, dtype=np.float64)
        result = (all_ids, tf)
        self._postings[key] = result
        self._values[key] = values
        if len(self._postings) > MAX_CACHED_TERMS:
            evicted, _ = self._postings.popitem(last=False)
            del self._values[evicted]
        return result

    def positions(self, term: str, docnums: list[int]) -> dict[int, list[int]]:
        """The positions of ``term`` in each of ``docnums`` that holds it."""
        self.postings(term)
        wanted = np.asarray(docnums, dtype=np.int64)
        decode = self.format.decode_positions
        return {docnum: decode(value) for segment in self._values[(FIELD, term)] for docnum, value in segment.find(wanted)}

    def norm(self, docnum: int) -> float:
        """BM25's length norm K of the body of ``docnum``."""
        return float(self.norms[docnum])

    def _weights(self, term: str, family: str | None) -> tuple[np.ndarray, np.ndarray]:
        """The documents holding ``term`` (or a word of its ``family``) and
        its BM25 score in each: kept, as queries share their words."""
        key = (term, family)
        cached = self._scores.get(key)
        if cached is not None:
            self._scores.move_to_end(key)
            return cached
        ids, tf = self.postings(term)
        idf = self.idf(len(ids))
        if family is not None:
            # joint_frequency, for every document holding the stem or its family
            family_ids, family_tf = self.postings(family, TRUNCATED_FIELD)
            joint = self._joint  # zeros, kept between calls
            weight = self.ranking.family_weight
            joint[family_ids] = weight * family_tf
            family_part = joint[ids]
            joint[ids] = _joint(tf, family_part, weight)
            # The union of the two, unsorted (sorting was most of the cost).
            ids = np.concatenate((family_ids, ids[family_part == 0]))
            tf = joint[ids]
            joint[ids] = 0.0
        result = (ids, self._bm25(idf, tf, ids))
        self._scores[key] = result
        if len(self._scores) > MAX_CACHED_TERMS:
            self._scores.popitem(last=False)
        return result

    def matching(self, terms: list[str], truncated: Mapping[str, str] | None = None) -> np.ndarray:
        """The live documents ``top`` finds for these ``terms``, however many:
        those holding a term or a word of its family, in document order."""
        if not self.size:
            return np.zeros(0, dtype=np.int64)
        truncated = truncated if truncated and self.ranking.family_weight else {}
        found = np.zeros(self.size, dtype=bool)
        for term in dict.fromkeys(terms):
            found[self._weights(term, truncated.get(term))[0]] = True
        return np.flatnonzero(found & self.live)

    def _term_scores(self, term: str, family: str | None, boost: float | None) -> TermScores:
        ids, weights = self._weights(term, family)
        highest = self._highest.get((term, family))
        if highest is None:
            highest = self._highest[(term, family)] = float(weights.max()) if len(weights) else 0.0
            if len(self._highest) > MAX_CACHED_TERMS:
                self._highest.clear()
        if boost is not None:
            weights, highest = boost * weights, boost * highest
        return TermScores(ids, weights, highest, lambda docs: self._score_in(term, family, boost, docs))

    def _bm25(self, idf: float, tf: np.ndarray, docs: np.ndarray) -> np.ndarray:
        """BM25 of a term of ``idf`` held ``tf`` times in each of ``docs``."""
        return idf * tf * (self.ranking.k1 + 1) / (tf + self.norms[docs])

    def _score_in(self, term: str, family: str | None, boost: float | None, docs: np.ndarray) -> np.ndarray:
        """The score ``_weights`` gives ``term`` in each of the sorted
        ``docs`` (0 where absent), by the same operations, so to the bit."""
        ids, tf = self.postings(term)
        held, frequency = _at(ids, tf, docs)
        if family is not None:
            in_family, family_tf = _at(*self.postings(family, TRUNCATED_FIELD), docs)
            weight = self.ranking.family_weight
            family_part = np.where(in_family, weight * family_tf, 0.0)
            frequency = np.where(held, _joint(frequency, family_part, weight), family_part)
            held = held | in_family
        idf = self.idf(len(ids))
        with np.errstate(divide="ignore", invalid="ignore"):  # 0/0 where a document holds neither
            scores = np.where(held, self._bm25(idf, frequency, docs), 0.0)
        return scores if boost is None else boost * scores

    def top(self, terms: list[str], limit: int, truncated: Mapping[str, str] | None = None,
            boosts: Mapping[str, float] | None = None, prune: bool = True) -> list[tuple[int, float]]:
        """(docnum, score) of the best documents for an OR of ``terms`` in
        ``body``, each term with the words of its family when ``truncated``
        gives its truncated word (see searchkit.ranking.truncation) and weighed as
        ``boosts`` says (1 if not), best first, ties in document order.
        ``prune``: by MaxScore (searchkit.ranking.maxscore), the same
        documents and scores as without."""
        if not self.size:
            return []  # no idf on an empty index
        truncated = truncated if truncated and self.ranking.family_weight else {}
        boosts = boosts or {}
        parts = [self._term_scores(term, truncated.get(term), boosts.get(term)) for term in dict.fromkeys(terms)]
        return best(parts, self.size, limit, self.live if len(self.deleted) else None, prune)
