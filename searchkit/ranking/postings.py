"""What the reranks read of the index's postings: one protocol, with two
sources (the fast scorer, and a Whoosh searcher in searchkit.ranking.reranks)."""

from __future__ import annotations

from typing import Protocol


class Postings(Protocol):
    """What the reranks read of the index's postings."""

    def positions(self, term: str, docnums: list[int]) -> dict[int, list[int]]:
        """The positions of ``term`` in the body of each of ``docnums`` that holds it."""

    def norm(self, docnum: int) -> float:
        """BM25's length norm K of the body of ``docnum`` (see ``Ranking.length_norm``)."""

    def holding(self, word: str, docnums: list[int]) -> set[int]:
        """Those of ``docnums`` whose ``words`` field holds ``word``."""

    def word_idf(self, word: str) -> float:
        """The idf of ``word`` in the ``words`` field; asked after ``holding(word, ...)``."""
