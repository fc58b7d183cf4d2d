"""What a cluster index keeps beside its articles: a few documents in a
companion index of its own, ``NAME.searchkit`` (one shard, the index's
replicas, nothing of them indexed): the groups of copies of each physical
index behind the alias, and the saved searches of the index. Every reader of
the cluster shares them; a document is read by id (real time, no refresh),
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
        client = self.connection.client
        with self.connection.answering(f"reading {doc_id!r} in {self.name!r}", passing=(ox.NotFoundError,)):
            try:
                found = client.get(index=self.name, id=doc_id)
            except ox.NotFoundError:  # no such document, or no companion yet
                return Kept(None)
        return Kept(found["_source"], found["_seq_no"], found["_primary_term"])

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
                self.connection.client.index(index=self.name, id=doc_id, body=dict(body), **versions)
            except ox.ConflictError:
                raise ClusterError(f"{doc_id} of {self.connection.address} changed while this command ran "
                                   "(another reader wrote it): run the command again") from None

    def delete(self, doc_ids: Iterable[str]) -> None:
        for doc_id in doc_ids:
            with self.connection.answering(f"deleting {doc_id!r} in {self.name!r}", passing=(ox.NotFoundError,)):
                try:
                    self.connection.client.delete(index=self.name, id=doc_id)
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
                self.connection.client.cluster.health(index=self.name, wait_for_status="yellow")
        self._exists = True
