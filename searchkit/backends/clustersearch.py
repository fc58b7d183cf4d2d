"""Searching a cluster index: the cluster ranks the articles by BM25 over
searchkit's terms, searchkit's reranks reorder the best of them from their
stored text (``StoredPostings``), and searchkit's own code chooses and marks
the passages (searchkit.search.hits): the hits are made as the embedded
index makes them."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace
from typing import Any, Iterable, Mapping

from searchkit.analysis.french import analyze, truncated
from searchkit.backends import clusterexplain, clusterspelling
from searchkit.backends.cluster import OpenSearchBackend
from searchkit.backends.clustercounts import count
from searchkit.backends.clusterranked import ClusterRanked
from searchkit.backends.clusterquery import ClusterCounts, filtered, to_dsl
from searchkit.errors import QueryError
from searchkit.ranking.reranks import rerank
from searchkit.ranking.settings import Ranking
from searchkit.ranking.exactwords import PHRASES_AS_WRITTEN, WORDS_FIELD, exact_phrase_rerank
from searchkit.search import spelling
from searchkit.search.compiling import compile_query
from searchkit.search.copies import copies_of, deepen, leaders_of, with_copies
from searchkit.search.engine import scale_after
from searchkit.search.spelling import FEW_RESULTS
from searchkit.search.facets import facet_names, timeline_unit
from searchkit.search.filters import Filters, make_filters
from searchkit.search.highlight import find_matches
from searchkit.search.hits import passage_hits
from searchkit.search.results import SearchResult
from searchkit.storage.documents import article_from_stored, cut_passages, document_of
from searchkit.storage.groups import CopyGroups


# The cluster's candidates for the reranks, in multiples of Ranking.rerank_depth.
CANDIDATES = 2


class StoredPostings:
    """The ``Postings`` the reranks read, for the articles ranked first: their
    terms are those of the text stored, analysed again as at ingest."""

    def __init__(self, stored: list[dict[str, Any]], ranking: Ranking, counts: ClusterCounts,
                 average_length: float) -> None:
        self.ranking = ranking
        self.counts = counts
        self.average_length = average_length or 1.0
        self._tokens = [_body_tokens(fields, ranking.title_weight) for fields in stored]
        self._words = [{word for _, word in tokens} for tokens in self._tokens]
        self._terms = [Counter(term for term, _ in tokens) for tokens in self._tokens]
        self._families = [Counter(truncated(word) for _, word in tokens) for tokens in self._tokens]

    def bm25(self, terms: list[str], family_of: Mapping[str, str], boosts: Mapping[str, float]) -> list[float]:
        """The score of each article as the embedded index's fast scorer gives
        it (searchkit.ranking.fastscore.FastScorer.top): BM25 with Whoosh's
        idf, each term's frequency joint with its family's."""
        k1, weight = self.ranking.k1, self.ranking.family_weight
        scores = []
        for docnum in range(len(self._tokens)):
            norm, score = self.norm(docnum), 0.0
            for term in dict.fromkeys(terms):
                tf = float(self._terms[docnum][term])
                family = family_of.get(term) if weight else None
                if family is not None:
                    tf = max(tf, (1 - weight) * tf + weight * self._families[docnum][family])
                if tf:
                    score += boosts.get(term, 1.0) * self.counts.idf("body", term) * tf * (k1 + 1) / (tf + norm)
            scores.append(score)
        return scores

    def positions(self, term: str, docnums: list[int]) -> dict[int, list[int]]:
        found = {}
        for docnum in docnums:
            where = [position for position, (t, _) in enumerate(self._tokens[docnum]) if t == term]
            if where:
                found[docnum] = where
        return found

    def norm(self, docnum: int) -> float:
        return float(self.ranking.length_norm(len(self._tokens[docnum]), self.average_length))

    def holding(self, word: str, docnums: list[int]) -> set[int]:
        return {docnum for docnum in docnums if word in self._words[docnum]}

    def word_idf(self, word: str) -> float:
        return self.counts.idf("words", word)


def _body_tokens(stored: dict[str, Any], title_weight: int) -> list[tuple[str, str]]:
    article = article_from_stored(stored)
    document = document_of(article, "", "", title_weight=title_weight)
    return cut_passages(document, signed=False).tokens["body"]


def ranked(backend: OpenSearchBackend, ranking: Ranking, text: str, plain_text: bool, limit: int,
           filters: Filters, corrections: dict[str, str] | None = None, explain: bool = False) -> ClusterRanked:
    """The best ``limit`` articles: the cluster's BM25, then, for an OR of
    words by relevance, searchkit's reranks on the best ``rerank_depth``."""
    counts = ClusterCounts(backend, text)
    compiled = compile_query(counts, ranking, text, plain_text, corrections)
    terms = compiled.terms if filters.sort == "relevance" else None
    # An OR of words: the cluster finds twice the candidates the reranks read,
    # which are scored again as the embedded index scores them (Lucene's BM25
    # is not Whoosh's: MRR@10 0.7519 on orangesum-title-dev, 0.7603 embedded).
    depth = max(limit, CANDIDATES * ranking.rerank_depth) if terms is not None else limit
    # A phrase of the syntax (never an OR of words): those holding it as
    # written first, among as many candidates as the embedded index reranks.
    phrases = compiled.title_spec.exact if filters.sort == "relevance" else ()
    if phrases:
        depth = max(limit, ranking.rerank_depth)
    found = backend.rank(filtered(to_dsl(compiled.query), filters), depth, sort_by_date=filters.sort == "date")
    ids = [article_id for article_id, _ in found]
    stored = {article_id: fields for article_id, fields in zip(ids, backend.stored(ids)) if fields is not None}
    found = [(article_id, score) for article_id, score in found if article_id in stored]
    if phrases and terms is None:
        record: dict[str, float] | None = {} if explain else None
        found = exact_phrase_rerank(stored.__getitem__, phrases, found, record)[:limit]
        result = ClusterRanked(compiled, found, stored)
        if record:
            result.bonuses = {PHRASES_AS_WRITTEN: record}
        return result
    if terms is not None and found:
        postings = StoredPostings([stored[article_id] for article_id, _ in found], ranking, counts,
                                  counts.average_length)
        scores = postings.bm25(terms, compiled.truncated, compiled.boosts)
        best = sorted(range(len(found)), key=lambda n: -scores[n])[:max(limit, ranking.rerank_depth)]
        words = [word for _, word in compiled.typed]
        bonuses: dict[str, dict[int, float]] | None = {} if explain else None
        numbered = rerank([(n, scores[n]) for n in best if scores[n] > 0], postings, ranking, terms, words,
                          compiled.quoted, compiled.spec.terms, bonuses)
        result = ClusterRanked(compiled, [(found[n][0], score) for n, score in numbered][:limit], stored)
        if bonuses is not None:
            result.term_scores = {term: dict(zip((i for i, _ in found), postings.bm25([term], compiled.truncated,
                                                                                      compiled.boosts)))
                                  for term in dict.fromkeys(terms)}
            result.bonuses = {name: {found[n][0]: bonus for n, bonus in given.items()}
                              for name, given in bonuses.items()}
        return result
    return ClusterRanked(compiled, found[:limit], stored)


def ranked_with_corrections(backend: OpenSearchBackend, ranking: Ranking, text: str, plain_text: bool,
                            limit: int, filters: Filters, explain: bool = False) -> ClusterRanked:
    """searchkit.search.engine._ranked_with_corrections on the cluster: when few
    articles are found and a typed word is rare, the closest frequent spellings
    searched too, the articles found as typed first."""
    run = ranked(backend, ranking, text, plain_text, limit, filters, explain=explain)
    if not run.compiled.typed:
        return run
    few = len(run.ranked) < min(FEW_RESULTS, limit)
    corrections = clusterspelling.corrections(backend, run.compiled.typed, rare_only=not few)
    if not corrections:
        return run
    corrected = ranked(backend, ranking, text, plain_text, limit, filters, corrections, explain)
    corrected.corrections = corrections
    if not few and filters.sort != "date" and len(run.ranked) >= limit:
        return replace(run, compiled=corrected.compiled, corrections=corrections)  # only its words marked
    _, counts, _ = backend.statistics(WORDS_FIELD, sorted(corrections))
    held = {word for word in corrections if counts[word]}
    if filters.sort == "date" or (few and not held):
        return corrected
    unheld = {word: fix for word, fix in corrections.items() if word not in held}
    first = ranked(backend, ranking, text, plain_text, limit, filters, unheld, explain) if unheld and few else run
    scale = scale_after(first.ranked, corrected.ranked)
    seen = {article_id for article_id, _ in first.ranked}
    extra = [(article_id, score * scale) for article_id, score in corrected.ranked if article_id not in seen]
    origins = {article_id: (first, 1.0) for article_id in seen} | \
        {article_id: (corrected, scale) for article_id, _ in extra}
    return ClusterRanked(corrected.compiled, (first.ranked + extra)[:limit], {**first.stored, **corrected.stored},
                         corrections, origins=origins)


def _grouped(backend: OpenSearchBackend, ranking: Ranking, text: str, plain_text: bool, limit: int | None,
             filters: Filters, groups: CopyGroups | None, explain: bool = False
             ) -> tuple[ClusterRanked, dict[str, list[str]]]:
    """The best articles as deep as ``limit`` asks; each of ``groups`` once
    (searchkit.search.copies, as the embedded index), with the ids of the
    others of each; every article apart for ``groups`` None."""
    def rank(depth: int) -> ClusterRanked:
        return ranked_with_corrections(backend, ranking, text, plain_text, depth, filters, explain)

    if groups is None:
        return rank(max(1, backend.count()) if limit is None else limit), {}
    found, kept, others = deepen(rank, lambda found: found.ranked, lambda ranked: leaders_of(groups, ranked, str),
                                 backend.count, limit)
    return replace(found, ranked=kept), others


def search(backend: OpenSearchBackend, ranking: Ranking, text: str, limit: int = 10, per_article: int = 2,
           plain_text: bool = False, since: str | None = None, until: str | None = None,
           sort: str = "relevance", explain: bool = False, facets: Iterable[str] = (),
           timeline: bool | str = False, groups: CopyGroups | None = None) -> SearchResult:
    """``Index.search`` on a cluster index; each of ``groups`` of copies once."""
    for name, value in (("limit", limit), ("per_article", per_article)):
        if value < 1:
            raise QueryError(f"{name} must be at least 1, not {value}")
    started = time.perf_counter()
    filters = make_filters(since, until, sort)
    counting = bool(facets) or timeline not in (False, None)
    if counting:  # a wrong name refused before the query runs
        names, unit = facet_names(facets), timeline_unit(timeline)
    found, others = _grouped(backend, ranking, text, plain_text, limit, filters, groups, explain)
    results = [(found.stored[article_id], score) for article_id, score in found.ranked]
    hits = passage_hits(results, found.compiled.spec, limit, per_article, by_date=filters.sort == "date",
                        title_spec=found.compiled.title_spec)
    hits = list(with_copies(hits, others, lambda members: copies_of(backend.stored(members))))
    suggestion = spelling.suggestion(text, found.compiled.typed, found.corrections, hits) \
        if found.corrections and hits else None
    if explain:
        clusterexplain.explain_hits(backend, text, hits, found, results, by_date=filters.sort == "date")
    result = SearchResult(text, hits, suggestion=suggestion)
    if counting:
        result.matched, result.facets, result.timeline = count(backend, found.compiled, filters, names, unit)
    result.seconds = time.perf_counter() - started
    return result


def rank_articles(backend: OpenSearchBackend, ranking: Ranking, text: str, limit: int | None, plain_text: bool,
                  since: str | None, until: str | None, sort: str, groups: CopyGroups | None = None
                  ) -> list[tuple[str, float]]:
    """``Index.rank_articles`` on a cluster index; each of ``groups`` once, by its leader."""
    if limit is not None and limit < 1:
        raise QueryError(f"limit must be at least 1, not {limit}")
    return _grouped(backend, ranking, text, plain_text, limit, make_filters(since, until, sort), groups)[0].ranked


def article_highlights(backend: OpenSearchBackend, ranking: Ranking, text: str, query_text: str
                       ) -> list[tuple[int, int]]:
    spec = compile_query(ClusterCounts(backend), ranking, query_text).spec
    return [(token.start, token.end) for token in find_matches(list(analyze(text)), spec)]
