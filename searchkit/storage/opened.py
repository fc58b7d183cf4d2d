"""An opened index: the Whoosh index of a folder, checked before it is
trusted, its current searcher, and Whoosh's errors translated into what
damaged files explain."""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

from whoosh import index as whoosh_index
from whoosh.reading import ReaderClosed

from searchkit.articles.sources import INFO_FILE
from searchkit.errors import IndexBusy, IndexDamaged, IndexIncompatible, IndexNotFound, SearchkitError
from searchkit.storage import integrity
from searchkit.storage.record import current_versions, holds_only_own_files, index_exists, read_info, write_info
from searchkit.storage.schema import INDEX_NAME, make_schema

T = TypeVar("T")
# (the reader to reuse, or None) -> a searcher of the latest commit: its
# weighting is the search layer's, passed down.
SearcherFactory = Callable[[Any], Any]


class OpenedIndex:
    """The Whoosh index at ``path``, or a placeholder where there is none yet
    and ``create``; the searcher kept open across reads."""

    def __init__(self, path: Path, create: bool = True, new_searcher: SearcherFactory | None = None) -> None:
        self.path = path
        self._new_searcher = new_searcher  # None: opened to be written only
        self._searcher: Any = None
        self._verifier = integrity.OpenVerifier(self.path, INDEX_NAME)
        self.ix: Any
        if self._holds_index():
            self.open_created()
        elif create:
            if not holds_only_own_files(self.path):
                raise IndexNotFound(
                    f"{self.path} is not empty and holds no searchkit index: "
                    "choose another folder with --index"
                )
            # Created by the first ingest: opening a mistyped path must leave nothing on disk.
            self.ix = _NotCreated(self)
        else:
            raise IndexNotFound(
                f"no index at {os.path.join(self.path, '')}: "
                "run `searchkit ingest FOLDER` first (FOLDER: your articles)"
            )

    @property
    def created(self) -> bool:
        return not isinstance(self.ix, _NotCreated)

    def create(self) -> None:
        """Create the Whoosh index; the caller holds the writer lock: two
        first ingests at once would each create one, the second over the first's."""
        if index_exists(self.path):
            self.open_created()  # by another process since this one opened the folder
            return
        try:
            write_info(self.path, None)  # no articles yet
            self.ix = whoosh_index.create_in(self.path, make_schema(), indexname=INDEX_NAME)
        except OSError as error:
            raise SearchkitError(f"cannot create an index at {self.path}: {error.strerror or error}") from None

    def open_created(self) -> None:
        # The record is read before Whoosh unpickles anything: an index of
        # another format may name classes this version does not have.
        check_compatible(self.path)
        try:
            self.ix = whoosh_index.open_dir(self.path, indexname=INDEX_NAME)
        except Exception as error:
            found = self.damage_behind(error)
            if found is error and isinstance(error, (AttributeError, ImportError, pickle.UnpicklingError)):
                found = unknown_classes(self.path, error)
            raise found from None

    def _holds_index(self) -> bool:
        if index_exists(self.path):
            return True
        if (self.path / INFO_FILE).exists() and integrity.has_segment_files(self.path, INDEX_NAME):
            raise IndexDamaged(str(self.path), f"_{INDEX_NAME}_*.toc", "missing (the table of contents)")
        return False

    def close(self) -> None:
        searcher, self._searcher = self._searcher, None
        if searcher is not None:
            try:
                searcher.close()
            except ReaderClosed:
                # A refresh that failed on a damaged new segment had already
                # closed the segment readers it was reusing from this one.
                pass

    # -- the record beside it ----------------------------------------------

    def info(self) -> dict[str, Any]:
        return read_info(self.path)

    def write_info(self, last_ingest: str | None = None, roots: Iterable[str] = ()) -> None:
        write_info(self.path, self.ix, last_ingest, roots)

    # -- the searcher and its verification ---------------------------------

    def searcher(self) -> Any:
        """A Whoosh searcher kept open across reads, refreshed after a
        commit, its files checked against their checksums (searchkit.storage.integrity)."""
        for _ in range(3):
            try:
                if self._searcher is None:
                    self._verifier.verify_latest()
                searcher = self.read(self._current_searcher, retry=False)
                self.verify(searcher.reader())
                return searcher
            except integrity.Superseded:  # a commit replaced the files meanwhile
                self.close()
        raise IndexBusy(f"the index at {self.path} changed three times while it was opened: try again")

    def verify(self, reader: Any, generation: int | None = None) -> None:
        """The files of ``reader``'s segments, checked against their checksums."""
        if generation is None:
            generation = reader.generation()
        if generation is None or generation < 0:  # an index without segments
            generation = self.ix.latest_generation()
        try:
            self._verifier.verify(generation, [s.segment_id() for s in reader.segments() or ()])
        except IndexDamaged:
            self.close()
            raise

    def _current_searcher(self) -> Any:
        assert self._new_searcher is not None, "an index opened to be written only is not searched"
        if self._searcher is None:
            self._searcher = self._new_searcher(None)
        elif self.ix.latest_generation() != self._searcher.reader().generation():
            self._searcher = self._new_searcher(self._searcher.reader())
        return self._searcher

    # -- the error translation ---------------------------------------------

    def read(self, operation: Callable[[], T], retry: bool = True) -> T:
        """``operation``, a read of the index: an error that damaged files
        explain becomes IndexDamaged (one line); any other goes through."""
        try:
            return operation()
        except SearchkitError:
            raise
        except Exception as error:
            if retry and self._stale():  # a commit deleted files this searcher was about to read
                self.close()
                return self.read(operation, retry=False)
            raise self.damage_behind(error) from None

    def _stale(self) -> bool:
        try:
            return self._searcher is not None and not self._searcher.up_to_date()
        except Exception:
            return False

    def damage_behind(self, error: Exception) -> Exception:
        """IndexDamaged naming the file behind ``error``, or ``error`` itself
        when every file reads as written."""
        self.close()
        found = integrity.diagnose(self.path, INDEX_NAME, INFO_FILE, error, self.segment_ids())
        return error if found is None else found

    def segment_ids(self) -> list[str] | None:
        """The current segments by the TOC; None when it cannot be read."""
        try:
            return [s.segment_id() for s in self.ix._segments()]
        except Exception:
            return None


def check_compatible(path: Path) -> None:
    """Raise unless the record beside the index at ``path`` is whole and
    names the versions this searchkit writes."""
    damage = integrity.info_damage(path, INFO_FILE, required=integrity.is_sealed(path, INDEX_NAME))
    # A record that reads but fails its checksum: versions that differ
    # say more (the record edited by another version); else it is damage.
    if damage is not None and damage.reason != integrity.CHECKSUM_MISMATCH:
        raise integrity.damaged(path, damage)
    info = read_info(path)
    expected = current_versions()
    differences = [
        f"{name} {info.get(name)!r} (this searchkit: {value!r})"
        for name, value in expected.items()
        if info.get(name) != value
    ]
    if differences:
        raise IndexIncompatible(
            f"the index at {path} was built by an incompatible version of searchkit "
            f"({'; '.join(differences)}): run `searchkit ingest --rebuild --index {path}`"
        )
    if damage is not None:
        raise integrity.damaged(path, damage)


def unknown_classes(path: Path, error: Exception) -> IndexIncompatible:
    """The refusal of an index whose table of contents names classes this
    version does not have (Whoosh unpickles them by import path)."""
    return IndexIncompatible(
        f"the index at {path} was built by another version of searchkit ({error}): "
        f"run `searchkit ingest --rebuild --index {path}`"
    )


def live_ids(reader: Any) -> set[str]:
    """The ids of the articles ``reader`` holds, deleted ones left out."""
    if not reader.doc_count_all():
        return set()
    ids = reader.column_reader("id")
    # Not the terms of the id field: those of deleted articles stay until their segment is merged.
    return {ids[docnum] for docnum in reader.all_doc_ids()}


class _NotCreated:
    """The Whoosh index of an index opened where there is none yet: every use
    but ``create`` is told there is no index, until another process creates
    one there."""

    def __init__(self, opened: OpenedIndex) -> None:
        self.opened = opened

    def __getattr__(self, name: str) -> object:
        opened = self.opened
        if index_exists(opened.path):
            opened.open_created()
            return getattr(opened.ix, name)
        raise IndexNotFound(f"no index at {opened.path}: ingest articles first (`searchkit ingest PATH`)")
