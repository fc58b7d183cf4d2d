"""Reranking by the words as typed: among the best documents of an OR of
words, those holding a query word in the very form typed (accents and case
aside) gain over those that hold only another word of the same stem.

Stemming lets "présidence" find "président"; a reader who typed "président"
still prefers the article with that word. The ``words`` field holds every
folded word once per article; each query word found there adds
EXACT_WORD_WEIGHT times its idf in that field to the first PROXIMITY_DEPTH
documents. On the three relevance sets (news titles, questions, keyphrases)
it raised MRR@10 on each (bench/relevance.py).
"""

from __future__ import annotations

from typing import Callable

from searchkit.ranking.proximity import PROXIMITY_DEPTH, segments_holding, with_bonuses

WORDS_FIELD = "words"
EXACT_WORD_WEIGHT = 0.3


def words_held(searcher, word: str, docnums: list[int]) -> set[int]:  # type: ignore[no-untyped-def]
    """Those of ``docnums`` whose ``words`` field holds ``word``, as
    ``FastScorer.holding`` finds them, through Whoosh's matchers."""
    held = set()
    for leaf, offset, targets in segments_holding(searcher, WORDS_FIELD, word, docnums):
        matcher = leaf.postings(WORDS_FIELD, word)  # type: ignore[attr-defined]
        matcher = getattr(matcher, "child", matcher)
        for target in targets:
            if matcher.is_active():
                matcher.skip_to(target)
            if matcher.is_active() and matcher.id() == target:
                held.add(target + offset)
    return held


def exact_word_rerank(
    words: list[str],
    ranked: list[tuple[int, float]],
    held: Callable[[str, list[int]], set[int]],
    idf: Callable[[str], float],
) -> list[tuple[int, float]]:
    """``ranked`` (docnum, score), best first, with the bonus of each of the
    folded ``words`` held by the first PROXIMITY_DEPTH documents, those re-sorted."""
    head = ranked[:PROXIMITY_DEPTH]
    if not words or not head:
        return ranked
    docnums = [docnum for docnum, _ in head]
    bonus = dict.fromkeys(docnums, 0.0)
    for word in dict.fromkeys(words):
        found = held(word, docnums)
        if found:
            weight = EXACT_WORD_WEIGHT * idf(word)
            for docnum in found:
                bonus[docnum] += weight
    return with_bonuses(ranked, bonus)
