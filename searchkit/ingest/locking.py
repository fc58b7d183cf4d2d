"""The writer lock of an index: taken at once or after waiting, and the
message of an index another ingest is writing to."""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from searchkit.errors import IndexBusy, SearchkitError
from searchkit.storage.documents import cut_passages

WaitCallback = Callable[[], None]


def busy(path: Path, wait: float) -> IndexBusy:
    waited = f" after waiting {wait:g} s" if wait > 0 else ""
    return IndexBusy(
        f"another ingest or rebuild is writing to {path}{waited}; "
        "try again when it ends, or give --wait SECONDS"
    )


def acquire_lock(lock: Any, path: Path, wait: float, on_wait: WaitCallback | None) -> Any:
    """``lock`` acquired, waiting up to ``wait`` seconds, as writers wait."""
    if lock.acquire(blocking=False):
        return lock
    if wait > 0:
        if on_wait is not None:
            on_wait()
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            time.sleep(0.05)
            if lock.acquire(blocking=False):
                return lock
    raise busy(path, wait)


@contextmanager
def writing(ix: Any, path: Path, wait: float, on_wait: WaitCallback | None = None) -> Iterator[Any]:
    """The bulk writer of ``ix`` (see open_writer), its lock held until the
    block ends: the files written beside the index after the commit (its
    record, its copies) are written by one writer at a time."""
    writer = open_writer(ix, path, wait, on_wait)
    # Taken from the writer, which lets go of its lock when it commits.
    lock, writer.writelock = writer.writelock, None
    try:
        yield writer
    finally:
        lock.release()


def open_writer(ix: Any, path: Path, wait: float, on_wait: WaitCallback | None = None) -> Any:
    """The bulk writer of ``ix`` (the index at ``path``), once it holds the
    writer lock, waiting up to ``wait`` seconds."""
    # Segments stay as separate files: Whoosh copies a compound segment's
    # term table into memory on every open, 0.1 s of each CLI query at 31k articles.
    from whoosh.index import LockError

    from searchkit.writer.bulk import BulkWriter  # not loaded by queries

    try:
        return BulkWriter(ix, timeout=0, compound=False, prepare=cut_passages)
    except LockError:
        pass
    except OSError as error:
        raise SearchkitError(f"cannot write to the index at {path}: {error.strerror or error}") from None
    if wait > 0:
        if on_wait is not None:
            on_wait()
        try:
            return BulkWriter(ix, timeout=wait, compound=False, prepare=cut_passages)
        except LockError:
            pass
    raise busy(path, wait)


def abandon(writer: Any) -> None:
    """Cancel a writer that has not committed; an interruption may come after."""
    if not writer.is_closed:
        writer.cancel()
