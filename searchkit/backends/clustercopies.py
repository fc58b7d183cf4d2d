"""Groups of copies on a cluster index, made and read by the embedded
index's code. Each article's MinHash signature is stored in its document
(``copy_sig``, base64, never indexed). After each write every signature is
read back (a scroll over three fields) and grouped anew in date order
(searchkit.storage.minhash.copy_groups), as the embedded index groups them
at each commit; the groups go to a document of the companion index, one per
physical index (a rebuild's groups are in place before the alias swap), and
their generation to the index's _meta. A query reads the _meta (one small
request) and the groups only when their generation changed.

Why not the groups themselves in _meta: _meta is part of the cluster state,
sent to every node at each change and read whole by each query; groups
grow with the articles (10,000 copies are some 250 kB of ids)."""

from __future__ import annotations

import base64
import time
from typing import Iterator

from searchkit.backends.cluster import SIGNATURE_FIELD, OpenSearchBackend
from searchkit.backends.companion import Companion
from searchkit.errors import ClusterError
from searchkit.ingest.copies import Signed
from searchkit.storage.groups import CopyGroups

GENERATION = "copy_groups_generation"


def groups_id(physical: str) -> str:
    """The companion document of the groups of the physical index ``physical``."""
    return f"copies:{physical}"


def signed(backend: OpenSearchBackend) -> Iterator[Signed]:
    """(id, date, signature) of every article of ``backend``."""
    for stored in backend.stored_all(("id", "date", SIGNATURE_FIELD)):
        yield stored["id"], stored.get("date") or None, base64.b64decode(stored.get(SIGNATURE_FIELD, ""))


def regroup(backend: OpenSearchBackend, companion: Companion, physical: str, generation: int) -> CopyGroups:
    """The groups of every article of ``backend`` (the physical index
    ``physical``), made and kept as generation ``generation``: its _meta is
    the caller's to write, after."""
    from searchkit.storage.minhash import copy_groups  # numpy: not loaded by queries

    started = time.perf_counter()
    groups = CopyGroups.of(copy_groups(signed(backend)))
    companion.put(groups_id(physical), {"index": physical, "generation": generation, "groups": groups.groups,
                                        "seconds": round(time.perf_counter() - started, 3)})
    return groups


class GroupsRead:
    """The groups of the index an alias points at, read again only when
    the generation in its _meta changed."""

    def __init__(self) -> None:
        self._key: tuple[str, int] | None = None
        self._groups = CopyGroups()

    def groups(self, backend: OpenSearchBackend, companion: Companion) -> CopyGroups:
        physical, meta = backend.current()
        generation = meta.get(GENERATION)
        if generation is None:  # written by a searchkit that made no groups: none until a write
            return CopyGroups()
        if self._key != (physical, generation):
            kept = companion.get(groups_id(physical))
            if kept.source is None:
                raise ClusterError(f"the groups of copies of {backend.address} are missing from "
                                   f"{companion.name!r}: run `searchkit ingest --rebuild --index {backend.address}`")
            self._groups = CopyGroups.of(kept.source.get("groups", []))
            self._key = (physical, generation)
        return self._groups
