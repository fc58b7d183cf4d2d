"""An index in an OpenSearch cluster: its mapping, and its writes, reads and
rankings through opensearch-py, every refusal of the cluster told in one line.

The French analysis stays searchkit's: each article is sent with its analysed
terms, space-separated, in fields whose analyzer only splits on spaces
(``body``, ``truncated``, ``title_terms``...), beside its text as written,
which is stored and never analysed by the cluster. The terms the cluster
indexes are then the embedded index's (tests/backends/test_cluster_analysis.py).
The index is reached through an alias of its name, so that a rebuild can build
a new index and swap the alias in one step."""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from typing import Any, Iterable, Iterator, Mapping, Sequence

from opensearchpy import OpenSearch, helpers
from opensearchpy import exceptions as ox

from searchkit.backends.address import PASSWORD_VARIABLE, USER_VARIABLE, ClusterAddress
from searchkit.backends.base import FileEntry, Written
from searchkit.errors import ClusterError, IndexNotFound

# What an article is stored with, besides the fields the cluster indexes.
STORED_FIELDS = ("id", "path", "file_sig", "text_hash", "title", "text", "date", "source", "author", "url",
                 "line", "passages", "passage_positions", "passage_count", "body_length")
# Indexed from the analysed terms, not kept in _source: rebuilt from the files.
TERM_FIELDS = ("body", "truncated", "title_terms", "source_terms", "author_terms")
MIN_VERSION = (2, 0)
BULK_ARTICLES = 500
RETRIES = 3
# The MinHash signature of an article's text (searchkit.storage.minhash), in
# base64: kept in _source for the groups of copies, never indexed.
SIGNATURE_FIELD = "copy_sig"
SIGNATURE_MAPPING = {"type": "binary"}
# Every refusal is told once, in one line, by ``answering``: not again by the client's log.
logging.getLogger("opensearch").addHandler(logging.NullHandler())
logging.getLogger("opensearch").propagate = False
_TERMS = {"type": "text", "analyzer": "searchkit_terms", "similarity": "searchkit_bm25"}
_STORED_ONLY = {"type": "keyword", "index": False, "doc_values": False}
# Stored and counted by facets (doc values), not searched; a value past Lucene's
# 32,766 bytes is counted as none.
_COUNTED = {"type": "keyword", "index": False, "doc_values": True, "ignore_above": 8000}


def index_body(shards: int, replicas: int, k1: float, b: float, meta: Mapping[str, Any]) -> dict[str, Any]:
    """The settings and mapping of a new index."""
    return {
        "settings": {
            "number_of_shards": shards,
            "number_of_replicas": replicas,
            "similarity": {"searchkit_bm25": {"type": "BM25", "k1": k1, "b": b}},
            "analysis": {"analyzer": {"searchkit_terms": {"type": "custom", "tokenizer": "whitespace"}}},
        },
        "mappings": {
            "dynamic": "strict",
            "_meta": dict(meta),
            "_source": {"excludes": list(TERM_FIELDS)},
            "properties": {
                "id": {"type": "keyword"},
                "path": {"type": "keyword"},
                "file_sig": _STORED_ONLY,
                "text_hash": {"type": "keyword"},
                "title": {"type": "text", "index": False},
                "text": {"type": "text", "index": False},
                "date": {"type": "keyword"},
                "source": _COUNTED,
                "author": _COUNTED,
                "url": _STORED_ONLY,
                "line": {"type": "integer", "index": False},
                "passages": {"type": "integer", "index": False},  # flat: start, end, start, end...
                "passage_positions": {"type": "integer", "index": False},
                "passage_count": {"type": "integer"},
                "body_length": {"type": "integer"},
                "body": _TERMS,
                "truncated": {**_TERMS, "index_options": "freqs"},
                "title_terms": _TERMS,
                "source_terms": _TERMS,
                "author_terms": _TERMS,
                # Every folded word once: prefixes expand on it, and the reranks ask who holds a word.
                "words": {"type": "keyword"},
                SIGNATURE_FIELD: SIGNATURE_MAPPING,
            },
        },
    }


class ClusterConnection:
    """The client of the cluster at ``address``, its refusals translated, and
    the administration of the index ``address.name``: creation, record, alias."""

    def __init__(self, address: ClusterAddress, timeout: float = 30.0) -> None:
        self.address = address
        self.name = address.name
        auth = (address.user, address.password) if address.user is not None else None
        self.client = OpenSearch(
            hosts=[{"host": host, "port": port, "scheme": address.scheme} for host, port in address.nodes],
            http_auth=auth, use_ssl=address.scheme == "https", verify_certs=True, timeout=timeout,
            max_retries=2, retry_on_timeout=True,
        )
        self._checked = False

    # -- answers of the cluster, in one line -------------------------------

    @contextmanager
    def answering(self, doing: str, passing: tuple[type[Exception], ...] = ()) -> Iterator[None]:
        """The cluster's refusals while ``doing``, as a ClusterError of one line
        (but those of ``passing``, which the caller handles)."""
        try:
            yield
        except passing:
            raise
        except ox.AuthenticationException:
            raise ClusterError(f"the cluster at {self.address.url} refused the credentials while {doing} "
                               f"(set {USER_VARIABLE} and {PASSWORD_VARIABLE})") from None
        except ox.ConnectionError as error:
            raise ClusterError(f"cannot reach the cluster at {self.address.url} while {doing}: "
                               f"{_connection_reason(error)}") from None
        except ox.NotFoundError as error:
            if _error_type(error) == "index_not_found_exception":
                raise self.not_found() from None
            raise ClusterError(f"the cluster at {self.address.url} found nothing while {doing}: "
                               f"{_reason(error)}") from None
        except ox.TransportError as error:
            raise ClusterError(f"the cluster at {self.address.url} refused {doing}: {_explained(error)}") from None

    def not_found(self) -> IndexNotFound:
        return IndexNotFound(f"no index {self.name!r} in the cluster at {self.address.url}: "
                             f"run `searchkit --index {self.address} ingest PATH` first")

    def check_version(self) -> None:
        """Refuse a cluster too old for the mapping, once."""
        if self._checked:
            return
        with self.answering("reading its version"):
            version = self.client.info()["version"]
        number = tuple(int(part) for part in version["number"].split(".")[:2] if part.isdigit())
        if version.get("distribution") != "opensearch" or number < MIN_VERSION:
            raise ClusterError(f"the cluster at {self.address.url} runs {version.get('distribution', 'elasticsearch')} "
                               f"{version['number']}: searchkit needs OpenSearch 2.0 or later")
        self._checked = True

    # -- the index -----------------------------------------------------------

    def exists(self) -> bool:
        self.check_version()
        with self.answering(f"looking for the index {self.name!r}"):
            return bool(self.client.indices.exists(index=self.name))

    def create(self, body: Mapping[str, Any], physical: str | None = None) -> str:
        """Create an index under a name of its own, and point the alias
        ``self.name`` at it unless ``physical`` is given (a rebuild swaps later)."""
        self.check_version()
        target = physical or f"{self.name}-{time.strftime('%Y%m%d%H%M%S')}"
        with self.answering(f"creating the index {target!r}"):
            self.client.indices.create(index=target, body=dict(body))
            self.client.cluster.health(index=target, wait_for_status="yellow")
            if physical is None:
                self.client.indices.put_alias(index=target, name=self.name)
        return target

    def meta(self) -> dict[str, Any]:
        """The record kept in the mapping's _meta: versions, paths ingested."""
        return self.current()[1]

    def current(self) -> tuple[str, dict[str, Any]]:
        """The index the alias points at, and its record, in one request."""
        physical, mapping = self.mapping()
        return physical, dict(mapping.get("_meta", {}))

    def mapping(self) -> tuple[str, dict[str, Any]]:
        """The index the alias points at, and its mapping."""
        with self.answering(f"reading the mapping of {self.name!r}"):
            mappings = self.client.indices.get_mapping(index=self.name)
        for physical, found in mappings.items():
            return physical, dict(found["mappings"])
        raise self.not_found()

    def add_field(self, name: str, spec: Mapping[str, Any]) -> None:
        """The field ``name`` added to the mapping (of an index made before it)."""
        with self.answering(f"adding the field {name!r} to {self.name!r}"):
            self.client.indices.put_mapping(index=self.name, body={"properties": {name: dict(spec)}})

    def set_meta(self, meta: Mapping[str, Any], index: str | None = None) -> None:
        with self.answering(f"writing the record of {self.name!r}"):
            self.client.indices.put_mapping(index=index or self.name, body={"_meta": dict(meta)})

    def physical_indices(self) -> list[str]:
        with self.answering(f"reading the alias {self.name!r}"):
            if not self.client.indices.exists_alias(name=self.name):
                return [self.name] if self.client.indices.exists(index=self.name) else []
            return sorted(self.client.indices.get_alias(name=self.name))

    def swap_alias(self, new: str) -> list[str]:
        """Point the alias at ``new`` in one step; the indices it left."""
        old = self.physical_indices()
        actions: list[dict[str, Any]] = [{"remove": {"index": index, "alias": self.name}} for index in old]
        actions.append({"add": {"index": new, "alias": self.name}})
        with self.answering(f"pointing {self.name!r} at {new!r}"):
            self.client.indices.update_aliases(body={"actions": actions})
        return old

    def delete_indices(self, names: Iterable[str]) -> None:
        for name in names:
            with self.answering(f"deleting the index {name!r}"):
                self.client.indices.delete(index=name, ignore_unavailable=True)

    def health(self) -> str:
        return str(self.health_report()["status"])

    def health_report(self) -> dict[str, Any]:
        """The cluster's health as it tells it for the index: status, unassigned shards..."""
        with self.answering("reading the cluster's health"):
            return dict(self.client.cluster.health(index=self.name))

    def close(self) -> None:
        self.client.close()


class OpenSearchBackend(ClusterConnection):
    """The index ``address.name`` of the cluster at ``address`` (a ``Backend``):
    its articles written, removed, ranked and read."""

    # -- writes -------------------------------------------------------------

    def write(self, documents: Sequence[Mapping[str, Any]], index: str | None = None) -> Written:
        """Bulk requests of BULK_ARTICLES; what the cluster refuses is named,
        what it may take later (too busy, a shard moving) is sent again."""
        done = Written()
        target = index or self.name
        for start in range(0, len(documents), BULK_ARTICLES):
            chunk = documents[start:start + BULK_ARTICLES]
            try:
                self._bulk(target, chunk, done)
            except ox.RequestError:  # the request refused whole (an id too long...): each article alone
                for document in chunk:
                    self._one(target, document, done)
        with self.answering(f"writing to {self.name!r}"):
            self.client.indices.refresh(index=target)
        return done

    def _bulk(self, target: str, chunk: Sequence[Mapping[str, Any]], done: Written) -> None:
        actions = [{"_op_type": "index", "_index": target, "_id": document["id"], "_source": dict(document)}
                   for document in chunk]
        # A request refused whole goes through: write() sends its articles one by one.
        with self.answering(f"writing {len(actions)} articles to {self.name!r}", passing=(ox.RequestError,)):
            for ok, item in helpers.streaming_bulk(self.client, actions, chunk_size=BULK_ARTICLES,
                                                   max_chunk_bytes=20_000_000, raise_on_error=False,
                                                   raise_on_exception=True, max_retries=RETRIES,
                                                   initial_backoff=1, max_backoff=8):
                result = item.get("index", {})
                if ok:
                    done.written.append(result["_id"])
                else:
                    done.refused.append((result.get("_id", "?"), _item_reason(result)))

    def _one(self, target: str, document: Mapping[str, Any], done: Written) -> None:
        with self.answering(f"writing the article {document['id']!r} to {self.name!r}"):
            try:
                self.client.index(index=target, id=document["id"], body=dict(document))
            except ox.RequestError as error:
                done.refused.append((document["id"], _reason(error)))
                return
        done.written.append(document["id"])

    def remove(self, article_ids: Iterable[str], index: str | None = None) -> int:
        actions = [{"_op_type": "delete", "_index": index or self.name, "_id": article_id}
                   for article_id in article_ids]
        if not actions:
            return 0
        removed = 0
        refused = []
        with self.answering(f"removing {len(actions)} articles from {self.name!r}"):
            for ok, item in helpers.streaming_bulk(self.client, actions, chunk_size=BULK_ARTICLES,
                                                   raise_on_error=False, max_retries=RETRIES):
                result = item.get("delete", {})
                if ok and result.get("result") == "deleted":
                    removed += 1
                elif not ok and result.get("status") != 404:
                    refused.append(f"{result.get('_id')}: {_item_reason(result)}")
            self.client.indices.refresh(index=index or self.name)
        if refused:
            raise ClusterError(f"the cluster refused to remove {len(refused)} articles: {'; '.join(refused[:5])}")
        return removed

    # -- reads --------------------------------------------------------------

    def search(self, body: Mapping[str, Any], doing: str, exact_scores: bool = False) -> dict[str, Any]:
        """``exact_scores``: BM25 from the statistics of the whole index, not of
        each shard (one more round trip): the scores of the embedded index."""
        with self.answering(doing):
            answer = self.client.search(index=self.name, body=dict(body),
                                        search_type="dfs_query_then_fetch" if exact_scores else None)
        shards = answer.get("_shards", {})
        if shards.get("failed"):
            reasons = {failure.get("reason", {}).get("type", "?") for failure in shards.get("failures", [])}
            raise ClusterError(f"{shards['failed']} of {shards['total']} shards of {self.name!r} did not answer "
                               f"({', '.join(sorted(reasons))}): the cluster is red; try again when it is green")
        return answer

    def rank(self, query: Mapping[str, Any], limit: int, sort_by_date: bool = False) -> list[tuple[str, float]]:
        """(id, score) of the best ``limit`` articles; by date: newest first,
        the score falling with the rank as in the embedded index."""
        body: dict[str, Any] = {"query": dict(query), "size": limit, "_source": False, "track_total_hits": False}
        if sort_by_date:
            body["sort"] = [{"date": {"order": "desc", "missing": "_last"}}, {"_score": "desc"}]
        if limit <= 10_000:
            hits = self.search(body, "ranking articles", exact_scores=True)["hits"]["hits"]
        else:  # past a search's window: a scroll, in the same order
            with self.answering("ranking articles"):
                hits = list(helpers.scan(self.client, index=self.name, query={k: v for k, v in body.items()
                                                                                if k != "size"},
                                         preserve_order=True, size=1000,
                                         search_type="dfs_query_then_fetch"))[:limit]
        if sort_by_date:
            return [(hit["_id"], float(len(hits) - rank)) for rank, hit in enumerate(hits)]
        return [(hit["_id"], float(hit["_score"] or 0.0)) for hit in hits]

    def stored(self, article_ids: Sequence[str], fields: Sequence[str] | None = None) -> list[dict[str, Any] | None]:
        if not article_ids:
            return []
        with self.answering(f"reading {len(article_ids)} articles of {self.name!r}"):
            answer = self.client.mget(index=self.name, body={"ids": list(article_ids)},
                                      _source_includes=list(fields) if fields else None,
                                      _source_excludes=None if fields else [SIGNATURE_FIELD])
        return [stored_fields(doc["_source"]) if doc.get("found") else None for doc in answer["docs"]]

    def stored_all(self, fields: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        with self.answering(f"reading the articles of {self.name!r}"):
            for doc in helpers.scan(self.client, index=self.name, query={"query": {"match_all": {}}},
                                    _source_includes=list(fields) if fields else None,
                                    _source_excludes=None if fields else [SIGNATURE_FIELD], size=1000):
                yield stored_fields(doc["_source"])

    def files(self) -> dict[str, FileEntry]:
        entries: dict[str, tuple[str, list[str]]] = {}
        for stored in self.stored_all(("id", "path", "file_sig")):
            signature, ids = entries.setdefault(stored.get("path", ""), (stored.get("file_sig", ""), []))
            ids.append(stored["id"])
        return {path: FileEntry(signature, tuple(ids)) for path, (signature, ids) in entries.items()}

    def text_hashes(self) -> dict[str, str]:
        """text hash -> the id of the article holding that text."""
        return {stored["text_hash"]: stored["id"] for stored in self.stored_all(("id", "text_hash"))
                if "text_hash" in stored}

    def count(self, query: Mapping[str, Any] | None = None) -> int:
        with self.answering(f"counting the articles of {self.name!r}"):
            return int(self.client.count(index=self.name, body={"query": dict(query or {"match_all": {}})})["count"])

    def statistics(self, field: str, terms: Sequence[str], averaged: str | None = None
                   ) -> tuple[int, dict[str, int], float]:
        """The article count, how many articles hold each of ``terms`` in
        ``field``, and the average of the field ``averaged``, in one request."""
        aggs: dict[str, Any] = {f"t{n}": {"filter": {"term": {field: term}}} for n, term in enumerate(terms)}
        if averaged:
            aggs["average"] = {"avg": {"field": averaged}}
        answer = self.search({"size": 0, "track_total_hits": True, "aggs": aggs}, "counting words")
        total = int(answer["hits"]["total"]["value"])
        found = {term: int(answer["aggregations"][f"t{n}"]["doc_count"]) for n, term in enumerate(terms)}
        average = float(answer["aggregations"]["average"]["value"] or 0.0) if averaged else 0.0
        return total, found, average

    def words_starting(self, prefix: str, most: int) -> list[str]:
        """The folded words of the index starting with ``prefix``, in order."""
        escaped = "".join("\\" + c if not c.isalnum() else c for c in prefix)
        aggs = {"words": {"terms": {"field": "words", "include": f"{escaped}.*", "size": most, "order": {"_key": "asc"}}}}
        answer = self.search({"size": 0, "query": {"prefix": {"words": prefix}}, "aggs": aggs}, "expanding a prefix")
        return [bucket["key"] for bucket in answer["aggregations"]["words"]["buckets"]]

    def stats(self) -> dict[str, object]:
        """Counts, the cluster's health and the index's layout."""
        answer = self.search({"size": 0, "track_total_hits": True, "aggs": {"p": {"sum": {"field": "passage_count"}}}},
                             "counting articles")
        with self.answering(f"reading the statistics of {self.name!r}"):
            health = self.client.cluster.health(index=self.name)
            indices = self.client.indices.stats(index=self.name, metric="store,docs")["indices"]
            settings = self.client.indices.get_settings(index=self.name)
        physical = sorted(indices)
        index_settings = settings[physical[0]]["settings"]["index"] if physical else {}
        return {
            "index": str(self.address),
            "articles": int(answer["hits"]["total"]["value"]),
            "passages": int(answer["aggregations"]["p"]["value"] or 0),
            "removed_not_merged": sum(i["primaries"]["docs"]["deleted"] for i in indices.values()),
            "cluster": health["cluster_name"],
            "cluster_status": health["status"],
            "nodes": health["number_of_nodes"],
            "shards": int(index_settings.get("number_of_shards", 0)),
            "replicas": int(index_settings.get("number_of_replicas", 0)),
            "physical_index": ", ".join(physical),
            "size_bytes": sum(i["total"]["store"]["size_in_bytes"] for i in indices.values()),
        }


def stored_fields(source: Mapping[str, Any]) -> dict[str, Any]:
    """The stored fields of an article as the embedded index gives them
    (passages as (start, end) pairs)."""
    fields = dict(source)
    flat = fields.get("passages")
    if isinstance(flat, list):
        fields["passages"] = [(flat[n], flat[n + 1]) for n in range(0, len(flat) - 1, 2)]
    return fields


def _error_type(error: ox.TransportError) -> str:
    info = error.info if isinstance(error.info, dict) else {}
    found = info.get("error", {})
    return found.get("type", "") if isinstance(found, dict) else ""


def _reason(error: ox.TransportError) -> str:
    info = error.info if isinstance(error.info, dict) else {}
    found = info.get("error", {})
    if isinstance(found, dict):
        cause = (found.get("root_cause") or [found])[0]
        return f"{cause.get('type', '?')}: {cause.get('reason', '')}".strip()
    return str(found or error.error)


def _explained(error: ox.TransportError) -> str:
    reason = _reason(error)
    if "cluster_block_exception" in reason or "read_only" in reason or "read-only" in reason:
        return f"the index is read-only ({reason}); a disk full or an operator blocked writes"
    if error.status_code == 403:
        return f"access denied for {USER_VARIABLE}'s user ({reason})"
    if error.status_code in (503, 500) and ("shard" in reason or "master" in reason or "cluster_manager" in reason):
        return f"the cluster is red or has no manager ({reason})"
    return f"HTTP {error.status_code}, {reason}"


def _item_reason(result: Mapping[str, Any]) -> str:
    found = result.get("error")
    if isinstance(found, dict):
        reason = f"{found.get('type', '?')}: {found.get('reason', '')}"
        return f"read-only index ({reason})" if found.get("type") == "cluster_block_exception" else reason
    return str(found or f"HTTP {result.get('status')}")


def _connection_reason(error: ox.ConnectionError) -> str:
    cause = error.info if isinstance(error.info, BaseException) else None
    text = str(cause or error.error or error)
    if "Connection refused" in text:
        return "connection refused (is it running?)"
    if "timed out" in text.lower():
        return "no answer in time"
    if "certificate" in text.lower() or "SSL" in text:
        return f"TLS failed ({text[:160]})"
    return text[:200]
