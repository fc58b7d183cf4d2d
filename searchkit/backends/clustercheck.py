"""``searchkit check`` of a cluster index: the cluster's health, the article
count against the one recorded at the last write, and the files ingested
against the disk, as the embedded index's check judges them
(searchkit.ingest.check.source_problems)."""

from __future__ import annotations

from typing import Any

from searchkit.backends.cluster import OpenSearchBackend
from searchkit.ingest.check import source_problems
from searchkit.ingest.ingestion import Catalogue, FileRecord
from searchkit.storage import integrity
from searchkit.storage.integrity import CheckReport


def check_cluster_index(backend: OpenSearchBackend) -> CheckReport:
    """Everything that can be wrong with the index of ``backend``, one line each."""
    report = CheckReport()
    health = backend.health_report()
    name = f"{backend.name!r} in the cluster {health.get('cluster_name', '?')}"
    if health["status"] == "red":
        report.damaged.append(f"{name}: red, {health.get('unassigned_shards', '?')} shards unassigned: "
                              "some articles cannot be read until their nodes return")
        return report
    if health["status"] == "yellow":  # every article answers, with fewer copies than asked
        report.notes.append(f"{name}: yellow, {health.get('unassigned_shards', '?')} copies of shards "
                            "not on any node (too few nodes for the replicas?)")
    meta: dict[str, Any] = backend.meta()
    held, recorded = backend.count(), meta.get("articles")
    if recorded is not None and recorded != held:
        report.problems.append(f"the cluster holds {held} articles in {backend.name!r}, "
                               f"{recorded} were recorded at the last write")
    files = backend.files()
    catalogue = Catalogue()
    for path, entry in files.items():
        stamp, _, digest = entry.signature.partition("/")
        catalogue.files[path] = FileRecord(stamp, digest, set(entry.ids))
    report.problems += source_problems(catalogue)
    report.notes += integrity.new_files(list(meta.get("roots", [])), meta.get("last_ingest"), set(files))
    return report
