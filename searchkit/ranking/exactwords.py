"""Reranking by the words as typed and the phrases as written.

Among the best documents of an OR of words, those holding a query word in
the very form typed (accents and case aside) gain over those that hold only
another word of the same stem. Stemming lets "présidence" find "président";
a reader who typed "président" still prefers the article with that word. The
``words`` field holds every folded word once per article; each query word
found there adds ``Ranking.exact_word_weight`` times its idf in that field to
the first ``Ranking.rerank_depth`` documents (the measured reason is in
searchkit.ranking.settings).

A phrase of the syntax matches by stems without its stop words; among the
documents it finds, those holding it as written come first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Hashable, Mapping, TypeVar

from searchkit.analysis.phrases import phrases_held
from searchkit.ranking.proximity import with_bonuses
from searchkit.ranking.settings import Ranking

if TYPE_CHECKING:
    from searchkit.ranking.postings import Postings

WORDS_FIELD = "words"
# The bonus of exact_phrase_rerank, as an explanation names it.
PHRASES_AS_WRITTEN = "phrase as written"
Key = TypeVar("Key", bound=Hashable)  # a docnum, or an article id in a cluster


def exact_word_rerank(
    words: list[str],
    ranked: list[tuple[int, float]],
    postings: Postings,
    ranking: Ranking,
    record: dict[int, float] | None = None,
) -> list[tuple[int, float]]:
    """``ranked`` (docnum, score), best first, with the bonus of each of the
    folded ``words`` held by the first ``ranking.rerank_depth`` documents,
    those re-sorted; each document's bonus kept in ``record`` when given."""
    depth = ranking.rerank_depth
    head = ranked[:depth]
    if not words or not head:
        return ranked
    docnums = [docnum for docnum, _ in head]
    bonus = dict.fromkeys(docnums, 0.0)
    for word in dict.fromkeys(words):
        found = postings.holding(word, docnums)
        if found:
            weight = ranking.exact_word_weight * postings.word_idf(word)
            for docnum in found:
                bonus[docnum] += weight
    return with_bonuses(ranked, bonus, depth, record)


def exact_phrase_rerank(stored_fields: Callable[[Key], Mapping[str, Any]], phrases: tuple[tuple[str, ...], ...],
                        ranked: list[tuple[Key, float]], record: dict[Key, float] | None = None
                        ) -> list[tuple[Key, float]]:
    """Articles holding more of the query's phrases as written first, each
    group in its order: a phrase matches by stems without its stop words
    (recall kept), but the exact phrase is what was asked for. Read from the
    stored text (``stored_fields`` of a docnum, or of an article id in a
    cluster): a phrase of the syntax is scored by no postings of words as
    written. Each document's bonus is kept in ``record`` when given."""
    def held(key: Key) -> int:
        stored = stored_fields(key)
        return phrases_held(f"{stored.get('title', '')}\n{stored.get('text', '')}", phrases)

    if not ranked:
        return ranked
    # Each phrase held adds the best score: scores keep the new order, which
    # the passages of search() are sorted by.
    top = max(score for _, score in ranked)
    bonuses = {key: held(key) * top for key, _ in ranked}
    if record is not None:
        record.update((key, bonus) for key, bonus in bonuses.items() if bonus)
    reranked = [(key, score + bonuses[key]) for key, score in ranked]
    return sorted(reranked, key=lambda item: -item[1])
