"""A reader of the index's latest commit, reusing what has not changed.

Whoosh's ``Searcher.refresh()`` appends the segments of the old reader to
those of the new commit, and reuses a segment's reader whatever deletions the
commit made in it: after a merge, a long-lived searcher counted the merged
segments twice; after a rebuild it kept answering from the old index; after a
removal it still found the removed article. Here the new reader holds exactly
the segments of the latest table of contents, reusing the old reader of a
segment only when its deletions are the same (deletions only grow, so the
same count is the same set), and closing the others.
"""

from __future__ import annotations

from whoosh.reading import EmptyReader, IndexReader, MultiReader, SegmentReader


def latest_reader(ix, old: IndexReader | None = None) -> IndexReader:
    toc = ix._read_toc()
    reusable = {}
    if old is not None:
        for leaf, _ in old.leaf_readers():
            segment = leaf.segment()
            if segment is not None:
                reusable[(segment.segment_id(), segment.deleted_count())] = leaf
    readers = []
    try:
        for segment in toc.segments:
            leaf = reusable.pop((segment.segment_id(), segment.deleted_count()), None)
            if leaf is None:
                leaf = SegmentReader(ix.storage, toc.schema, segment, generation=toc.generation)
            leaf._gen = toc.generation  # a reused reader now reads this generation
            readers.append(leaf)
    except BaseException:
        for leaf in readers:
            if leaf not in reusable.values():
                leaf.close()
        raise
    for leaf in reusable.values():
        leaf.close()
    if not readers:
        return EmptyReader(toc.schema)
    if len(readers) == 1:
        return readers[0]
    return MultiReader(readers, generation=toc.generation)
