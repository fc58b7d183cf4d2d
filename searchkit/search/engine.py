"""Running a query: BM25 ranks the articles (the fast scorer or Whoosh's
matchers), the reranks of searchkit.ranking.reranks reorder the best, a rare
word is also searched as its frequent spelling, then the best passages of
each article are chosen and marked (searchkit.search.hits)."""

from __future__ import annotations

import time
from typing import Iterable

from searchkit.analysis.french import analyze
from searchkit.errors import QueryError
from searchkit.ranking.exactwords import WORDS_FIELD, exact_phrase_rerank
from searchkit.ranking.postings import Postings
from searchkit.ranking.reranks import rerank
from searchkit.search import spelling
from searchkit.search.compiling import CompiledQuery, compile_query
from searchkit.search.filters import Filters, make_filters
from searchkit.search.highlight import find_matches
from searchkit.search.hits import passage_hits, term_positions
from searchkit.search.results import SearchResult
from searchkit.search.session import SearchSession


def _run(session: SearchSession, compiled: CompiledQuery, limit: int, filters: Filters) -> list[tuple[int, float]]:
    """(docnum, score) of the best articles, by the session's view of the
    index: BM25 from the fast scorer or from Whoosh's searcher, then, for an
    OR of words ranked by relevance, the reranks on the same postings."""
    searcher, ranking = session.searcher, session.ranking
    # An OR of words ranked by relevance is reranked from more candidates
    # than asked: a close match just below the limit can rise.
    terms = compiled.terms if filters.sort == "relevance" else None
    depth = max(limit, ranking.rerank_depth) if terms is not None else limit
    postings: Postings
    if session.fast_scoring and terms is not None and filters == Filters():
        scorer = session.fast_scorer()
        ranked = scorer.top(terms, depth, compiled.truncated, compiled.boosts)
        postings = scorer
    else:
        query = filters.apply(compiled.query)
        phrases = compiled.title_spec.exact if filters.sort == "relevance" else ()
        if phrases:
            depth = max(limit, ranking.rerank_depth)
        if filters.sort == "date":
            results = searcher.search(query, limit=limit, sortedby="date", reverse=True)
        else:
            results = searcher.search(query, limit=depth)
        ranked = [(hit.docnum, hit.score) for hit in results]
        if phrases:  # a phrase of the syntax: never an OR of words
            ranked = exact_phrase_rerank(searcher, phrases, ranked)[:limit]
        if terms is None:
            return ranked
        postings = session.whoosh_postings()
    words = [word for _, word in compiled.typed]
    return rerank(ranked, postings, ranking, terms, words, compiled.quoted, compiled.spec.terms)[:limit]


def _at_least_one(**counts: int) -> None:
    # Named as the library's arguments: the CLI's options check their own.
    for name, value in counts.items():
        if value < 1:
            raise QueryError(f"{name} must be at least 1, not {value}")


def _ranked_with_corrections(
    session: SearchSession, text: str, plain_text: bool, limit: int, filters: Filters
) -> tuple[CompiledQuery, list[tuple[int, float]], dict[str, str]]:
    """The best articles for ``text``; when few are found and a typed word is
    rare, the query is run again with the closest frequent spellings too
    (returned as the corrections). Every output ranks the same articles."""
    searcher = session.searcher
    compiled = compile_query(searcher, session.ranking, text, plain_text)
    ranked = _run(session, compiled, limit, filters)
    if not compiled.typed:
        return compiled, ranked, {}
    few = len(ranked) < min(spelling.FEW_RESULTS, limit)
    corrections = spelling.corrections(searcher, compiled.typed, rare_only=not few)
    if not corrections:
        return compiled, ranked, {}
    corrected = compile_query(searcher, session.ranking, text, plain_text, corrections)
    reader = searcher.reader()
    held = {word for word in corrections if reader.doc_frequency(WORDS_FIELD, word)}
    if filters.sort == "date" or (few and not held):
        return corrected, _run(session, corrected, limit, filters), corrections
    # A query that finds enough as typed, or a rare word the index holds (one
    # its articles use), keeps its articles in their places; those found only
    # through a correction come after them ("choque" is not "chaque").
    # Putting them together lowered MRR@10 on Wikinews (bench/relevance.py).
    unheld = {word: fix for word, fix in corrections.items() if word not in held}
    first = _run(session, compile_query(searcher, session.ranking, text, plain_text, unheld), limit, filters) \
        if unheld and few else ranked
    return corrected, _after(first, _run(session, corrected, limit, filters))[:limit], corrections


def _after(first: list[tuple[int, float]], then: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """``first``, then the articles of ``then`` it lacks, their scores scaled
    below the last of ``first`` so that scores keep the order."""
    seen = {docnum for docnum, _ in first}
    extra = [(docnum, score) for docnum, score in then if docnum not in seen]
    if not first or not extra:
        return first + extra
    floor = min(score for _, score in first)
    top = max(score for _, score in extra)
    scale = min(1.0, 0.99 * floor / top) if top > 0 else 1.0
    return first + [(docnum, score * scale) for docnum, score in extra]


def rank_articles(
    session: SearchSession, text: str, limit: int = 100, plain_text: bool = False,
    since: str | None = None, until: str | None = None, sort: str = "relevance",
) -> list[tuple[str, float]]:
    """(article id, score) of the best articles, best first, without passages."""
    _at_least_one(limit=limit)
    _, ranked, _ = _ranked_with_corrections(session, text, plain_text, limit,
                                            make_filters(since, until, sort))
    if not ranked:
        return []
    # Ids from their column: the stored fields would load each article's text.
    ids = session.id_column()
    return [(ids[docnum], score) for docnum, score in ranked]


def search(
    session: SearchSession,
    text: str,
    limit: int = 10,
    per_article: int = 2,
    plain_text: bool = False,
    since: str | None = None,
    until: str | None = None,
    sort: str = "relevance",
    facets: Iterable[str] = (),
    timeline: bool | str = False,
) -> SearchResult:
    """Up to ``limit`` passages, at most ``per_article`` from one article.

    An article's best passage takes the article's score; its next passages
    score lower in proportion, so they come after better articles. When few
    articles match and a typed word is rare, the closest frequent spelling is
    searched too and given as ``suggestion``. With ``facets`` (names of
    searchkit.search.facets.FACETS) or ``timeline`` (True, or a unit), every
    matching article is counted (see searchkit.search.facets).
    """
    _at_least_one(limit=limit, per_article=per_article)
    started = time.perf_counter()
    filters = make_filters(since, until, sort)
    counting = bool(facets) or timeline not in (False, None)
    if counting:  # a wrong name refused before the query runs
        from searchkit.search import facets as counts

        names, unit = counts.facet_names(facets), counts.timeline_unit(timeline)
    searcher = session.searcher
    compiled, ranked, corrections = _ranked_with_corrections(session, text, plain_text, limit, filters)
    results = [(searcher.stored_fields(docnum), score) for docnum, score in ranked]
    positions = term_positions(session, compiled.spec, [docnum for docnum, _ in ranked])
    hits = passage_hits(results, compiled.spec, limit, per_article, by_date=filters.sort == "date",
                        positions=positions, title_spec=compiled.title_spec)
    # A word of removed articles stays in the index's word list until its
    # segment is merged: no suggestion that finds nothing.
    suggestion = spelling.suggestion(text, compiled.typed, corrections, hits) if corrections and hits else None
    result = SearchResult(text, hits, suggestion=suggestion)
    if counting:
        # The query the results were ranked by: with its corrections, if any.
        result.matched, result.facets, result.timeline = counts.count(session, compiled, filters, names, unit)
    result.seconds = time.perf_counter() - started
    return result


def article_highlights(session: SearchSession, text: str, query_text: str) -> list[tuple[int, int]]:
    """Offsets of what ``query_text`` matches in a whole article ``text``."""
    spec = compile_query(session.searcher, session.ranking, query_text).spec
    return [(token.start, token.end) for token in find_matches(list(analyze(text)), spec)]
