"""Facets and timelines of a cluster index (searchkit.search.facets): the
articles the ranked query matches, with its dates, counted per day, source
and author by composite aggregations, every value page by page, then
tallied by the embedded index's own code: the same counts and JSON."""

from __future__ import annotations

from collections import Counter
from typing import Any, Mapping, Sequence

from searchkit.backends.cluster import OpenSearchBackend
from searchkit.backends.clusterquery import filtered, to_dsl
from searchkit.errors import QueryError
from searchkit.search.compiling import CompiledQuery
from searchkit.search.facets import tallied
from searchkit.search.filters import Filters
from searchkit.search.results import Facet, Timeline

# The values of a field read from a composite aggregation, this many at a time.
VALUES_PAGE = 1000


def count(backend: OpenSearchBackend, compiled: CompiledQuery, filters: Filters, facets: tuple[str, ...],
          unit: str | None) -> tuple[int, dict[str, Facet], Timeline | None]:
    """searchkit.search.facets.count on the cluster."""
    fields = [name for name in facets if name != "month"]
    if unit is not None or "month" in facets:
        fields.append("date")
    uncounted = set(fields) - counted_fields(backend) if fields != ["date"] else set()
    if uncounted:
        raise QueryError(f"the index {backend.address} was built before facets could count "
                         f"{' and '.join(sorted(uncounted))}: run `searchkit ingest --rebuild --index {backend.address}`")
    matched, values = value_counts(backend, filtered(to_dsl(compiled.query), filters), fields)
    days = values.pop("date", Counter())
    days[""] += days.pop(None, 0)
    # An empty source or author says nothing, as in the embedded index: counted as none.
    for found in values.values():
        found[None] += found.pop("", 0)
    return tallied(matched, days, values, facets, unit)


def value_counts(backend: OpenSearchBackend, query: Mapping[str, Any], fields: Sequence[str]
                 ) -> tuple[int, dict[str, Counter]]:
    """How many articles match ``query``, and how many of them hold each
    value of each of ``fields`` (None: no value), every value, page by page."""
    counts: dict[str, Counter] = {name: Counter() for name in fields}
    after: dict[str, Any] = {}
    pending = list(fields)
    while True:
        aggs = {}
        for name in pending:
            composite: dict[str, Any] = {"size": VALUES_PAGE, "sources": [
                {"value": {"terms": {"field": name, "missing_bucket": True}}}]}
            if name in after:
                composite["after"] = after[name]
            aggs[name] = {"composite": composite}
        answer = backend.search({"size": 0, "track_total_hits": True, "query": dict(query), "aggs": aggs},
                                "counting the matching articles")
        for name in list(pending):
            found = answer["aggregations"][name]
            for bucket in found["buckets"]:
                counts[name][bucket["key"]["value"]] += int(bucket["doc_count"])
            if len(found["buckets"]) < VALUES_PAGE:
                pending.remove(name)
            else:
                after[name] = found["after_key"]
        if not pending:
            return int(answer["hits"]["total"]["value"]), counts


def counted_fields(backend: OpenSearchBackend) -> set[str]:
    """The fields facets can count: indices made before facets did not keep
    the doc values of source and author."""
    with backend.answering(f"reading the mapping of {backend.name!r}"):
        mappings = backend.client.indices.get_mapping(index=backend.name)
    fields = {"date"}
    for found in mappings.values():
        properties = found["mappings"].get("properties", {})
        fields |= {name for name in ("source", "author") if properties.get(name, {}).get("doc_values", True)}
    return fields
