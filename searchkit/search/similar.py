"""The articles closest to one: more like this, as Lucene's MoreLikeThis.

The article's body as indexed (its title ``title_weight`` times, then its
text) is analysed with the French analysis of the index; its terms are
weighed by tf-idf, the best ``MAX_TERMS`` become an OR query, each term
boosted by its weight over the best one's, and that query is scored with the
fast scorer (BM25), as MoreLikeThis does with its boost on. Copies of the article are left out: those of its group of
copies (searchkit.storage.minhash) and those whose analysed terms are almost
all its own (``NEAR_COPY``); of another group of copies, only the best ranked
is shown. Each hit is the passage of the
article that holds most of those terms, marked.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import Callable

from searchkit.analysis.french import index_tokens
from searchkit.errors import ArticleNotFound, QueryError
from searchkit.search.highlight import MatchSpec
from searchkit.search.hits import passage_hits, term_positions
from searchkit.search.results import SearchResult
from searchkit.search.session import SearchSession
from searchkit.storage.documents import article_from_stored, indexed_body

# Lucene MoreLikeThis's defaults, but for the document frequency: Lucene
# wants a term in 5 documents, which drops a story's own names
# ("Serebrennikov" is in 3 of the 31,034 OrangeSum articles, all on his
# trial); 2 only drops the terms no other article holds, which find nothing.
MAX_TERMS = 25
MIN_TERM_FREQUENCY = 2
MIN_DOC_FREQUENCY = 2
# A term in more than half of the articles says nothing of a story, and
# scoring its postings costs the most.
MAX_DOC_SHARE = 0.5
# A short article repeats few words: its best once-seen terms make up this many.
MIN_TERMS = 8
# A near copy shares at least this share of its analysed terms with the
# article (Jaccard of the two term sets). On OrangeSum (bench/similar.py), of
# the 4,000 best candidates of 400 articles, 3,966 share less than 0.4, other
# articles on the same story among them (0.2 to 0.35); rewrites of one wire
# story share 0.6 to 0.75 and are kept, as other articles; the 3 at 0.8 and
# over are a resend (0.95) or an update of the same dispatch (0.8, 0.84).
# The score against the article's own score cannot tell them apart: other
# articles on the same story reach 0.85 to 0.97 of it, as copies do.
NEAR_COPY = 0.8
# Copies are few: candidates fetched beyond ``limit`` before fetching more.
SPARE = 10


@dataclass(frozen=True)
class KeyTerms:
    """The distinctive terms of an article and what it is made of."""

    article_id: str
    docnum: int
    weights: dict[str, float]  # term -> tf-idf, best first
    terms: frozenset[str]  # every analysed term of its body


def _body_terms(stored: dict, title_weight: int) -> Counter[str]:
    body, _ = indexed_body(article_from_stored(stored), title_weight)
    return Counter(term for term, _ in index_tokens(body))


def body_terms(stored: dict, title_weight: int) -> frozenset[str]:
    """Every analysed term of the body of the article of ``stored``."""
    return frozenset(_body_terms(stored, title_weight))


def key_terms(session: SearchSession, article_id: str) -> KeyTerms:
    """The terms of ``article_id`` that set it apart (see distinctive)."""
    searcher = session.searcher
    docnum = searcher.document_number(id=article_id)
    if docnum is None:
        raise ArticleNotFound(article_id)
    frequencies = _body_terms(searcher.stored_fields(docnum), session.ranking.title_weight)
    scorer = session.fast_scorer()
    reader = searcher.reader()
    weights = distinctive(frequencies, lambda term: reader.doc_frequency("body", term), scorer.size, scorer.idf)
    return KeyTerms(article_id, docnum, weights, frozenset(frequencies))


def distinctive(frequencies: Counter[str], doc_frequency: Callable[[str], int], size: int,
                idf: Callable[[int], float]) -> dict[str, float]:
    """term -> tf-idf of the terms of an article's body (``frequencies``)
    that set it apart in an index of ``size`` articles, best first: at most
    MAX_TERMS of those it repeats, completed by its best once-seen terms."""
    most = MAX_DOC_SHARE * size
    repeated: list[tuple[float, str]] = []
    once: list[tuple[float, str]] = []
    for term, frequency in frequencies.items():
        df = doc_frequency(term)
        if MIN_DOC_FREQUENCY <= df <= most:
            weight = frequency * idf(df)
            (repeated if frequency >= MIN_TERM_FREQUENCY else once).append((weight, term))
    chosen = sorted(repeated, reverse=True)[:MAX_TERMS]
    if len(chosen) < MIN_TERMS:
        chosen += sorted(once, reverse=True)[:MIN_TERMS - len(chosen)]
    chosen.sort(key=lambda pair: (-pair[0], pair[1]))
    return {term: weight for weight, term in chosen}


def jaccard(first: frozenset[str], second: frozenset[str]) -> float:
    union = len(first | second)
    return len(first & second) / union if union else 1.0


def similar_articles(session: SearchSession, key: KeyTerms, limit: int) -> list[tuple[dict, int, float]]:
    """(stored fields, docnum, score) of the ``limit`` best articles for the
    key terms, best first, without the article and its near copies."""
    if not key.weights:
        return []
    best = max(key.weights.values())
    boosts = {term: weight / best for term, weight in key.weights.items()}
    terms = list(key.weights)
    scorer, searcher, title_weight = session.fast_scorer(), session.searcher, session.ranking.title_weight
    kept: list[tuple[dict, int, float]] = []
    # Its own group of copies left out, and each other group once, by its best ranked.
    groups = session.copy_groups()
    seen_groups = {id(groups.group_of[key.article_id])} if key.article_id in groups.group_of else set()
    looked = 0  # candidates judged already: a wider fetch ranks them alike
    wanted = limit + 1 + SPARE
    while True:
        ranked = scorer.top(terms, wanted, boosts=boosts)
        for docnum, score in ranked[looked:]:
            if docnum == key.docnum:
                continue
            group = groups.group_of.get(session.id_column()[docnum])
            if group is not None and id(group) in seen_groups:
                continue
            stored = searcher.stored_fields(docnum)
            if jaccard(key.terms, frozenset(_body_terms(stored, title_weight))) < NEAR_COPY:
                if group is not None:
                    seen_groups.add(id(group))
                kept.append((stored, docnum, score))
                if len(kept) == limit:
                    return kept
        if len(ranked) < wanted:
            return kept
        looked, wanted = len(ranked), wanted * 2


def similar(session: SearchSession, article_id: str, limit: int = 10) -> SearchResult:
    """The ``limit`` articles closest to ``article_id``, each by its passage
    that holds most of its distinctive terms, marked; its ``query`` is the id."""
    if limit < 1:
        raise QueryError(f"limit must be at least 1, not {limit}")
    started = time.perf_counter()
    key = key_terms(session, article_id)
    found = similar_articles(session, key, limit)
    best = max(key.weights.values(), default=1.0)
    spec = MatchSpec(terms={term: weight / best for term, weight in key.weights.items()})
    positions = term_positions(session, spec, [docnum for _, docnum, _ in found])
    results = [(stored, score) for stored, _, score in found]
    hits = passage_hits(results, spec, limit, 1, by_date=False, positions=positions)
    return SearchResult(article_id, hits, time.perf_counter() - started)
