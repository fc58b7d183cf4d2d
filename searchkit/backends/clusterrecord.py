"""What a write to a cluster index records beside its articles: the paths
ingested (for a rebuild) and the signature field in the mapping before the
articles, then the groups of copies made anew and the article count after
(searchkit.backends.clustercopies), even after a write that failed midway:
what the cluster took is visible, so it is grouped. And the paths that held
a text as a duplicate, in the companion (searchkit.ingest.heldtexts)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from searchkit.backends.cluster import SIGNATURE_FIELD, SIGNATURE_MAPPING, OpenSearchBackend
from searchkit.backends.clustercopies import GENERATION, regroup
from searchkit.backends.companion import Companion
from searchkit.errors import SearchkitError


def record_roots(backend: OpenSearchBackend, roots: list[str]) -> None:
    """``roots`` added to the paths the index records, before their
    articles (a rebuild must not leave them out); the signature field added
    to the mapping of an index made before signatures were kept."""
    _, mapping = backend.mapping()
    if SIGNATURE_FIELD not in mapping.get("properties", {}):
        backend.add_field(SIGNATURE_FIELD, SIGNATURE_MAPPING)
    meta = mapping.get("_meta", {})
    known = list(meta.get("roots", []))
    if not set(roots) <= set(known):
        backend.set_meta({**meta, "roots": sorted(set(known) | set(roots))})


def record_write(backend: OpenSearchBackend, companion: Companion, **record: object) -> None:
    """The groups of copies made anew after a write (a new generation), the
    article count for `check`, and ``record``."""
    physical, meta = backend.current()
    generation = int(meta.get(GENERATION, 0)) + 1
    regroup(backend, companion, physical, generation)
    backend.set_meta({**meta, **record, GENERATION: generation, "articles": backend.count()})


@contextmanager
def writing(backend: OpenSearchBackend, companion: Companion) -> Iterator[None]:
    """A write that fails midway: what the cluster took is grouped."""
    try:
        yield
    except Exception:
        try:
            record_write(backend, companion)
        except SearchkitError:
            pass  # the cluster gone: the write's own error is the one to tell
        raise


def duplicates_id(physical: str) -> str:
    """The companion document of the paths that held a text of the physical
    index ``physical`` as a duplicate (searchkit.ingest.heldtexts)."""
    return f"duplicates:{physical}"


def read_duplicates(backend: OpenSearchBackend, companion: Companion) -> dict[str, set[str]]:
    """The paths that held each text (by its digest) of ``backend`` as a duplicate."""
    physical, _ = backend.current()
    kept = companion.get(duplicates_id(physical))
    held = (kept.source or {}).get("held", {})
    return {digest: set(paths) for digest, paths in held.items()} if isinstance(held, dict) else {}


def write_duplicates(backend: OpenSearchBackend, companion: Companion, held: dict[str, set[str]]) -> None:
    physical, _ = backend.current()
    companion.put(duplicates_id(physical),
                  {"index": physical, "held": {digest: sorted(paths) for digest, paths in sorted(held.items())}})
