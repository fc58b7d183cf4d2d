"""Reranking by term proximity: the best documents of an OR of words gain
when query terms stand close together in them.

Pure Python, without numpy: a single query from the terminal goes through
Whoosh and must not wait for numpy to load (see cli.py).
"""

from __future__ import annotations

import bisect
from typing import Callable, Iterable, Iterator, Mapping, Sequence

FIELD = "body"

# Proximity (BM25TP, Rasolofo and Savoy 2003): two different query terms at
# most PROXIMITY_WINDOW positions apart add 1/distance² to each one's
# proximity frequency, saturated as BM25 saturates a term frequency. Added with
# PROXIMITY_WEIGHT to the scores of the PROXIMITY_DEPTH best documents, it
# raised MRR@10 on the three relevance sets (news titles, questions,
# keyphrases); adding Whoosh phrase queries instead hurt the news titles and
# took about three times as long.
PROXIMITY_WINDOW = 5
PROXIMITY_WEIGHT = 0.5
PROXIMITY_DEPTH = 50


def segments_holding(searcher, field: str, term: str, docnums: list[int]  # type: ignore[no-untyped-def]
                     ) -> Iterator[tuple[object, int, list[int]]]:
    """(segment, its first global docnum, those of ``docnums`` in it as it
    numbers them, sorted) for each segment holding ``term`` and some of ``docnums``."""
    wanted = sorted(docnums)
    for leaf, offset in searcher.reader().leaf_readers():
        lo = bisect.bisect_left(wanted, offset)
        hi = bisect.bisect_left(wanted, offset + leaf.doc_count_all())
        if lo < hi and (field, term) in leaf:
            yield leaf, offset, [d - offset for d in wanted[lo:hi]]


def read_positions(searcher, term: str, docnums: list[int]) -> dict[int, list[int]]:  # type: ignore[no-untyped-def]
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


def proximity_bonus(positions: Iterable[Sequence[int]], norm: float, k1: float) -> float:
    """The BM25TP proximity score of one document, from the positions of each
    distinct query term in it; ``norm`` is its BM25 length norm K."""
    occurrences = sorted((p, term) for term, found in enumerate(positions) for p in found)
    closeness: dict[int, float] = {}
    for i, (position, term) in enumerate(occurrences):
        for j in range(i + 1, len(occurrences)):
            other_position, other = occurrences[j]
            distance = other_position - position
            if distance > PROXIMITY_WINDOW:
                break
            if other != term:
                closeness[term] = closeness.get(term, 0.0) + 1 / distance ** 2
                closeness[other] = closeness.get(other, 0.0) + 1 / distance ** 2
    return sum(c * (k1 + 1) / (c + norm) for c in closeness.values())


def proximity_rerank(
    terms: list[str],
    ranked: list[tuple[int, float]],
    positions: Callable[[str, list[int]], dict[int, list[int]]],
    norm: Callable[[int], float],
    k1: float,
) -> list[tuple[int, float]]:
    """``ranked`` (docnum, score), best first, with the proximity bonus of
    the query terms added to the first PROXIMITY_DEPTH and those re-sorted."""
    distinct = list(dict.fromkeys(terms))
    if len(distinct) < 2 or not ranked:
        return ranked
    docnums = sorted(docnum for docnum, _ in ranked[:PROXIMITY_DEPTH])
    found = [positions(term, docnums) for term in distinct]
    return with_bonuses(ranked, {
        docnum: PROXIMITY_WEIGHT * proximity_bonus([where.get(docnum, ()) for where in found], norm(docnum), k1)
        for docnum in docnums
    })


def with_bonuses(ranked: list[tuple[int, float]], bonuses: Mapping[int, float]) -> list[tuple[int, float]]:
    """``ranked`` (docnum, score), best first, with ``bonuses`` added to the
    scores of the first PROXIMITY_DEPTH and those re-sorted. A bonus is never
    negative: the documents below the head stay below it."""
    head = [(docnum, score + bonuses.get(docnum, 0.0)) for docnum, score in ranked[:PROXIMITY_DEPTH]]
    head.sort(key=lambda pair: (-pair[1], pair[0]))
    return head + ranked[PROXIMITY_DEPTH:]


# A passage a query of words quotes ("Guyane : « situation extrêmement
# préoccupante » selon Sibeth Ndiaye", a headline pasted) is most often quoted
# from the article sought: a document holding its words in that order gains
# QUOTED_WEIGHT times the idf of those words, as if they counted twice. On the
# news titles (a fifth of them quote) it raised MRR@10 (bench/relevance.py),
# and on other headlines and abstracts (bench/heldout.py); from 0.6 to 1.5
# times, the same.
QUOTED_WEIGHT = 1.0


def holds_phrase(positions: Sequence[Iterable[int]]) -> bool:
    """Whether terms at these positions stand one after another somewhere."""
    first, *rest = positions
    following = [set(found) for found in rest]
    return any(all(start + offset in found for offset, found in enumerate(following, 1)) for start in first)


def quoted_rerank(
    phrases: list[tuple[str, ...]],
    ranked: list[tuple[int, float]],
    positions: Callable[[str, list[int]], dict[int, list[int]]],
    idf: Mapping[str, float],
) -> list[tuple[int, float]]:
    """``ranked`` (docnum, score), best first, with the first PROXIMITY_DEPTH
    re-sorted after each of ``phrases`` (terms in order) that a document holds
    adds QUOTED_WEIGHT times the idf of its terms."""
    if not phrases or not ranked:
        return ranked
    docnums = sorted(docnum for docnum, _ in ranked[:PROXIMITY_DEPTH])
    found = {term: positions(term, docnums) for phrase in phrases for term in phrase}
    weights = [QUOTED_WEIGHT * sum(idf.get(term, 0.0) for term in phrase) for phrase in phrases]
    return with_bonuses(ranked, {
        docnum: sum(weight for phrase, weight in zip(phrases, weights)
                    if holds_phrase([found[term].get(docnum, ()) for term in phrase]))
        for docnum in docnums
    })
