"""What a cluster index keeps beside its articles: a few documents in a
companion index of its own, ``NAME.searchkit`` (one shard, the index's
replicas, nothing of them indexed): the groups of copies of each physical
index behind the alias, and the saved searches of the index. Every reader of
the cluster shares them; a document is written visible at once (refreshed),
and one several readers change is written only over the version read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from opensearchpy import exceptions as ox

from searchkit.backends.cluster import ClusterConnection
from searchkit.errors import ClusterError

SUFFIX = ".searchkit"


@dataclass(frozen=True)
class Kept:
    """A document of the companion as read: None for none, and its version."""

    source: dict[str, Any] | None
    seq_no: int | None = None
    primary_term: int | None = None


class Companion:
    """The companion index of the index ``connection`` names."""

    def __init__(self, connection: ClusterConnection, replicas: int) -> None:
        self.connection = connection
        self.name = f"{connection.name}{SUFFIX}"
        self.replicas = replicas
        self._exists = False

    def get(self, doc_id: str) -> Kept:
        """The document ``doc_id``. Searched for rather than got by id: a
        search goes to the other copy of the shard when a node has just
        died, which a get does not (seen in the failover test)."""
        client = self.connection.client
        body = {"query": {"ids": {"values": [doc_id]}}, "size": 1, "seq_no_primary_term": True}
        with self.connection.answering(f"reading {doc_id!r} in {self.name!r}", passing=(ox.NotFoundError,)):
            try:
                answer = client.search(index=self.name, body=body)
            except ox.NotFoundError:  # no companion yet
                return Kept(None)
        shards = answer.get("_shards", {})
        if shards.get("failed"):
            raise ClusterError(f"the shard of {self.name!r} did not answer: the cluster is red; "
                               "try again when it is green")
        hits = answer["hits"]["hits"]
        if not hits:
            return Kept(None)
        return Kept(hits[0]["_source"], hits[0]["_seq_no"], hits[0]["_primary_term"])

    def put(self, doc_id: str, body: Mapping[str, Any], over: Kept | None = None) -> None:
        """Write ``body`` as ``doc_id``; given ``over``, only if the document
        is still the one read then (else a one-line error: run again)."""
        self._create()
        versions: dict[str, Any] = {}
        if over is not None:
            versions = {"if_seq_no": over.seq_no, "if_primary_term": over.primary_term} \
                if over.seq_no is not None else {"op_type": "create"}
        with self.connection.answering(f"writing {doc_id!r} in {self.name!r}", passing=(ox.ConflictError,)):
            try:
                # Visible to the next search at once (a few documents: a cheap refresh).
                self.connection.client.index(index=self.name, id=doc_id, body=dict(body), refresh="true",
                                             **versions)
            except ox.ConflictError:
                raise ClusterError(f"{doc_id} of {self.connection.address} changed while this command ran "
                                   "(another reader wrote it): run the command again") from None

    def delete(self, doc_ids: Iterable[str]) -> None:
        for doc_id in doc_ids:
            with self.connection.answering(f"deleting {doc_id!r} in {self.name!r}", passing=(ox.NotFoundError,)):
                try:
                    self.connection.client.delete(index=self.name, id=doc_id, refresh="true")
                except ox.NotFoundError:
                    pass

    def _create(self) -> None:
        """The companion, created on its first write; nothing of it indexed."""
        if self._exists:
            return
        indices = self.connection.client.indices
        with self.connection.answering(f"creating the index {self.name!r}", passing=(ox.RequestError,)):
            if not indices.exists(index=self.name):
                body = {"settings": {"number_of_shards": 1, "number_of_replicas": self.replicas},
                        "mappings": {"dynamic": False, "properties": {}}}
                try:
                    indices.create(index=self.name, body=body)
                except ox.RequestError as error:
                    if "resource_already_exists" not in str(error.error):  # another writer was first
                        raise ClusterError(f"the cluster at {self.connection.address.url} refused creating "
                                           f"{self.name!r}: {error.error}") from None
                # Its copies in place before it is used, where the nodes can
                # hold them all: a node lost just after must not lose it.
                health = self.connection.client.cluster.health
                enough = health()["number_of_data_nodes"] > self.replicas
                try:
                    health(index=self.name, wait_for_status="green" if enough else "yellow",
                           params={"request_timeout": 45})
                except ox.TransportError:
                    pass  # a replica still on its way after 30 s: used all the same
        self._exists = True
