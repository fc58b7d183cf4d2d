"""Running a query: BM25 ranks the articles (the fast scorer or Whoosh's
matchers), the reranks of searchkit.ranking.reranks reorder the best, a rare
word is also searched as its frequent spelling, then the best passages of
each article are chosen and marked (searchkit.search.hits)."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, replace
from typing import Any, Callable, Hashable, Iterable, Iterator, Sequence

from whoosh import query as wq

from searchkit.analysis.french import analyze
from searchkit.errors import QueryError
from searchkit.ranking.exactwords import PHRASES_AS_WRITTEN, WORDS_FIELD, exact_phrase_rerank
from searchkit.ranking.postings import Postings
from searchkit.ranking.reranks import rerank
from searchkit.search import spelling
from searchkit.search.compiling import CompiledQuery, compile_query
from searchkit.search.copies import copy_details, deep_enough, with_copies
from searchkit.search.filters import Filters, make_filters
from searchkit.search.highlight import find_matches
from searchkit.search.explain import explain as explain_article
from searchkit.search.hits import passage_hits, streamed_hits, term_positions
from searchkit.search.results import Explanation, Hit, HitStream, SearchResult
from searchkit.search.session import SearchSession


@dataclass
class Run:
    """The best articles for one compiled query, and, when explained, what
    ranked them: the Whoosh query that scored them and each rerank's bonus
    per article (searchkit.search.explain)."""

    compiled: CompiledQuery
    ranked: list[tuple[int, float]]
    query: wq.Query
    bonuses: dict[str, dict[int, float]] | None = None


def _run(session: SearchSession, compiled: CompiledQuery, limit: int, filters: Filters,
         explain: bool = False) -> Run:
    """The best articles, by the session's view of the index: BM25 from the
    fast scorer or from Whoosh's searcher, then, for an OR of words ranked by
    relevance, the reranks on the same postings."""
    searcher, ranking = session.searcher, session.ranking
    bonuses: dict[str, dict[int, float]] | None = {} if explain else None
    # An OR of words ranked by relevance is reranked from more candidates
    # than asked: a close match just below the limit can rise.
    terms = compiled.terms if filters.sort == "relevance" else None
    depth = max(limit, ranking.rerank_depth) if terms is not None else limit
    query, allowed = compiled.query, filters.restriction()
    postings: Postings
    if session.fast_scoring and terms is not None and filters == Filters():
        scorer = session.fast_scorer()
        ranked = scorer.top(terms, depth, compiled.truncated, compiled.boosts)
        postings = scorer
    else:
        phrases = compiled.title_spec.exact if filters.sort == "relevance" else ()
        if phrases:
            depth = max(limit, ranking.rerank_depth)
        if filters.sort == "date":
            results = searcher.search(query, limit=limit, sortedby="date", reverse=True, filter=allowed)
        else:
            results = searcher.search(query, limit=depth, filter=allowed)
        if filters.sort == "date":
            # Whoosh's score is then the sort key (the date's bytes): a score
            # falling with the rank keeps TREC tools, which sort by score, in date order.
            ranked = [(hit.docnum, float(len(results) - rank)) for rank, hit in enumerate(results)]
        else:
            ranked = [(hit.docnum, hit.score) for hit in results]
        if phrases:  # a phrase of the syntax: never an OR of words
            record = None if bonuses is None else bonuses.setdefault(PHRASES_AS_WRITTEN, {})
            ranked = exact_phrase_rerank(searcher.stored_fields, phrases, ranked, record)[:limit]
        if terms is None:
            return Run(compiled, ranked, query, bonuses)
        postings = session.whoosh_postings()
    words = [word for _, word in compiled.typed]
    ranked = rerank(ranked, postings, ranking, terms, words, compiled.quoted, compiled.spec.terms, bonuses)
    return Run(compiled, ranked[:limit], query, bonuses)


def _ranked(session: SearchSession, rank: Callable[[int], Ranked], limit: int | None, copies: bool
            ) -> tuple[Ranked, dict[int, list[str]]]:
    """``rank`` as deep as ``limit`` asks; unless ``copies``, each group of
    copies once (searchkit.search.copies), with the ids of the others of each."""
    if copies:
        return rank(_depth(session, limit)), {}
    found, kept, others = deep_enough(rank, lambda found: found.ranked, session, limit)
    return replace(found, ranked=kept), others


def _at_least_one(**counts: int | None) -> None:
    # Named as the library's arguments: the CLI's options check their own.
    for name, value in counts.items():
        if value is not None and value < 1:
            raise QueryError(f"{name} must be at least 1, not {value}")


def _depth(session: SearchSession, limit: int | None) -> int:
    """The articles to rank for ``limit``: all of them for None."""
    return max(1, session.searcher.doc_count_all()) if limit is None else limit


@dataclass
class Ranked:
    """The best articles for a query, with the corrections its typed words
    got; ``origins`` says, for each article, the run that scored it and the
    factor its score was scaled by to come after those found as typed."""

    compiled: CompiledQuery
    ranked: list[tuple[int, float]]
    corrections: dict[str, str]
    origins: dict[int, tuple[Run, float]]


def _from_one(run: Run, corrections: dict[str, str] | None = None) -> Ranked:
    return Ranked(run.compiled, run.ranked, corrections or {}, {docnum: (run, 1.0) for docnum, _ in run.ranked})


def _ranked_with_corrections(session: SearchSession, text: str, plain_text: bool, limit: int, filters: Filters,
                             explain: bool = False) -> Ranked:
    """The best articles for ``text``; when few are found and a typed word is
    rare, the query is run again with the closest frequent spellings too
    (returned as the corrections). Every output ranks the same articles."""
    searcher = session.searcher
    compiled = compile_query(searcher, session.ranking, text, plain_text)
    run = _run(session, compiled, limit, filters, explain)
    if not compiled.typed:
        return _from_one(run)
    few = len(run.ranked) < min(spelling.FEW_RESULTS, limit)
    corrections = spelling.corrections(searcher, compiled.typed, rare_only=not few)
    if not corrections:
        return _from_one(run)
    corrected_query = compile_query(searcher, session.ranking, text, plain_text, corrections)
    if not few and filters.sort != "date" and len(run.ranked) >= limit:
        # The articles found as typed fill the limit; those found only through
        # a correction would come after them (below): the corrected query need
        # not run, only mark its words.
        return replace(_from_one(run, corrections), compiled=corrected_query)
    corrected = _run(session, corrected_query, limit, filters, explain)
    reader = searcher.reader()
    held = {word for word in corrections if reader.doc_frequency(WORDS_FIELD, word)}
    if filters.sort == "date" or (few and not held):
        return _from_one(corrected, corrections)
    # A query that finds enough as typed, or a rare word the index holds (one
    # its articles use), keeps its articles in their places; those found only
    # through a correction come after them ("choque" is not "chaque").
    # Putting them together lowered MRR@10 on Wikinews (bench/relevance.py).
    unheld = {word: fix for word, fix in corrections.items() if word not in held}
    first = _run(session, compile_query(searcher, session.ranking, text, plain_text, unheld), limit, filters,
                 explain) if unheld and few else run
    scale = scale_after(first.ranked, corrected.ranked)
    seen = {docnum for docnum, _ in first.ranked}
    extra = [(docnum, score * scale) for docnum, score in corrected.ranked if docnum not in seen]
    origins = {docnum: (first, 1.0) for docnum in seen} | {docnum: (corrected, scale) for docnum, _ in extra}
    return Ranked(corrected.compiled, (first.ranked + extra)[:limit], corrections, origins)


def scale_after(first: Sequence[tuple[Hashable, float]], then: Sequence[tuple[Hashable, float]]) -> float:
    """The factor that puts the scores of the articles of ``then`` that
    ``first`` lacks below the last of ``first``, so that scores keep the order."""
    seen = {docnum for docnum, _ in first}
    extra = [score for docnum, score in then if docnum not in seen]
    if not first or not extra:
        return 1.0
    floor = min(score for _, score in first)
    top = max(extra)
    return min(1.0, 0.99 * floor / top) if top > 0 else 1.0


def rank_articles(
    session: SearchSession, text: str, limit: int | None = 100, plain_text: bool = False,
    since: str | None = None, until: str | None = None, sort: str = "relevance", copies: bool = False,
) -> list[tuple[str, float]]:
    """(article id, score) of the best articles, best first, without
    passages; every matching article for ``limit=None``; each group of
    copies once, by its leader, unless ``copies``."""
    _at_least_one(limit=limit)
    filters = make_filters(since, until, sort)
    ranked = _ranked(session, lambda depth: _ranked_with_corrections(session, text, plain_text, depth, filters),
                     limit, copies)[0].ranked
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
    explain: bool = False,
    facets: Iterable[str] = (),
    timeline: bool | str = False,
    copies: bool = False,
) -> SearchResult:
    """Up to ``limit`` passages, at most ``per_article`` from one article.

    An article's best passage takes the article's score; its next passages
    score lower in proportion, so they come after better articles. When few
    articles match and a typed word is rare, the closest frequent spelling is
    searched too and given as ``suggestion``. With ``explain``, each hit says
    why its article matched (searchkit.search.explain). With ``facets`` (names of
    searchkit.search.facets.FACETS) or ``timeline`` (True, or a unit), every
    matching article is counted (see searchkit.search.facets). Each group
    of copies is shown once, its others in the hit's ``copies``, unless ``copies``.
    """
    _at_least_one(limit=limit, per_article=per_article)
    started = time.perf_counter()
    filters = make_filters(since, until, sort)
    counting = bool(facets) or timeline not in (False, None)
    if counting:  # a wrong name refused before the query runs
        from searchkit.search import facets as counts

        names, unit = counts.facet_names(facets), counts.timeline_unit(timeline)
    searcher = session.searcher
    found, others = _ranked(session, lambda depth: _ranked_with_corrections(
        session, text, plain_text, depth, filters, explain), limit, copies)
    compiled, ranked, corrections = found.compiled, found.ranked, found.corrections
    results = [(searcher.stored_fields(docnum), score) for docnum, score in ranked]
    positions = term_positions(session, compiled.spec, [docnum for docnum, _ in ranked])
    hits = passage_hits(results, compiled.spec, limit, per_article, by_date=filters.sort == "date",
                        positions=positions, title_spec=compiled.title_spec)
    hits = list(_with_copies(session, hits, others))
    # A word of removed articles stays in the index's word list until its
    # segment is merged: no suggestion that finds nothing.
    suggestion = spelling.suggestion(text, compiled.typed, corrections, hits) if corrections and hits else None
    if explain:
        _explain_hits(session, text, hits, found, results, by_date=filters.sort == "date")
    result = SearchResult(text, hits, suggestion=suggestion)
    if counting:
        # The query the results were ranked by: with its corrections, if any.
        result.matched, result.facets, result.timeline = counts.count(session, compiled, filters, names, unit)
    result.seconds = time.perf_counter() - started
    return result


def _explain_hits(session: SearchSession, text: str, hits: list[Hit], found: Ranked,
                  results: list[tuple[dict[str, Any], float]], by_date: bool) -> None:
    """Each hit's explanation: its article's, with the share of the article's
    score its passage takes (sorted by date, a hit's score is its passage's own)."""
    number_of = {stored["id"]: number for number, (stored, _) in enumerate(results)}
    explained: dict[str, Explanation] = {}
    for hit in hits:
        number = number_of[hit.article_id]
        stored, article_score = results[number]
        if hit.article_id not in explained:
            docnum = found.ranked[number][0]
            run, scale = found.origins[docnum]
            explained[hit.article_id] = explain_article(session.searcher, text, stored, docnum, run.query, run.compiled,
                                                        run.bonuses, scale, found.corrections)
        share = hit.score / article_score if article_score and not by_date else 1.0
        hit.explain = replace(explained[hit.article_id], passage=share)


def stream_hits(
    session: SearchSession, text: str, limit: int | None = None, per_article: int = 2, plain_text: bool = False,
    since: str | None = None, until: str | None = None, sort: str = "relevance", copies: bool = False,
) -> HitStream:
    """The hits of ``search``, in its order, made as they are read: every
    matching article's for ``limit=None``. The articles are ranked (and a
    bad query refused) here; their passages are made a few hundred articles
    at a time as the hits are read, so memory does not grow with the count."""
    _at_least_one(limit=limit, per_article=per_article)
    filters = make_filters(since, until, sort)
    found, others = _ranked(session, lambda depth: _ranked_with_corrections(
        session, text, plain_text, depth, filters), limit, copies)
    compiled, ranked, corrections = found.compiled, found.ranked, found.corrections
    hits = _with_copies(session, streamed_hits(session, ranked, compiled.spec, compiled.title_spec, limit,
                                               per_article, by_date=filters.sort == "date"), others)
    if not corrections:
        return HitStream(text, hits)
    # The corrected words as the first hits write them (search() looks at
    # all of its hits: the same for up to this many).
    head = list(itertools.islice(hits, 100))
    suggestion = spelling.suggestion(text, compiled.typed, corrections, head) if head else None
    return HitStream(text, itertools.chain(head, hits), suggestion)


def _with_copies(session: SearchSession, hits: Iterable[Hit], others: dict[int, list[str]]) -> Iterator[Hit]:
    """The hits, each with its ``copies``: the others of its article's group of copies."""
    ids = session.id_column() if others else None
    by_id = {ids[docnum]: members for docnum, members in others.items()} if ids is not None else {}
    return with_copies(hits, by_id, lambda members: copy_details(session, members))


def article_highlights(session: SearchSession, text: str, query_text: str) -> list[tuple[int, int]]:
    """Offsets of what ``query_text`` matches in a whole article ``text``."""
    spec = compile_query(session.searcher, session.ranking, query_text).spec
    return [(token.start, token.end) for token in find_matches(list(analyze(text)), spec)]
