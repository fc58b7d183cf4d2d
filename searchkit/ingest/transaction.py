"""The writes to an index, each one transaction under the writer lock:
ingest, remove, optimize, and the rebuild that replaces the whole index.

Nothing an ingest writes is visible until its commit, and a failure or an
interruption before it leaves the index as it was. The record beside the
index (searchkit.json) learns the paths given before their articles are
committed, so that a later rebuild cannot leave them out."""

from __future__ import annotations

import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator, TypeVar

from whoosh import index as whoosh_index

from searchkit.articles.article import Article
from searchkit.articles.sources import INFO_FILE, Problem, can_hold_articles
from searchkit.errors import IndexNotFound, SearchkitError
from searchkit.ingest.copies import groups_after
from searchkit.ingest.heldtexts import article_with_text, texts_to_restore
from searchkit.ingest.ingestion import Catalogue, DocumentMaker, Ingestion
from searchkit.ingest.report import IngestReport
from searchkit.ingest.locking import WaitCallback, abandon, acquire_lock, writing
from searchkit.ingest.rebuild import new_work_folder, swap_in, writer_lock
from searchkit.storage import integrity
from searchkit.storage.duplicates import read_duplicates, write_duplicates
from searchkit.storage.durability import write_json
from searchkit.storage.groups import clean_groups, read_groups, write_groups
from searchkit.storage.opened import OpenedIndex
from searchkit.storage.record import holds_only_own_files, index_exists, read_info, write_info
from searchkit.storage.schema import INDEX_NAME

ProgressCallback = Callable[[int, int], None]  # (bytes read, bytes to read)
ProblemCallback = Callable[[Problem], None]
Opened = TypeVar("Opened")


class IndexWrites:
    """The writes to ``opened``, each one commit; ``document_of`` makes the
    document stored of an article."""

    def __init__(self, opened: OpenedIndex, document_of: DocumentMaker) -> None:
        self.opened = opened
        self.path = opened.path
        self.document_of = document_of

    def create(self, wait: float = 0.0, on_wait: WaitCallback | None = None) -> None:
        """Create the index, under the writer lock."""
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            lock = acquire_lock(writer_lock(self.path, INDEX_NAME), self.path, wait, on_wait)
        except OSError as error:
            raise SearchkitError(f"cannot create an index at {self.path}: {error.strerror or error}") from None
        try:
            self.opened.create()
        finally:
            lock.release()

    def ingest(
        self,
        paths: Iterable[str | os.PathLike[str]],
        prune: bool = False,
        on_progress: ProgressCallback | None = None,
        on_problem: ProblemCallback | None = None,
        wait: float = 0.0,
        on_wait: WaitCallback | None = None,
        follow_links: bool = False,
    ) -> IngestReport:
        """The articles under ``paths`` ingested in one commit (see Index.ingest)."""
        started = time.perf_counter()
        roots = [os.path.abspath(p) for p in paths]
        if not self.opened.created:
            self.create(wait, on_wait)
        with self._ingestion(wait, on_problem, on_wait) as run:
            # The paths a later --rebuild reads again: not a typo, not an index.
            run.roots = [root for root in roots if can_hold_articles(root)]
            self._record_roots(run.roots)
            sources = run.find(roots, follow_links)
            sizes = [_size(source.path) for source in sources]
            total, done = sum(sizes), 0
            for source, size in zip(sources, sizes):
                run.file(source, _within(on_progress, done, size, total))
                done += size
                if on_progress is not None:
                    on_progress(done, total)
            if prune:
                run.prune(roots)
            restore_texts(run)
        run.report.seconds = time.perf_counter() - started
        return run.report

    def copy(
        self,
        articles: Iterable[tuple[Article, str]],
        roots: Iterable[str],
        on_problem: ProblemCallback | None = None,
        wait: float = 0.0,
        on_wait: WaitCallback | None = None,
    ) -> IngestReport:
        """The ``articles`` of another index, each with the signature of its
        file, written in one commit (see Index.ingest_from); ``roots``, the
        paths that index was ingested from, recorded for a later rebuild."""
        started = time.perf_counter()
        if not self.opened.created:
            self.create(wait, on_wait)
        with self._ingestion(wait, on_problem, on_wait) as run:
            run.roots = list(roots)
            self._record_roots(run.roots)
            for article, signature in articles:
                run.copied(article, signature)
        run.report.seconds = time.perf_counter() - started
        return run.report

    def remove(
        self,
        targets: Iterable[str],
        on_problem: ProblemCallback | None = None,
        wait: float = 0.0,
        on_wait: WaitCallback | None = None,
    ) -> IngestReport:
        """Articles removed by id, or all those from a file or folder, in one commit."""
        started = time.perf_counter()
        with self._ingestion(wait, on_problem, on_wait) as run:
            run.remove(targets)
            restore_texts(run, leaving=targets)
        run.report.seconds = time.perf_counter() - started
        return run.report

    def optimize(self, wait: float = 0.0, on_wait: WaitCallback | None = None) -> None:
        """Every segment merged into one, deleted articles left out."""
        with writing(self.opened.ix, self.path, wait, on_wait) as writer:
            generation = writer.generation
            try:
                # The same articles: the same groups, for the new generation.
                write_groups(self.path, generation, read_groups(self.path, generation - 1, required=False))
                writer.commit(optimize=True)
            except BaseException:
                abandon(writer)
                raise
            clean_groups(self.path, generation)
            self.opened.write_info()

    def compact(self) -> None:
        """optimize() where there is more than one segment or a deletion."""
        segments = self.opened.ix._segments()
        if len(segments) > 1 or any(segment.has_deletions() for segment in segments):
            self.optimize()

    def _record_roots(self, roots: Iterable[str]) -> None:
        """Add ``roots`` to the record before their articles are committed, so
        that an interruption between the commit and the record cannot make a
        later --rebuild leave them out."""
        known = set(self.opened.info().get("roots", []))
        if not set(roots) <= known:
            self.opened.write_info(roots=roots)

    @contextmanager
    def _ingestion(
        self, wait: float, on_problem: ProblemCallback | None, on_wait: WaitCallback | None
    ) -> Iterator[Ingestion]:
        with writing(self.opened.ix, self.path, wait, on_wait) as writer:
            from searchkit.storage.leftovers import clean_leftovers

            clean_leftovers(writer, self.path)  # of an ingest that was killed
            try:
                with writer.reader() as reader:
                    # Segments it merges into its new one must be whole; a writer
                    # reads the generation it is about to write.
                    self.opened.verify(reader, self.opened.ix.latest_generation())
                    catalogue = Catalogue.read(reader)
                catalogue.held_elsewhere = read_duplicates(self.path)
                held_before = {digest: set(paths) for digest, paths in catalogue.held_elsewhere.items()}
                run = Ingestion(writer, catalogue, self.document_of, on_problem)
                writer.on_document = run.written
                writer.on_failure = run.unwritten
                try:
                    yield run
                finally:
                    run.close()
                generation = None
                if run.report.added or run.report.updated or run.report.removed:
                    # Written before the commit, which makes them the index's groups.
                    generation = writer.generation
                    from searchkit.writer.bulk import flush  # not loaded by queries

                    flush(writer)  # every article written: its signature known
                    write_groups(self.path, generation, groups_after(writer, run.signed))
                    writer.commit()
                else:
                    writer.cancel()
            except OSError as error:
                abandon(writer)
                raise SearchkitError(
                    f"could not write the index at {self.path}: {error.strerror or error}; "
                    "it is as it was before this ingest"
                ) from None
            except BaseException:
                abandon(writer)
                raise
            # After the commit, under the lock still: an interruption here must
            # not touch the writer, and a waiting ingest not write these at once.
            if generation is not None:
                clean_groups(self.path, generation)
            held = run.catalogue.duplicates_held()
            if held != held_before:
                write_duplicates(self.path, held)
            self.opened.write_info(_now(), run.roots)


def restore_texts(run: Ingestion, leaving: Iterable[str] = ()) -> None:
    """Index again, from a file that held it as a duplicate (not one under
    ``leaving``), each text whose article ``run`` removed."""
    catalogue = run.catalogue
    for digest, path in texts_to_restore(run.gone_texts, catalogue.held_elsewhere,
                                         catalogue.ids_by_text.__contains__, leaving):
        for source in run.find([path]):
            found = article_with_text(replace(source, id_base=catalogue.claim_id_base(source)), digest)
            if found is not None:
                run.article(*found, [])


def rebuild(
    path: Path,
    paths: Iterable[str | os.PathLike[str]],
    document_of: DocumentMaker,
    open_index: Callable[[Path], Opened],
    on_progress: ProgressCallback | None = None,
    on_problem: ProblemCallback | None = None,
    wait: float = 0.0,
    on_wait: WaitCallback | None = None,
    follow_links: bool = False,
) -> tuple[Opened, IngestReport]:
    """The index at ``path`` built anew from every path it was ingested from
    (and ``paths``) and put in place of the old one (see searchkit.ingest.rebuild),
    then opened with ``open_index`` while the writer lock is still held."""
    # A folder with a record and no table of contents is a damaged index: rebuilt too.
    if not index_exists(path) and not (path / INFO_FILE).exists() and not holds_only_own_files(path):
        raise IndexNotFound(f"{path} is not empty and holds no searchkit index: not touching it")
    info = read_info(path)
    roots = list(dict.fromkeys([*info.get("roots", []),
                                *(os.path.abspath(p) for p in paths)]))
    if not roots:
        raise SearchkitError(f"nothing to rebuild {path} from: give the paths to ingest")
    try:
        path.mkdir(parents=True, exist_ok=True)
        lock = acquire_lock(writer_lock(path, INDEX_NAME), path, wait, on_wait)
    except OSError as error:
        raise SearchkitError(f"cannot write to the index at {path}: {error.strerror or error}") from None
    try:
        # Recorded first: an interrupted rebuild must not forget the new paths.
        write_json(path / INFO_FILE, integrity.sealed_info({**read_info(path), "roots": sorted(roots)}))
        work = new_work_folder(path)
        try:
            new = OpenedIndex(work)
            try:
                writes = IndexWrites(new, document_of)
                report = writes.ingest(roots, on_progress=on_progress, on_problem=on_problem, follow_links=follow_links)
                writes.compact()
                groups = read_groups(work, new.ix.latest_generation(), required=False)
                held = read_duplicates(work)
            finally:
                new.close()
            generation = swap_in(path, work, INDEX_NAME, lambda generation: write_groups(path, generation, groups))
            clean_groups(path, generation)
            write_duplicates(path, held)  # the old index's would name files of another life
        finally:
            shutil.rmtree(work, ignore_errors=True)
        write_info(path, whoosh_index.open_dir(path, indexname=INDEX_NAME), _now(), roots)
        rebuilt = open_index(path)
    except OSError as error:
        raise SearchkitError(
            f"could not rebuild the index at {path}: {error.strerror or error}; "
            "it is as it was before"
        ) from None
    finally:
        lock.release()
    return rebuilt, report


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _within(on_progress: ProgressCallback | None, done: int, size: int, total: int
            ) -> Callable[[int], None] | None:
    """Progress inside a file of ``size`` bytes read after ``done`` bytes."""
    if on_progress is None:
        return None
    return lambda read: on_progress(done + min(read, size), total)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
