"""The on-disk index: open or create it, ingest articles, read them back."""

from __future__ import annotations

import json
import os
import shutil
import time
from datetime import datetime, timezone
from contextlib import contextmanager
from pathlib import Path
import functools
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, TypeVar

from whoosh import index as whoosh_index
from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.fields import COLUMN, ID, STORED, TEXT, FieldType, Schema
from whoosh.formats import Existence
from whoosh.index import LockError

from . import __version__, safepickle
from .analysis import FrenchAnalyzer, fingerprint, index_tokens, index_tokens_of_spans, stemmer_version
from .articles import Article
from .formats import Frequencies
from .errors import IndexBusy, IndexIncompatible, IndexNotFound, IndexUnsafe, SearchkitError
from .passages import Span, passages
from .ingest import Catalogue, Ingestion, IngestReport, stamp_of
from .sources import INFO_FILE, Problem, file_digest

if TYPE_CHECKING:
    from .fastscore import FastScorer
    from .search import SearchResult

# Before any index is opened: an index's pickles may build only the classes
# an index holds (see searchkit.safepickle).
safepickle.install()

DEFAULT_INDEX = "index"
INDEX_NAME = "searchkit"
TITLE_WEIGHT = 2
# Bump when the schema or what is stored in it changes.
FORMAT_VERSION = 5


class TextColumn(COLUMN):
    """A text value per document, kept in a column and not indexed."""

    def __init__(self) -> None:
        super().__init__(VarBytesColumn())

    def to_bytes(self, value: str) -> bytes:  # type: ignore[override]
        return value.encode("utf-8")

    def from_bytes(self, value: bytes) -> str:  # type: ignore[override]
        return value.decode("utf-8")


def make_schema() -> Schema:
    analyzer = FrenchAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        title=TEXT(analyzer=analyzer, stored=True),
        # The words of the title and the text; the text itself is stored apart.
        body=TEXT(analyzer=analyzer),
        text=STORED,
        # Every folded word once per article: prefix queries and spelling
        # suggestions work on words, not stems ("libér*" must not find "librairie").
        words=FieldType(Existence(), analyzer=FrenchAnalyzer(unstemmed=True), scorable=False),
        # The words of ``body`` cut to their first letters, with frequencies:
        # a second, looser match beside the stems (see searchkit.analysis.truncated).
        truncated=FieldType(Frequencies(), analyzer=FrenchAnalyzer(truncated=True), scorable=True),
        source=TEXT(analyzer=analyzer, stored=True),
        author=TEXT(analyzer=analyzer, stored=True),
        date=ID(stored=True, sortable=True),
        path=ID(stored=True, sortable=True),
        # "size:mtime_ns:ctime_ns/sha1" of the file, and the SHA-1 of the text:
        # what incremental ingestion compares (see searchkit.ingest). Columns
        # only: never searched, and unique terms cost the most to index.
        file_sig=TextColumn(),
        text_hash=TextColumn(),
        url=STORED,
        line=STORED,
        passages=STORED,
        passage_positions=STORED,  # see _cut_passages
        passage_count=COLUMN(NumericColumn("I")),
    )


ProgressCallback = Callable[[int, int], None]  # (bytes read, bytes to read)
_Method = TypeVar("_Method", bound=Callable[..., Any])


def _naming_the_index(method: _Method) -> _Method:
    """A refused pickle (searchkit.safepickle) is found deep inside Whoosh,
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


class Index:
    """A searchkit index in a folder.

    >>> with Index("index") as index:                      # doctest: +SKIP
    ...     index.ingest(["seeds"])
    ...     hits = index.search("libération de Mossoul").hits
    """

    @_naming_the_index
    def __init__(
        self, path: str | os.PathLike[str] = DEFAULT_INDEX, create: bool = True, fast_scoring: bool = True
    ) -> None:
        """Open the index at ``path``, creating it if ``create``. With
        ``fast_scoring``, queries of plain words are scored with numpy (see
        searchkit.fastscore): ten times faster from the second query on, but
        loading numpy and the field lengths costs about 0.1 s once."""
        self.path = Path(path)
        self.fast_scoring = fast_scoring
        self._searcher = None
        self._fast: "FastScorer | None" = None
        self._ids: tuple[object, object] | None = None  # (searcher, its id column)
        if whoosh_index.exists_in(self.path, indexname=INDEX_NAME):
            self._check_compatible()
            self._ix = whoosh_index.open_dir(self.path, indexname=INDEX_NAME)
        elif create:
            if self.path.exists() and any(not p.name.startswith(".") for p in self.path.iterdir()):
                raise IndexNotFound(
                    f"{self.path} is not empty and holds no searchkit index: "
                    "choose another folder with --index"
                )
            try:
                self.path.mkdir(parents=True, exist_ok=True)
                self._write_info()
                self._ix = whoosh_index.create_in(self.path, make_schema(), indexname=INDEX_NAME)
            except OSError as error:
                raise SearchkitError(
                    f"cannot create an index at {self.path}: {error.strerror or error}"
                ) from None
        else:
            raise IndexNotFound(
                f"no index at {self.path}: run `searchkit ingest` first"
            )

    # -- lifecycle ---------------------------------------------------------

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
            self._fast = None
            self._ids = None

    def searcher(self):  # type: ignore[no-untyped-def]
        """A Whoosh searcher kept open across searches, refreshed after a commit."""
        if self._searcher is None:
            self._searcher = self._new_searcher()
        elif not self._searcher.up_to_date():
            if self._searcher.doc_count_all() == 0:
                # Whoosh cannot refresh a searcher over an empty index.
                self._searcher.close()
                self._searcher = self._new_searcher()
            else:
                self._searcher = self._searcher.refresh()
        return self._searcher

    def fast_scorer(self, searcher) -> "FastScorer":  # type: ignore[no-untyped-def]
        """The term-at-a-time scorer of ``searcher``, kept while it is current."""
        from .fastscore import FastScorer
        from .search import WEIGHTING

        if self._fast is None or self._fast.searcher is not searcher:
            self._fast = FastScorer(searcher, WEIGHTING.B, WEIGHTING.K1)
        return self._fast

    def id_column(self, searcher):  # type: ignore[no-untyped-def]
        """The article id of each document of ``searcher``, kept while it is
        current: opening the column reads all its offsets, which took longer
        than scoring a query on a 31k-article index."""
        if self._ids is None or self._ids[0] is not searcher:
            self._ids = (searcher, searcher.reader().column_reader("id"))
        return self._ids[1]

    def _new_searcher(self):  # type: ignore[no-untyped-def]
        from .search import WEIGHTING

        return self._ix.searcher(weighting=WEIGHTING)

    # -- version record ----------------------------------------------------

    def info(self) -> dict[str, object]:
        """What searchkit records beside the index: versions, sources, counts."""
        return read_info(self.path)

    def _write_info(self, last_ingest: str | None = None, roots: Iterable[str] = ()) -> None:
        old = self.info()
        info = {
            **current_versions(),
            "searchkit": __version__,
            "last_ingest": last_ingest or old.get("last_ingest"),
            "articles": self._ix.doc_count() if hasattr(self, "_ix") else 0,
            # Every path ever given to ingest: what --rebuild reads again.
            "roots": sorted(set(old.get("roots", [])) | set(roots)),  # type: ignore[arg-type]
        }
        tmp = self.path / (INFO_FILE + ".tmp")  # see searchkit.leftovers
        tmp.write_text(json.dumps(info, indent=1, ensure_ascii=False), "utf-8")
        os.replace(tmp, self.path / INFO_FILE)

    def _check_compatible(self) -> None:
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
        with self._ingestion(wait, on_problem, on_wait) as run:
            run.roots = paths
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
        follow_links: bool = False,
    ) -> tuple["Index", IngestReport]:
        """Build the index at ``path`` anew from every path it was ingested
        from (and ``paths``), then put it in place of the old one. The old
        index serves queries until the new one is complete."""
        path = Path(path)
        if not Path(os.path.abspath(path)).name or os.path.abspath(path) == os.getcwd():
            # The new index is built beside the old one and swapped in: the
            # current folder (".") or "/" has no "beside", and a shell left in
            # the folder swapped out would stand in a deleted one.
            raise SearchkitError(f"cannot rebuild the index in {os.path.abspath(path)} from inside it: "
                                 "run this from the folder above, with --index NAME")
        if path.exists() and not whoosh_index.exists_in(path, indexname=INDEX_NAME) \
                and any(not p.name.startswith(".") for p in path.iterdir()):
            raise IndexNotFound(f"{path} is not empty and holds no searchkit index: not touching it")
        roots = list(dict.fromkeys([*read_info(path).get("roots", []),  # type: ignore[list-item]
                                    *(os.path.abspath(p) for p in paths)]))
        if not roots:
            raise SearchkitError(f"nothing to rebuild {path} from: give the paths to ingest")
        fresh = path.with_name(path.name + ".rebuild")
        old = path.with_name(path.name + ".old")
        for leftover in (fresh, old):
            shutil.rmtree(leftover, ignore_errors=True)
        with cls(fresh) as new:
            report = new.ingest(roots, on_progress=on_progress, on_problem=on_problem, follow_links=follow_links)
        if path.exists():
            for hidden in path.glob(".*"):  # such as the .gitignore of ./index
                shutil.copy2(hidden, fresh / hidden.name)
            os.replace(path, old)
        os.replace(fresh, path)
        shutil.rmtree(old, ignore_errors=True)
        return cls(path), report

    @_naming_the_index
    def check(self) -> list[str]:
        """Problems found: counts that disagree with the record, sources that
        changed or vanished since they were ingested. Empty when all is well."""
        problems = []
        recorded = self.info().get("articles")
        if recorded is not None and recorded != len(self):
            problems.append(f"the index holds {len(self)} articles, {recorded} were recorded")
        reader = self.searcher().reader()
        for path, record in sorted(Catalogue.read(reader).files.items()):
            try:
                stamp = stamp_of(os.stat(path))
                if stamp != record.stamp and file_digest(Path(path)) != record.digest:
                    problems.append(f"{path}: changed since it was ingested ({len(record.ids)} articles)")
            except FileNotFoundError:
                problems.append(f"{path}: vanished since it was ingested ({len(record.ids)} articles)")
            except OSError as error:
                problems.append(f"{path}: cannot be read: {error.strerror}")
        return problems

    @contextmanager
    def _ingestion(
        self, wait: float, on_problem: ProblemCallback | None, on_wait: Callable[[], None] | None
    ) -> Iterator[Ingestion]:
        writer = self._writer(wait, on_wait)
        from .leftovers import clean_leftovers

        clean_leftovers(writer, self.path)  # of an ingest that was killed
        try:
            with writer.reader() as reader:
                catalogue = Catalogue.read(reader)
            run = Ingestion(writer, catalogue, _document, on_problem)
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
        self._write_info(datetime.now(timezone.utc).isoformat(timespec="seconds"), run.roots)

    def _writer(self, wait: float, on_wait: Callable[[], None] | None = None):  # type: ignore[no-untyped-def]
        # Segments stay as separate files: Whoosh copies a compound segment's
        # term table into memory on every open, 0.1 s of each CLI query at 31k articles.
        from .bulkwrite import BulkWriter  # not loaded by queries

        try:
            return BulkWriter(self._ix, timeout=0, compound=False, prepare=_cut_passages)
        except LockError:
            pass
        except OSError as error:
            raise SearchkitError(f"cannot write to the index at {self.path}: {error.strerror or error}") from None
        if wait > 0:
            if on_wait is not None:
                on_wait()
            try:
                return BulkWriter(self._ix, timeout=wait, compound=False, prepare=_cut_passages)
            except LockError:
                pass
        waited = f" after waiting {wait:g} s" if wait > 0 else ""
        raise IndexBusy(
            f"another ingest is writing to {self.path}{waited}; "
            "try again when it ends, or give --wait SECONDS"
        )

    # -- reading -----------------------------------------------------------

    @_naming_the_index
    def article_ids(self) -> set[str]:
        with self._ix.reader() as reader:
            return {term.decode("utf-8") for term in reader.lexicon("id")}

    @_naming_the_index
    def __len__(self) -> int:
        return self._ix.doc_count()

    @_naming_the_index
    def get(self, article_id: str) -> Article | None:
        """The stored article with this id, or None."""
        stored = self.searcher().document(id=article_id)
        return None if stored is None else article_from_stored(stored)

    def articles(self) -> Iterator[Article]:
        try:
            for stored in self.searcher().all_stored_fields():
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
        from .search import search

        return search(self, text, limit=limit, per_article=per_article, plain_text=plain_text,
                      since=since, until=until, sort=sort)

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
        from .search import rank_articles

        return rank_articles(self, text, limit=limit, plain_text=plain_text,
                             since=since, until=until, sort=sort)

    @_naming_the_index
    def highlights(self, article: Article, query_text: str) -> list[tuple[int, int]]:
        """[start, end) offsets of the words ``query_text`` matches in the article."""
        from .search import article_highlights

        return article_highlights(self, article.text, query_text)

    @_naming_the_index
    def stats(self) -> dict[str, object]:
        """Counts and versions, as ``searchkit stats`` prints them."""
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
            "distinct_terms": sum(1 for _ in reader.lexicon("body")),
            "distinct_words": sum(1 for _ in reader.lexicon("words")),
            "size_bytes": size,
            "searchkit": info.get("searchkit"),
            "analyzer": info.get("analyzer"),
            "stemmer": info.get("stemmer"),
            "last_ingest": info.get("last_ingest"),
        }


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


def read_info(path: Path) -> dict[str, object]:
    try:
        return json.loads((path / INFO_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def current_versions() -> dict[str, object]:
    """What must match between an index and the code that opens it."""
    return {"format": FORMAT_VERSION, "analyzer": fingerprint(), "stemmer": stemmer_version()}


def _document(article: Article, file_signature: str, text_digest: str) -> dict[str, object]:
    body, title_repeats = _indexed_body(article)
    document: dict[str, object] = {
        "id": article.id,
        "file_sig": file_signature,
        "text_hash": text_digest,
        "title": article.title,
        "body": body,
        "words": body,
        "truncated": body,
        "text": article.text,
        "path": article.path,
        "_body_start": article.body_start,  # for _cut_passages
        "_title_repeats": title_repeats,
    }
    for name in ("date", "source", "author", "url", "line"):
        value = getattr(article, name)
        if value is not None:
            document[name] = value
    return document


def _cut_passages(document: dict[str, object]) -> dict[str, object]:
    """The passage fields of a document, cut in the indexing workers (the
    writer's ``prepare``): cutting is a fifth of the work of indexing.

    ``passage_positions`` holds, for each passage, the positions of its first
    token and past its last in the ``body`` field, so that a query's passages
    are scored from the positions of its terms without analysing the text.
    The text is analysed here, passage by passage and between passages, and
    the body's tokens handed to the writer, so it is analysed once.
    """
    text: str = document["text"]  # type: ignore[assignment]
    spans = passages(text, document.get("_body_start", 0))  # type: ignore[arg-type]
    bounds = [0] + [offset for span in spans for offset in span] + [len(text)]
    segments = index_tokens_of_spans(text, list(zip(bounds[:-1], bounds[1:])))  # gap, passage, ..., gap
    title = document.get("title")
    repeats: int = document.get("_title_repeats", 0)  # type: ignore[assignment]
    title_tokens = index_tokens(title) if title and repeats else []  # type: ignore[arg-type]
    position = len(title_tokens) * repeats
    edges = []
    for segment in segments[:-1]:
        position += len(segment)
        edges.append(position)
    body_tokens = title_tokens * repeats + [token for segment in segments for token in segment]
    return {"passages": [tuple(span) for span in spans], "passage_count": len(spans),
            "passage_positions": edges, "_tokens": {"body": body_tokens}}


def _indexed_body(article: Article) -> tuple[str, int]:
    """The words of the title, TITLE_WEIGHT times, and of the text, in one
    field; and how many times the title stands before the text.

    Repeating the title is BM25F's field weighting (a field's weight multiplies
    its term frequencies before saturation); scoring title and text as two
    fields and adding the scores ranked worse on every relevance set.
    """
    if not article.title:
        return article.text, 0
    in_text = article.text.lstrip().startswith(article.title[:40])
    repeats = TITLE_WEIGHT - 1 if in_text else TITLE_WEIGHT
    return "".join(f"{article.title}\n" for _ in range(repeats)) + "\n" + article.text, repeats


def article_from_stored(stored: dict[str, object]) -> Article:
    return Article(
        id=stored["id"],  # type: ignore[arg-type]
        text=stored["text"],  # type: ignore[arg-type]
        path=stored.get("path", ""),  # type: ignore[arg-type]
        title=stored.get("title", ""),  # type: ignore[arg-type]
        date=stored.get("date"),  # type: ignore[arg-type]
        url=stored.get("url"),  # type: ignore[arg-type]
        source=stored.get("source"),  # type: ignore[arg-type]
        author=stored.get("author"),  # type: ignore[arg-type]
        line=stored.get("line"),  # type: ignore[arg-type]
        passages=[Span(*span) for span in stored.get("passages", [])],  # type: ignore[union-attr]
    )
