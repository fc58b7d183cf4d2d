"""The on-disk index: open or create it, ingest articles, read them back."""

from __future__ import annotations

import os
import pickle
import shutil
import time
from datetime import datetime, timezone
from contextlib import contextmanager
from pathlib import Path
import functools
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, TypeVar

from whoosh import index as whoosh_index
from whoosh.index import LockError

from searchkit.articles.article import Article
from searchkit.articles.sources import INFO_FILE, Problem, file_digest
from searchkit.errors import IndexBusy, IndexDamaged, IndexIncompatible, IndexNotFound, IndexUnsafe, SearchkitError
from searchkit.ingest.ingestion import Catalogue, Ingestion, IngestReport, stamp_of
from searchkit.ingest.rebuild import new_work_folder, swap_in, writer_lock
from searchkit.ranking.settings import Ranking
from searchkit.storage import integrity, safepickle
from searchkit.storage.documents import article_from_stored, cut_passages, document_of
from searchkit.storage.durability import write_json
from searchkit.storage.integrity import CheckReport
from searchkit.storage.readers import latest_reader
from searchkit.storage.record import current_versions, holds_only_own_files, index_exists, read_info, write_info
from searchkit.search.session import SearchSession
from searchkit.storage.schema import INDEX_NAME, make_schema

if TYPE_CHECKING:
    from searchkit.search.results import SearchResult

# Before any index is opened: an index's pickles may build only the classes
# an index holds (see searchkit.storage.safepickle).
safepickle.install()

DEFAULT_INDEX = "index"


ProgressCallback = Callable[[int, int], None]  # (bytes read, bytes to read)
_Method = TypeVar("_Method", bound=Callable[..., Any])


def _naming_the_index(method: _Method) -> _Method:
    """A refused pickle (searchkit.storage.safepickle) is found deep inside Whoosh,
    which does not know the index's path: the message gets it here."""

    @functools.wraps(method)
    def guarded(self: "Index", *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except IndexUnsafe as error:
            if error.path is not None:
                raise
            raise IndexUnsafe(error.what, self.path) from None

    return guarded  # type: ignore[return-value]


ProblemCallback = Callable[[Problem], None]
T = TypeVar("T")


class Index:
    """A searchkit index in a folder.

    >>> with Index("index") as index:                      # doctest: +SKIP
    ...     index.ingest(["seeds"])
    ...     hits = index.search("libération de Mossoul").hits
    """

    @_naming_the_index
    def __init__(
        self, path: str | os.PathLike[str] = DEFAULT_INDEX, create: bool = True, fast_scoring: bool = True,
        ranking: Ranking | None = None,
    ) -> None:
        """Open the index at ``path``, creating it if ``create``. With
        ``fast_scoring``, queries of plain words are scored with numpy (see
        searchkit.ranking.fastscore): ten times faster from the second query on, but
        loading numpy and the field lengths costs about 0.1 s once. ``ranking``:
        the knobs of the ranking (searchkit.Ranking, the shipped one by default);
        its ``title_weight`` is applied at ingest, so an index is searched with
        the title weight it was ingested with."""
        self.path = Path(path)
        self.fast_scoring = fast_scoring
        self.ranking = Ranking() if ranking is None else ranking
        self._searcher = None
        self._search_session: SearchSession | None = None
        self._verifier = integrity.OpenVerifier(self.path, INDEX_NAME)
        if self._holds_index():
            self._open_created()
        elif create:
            if not holds_only_own_files(self.path):
                raise IndexNotFound(
                    f"{self.path} is not empty and holds no searchkit index: "
                    "choose another folder with --index"
                )
            # Created by the first ingest: opening a mistyped path must leave nothing on disk.
            self._ix = _NotCreated(self)
        else:
            raise IndexNotFound(
                f"no index at {self.path}: run `searchkit ingest` first"
            )

    def _create(self, wait: float = 0.0, on_wait: Callable[[], None] | None = None) -> None:
        """Create the index, under the writer lock: two first ingests at once
        would each create one, the second over the first's."""
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            lock = _acquire_lock(writer_lock(self.path, INDEX_NAME), self.path, wait, on_wait)
        except OSError as error:
            raise SearchkitError(f"cannot create an index at {self.path}: {error.strerror or error}") from None
        try:
            if index_exists(self.path):
                self._open_created()  # by another process since this one opened the folder
                return
            del self._ix  # the placeholder: _write_info counts no articles yet
            try:
                self._write_info()
                self._ix = whoosh_index.create_in(self.path, make_schema(), indexname=INDEX_NAME)
            except BaseException as error:
                self._ix = _NotCreated(self)
                if isinstance(error, OSError):
                    raise SearchkitError(
                        f"cannot create an index at {self.path}: {error.strerror or error}"
                    ) from None
                raise
        finally:
            lock.release()

    def _open_created(self) -> None:
        # The record is read before Whoosh unpickles anything: an index of
        # another format may name classes this version does not have.
        self._check_compatible()
        try:
            self._ix = whoosh_index.open_dir(self.path, indexname=INDEX_NAME)
        except Exception as error:
            found = self._damage_behind(error)
            if found is error and isinstance(error, (AttributeError, ImportError, pickle.UnpicklingError)):
                found = _unknown_classes(self.path, error)
            raise found from None

    # -- lifecycle ---------------------------------------------------------

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
            self._search_session = None

    def _holds_index(self) -> bool:
        if index_exists(self.path):
            return True
        if (self.path / INFO_FILE).exists() and integrity.has_segment_files(self.path, INDEX_NAME):
            raise IndexDamaged(str(self.path), f"_{INDEX_NAME}_*.toc", "missing (the table of contents)")
        return False

    def searcher(self):  # type: ignore[no-untyped-def]
        """A Whoosh searcher kept open across searches, refreshed after a
        commit, its files checked against their checksums (searchkit.storage.integrity)."""
        for _ in range(3):
            try:
                if self._searcher is None:
                    self._verifier.verify_latest()
                searcher = self._read(self._current_searcher, retry=False)
                self._verify(searcher.reader())
                return searcher
            except integrity.Superseded:  # a commit replaced the files meanwhile
                self.close()
        raise IndexBusy(f"the index at {self.path} changed three times while it was opened: try again")

    def _verify(self, reader, generation: int | None = None) -> None:  # type: ignore[no-untyped-def]
        if generation is None:
            generation = reader.generation()
        if generation is None or generation < 0:  # an index without segments
            generation = self._ix.latest_generation()
        try:
            self._verifier.verify(generation, [s.segment_id() for s in reader.segments() or ()])
        except IndexDamaged:
            self.close()
            raise

    def _current_searcher(self):  # type: ignore[no-untyped-def]
        if self._searcher is None:
            self._searcher = self._new_searcher()
        elif self._ix.latest_generation() != self._searcher.reader().generation():
            self._searcher = self._new_searcher(reuse=self._searcher.reader())
        return self._searcher

    def _read(self, operation: Callable[[], T], retry: bool = True) -> T:
        """``operation``, a read of the index: an error that damaged files
        explain becomes IndexDamaged (one line); any other goes through."""
        try:
            return operation()
        except SearchkitError:
            raise
        except Exception as error:
            if retry and self._stale():  # a commit deleted files this searcher was about to read
                self.close()
                return self._read(operation, retry=False)
            raise self._damage_behind(error) from None

    def _stale(self) -> bool:
        try:
            return self._searcher is not None and not self._searcher.up_to_date()
        except Exception:
            return False

    def _damage_behind(self, error: Exception) -> Exception:
        """IndexDamaged naming the file behind ``error``, or ``error`` itself
        when every file reads as written."""
        self.close()
        found = integrity.diagnose(self.path, INDEX_NAME, INFO_FILE, error, self._segment_ids())
        return error if found is None else found

    def _segment_ids(self) -> list[str] | None:
        """The current segments by the TOC; None when it cannot be read."""
        try:
            return [s.segment_id() for s in self._ix._segments()]
        except Exception:
            return None

    def _session(self) -> SearchSession:
        """The search session of the current searcher: its caches are kept
        until a commit brings a new one."""
        searcher = self.searcher()
        if self._search_session is None or self._search_session.searcher is not searcher:
            self._search_session = SearchSession(searcher, self.ranking, self.fast_scoring)
        return self._search_session

    def _new_searcher(self, reuse=None):  # type: ignore[no-untyped-def]
        from whoosh.searching import Searcher

        return Searcher(latest_reader(self._ix, reuse), fromindex=self._ix, weighting=self.ranking.weighting())

    # -- version record ----------------------------------------------------

    def info(self) -> dict[str, object]:
        """What searchkit records beside the index: versions, sources, counts."""
        return read_info(self.path)

    def _write_info(self, last_ingest: str | None = None, roots: Iterable[str] = ()) -> None:
        write_info(self.path, getattr(self, "_ix", None), last_ingest, roots)

    def _record_roots(self, roots: Iterable[str]) -> None:
        """Add ``roots`` to the record before their articles are committed, so
        that an interruption between the commit and the record cannot make a
        later --rebuild leave them out."""
        known = set(self.info().get("roots", []))  # type: ignore[arg-type]
        if not set(roots) <= known:
            self._write_info(roots=roots)

    def _check_compatible(self) -> None:
        damage = integrity.info_damage(self.path, INFO_FILE, required=integrity.is_sealed(self.path, INDEX_NAME))
        # A record that reads but fails its checksum: versions that differ
        # say more (the record edited by another version); else it is damage.
        if damage is not None and damage.reason != integrity.CHECKSUM_MISMATCH:
            raise integrity.damaged(self.path, damage)
        info = self.info()
        expected = current_versions()
        differences = [
            f"{name} {info.get(name)!r} (this searchkit: {value!r})"
            for name, value in expected.items()
            if info.get(name) != value
        ]
        if differences:
            raise IndexIncompatible(
                f"the index at {self.path} was built by an incompatible version of searchkit "
                f"({'; '.join(differences)}): run `searchkit ingest --rebuild --index {self.path}`"
            )
        if damage is not None:
            raise integrity.damaged(self.path, damage)

    # -- ingest ------------------------------------------------------------

    @_naming_the_index
    def ingest(
        self,
        paths: Iterable[str | os.PathLike[str]],
        prune: bool = False,
        on_progress: ProgressCallback | None = None,
        on_problem: ProblemCallback | None = None,
        wait: float = 0.0,
        on_wait: Callable[[], None] | None = None,
        follow_links: bool = False,
    ) -> IngestReport:
        """Index the articles found under ``paths``, incrementally: unchanged
        files are skipped, changed ones replace their articles, and with
        ``prune`` the articles of files gone from under ``paths`` are removed.
        Nothing is visible until the whole batch is committed, and a failure or
        an interruption leaves the index as it was. ``on_progress`` is called
        with the bytes read so far and the bytes of all files to read. A
        symbolic link leading out of ``paths`` is skipped unless ``follow_links``."""
        started = time.perf_counter()
        paths = [os.path.abspath(p) for p in paths]
        if isinstance(self._ix, _NotCreated):
            self._create(wait, on_wait)
        with self._ingestion(wait, on_problem, on_wait) as run:
            run.roots = paths
            self._record_roots(paths)
            sources = run.find(paths, follow_links)
            sizes = [_size(source.path) for source in sources]
            total, done = sum(sizes), 0
            for source, size in zip(sources, sizes):
                run.file(source, _within(on_progress, done, size, total))
                done += size
                if on_progress is not None:
                    on_progress(done, total)
            if prune:
                run.prune(paths)
        run.report.seconds = time.perf_counter() - started
        return run.report

    @_naming_the_index
    def remove(
        self,
        targets: Iterable[str],
        on_problem: ProblemCallback | None = None,
        wait: float = 0.0,
        on_wait: Callable[[], None] | None = None,
    ) -> IngestReport:
        """Remove articles by id, or all those from a file or folder."""
        started = time.perf_counter()
        with self._ingestion(wait, on_problem, on_wait) as run:
            run.remove(targets)
        run.report.seconds = time.perf_counter() - started
        return run.report

    @classmethod
    def rebuild(
        cls,
        path: str | os.PathLike[str] = DEFAULT_INDEX,
        paths: Iterable[str | os.PathLike[str]] = (),
        on_progress: ProgressCallback | None = None,
        on_problem: ProblemCallback | None = None,
        wait: float = 0.0,
        on_wait: Callable[[], None] | None = None,
        follow_links: bool = False,
    ) -> tuple["Index", IngestReport]:
        """Build the index at ``path`` anew from every path it was ingested
        from (and ``paths``), compacted, then put it in place of the old one
        in one commit (see searchkit.ingest.rebuild). The old index serves queries
        until then; writers wait for the rebuild to end."""
        path = Path(path)
        # A folder with a record and no table of contents is a damaged index: rebuilt too.
        if not index_exists(path) and not (path / INFO_FILE).exists() and not holds_only_own_files(path):
            raise IndexNotFound(f"{path} is not empty and holds no searchkit index: not touching it")
        info = read_info(path)
        roots = list(dict.fromkeys([*info.get("roots", []),  # type: ignore[list-item]
                                    *(os.path.abspath(p) for p in paths)]))
        if not roots:
            raise SearchkitError(f"nothing to rebuild {path} from: give the paths to ingest")
        try:
            path.mkdir(parents=True, exist_ok=True)
            lock = _acquire_lock(writer_lock(path, INDEX_NAME), path, wait, on_wait)
        except OSError as error:
            raise SearchkitError(f"cannot write to the index at {path}: {error.strerror or error}") from None
        try:
            # Recorded first: an interrupted rebuild must not forget the new paths.
            write_json(path / INFO_FILE, integrity.sealed_info({**read_info(path), "roots": sorted(roots)}))
            work = new_work_folder(path)
            try:
                with cls(work) as new:
                    report = new.ingest(roots, on_progress=on_progress, on_problem=on_problem, follow_links=follow_links)
                    new._compact()
                swap_in(path, work, INDEX_NAME)
            finally:
                shutil.rmtree(work, ignore_errors=True)
            write_info(path, whoosh_index.open_dir(path, indexname=INDEX_NAME), _now(), roots)
            rebuilt = cls(path)
        except OSError as error:
            raise SearchkitError(
                f"could not rebuild the index at {path}: {error.strerror or error}; "
                "it is as it was before"
            ) from None
        finally:
            lock.release()
        return rebuilt, report

    def optimize(self, wait: float = 0.0, on_wait: Callable[[], None] | None = None) -> None:
        """Merge every segment into one, leaving out deleted articles: queries
        then read one segment, and removed articles stop weighing in the
        statistics. Ingests merge segments as they go; this is rarely needed."""
        writer = self._writer(wait, on_wait)
        try:
            writer.commit(optimize=True)
        except BaseException:
            _abandon(writer)
            raise
        self._write_info()

    def _compact(self) -> None:
        """optimize() where there is more than one segment or a deletion."""
        segments = self._ix._segments()
        if len(segments) > 1 or any(segment.has_deletions() for segment in segments):
            self.optimize()

    @_naming_the_index
    def check(self) -> CheckReport:
        """Everything that can be wrong, one line each: files damaged, missing
        or cut short (read whole against their checksums), segments that
        cannot be read, counts that disagree; sources changed or vanished
        since they were ingested. New files under the ingested paths are
        noted, as are files written before checksums were kept."""
        if isinstance(self._ix, _NotCreated):
            self._ix.latest_generation()  # IndexNotFound, unless another process created it since
        report = CheckReport()
        segment_ids = self._segment_ids()
        files = integrity.check_files(self.path, INDEX_NAME, INFO_FILE, segment_ids)
        report.damaged += [str(damage) for damage in files.damaged]
        report.notes += files.notes
        if segment_ids is None:
            return report
        toc = self._ix._read_toc()  # not searcher(): it stops at the first damaged file
        unreadable = integrity.check_segments(self._ix.storage, toc.schema, toc.segments, toc.generation)
        report.damaged += [str(damage) for damage in unreadable]
        if unreadable:
            return report  # what the sources' records say cannot be trusted
        with self._ix.reader() as reader:
            info = self.info()
            recorded = info.get("articles")
            # A record of another generation was written before a commit that a crash kept from its record.
            if recorded is not None and info.get("generation", toc.generation) == toc.generation \
                    and recorded != reader.doc_count():
                report.problems.append(f"the index holds {reader.doc_count()} articles, {recorded} were recorded")
            catalogue = Catalogue.read(reader)
        for path, record in sorted(catalogue.files.items()):
            try:
                stamp = stamp_of(os.stat(path))
                if stamp != record.stamp and file_digest(Path(path)) != record.digest:
                    report.problems.append(f"{path}: changed since it was ingested ({len(record.ids)} articles)")
            except FileNotFoundError:
                report.problems.append(f"{path}: vanished since it was ingested ({len(record.ids)} articles)")
            except OSError as error:
                report.problems.append(f"{path}: cannot be read: {error.strerror}")
        info = self.info()
        report.notes += integrity.new_files(info.get("roots", []), info.get("last_ingest"),  # type: ignore[arg-type]
                                            set(catalogue.files))
        return report

    @contextmanager
    def _ingestion(
        self, wait: float, on_problem: ProblemCallback | None, on_wait: Callable[[], None] | None
    ) -> Iterator[Ingestion]:
        writer = self._writer(wait, on_wait)
        from searchkit.storage.leftovers import clean_leftovers

        clean_leftovers(writer, self.path)  # of an ingest that was killed
        try:
            with writer.reader() as reader:
                # Segments it merges into its new one must be whole; a writer
                # reads the generation it is about to write.
                self._verify(reader, self._ix.latest_generation())
                catalogue = Catalogue.read(reader)
            to_document = functools.partial(document_of, title_weight=self.ranking.title_weight)
            run = Ingestion(writer, catalogue, to_document, on_problem)
            writer.on_document = run.written
            writer.on_failure = run.unwritten
            try:
                yield run
            finally:
                run.close()
            if run.report.added or run.report.updated or run.report.removed:
                writer.commit()
            else:
                writer.cancel()
        except OSError as error:
            _abandon(writer)
            raise SearchkitError(
                f"could not write the index at {self.path}: {error.strerror or error}; "
                "it is as it was before this ingest"
            ) from None
        except BaseException:
            _abandon(writer)
            raise
        # After the commit: an interruption here must not touch the writer.
        self._write_info(_now(), run.roots)

    def _writer(self, wait: float, on_wait: Callable[[], None] | None = None):  # type: ignore[no-untyped-def]
        # Segments stay as separate files: Whoosh copies a compound segment's
        # term table into memory on every open, 0.1 s of each CLI query at 31k articles.
        from searchkit.writer.bulk import BulkWriter  # not loaded by queries

        try:
            return BulkWriter(self._ix, timeout=0, compound=False, prepare=cut_passages)
        except LockError:
            pass
        except OSError as error:
            raise SearchkitError(f"cannot write to the index at {self.path}: {error.strerror or error}") from None
        if wait > 0:
            if on_wait is not None:
                on_wait()
            try:
                return BulkWriter(self._ix, timeout=wait, compound=False, prepare=cut_passages)
            except LockError:
                pass
        raise _busy(self.path, wait)

    # -- reading -----------------------------------------------------------

    @_naming_the_index
    def article_ids(self) -> set[str]:
        return self._read(self._live_ids)

    def _live_ids(self) -> set[str]:
        reader = self.searcher().reader()
        if not reader.doc_count_all():
            return set()
        ids = reader.column_reader("id")
        # Not the terms of the id field: those of deleted articles stay until their segment is merged.
        return {ids[docnum] for docnum in reader.all_doc_ids()}

    @_naming_the_index
    def __len__(self) -> int:
        return self._read(self._ix.doc_count)

    @_naming_the_index
    def get(self, article_id: str) -> Article | None:
        """The stored article with this id, or None."""
        stored = self._read(lambda: self.searcher().document(id=article_id))
        return None if stored is None else article_from_stored(stored)

    def articles(self) -> Iterator[Article]:
        stored_fields = self._read(lambda: iter(self.searcher().all_stored_fields()), retry=False)
        try:
            while (stored := self._read(lambda: next(stored_fields, None), retry=False)) is not None:
                yield article_from_stored(stored)
        except IndexUnsafe as error:
            raise IndexUnsafe(error.what, self.path) from None

    @_naming_the_index
    def search(
        self,
        text: str,
        limit: int = 10,
        per_article: int = 2,
        plain_text: bool = False,
        since: str | None = None,
        until: str | None = None,
        sort: str = "relevance",
    ) -> "SearchResult":
        """Ranked passages with highlights, at most ``per_article`` per article.

        ``since``/``until`` take ``2016``, ``2016-05`` or ``2016-05-21``;
        ``sort="date"`` puts the newest first. Raises QueryError for a query
        that cannot be run.
        """
        from searchkit.search.engine import search

        return self._read(lambda: search(self._session(), text, limit=limit, per_article=per_article, plain_text=plain_text,
                                         since=since, until=until, sort=sort))

    @_naming_the_index
    def rank_articles(
        self,
        text: str,
        limit: int = 100,
        plain_text: bool = False,
        since: str | None = None,
        until: str | None = None,
        sort: str = "relevance",
    ) -> list[tuple[str, float]]:
        """(article id, score) pairs, best first: the ranking of ``search``
        without choosing passages."""
        from searchkit.search.engine import rank_articles

        return self._read(lambda: rank_articles(self._session(), text, limit=limit, plain_text=plain_text,
                                                since=since, until=until, sort=sort))

    @_naming_the_index
    def highlights(self, article: Article, query_text: str) -> list[tuple[int, int]]:
        """[start, end) offsets of the words ``query_text`` matches in the article."""
        from searchkit.search.engine import article_highlights

        return self._read(lambda: article_highlights(self._session(), article.text, query_text))

    @_naming_the_index
    def stats(self) -> dict[str, object]:
        """Counts and versions, as ``searchkit stats`` prints them."""
        return self._read(self._stats)

    def _stats(self) -> dict[str, object]:
        reader = self.searcher().reader()
        passages = 0
        if reader.doc_count_all():  # an index with no segment has no columns to read
            counts = reader.column_reader("passage_count")
            passages = sum(
                counts[docnum] for docnum in range(reader.doc_count_all())
                if not reader.is_deleted(docnum)
            )
        size = sum(p.stat().st_size for p in self.path.iterdir() if p.is_file())
        info = self.info()
        return {
            "index": str(self.path),
            "articles": reader.doc_count(),
            "passages": passages,
            # Removed articles' terms count until their segment is merged (searchkit optimize).
            "removed_not_merged": reader.doc_count_all() - reader.doc_count(),
            "distinct_terms": sum(1 for _ in reader.lexicon("body")),
            "distinct_words": sum(1 for _ in reader.lexicon("words")),
            "size_bytes": size,
            "searchkit": info.get("searchkit"),
            "analyzer": info.get("analyzer"),
            "stemmer": info.get("stemmer"),
            "last_ingest": info.get("last_ingest"),
        }


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _busy(path: Path, wait: float) -> IndexBusy:
    waited = f" after waiting {wait:g} s" if wait > 0 else ""
    return IndexBusy(
        f"another ingest or rebuild is writing to {path}{waited}; "
        "try again when it ends, or give --wait SECONDS"
    )


def _acquire_lock(lock, path: Path, wait: float, on_wait: Callable[[], None] | None):  # type: ignore[no-untyped-def]
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
    raise _busy(path, wait)


def _unknown_classes(path: Path, error: Exception) -> IndexIncompatible:
    """The refusal of an index whose table of contents names classes this
    version does not have (Whoosh unpickles them by import path)."""
    return IndexIncompatible(
        f"the index at {path} was built by another version of searchkit ({error}): "
        f"run `searchkit ingest --rebuild --index {path}`"
    )


class _NotCreated:
    """The Whoosh index of an Index opened where there is none yet: every use
    but ``ingest`` (which creates it) is told there is no index, until another
    process creates one there."""

    def __init__(self, index: Index) -> None:
        self.index = index

    def __getattr__(self, name: str) -> object:
        index = self.index
        if index_exists(index.path):
            index._open_created()
            return getattr(index._ix, name)
        raise IndexNotFound(f"no index at {index.path}: ingest articles first (`searchkit ingest PATH`)")


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


def _abandon(writer) -> None:  # type: ignore[no-untyped-def]
    """Cancel a writer that has not committed; an interruption may come after."""
    if not writer.is_closed:
        writer.cancel()


def check_index(path: str | os.PathLike[str]) -> tuple[CheckReport, int | None]:
    """``Index.check`` of the index at ``path``, and its article count; when
    it cannot even be opened, what its files' checksums say (count None)."""
    try:
        index = Index(path, create=False)
    except IndexDamaged as error:
        files = integrity.check_files(Path(path), INDEX_NAME, INFO_FILE, None)
        damaged = [str(damage) for damage in files.damaged] or [f"{error.file}: {error.reason}"]
        return CheckReport(damaged=damaged, notes=files.notes), None
    except IndexIncompatible:
        files = integrity.check_files(Path(path), INDEX_NAME, INFO_FILE, None)
        if not files.damaged:
            raise
        return CheckReport(damaged=[str(damage) for damage in files.damaged], notes=files.notes), None
    with index:
        report = index.check()
        try:
            return report, len(index)
        except IndexDamaged:
            return report, None
