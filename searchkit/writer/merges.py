"""Which segments a commit merges: a policy by size levels, as Lucene's
LogMergePolicy merges.

Each commit writes at least one new segment. Whoosh's MERGE_SMALL merges only
when the smallest segments are tiny (five of them holding fewer documents
than a Fibonacci bound), so an index fed 50 articles a day never merges and
gains a segment a day; every query then reads every segment. Here a
segment's level is the order of magnitude of its live documents (base
MERGE_FACTOR): when MERGE_FACTOR segments share a level, they are merged into
one of the next level. An index of N documents then holds at most
(MERGE_FACTOR - 1) segments per level, about (MERGE_FACTOR - 1) * log(N)
in all, and each document is rewritten once per level, log(N) times in its
life. Queries read every segment (about 1 ms a segment for a headline on
600 articles): a factor of 5 keeps a year of daily ingests to a few
segments, for about log5(N) rewrites of each article. A segment of which
more than EXPUNGE_DELETED of the documents are deleted is merged too, so
that removed and replaced articles stop weighing in the statistics.
"""

from __future__ import annotations

from collections import defaultdict
from math import log
from typing import Sequence

from whoosh.reading import SegmentReader

MERGE_FACTOR = 5
EXPUNGE_DELETED = 0.25


def level_of(documents: int) -> int:
    return int(log(max(documents, 1), MERGE_FACTOR))


def segments_to_merge(segments: Sequence) -> list:
    """The segments a commit merges, of ``segments``."""
    chosen = []
    by_level: dict[int, list] = defaultdict(list)
    for segment in segments:
        total, live = segment.doc_count_all(), segment.doc_count()
        if total and (total - live) > EXPUNGE_DELETED * total:
            chosen.append(segment)
        else:
            by_level[level_of(live)].append(segment)
    for members in by_level.values():
        if len(members) >= MERGE_FACTOR:
            chosen.extend(members)
    return chosen


def merge_by_level(writer, segments: Sequence) -> list:
    """A Whoosh merge policy (``writer.commit(mergetype=...)``): adds the
    segments to merge to the writer's new segment, returns those kept."""
    chosen = segments_to_merge(segments)
    for segment in chosen:
        if segment.doc_count():  # a segment of deleted documents only is dropped
            reader = SegmentReader(writer.storage, writer.schema, segment)
            try:
                writer.add_reader(reader)
            finally:
                reader.close()
    return [segment for segment in segments if segment not in chosen]


def merge_with_written(writer, segments: Sequence, written: Sequence) -> tuple[list, list]:
    """merge_by_level over the index's ``segments`` and those the commit
    wrote (``written``: an import is cut into segments of bounded memory),
    so that an import of many segments of one level is merged by its own
    commit, not by the next day's ingest. Returns those kept of each."""
    kept = merge_by_level(writer, [*segments, *written])
    return [s for s in segments if s in kept], [s for s in written if s in kept]
