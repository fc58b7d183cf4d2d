"""A query for the cluster: compiled by searchkit's own compiler
(searchkit.search.compiling), which sees the cluster's counts through
``ClusterCounts``, then its Whoosh query written in OpenSearch's query DSL
over the fields of searchkit.backends.cluster. The words, stems, families,
phrases and prefixes are searchkit's; the cluster only matches terms."""

from __future__ import annotations

import math
from typing import Any, Iterator

from whoosh import query as wq

from searchkit.analysis.french import terms
from searchkit.backends.cluster import OpenSearchBackend
from searchkit.ranking.truncation import TRUNCATED_FIELD, WordWithFamily
from searchkit.search.filters import Filters

# The fields of the embedded index -> the cluster's.
CLUSTER_FIELDS = {"body": "body", "title": "title_terms", "source": "source_terms", "author": "author_terms",
                  "words": "words", TRUNCATED_FIELD: "truncated", "date": "date"}


class ClusterCounts:
    """What the query compiler asks of a Whoosh searcher, answered by the
    cluster: the article count, a term's idf (Whoosh's formula, so that
    passages weigh words as the embedded index does), the words of a prefix."""

    def __init__(self, backend: OpenSearchBackend, text: str = "") -> None:
        self.backend = backend
        self._total: int | None = None
        self._frequencies: dict[tuple[str, str], int] = {}
        self.average_length = 0.0
        # The terms of the query's words, their counts and the average length in one request.
        wanted = list(dict.fromkeys(terms(text)))
        total, found, self.average_length = backend.statistics("body", wanted, "body_length")
        self._total = total
        self._frequencies.update({("body", term): count for term, count in found.items()})

    def doc_count_all(self) -> int:
        if self._total is None:
            self._total = self.backend.count()
        return self._total

    def doc_frequency(self, field: str, term: str) -> int:
        key = (field, term)
        if key not in self._frequencies:
            total, found, _ = self.backend.statistics(CLUSTER_FIELDS.get(field, field), [term])
            self._total = total
            self._frequencies[key] = found[term]
        return self._frequencies[key]

    def learn(self, field: str, frequencies: dict[str, int]) -> None:
        """Article counts of terms of ``field`` asked already (backend.statistics)."""
        self._frequencies.update({(field, term): count for term, count in frequencies.items()})

    def idf(self, field: str, term: str) -> float:
        return self.idf_of(self.doc_frequency(field, term))

    def idf_of(self, doc_frequency: int) -> float:
        # whoosh.scoring.WeightingModel.idf
        return math.log(self.doc_count_all() / (doc_frequency + 1)) + 1

    def reader(self) -> "ClusterCounts":
        return self

    def has_deletions(self) -> bool:
        return False

    def expand_prefix(self, field: str, prefix: str) -> Iterator[bytes]:
        from searchkit.search.compiling import MAX_PREFIX_WORDS

        for word in self.backend.words_starting(prefix, MAX_PREFIX_WORDS):
            yield word.encode("utf-8")


def to_dsl(query: wq.Query) -> dict[str, Any]:
    """The Whoosh query ``query`` of the compiler, as OpenSearch's query DSL."""
    if isinstance(query, WordWithFamily):
        # BM25F's joint frequency is approximated by a sum: the stem, and its family at family_weight.
        return {"bool": {"should": [
            _term("body", query.text, query.boost),
            _term(TRUNCATED_FIELD, query.family, query.boost * query.family_weight),
        ]}}
    if isinstance(query, wq.Term):
        return _term(query.fieldname, query.text, query.boost)
    if isinstance(query, wq.Phrase):
        return {"match_phrase": {CLUSTER_FIELDS[query.fieldname]: {"query": " ".join(query.words),
                                                                    "slop": query.slop - 1,
                                                                    "boost": query.boost}}}
    if isinstance(query, wq.Prefix):
        return {"prefix": {CLUSTER_FIELDS[query.fieldname]: {"value": query.text}}}
    if isinstance(query, wq.TermRange):
        bounds = {"gte": query.start, "lte": query.end}
        return {"range": {CLUSTER_FIELDS[query.fieldname]: {k: v for k, v in bounds.items() if v is not None}}}
    if isinstance(query, wq.AndNot):
        return {"bool": {"must": [to_dsl(query.a)], "must_not": [to_dsl(query.b)]}}
    if isinstance(query, wq.And):
        return {"bool": {"must": [to_dsl(sub) for sub in query.subqueries]}}
    if isinstance(query, wq.Or):
        return {"bool": {"should": [to_dsl(sub) for sub in query.subqueries], "minimum_should_match": 1}}
    if query is wq.NullQuery or isinstance(query, type(wq.NullQuery)):
        return {"match_none": {}}
    raise TypeError(f"no query DSL for {query!r}")  # a bug: the compiler makes no other query


def _term(field: str, text: str, boost: float) -> dict[str, Any]:
    term: dict[str, Any] = {"value": text}
    if boost != 1.0:
        term["boost"] = boost
    return {"term": {CLUSTER_FIELDS[field]: term}}


def filtered(query: dict[str, Any], filters: Filters) -> dict[str, Any]:
    """``query`` kept to the articles of the dates of ``filters``, the scores unchanged."""
    restriction = filters.restriction()
    if restriction is None:
        return query
    return {"bool": {"must": [query], "filter": [to_dsl(restriction)]}}
