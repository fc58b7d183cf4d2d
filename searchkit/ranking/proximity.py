"""Reranking by term proximity: the best documents of an OR of words gain
when query terms stand close together in them; and by the passages a query
quotes, held as written.

Proximity is BM25TP (Rasolofo and Savoy 2003): two different query terms at
most ``Ranking.proximity_window`` positions apart add 1/distance² to each
one's proximity frequency, saturated as BM25 saturates a term frequency, and
added with ``Ranking.proximity_weight`` to the scores of the
``Ranking.rerank_depth`` best documents (the measured reasons are in
searchkit.ranking.settings).

Both read positions through ``searchkit.ranking.postings.Postings``: the fast
scorer's or a Whoosh searcher's. Pure Python, without numpy: a single query
from the terminal goes through Whoosh and must not wait for numpy to load
(see cli.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from searchkit.ranking.settings import Ranking

if TYPE_CHECKING:
    from searchkit.ranking.postings import Postings


def proximity_bonus(positions: Iterable[Sequence[int]], norm: float, k1: float, window: int) -> float:
    """The BM25TP proximity score of one document, from the positions of each
    distinct query term in it; ``norm`` is its BM25 length norm K, ``window``
    the farthest apart two terms count."""
    occurrences = sorted((p, term) for term, found in enumerate(positions) for p in found)
    closeness: dict[int, float] = {}
    for i, (position, term) in enumerate(occurrences):
        for j in range(i + 1, len(occurrences)):
            other_position, other = occurrences[j]
            distance = other_position - position
            if distance > window:
                break
            if other != term:
                closeness[term] = closeness.get(term, 0.0) + 1 / distance ** 2
                closeness[other] = closeness.get(other, 0.0) + 1 / distance ** 2
    return sum(c * (k1 + 1) / (c + norm) for c in closeness.values())


def proximity_rerank(
    terms: list[str],
    ranked: list[tuple[int, float]],
    postings: Postings,
    ranking: Ranking,
    record: dict[int, float] | None = None,
    idf: Mapping[str, float] | None = None,
) -> list[tuple[int, float]]:
    """``ranked`` (docnum, score), best first, with the proximity bonus of
    the query terms added to the first ``ranking.rerank_depth`` and those
    re-sorted; each document's bonus kept in ``record`` when given. Of a
    query of more than ``ranking.proximity_terms`` terms, only that many of
    the rarest by ``idf`` count."""
    distinct = rarest(list(dict.fromkeys(terms)), ranking.proximity_terms, idf)
    if len(distinct) < 2 or not ranked:
        return ranked
    depth = ranking.rerank_depth
    docnums = sorted(docnum for docnum, _ in ranked[:depth])
    found = [postings.positions(term, docnums) for term in distinct]
    return with_bonuses(ranked, {
        docnum: ranking.proximity_weight * proximity_bonus(
            [where.get(docnum, ()) for where in found], postings.norm(docnum), ranking.k1, ranking.proximity_window)
        for docnum in docnums
    }, depth, record)


def rarest(terms: list[str], count: int, idf: Mapping[str, float] | None) -> list[str]:
    """The ``count`` terms of highest ``idf`` of ``terms``, in their order;
    all of them when there are no more, or no idf to choose by."""
    if idf is None or len(terms) <= count:
        return terms
    kept = set(sorted(terms, key=lambda term: (-idf.get(term, 0.0), term))[:count])
    return [term for term in terms if term in kept]


def with_bonuses(ranked: list[tuple[int, float]], bonuses: Mapping[int, float],
                 depth: int, record: dict[int, float] | None = None) -> list[tuple[int, float]]:
    """``ranked`` (docnum, score), best first, with ``bonuses`` added to the
    scores of the first ``depth`` and those re-sorted, and kept in ``record``
    (an explanation's) when given. A bonus is never negative: the documents
    below the head stay below it."""
    if record is not None:
        record.update((docnum, bonus) for docnum, bonus in bonuses.items() if bonus)
    head = [(docnum, score + bonuses.get(docnum, 0.0)) for docnum, score in ranked[:depth]]
    head.sort(key=lambda pair: (-pair[1], pair[0]))
    return head + ranked[depth:]


# A passage a query of words quotes ("Guyane : « situation extrêmement
# préoccupante » selon Sibeth Ndiaye", a headline pasted) is most often quoted
# from the article sought: a document holding its words in that order gains
# ``Ranking.quoted_weight`` times the idf of those words.


def holds_phrase(positions: Sequence[Iterable[int]]) -> bool:
    """Whether terms at these positions stand one after another somewhere."""
    first, *rest = positions
    following = [set(found) for found in rest]
    return any(all(start + offset in found for offset, found in enumerate(following, 1)) for start in first)


def quoted_rerank(
    phrases: list[tuple[str, ...]],
    ranked: list[tuple[int, float]],
    postings: Postings,
    idf: Mapping[str, float],
    ranking: Ranking,
    record: dict[int, float] | None = None,
) -> list[tuple[int, float]]:
    """``ranked`` (docnum, score), best first, with the first
    ``ranking.rerank_depth`` re-sorted after each of ``phrases`` (terms in
    order) that a document holds adds ``ranking.quoted_weight`` times the idf
    of its terms."""
    if not phrases or not ranked:
        return ranked
    depth = ranking.rerank_depth
    docnums = sorted(docnum for docnum, _ in ranked[:depth])
    found = {term: postings.positions(term, docnums) for phrase in phrases for term in phrase}
    weights = [ranking.quoted_weight * sum(idf.get(term, 0.0) for term in phrase) for phrase in phrases]
    return with_bonuses(ranked, {
        docnum: sum(weight for phrase, weight in zip(phrases, weights)
                    if holds_phrase([found[term].get(docnum, ()) for term in phrase]))
        for docnum in docnums
    }, depth, record)
