"""The check of an index: its files against their checksums, its segments,
its counts, and the sources its catalogue records against the disk."""

from __future__ import annotations

import os
from pathlib import Path

from searchkit.articles.sources import INFO_FILE, file_digest
from searchkit.ingest.ingestion import Catalogue, stamp_of
from searchkit.ingest.report import counted
from searchkit.storage import integrity
from searchkit.storage.groups import groups_damage
from searchkit.storage.integrity import CheckReport
from searchkit.storage.opened import OpenedIndex
from searchkit.storage.schema import INDEX_NAME


def check_opened(opened: OpenedIndex) -> CheckReport:
    """Everything that can be wrong with ``opened``, one line each (see Index.check)."""
    if not opened.created:
        opened.ix.latest_generation()  # IndexNotFound, unless another process created it since
    report = CheckReport()
    segment_ids = opened.segment_ids()
    files = integrity.check_files(opened.path, INDEX_NAME, INFO_FILE, segment_ids)
    report.damaged += [str(damage) for damage in files.damaged]
    report.notes += files.notes
    if segment_ids is None:
        return report
    ix = opened.ix
    toc = ix._read_toc()  # not searcher(): it stops at the first damaged file
    unreadable = integrity.check_segments(ix.storage, toc.schema, toc.segments, toc.generation)
    report.damaged += [str(damage) for damage in unreadable]
    groups = groups_damage(opened.path, toc.generation, required=bool(toc.segments))
    if groups is not None:
        report.damaged.append(str(groups))
    if unreadable:
        return report  # what the sources' records say cannot be trusted
    with ix.reader() as reader:
        info = opened.info()
        recorded = info.get("articles")
        # A record of another generation was written before a commit that a crash kept from its record.
        if recorded is not None and info.get("generation", toc.generation) == toc.generation \
                and recorded != reader.doc_count():
            report.problems.append(f"the index holds {reader.doc_count()} articles, {recorded} were recorded")
        catalogue = Catalogue.read(reader)
    report.problems += source_problems(catalogue)
    info = opened.info()
    report.notes += integrity.new_files(info.get("roots", []), info.get("last_ingest"),
                                        set(catalogue.files))
    return report


def source_problems(catalogue: Catalogue) -> list[str]:
    """The files ``catalogue`` records that changed or vanished since they were ingested."""
    problems = []
    for path, record in sorted(catalogue.files.items()):
        try:
            stamp = stamp_of(os.stat(path))
            if stamp != record.stamp and file_digest(Path(path)) != record.digest:
                problems.append(f"{path}: changed since it was ingested ({counted(len(record.ids), 'article')})")
        except FileNotFoundError:
            problems.append(f"{path}: vanished since it was ingested ({counted(len(record.ids), 'article')})")
        except OSError as error:
            problems.append(f"{path}: cannot be read: {error.strerror}")
    return problems
