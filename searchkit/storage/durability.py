"""Writes that survive a crash or a power cut: fsync of files and folders.

A rename makes a new file visible at once, but its bytes and the rename
itself reach the disk when the system chooses: after a power cut, a table of
contents may name segment files that were never written. As SQLite and
Lucene do, the files a commit depends on are synced before the commit point
(the rename of the table of contents), and the folder after it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from whoosh.filedb.filestore import FileStorage


def sync_file(path: str | os.PathLike[str]) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def sync_folder(path: str | os.PathLike[str]) -> None:
    try:
        sync_file(path)
    except OSError:  # a file system that cannot sync a folder (some network mounts)
        pass


def write_json(path: Path, value: object) -> None:
    """Replace the file at ``path`` with ``value`` as JSON, whole or not at all."""
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w", encoding="utf-8") as stream:
        json.dump(value, stream, indent=1, ensure_ascii=False)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, path)
    sync_folder(path.parent)


class SyncedStorage(FileStorage):
    """A FileStorage whose renames are durable: the file is synced before it
    is renamed, the folder after. Whoosh writes its table of contents to a
    temporary file and renames it: that rename is the commit."""

    def rename_file(self, oldname: str, newname: str, safe: bool = False) -> None:
        sync_file(self._fpath(oldname))
        super().rename_file(oldname, newname, safe)
        sync_folder(self.folder)
