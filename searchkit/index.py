"""The on-disk index: open or create it, ingest articles, read them back."""

from __future__ import annotations

import functools
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, TypeVar

from searchkit.articles.article import Article
from searchkit.backends import is_cluster_address
from searchkit.articles.sources import INFO_FILE
from searchkit.errors import IndexDamaged, IndexIncompatible, IndexUnsafe, SearchkitError
from searchkit.ingest.check import check_opened
from searchkit.ingest.report import IngestReport
from searchkit.ingest.transaction import IndexWrites, ProblemCallback, ProgressCallback, rebuild
from searchkit.ranking.settings import Ranking
from searchkit.storage import integrity, safepickle
from searchkit.storage.documents import article_from_stored, copied_article, document_of
from searchkit.storage.groups import groups_of
from searchkit.storage.integrity import CheckReport
from searchkit.storage.opened import OpenedIndex, live_ids
from searchkit.storage.readers import latest_reader
from searchkit.storage.stats import index_stats
from searchkit.search import engine, similar
from searchkit.search.session import SearchSession
from searchkit.storage.schema import INDEX_NAME

if TYPE_CHECKING:
    from searchkit.search.alerts import Alerts
    from searchkit.search.results import HitStream, SearchResult

# Before any index is opened: an index's pickles may build only the classes
# an index holds (see searchkit.storage.safepickle).
safepickle.install()

DEFAULT_INDEX = "index"


_Method = TypeVar("_Method", bound=Callable[..., Any])
_Item = TypeVar("_Item")


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


def _cluster_index() -> Any:
    """searchkit.backends.clusterindex, imported only for an index in a cluster (opensearch-py)."""
    try:
        from searchkit.backends import clusterindex
    except ModuleNotFoundError as error:
        if error.name != "opensearchpy":
            raise
        raise SearchkitError("an index in an OpenSearch cluster needs opensearch-py: "
                             "pip install '.[opensearch]' in searchkit's folder") from None
    return clusterindex


class _FolderOrCluster:
    """``Index(path)`` opens the index in a folder; for an address
    ``opensearch+http://HOST:PORT/NAME``, the index in an OpenSearch cluster
    (searchkit.backends.clusterindex.ClusterIndex), which has the same methods."""

    def __new__(cls, path: str | os.PathLike[str] = DEFAULT_INDEX, *args: Any, **kwargs: Any) -> Any:
        if is_cluster_address(path):
            return _cluster_index().ClusterIndex(str(path), *args, **kwargs)
        return super().__new__(cls)


def _or_in_a_cluster(rebuild: _Method) -> _Method:
    """``Index.rebuild`` of an index in a folder, or in a cluster for its address."""

    @functools.wraps(rebuild)
    def either(cls: type, path: str | os.PathLike[str] = DEFAULT_INDEX, *args: Any, **kwargs: Any) -> Any:
        if is_cluster_address(path):
            return _cluster_index().ClusterIndex.rebuild(str(path), *args, **kwargs)
        return rebuild(cls, path, *args, **kwargs)

    return either  # type: ignore[return-value]


class _Copies:
    """What copying between indexes reads and writes (Index.ingest_from):
    each index of the pair may be in a folder or in a cluster."""

    path: Path
    _opened: OpenedIndex

    def _writes(self) -> IndexWrites:
        raise NotImplementedError

    def stamped_articles(self) -> Iterator[tuple[Article, str]]:
        """Each article as another index copies it (its passages kept), with
        the signature of its file (``size:mtime:ctime/sha1``: see searchkit.ingest.ingestion)."""
        def read() -> Iterator[tuple[Article, str]]:
            reader = self._opened.searcher().reader()
            if reader.doc_count() == 0:
                return
            signatures = reader.column_reader("file_sig")
            for docnum in reader.all_doc_ids():
                yield copied_article(reader.stored_fields(docnum)), signatures[docnum]

        return _read_through(self._opened, self.path, self._opened.read(read, retry=False))

    @_naming_the_index
    def ingest_from(self, source: Any, on_problem: ProblemCallback | None = None, wait: float = 0.0,
                    on_wait: Callable[[], None] | None = None) -> IngestReport:
        """Copy every article of ``source``, another index (in a folder or a
        cluster, opened), in one commit: ids, fields, passages, and the stamps
        of the files they were read from, so that ingesting those files here
        next skips the unchanged ones. An article of the same id and file is
        replaced; the paths ``source`` was ingested from are recorded for
        ``rebuild``. The way to move an index into a cluster, or out of one."""
        from searchkit.backends.address import refuse_same

        refuse_same(source.path, self.path)
        return self._writes().copy(source.stamped_articles(), source.info().get("roots", []), on_problem,
                                   wait, on_wait)


class Index(_FolderOrCluster, _Copies):
    """A searchkit index in a folder (or in a cluster: see _FolderOrCluster).

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
        self._search_session: SearchSession | None = None
        self._opened = OpenedIndex(self.path, create, self._new_searcher)

    @property
    def _ix(self):  # a placeholder until the first ingest creates it
        return self._opened.ix

    def _writes(self) -> IndexWrites:
        return IndexWrites(self._opened, functools.partial(document_of, title_weight=self.ranking.title_weight))

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._opened.close()
        self._search_session = None

    def searcher(self):
        """A Whoosh searcher kept open across searches, refreshed after a
        commit, its files checked against their checksums (searchkit.storage.integrity)."""
        return self._opened.searcher()

    def _session(self) -> SearchSession:
        """The search session of the current searcher: its caches are kept
        until a commit brings a new one."""
        searcher = self.searcher()
        if self._search_session is None or self._search_session.searcher is not searcher:
            self._search_session = SearchSession(searcher, self.ranking, self.fast_scoring,
                                                 functools.partial(groups_of, self.path, searcher, self._ix))
        return self._search_session

    def _new_searcher(self, reuse=None):
        from whoosh.searching import Searcher

        return Searcher(latest_reader(self._ix, reuse), fromindex=self._ix, weighting=self.ranking.weighting())

    def copy_groups(self) -> list[list[str]]:
        """The groups of copies (article ids, the earliest dated first: searchkit.storage.minhash)."""
        return [list(group) for group in self._opened.read(lambda: self._session().copy_groups()).groups]

    @property
    def alerts(self) -> "Alerts":
        """The saved searches: add(name, query, since), list(), remove(name), run(name) (searchkit.search.alerts)."""
        from searchkit.search.alerts import Alerts, SavedSearchFile, SessionReader

        return Alerts(SavedSearchFile(self.path), SessionReader(self._session, self._opened.read))

    def info(self) -> dict[str, object]:
        """What searchkit records beside the index: versions, sources, counts."""
        return self._opened.info()

    @_naming_the_index
    def ingest(self, paths: Iterable[str | os.PathLike[str]], prune: bool = False,
               on_progress: ProgressCallback | None = None, on_problem: ProblemCallback | None = None,
               wait: float = 0.0, on_wait: Callable[[], None] | None = None, follow_links: bool = False,
               ) -> IngestReport:
        """Index the articles found under ``paths``, incrementally: unchanged
        files are skipped, changed ones replace their articles, and with
        ``prune`` the articles of files gone from under ``paths`` are removed.
        Nothing is visible until the whole batch is committed, and a failure or
        an interruption leaves the index as it was. ``on_progress`` is called
        with the bytes read so far and the bytes of all files to read. A
        symbolic link leading out of ``paths`` is skipped unless ``follow_links``."""
        return self._writes().ingest(paths, prune, on_progress, on_problem, wait, on_wait, follow_links)

    @_naming_the_index
    def remove(self, targets: Iterable[str], on_problem: ProblemCallback | None = None, wait: float = 0.0,
               on_wait: Callable[[], None] | None = None) -> IngestReport:
        """Remove articles by id, or all those from a file or folder."""
        return self._writes().remove(targets, on_problem, wait, on_wait)

    @classmethod
    @_or_in_a_cluster
    def rebuild(
        cls,
        path: str | os.PathLike[str] = DEFAULT_INDEX,
        paths: Iterable[str | os.PathLike[str]] = (),
        on_progress: ProgressCallback | None = None,
        on_problem: ProblemCallback | None = None,
        wait: float = 0.0,
        on_wait: Callable[[], None] | None = None,
        follow_links: bool = False,
        ranking: Ranking | None = None,
    ) -> tuple["Index", IngestReport]:
        """Build the index at ``path`` anew from every path it was ingested
        from (and ``paths``), compacted, then put it in place of the old one
        in one commit (see searchkit.ingest.rebuild). The old index serves queries
        until then; writers wait for the rebuild to end."""
        ranking = Ranking() if ranking is None else ranking
        to_document = functools.partial(document_of, title_weight=ranking.title_weight)
        return rebuild(Path(path), paths, to_document, lambda at: cls(at, ranking=ranking),
                       on_progress, on_problem, wait, on_wait, follow_links)

    def optimize(self, wait: float = 0.0, on_wait: Callable[[], None] | None = None) -> None:
        """Merge every segment into one, leaving out deleted articles: queries
        then read one segment, and removed articles stop weighing in the
        statistics. Ingests merge segments as they go; this is rarely needed."""
        self._writes().optimize(wait, on_wait)

    @_naming_the_index
    def check(self) -> CheckReport:
        """Everything that can be wrong, one line each: files damaged, missing
        or cut short (read whole against their checksums), segments that
        cannot be read, counts that disagree; sources changed or vanished
        since they were ingested. New files under the ingested paths are
        noted, as are files written before checksums were kept."""
        return check_opened(self._opened)

    @_naming_the_index
    def article_ids(self) -> set[str]:
        return self._opened.read(lambda: live_ids(self.searcher().reader()))

    @_naming_the_index
    def __len__(self) -> int:
        return self._opened.read(self._ix.doc_count)

    @_naming_the_index
    def get(self, article_id: str) -> Article | None:
        """The stored article with this id, or None."""
        stored = self._opened.read(lambda: self.searcher().document(id=article_id))
        return None if stored is None else article_from_stored(stored)

    def articles(self) -> Iterator[Article]:
        stored_fields = self._opened.read(lambda: iter(self.searcher().all_stored_fields()), retry=False)
        return map(article_from_stored, _read_through(self._opened, self.path, stored_fields))

    @_naming_the_index
    def search(self, text: str, limit: int = 10, per_article: int = 2, plain_text: bool = False,
               since: str | None = None, until: str | None = None, sort: str = "relevance", *,
               explain: bool = False, facets: Iterable[str] = (), timeline: bool | str = False,
               copies: bool = False) -> "SearchResult":
        """Ranked passages with highlights, at most ``per_article`` per article.
        ``since``/``until``: ``2016``, ``2016-05`` or ``2016-05-21``; ``sort="date"``: newest first;
        ``explain``: why each hit's article matched (``Hit.explain``); ``facets`` (of month, source,
        author) and ``timeline`` (True, or day, week, month, year) count every matching article into
        the result's ``matched``, ``facets`` and ``timeline``; a group of copies is one hit, the others in
        ``Hit.copies``, unless ``copies``. Raises QueryError for a bad query."""
        return self._opened.read(lambda: engine.search(
            self._session(), text, limit, per_article, plain_text, since, until, sort, explain=explain,
            facets=facets, timeline=timeline, copies=copies))

    @_naming_the_index
    def iter_hits(self, text: str, limit: int | None = None, **options: Any) -> "HitStream":
        """The hits of ``search`` (same options) one at a time, as they are made: every match
        for ``limit=None``, in bounded memory. Read it through before searching after a commit."""
        stream = self._opened.read(lambda: engine.stream_hits(self._session(), text, limit, **options))
        return replace(stream, hits=_read_through(self._opened, self.path, stream.hits))

    @_naming_the_index
    def rank_articles(self, text: str, limit: int | None = 100, plain_text: bool = False,
                      since: str | None = None, until: str | None = None, sort: str = "relevance",
                      copies: bool = False) -> list[tuple[str, float]]:
        """(article id, score) pairs, best first: the ranking of ``search`` without choosing
        passages (every match for ``limit=None``; copies as in ``search``)."""
        return self._opened.read(lambda: engine.rank_articles(self._session(), text, limit, plain_text,
                                                              since, until, sort, copies))

    @_naming_the_index
    def similar(self, article_id: str, limit: int = 10) -> "SearchResult":
        """The articles closest to ``article_id``, copies left out, a marked passage each
        (see searchkit.search.similar). Raises ArticleNotFound for an id the index lacks."""
        return self._opened.read(lambda: similar.similar(self._session(), article_id, limit))

    @_naming_the_index
    def highlights(self, article: Article, query_text: str) -> list[tuple[int, int]]:
        """[start, end) offsets of the words ``query_text`` matches in the article."""
        return self._opened.read(lambda: engine.article_highlights(self._session(), article.text, query_text))

    @_naming_the_index
    def stats(self) -> dict[str, object]:
        """Counts and versions, as ``searchkit stats`` prints them."""
        return self._opened.read(lambda: index_stats(self.path, self.searcher().reader(), self.info(),
                                                     self._session().copy_groups()))


def _read_through(opened: OpenedIndex, path: Path, items: Iterator[_Item]) -> Iterator[_Item]:
    """``items``, each read as a read of the index (OpenedIndex.read: damage
    named in one line), a refused pickle naming the index."""
    try:
        while (item := opened.read(lambda: next(items, None), retry=False)) is not None:
            yield item
    except IndexUnsafe as error:
        raise IndexUnsafe(error.what, path) from None


def check_index(path: str | os.PathLike[str]) -> tuple[CheckReport, int | None]:
    """``Index.check`` of the index at ``path``, and its article count; when
    it cannot even be opened, what its files' checksums say (count None)."""
    if is_cluster_address(path):
        with Index(path, create=False) as cluster:
            report = cluster.check()
            return report, None if report.damaged else len(cluster)
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
