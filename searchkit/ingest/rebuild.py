"""Rebuilding an index in place: a new index built beside the live one, then
put in its place in one commit.

The rebuild holds the live index's writer lock from start to end, so an
ingest, a removal or a watcher that comes meanwhile waits for it (under its
``--wait``) instead of writing to an index about to be replaced. The new
index is built in a hidden work folder inside the index folder
(``.rebuild-<random>``: searchkit's own, passed over by ingest and by
Whoosh's clean-up), compacted to one segment, and its segment files moved
into the index folder. Then a table of contents of the next generation,
naming the new segments, is written: that rename is the commit, as for any
ingest. Before it, the live index is untouched; after it, the old segments
are deleted. The folder itself is never renamed (it may be a mount point),
and nothing outside it is touched.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Callable

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

from searchkit.storage.durability import sync_file, sync_folder
from searchkit.storage.integrity import commit_toc

WORK_PREFIX = ".rebuild-"


def writer_lock(path: Path, index_name: str):
    """The lock every writer of the index at ``path`` takes (Whoosh's)."""
    return FileStorage(str(path)).lock(index_name + "_WRITELOCK")


def new_work_folder(path: Path) -> Path:
    """A fresh work folder inside the index folder, after deleting those that
    an interrupted rebuild left (the caller holds the writer lock)."""
    for leftover in path.glob(WORK_PREFIX + "*"):
        shutil.rmtree(leftover, ignore_errors=True)
    work = path / f"{WORK_PREFIX}{uuid.uuid4().hex[:12]}"
    work.mkdir()
    return work


def swap_in(path: Path, work: Path, index_name: str,
            before_commit: Callable[[int], None] = lambda generation: None) -> int:
    """Make the index built in ``work`` the index at ``path``, in one commit;
    returns its generation.

    ``before_commit`` runs with that generation once the new files are in
    place and before the table of contents that names them is written."""
    live, built = FileStorage(str(path)), FileStorage(str(work))
    toc = TOC.read(built, index_name)
    names = [name for segment in toc.segments for name in segment.list_files(built)]
    for name in names:
        os.replace(work / name, path / name)
        sync_file(path / name)
    sync_folder(path)
    # The next generation of the live index, so that its open searchers see a newer one.
    generation = max(TOC._latest_generation(live, index_name), toc.generation) + 1
    before_commit(generation)
    commit_toc(live, index_name, toc.schema, toc.segments, generation)
    return generation
