"""``similar`` on a cluster index: the article's distinctive terms chosen as
the embedded index chooses them (searchkit.search.similar.distinctive, with
the cluster's counts), sent as an OR query of boosted terms without the
article; the cluster's candidates scored again as the embedded index's fast
scorer scores them (clustersearch.StoredPostings), near copies left out."""

from __future__ import annotations

import time
from typing import Any

from searchkit.backends.cluster import OpenSearchBackend
from searchkit.backends.clusterquery import ClusterCounts
from searchkit.backends.clustersearch import StoredPostings
from searchkit.errors import ArticleNotFound, QueryError
from searchkit.ranking.settings import Ranking
from searchkit.search.highlight import MatchSpec
from searchkit.search.hits import passage_hits
from searchkit.search.results import SearchResult
from searchkit.storage.groups import CopyGroups
from searchkit.search.similar import NEAR_COPY, SPARE, _body_terms, body_terms, distinctive, jaccard

# Terms whose article counts are asked in one request.
COUNTED_TERMS = 200
# Candidates the cluster ranks, at the least, to be scored again by searchkit.
MIN_CANDIDATES = 100


def similar(backend: OpenSearchBackend, ranking: Ranking, article_id: str, limit: int = 10,
            groups: CopyGroups | None = None) -> SearchResult:
    """Index.similar on a cluster index."""
    if limit < 1:
        raise QueryError(f"limit must be at least 1, not {limit}")
    started = time.perf_counter()
    stored = backend.stored([article_id])[0]
    if stored is None:
        raise ArticleNotFound(article_id)
    frequencies = _body_terms(stored, ranking.title_weight)
    counts = ClusterCounts(backend)
    known = list(frequencies)
    for start in range(0, len(known), COUNTED_TERMS):
        _, found, _ = backend.statistics("body", known[start:start + COUNTED_TERMS])
        counts.learn("body", found)
    size = counts.doc_count_all()
    weights = distinctive(frequencies, lambda term: counts.doc_frequency("body", term), size,
                          lambda df: counts.idf_of(df))
    best = max(weights.values(), default=1.0)
    boosts = {term: weight / best for term, weight in weights.items()}
    found_articles = _closest(backend, ranking, counts, article_id, frozenset(frequencies), boosts, limit,
                              groups or CopyGroups())
    hits = passage_hits(found_articles, MatchSpec(terms=boosts), limit, 1, by_date=False)
    return SearchResult(article_id, hits, time.perf_counter() - started)


def _closest(backend: OpenSearchBackend, ranking: Ranking, counts: ClusterCounts, article_id: str,
             own: frozenset[str], boosts: dict[str, float], limit: int, groups: CopyGroups
             ) -> list[tuple[dict[str, Any], float]]:
    """(stored fields, score) of the ``limit`` best articles for the boosted
    terms, best first, without the article and its near copies; of another
    group of copies, its best ranked only (searchkit.search.similar)."""
    if not boosts:
        return []
    query = {"bool": {"should": [{"term": {"body": {"value": term, "boost": boost}}} for term, boost in boosts.items()],
                      "minimum_should_match": 1, "must_not": [{"ids": {"values": [article_id]}}]}}
    depth = max(MIN_CANDIDATES, 2 * (limit + SPARE))
    while True:
        ids = [found for found, _ in backend.rank(query, depth)]
        stored = [fields for fields in backend.stored(ids) if fields is not None]
        postings = StoredPostings(stored, ranking, counts, counts.average_length)
        scores = postings.bm25(list(boosts), {}, boosts)
        kept = []
        seen_groups = {groups.members(article_id)[0]}  # a group known by its first member
        for n in sorted(range(len(stored)), key=lambda n: -scores[n]):
            group = groups.members(stored[n]["id"])
            if len(group) > 1 and group[0] in seen_groups:
                continue
            if scores[n] > 0 and jaccard(own, body_terms(stored[n], ranking.title_weight)) < NEAR_COPY:
                seen_groups.add(group[0])
                kept.append((stored[n], scores[n]))
                if len(kept) == limit:
                    return kept
        if len(ids) < depth:
            return kept
        depth *= 2
