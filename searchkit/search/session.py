"""A search session: one searcher of the index, and what queries cache for it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from searchkit.ranking.fastscore import FastScorer


class SearchSession:
    """The searcher of one generation of the index, with its fast scorer and
    its id column, built on first use and kept while the generation is
    current: a new commit gets a new session."""

    def __init__(self, searcher: Any, fast_scoring: bool = True) -> None:
        self.searcher = searcher
        # With fast scoring, queries of plain words are scored with numpy
        # (searchkit.ranking.fastscore): loading the field lengths costs about
        # 0.1 s once, and each query after is ten times faster.
        self.fast_scoring = fast_scoring
        self._fast: "FastScorer | None" = None
        self._ids: Any = None

    def fast_scorer(self) -> FastScorer:
        if self._fast is None:
            from searchkit.ranking.fastscore import FastScorer  # numpy: not loaded by Whoosh's path

            weighting = self.searcher.weighting
            self._fast = FastScorer(self.searcher, weighting.B, weighting.K1)
        return self._fast

    def id_column(self) -> Any:
        """The article id of each document: opening the column reads all its
        offsets, which took longer than scoring a query on a 31k-article index."""
        if self._ids is None:
            self._ids = self.searcher.reader().column_reader("id")
        return self._ids
