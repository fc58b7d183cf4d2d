"""A search session: one searcher of the index, its ranking, and what
queries cache for it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from searchkit.ranking.postings import Postings
from searchkit.ranking.reranks import SearcherPostings
from searchkit.ranking.settings import Ranking
from searchkit.storage.groups import CopyGroups

if TYPE_CHECKING:
    from searchkit.ranking.fastscore import FastScorer


class SearchSession:
    """The searcher of one generation of the index, with the ranking its
    searches use, its fast scorer and its id column, built on first use and
    kept while the generation is current: a new commit gets a new session.

    The searcher must weigh as ``ranking`` does (``ranking.weighting()``):
    Whoosh's scores and the fast scorer's are then the same."""

    def __init__(self, searcher: Any, ranking: Ranking, fast_scoring: bool = True,
                 copy_groups: Callable[[], CopyGroups] | None = None) -> None:
        weighting = searcher.weighting
        if (getattr(weighting, "K1", None), getattr(weighting, "B", None)) != (ranking.k1, ranking.b):
            raise ValueError(f"the searcher weighs with {weighting!r}, not with the ranking's "
                             f"k1={ranking.k1}, b={ranking.b}: give it ranking.weighting()")
        self.searcher = searcher
        self.ranking = ranking
        # With fast scoring, queries of plain words are scored with numpy
        # (searchkit.ranking.fastscore): loading the field lengths costs about
        # 0.1 s once, and each query after is ten times faster.
        self.fast_scoring = fast_scoring
        self._fast: "FastScorer | None" = None
        self._ids: Any = None
        self._dates: Any = None
        # The groups of copies of the searcher's commit (searchkit.storage.groups), read on first use.
        self._read_groups = copy_groups
        self._groups: CopyGroups | None = None
        # docnum -> (source, author), read from the stored fields by the
        # facets of the queries that matched it (searchkit.search.facets).
        self.sources_authors: dict[int, tuple[str | None, str | None]] = {}

    def fast_scorer(self) -> FastScorer:
        if self._fast is None:
            from searchkit.ranking.fastscore import FastScorer  # numpy: not loaded by Whoosh's path

            self._fast = FastScorer(self.searcher, self.ranking)
        return self._fast

    def postings(self) -> Postings:
        """The postings the reranks and the passages read: the fast scorer's
        (kept for the session), else read from the searcher for one query."""
        return self.fast_scorer() if self.fast_scoring else self.whoosh_postings()

    def whoosh_postings(self) -> Postings:
        """Postings read from the searcher, for one query."""
        return SearcherPostings(self.searcher, self.ranking)

    def copy_groups(self) -> CopyGroups:
        if self._groups is None:
            self._groups = self._read_groups() if self._read_groups is not None else CopyGroups()
        return self._groups

    def id_column(self) -> Any:
        """The article id of each document: opening the column reads all its
        offsets, which took longer than scoring a query on a 31k-article index."""
        if self._ids is None:
            self._ids = self.searcher.reader().column_reader("id")
        return self._ids

    def dates(self) -> Any:
        """The date of each document ("" for none), by document number, from
        its column: read whole (20 ms on a 31k-article index) for a session
        of many queries, which then index a list; read per document (1 µs)
        for one query, as the CLI's."""
        if self._dates is None:
            reader = self.searcher.reader()
            if not reader.doc_count_all():
                self._dates = []
            else:
                column = reader.column_reader("date")
                self._dates = list(column) if self.fast_scoring else column
        return self._dates
