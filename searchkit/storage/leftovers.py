"""Files a killed ingest leaves in the index folder, removed when the next
writer starts: the segment it was writing (Whoosh deletes unused segments
only at a commit, and an ingest that changes nothing cancels), the table of
contents it was renaming into place, and searchkit.json's temporary copy.
"""

from __future__ import annotations

import re
from pathlib import Path

from whoosh.index import TOC

INFO_TEMPORARY = "searchkit.json.tmp"


def clean_leftovers(writer, folder: Path) -> list[str]:
    """Delete the leftovers of earlier writers from ``folder``; ``writer``
    holds the lock, so none is still being written. Returns the names deleted."""
    indexname = writer.indexname
    kept = {segment.segment_id() for segment in writer.segments}
    kept.add(writer.newsegment.segment_id())  # the files this writer has opened
    segment_file = TOC._segment_pattern(indexname)
    # TOC.write writes "_NAME_GEN.toc.<time.time()>", then renames it.
    toc_temporary = re.compile(r"_%s_\d+\.toc\.\d+(\.\d+)?$" % re.escape(indexname))
    deleted = []
    for name in writer.storage.list():
        match = segment_file.match(name)
        if (match and match.group(1) not in kept) or toc_temporary.match(name) or name == INFO_TEMPORARY:
            try:
                (folder / name).unlink()
            except OSError:
                continue  # still open on a system that forbids deleting it: next time
            deleted.append(name)
    return deleted
