"""What an index's store does that differs from one store to another: write
articles, remove them, rank them for a query, read them back, count them.
Everything else (reading files, the analysis, the query language, passages
and marks) is searchkit's, the same for every store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping, Protocol, Sequence


@dataclass
class Written:
    """What a write did: the ids written, and those refused with the reason."""

    written: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class FileEntry:
    """What the store holds of one file: the stamp it was read with and its articles."""

    signature: str
    ids: tuple[str, ...]


class Backend(Protocol):
    """An index's store of articles."""

    def write(self, documents: Sequence[Mapping[str, Any]]) -> Written:
        """Store ``documents`` (the fields of each article, its id under
        ``id``), replacing those of the same ids; visible once it returns."""

    def remove(self, article_ids: Iterable[str]) -> int:
        """Remove the articles of ``article_ids``; the count removed."""

    def rank(self, query: Mapping[str, Any], limit: int, sort_by_date: bool = False) -> list[tuple[str, float]]:
        """(article id, score) of the best ``limit`` articles for ``query``, best first."""

    def stored(self, article_ids: Sequence[str]) -> list[dict[str, Any] | None]:
        """The stored fields of each article of ``article_ids`` (None: not held)."""

    def files(self) -> dict[str, FileEntry]:
        """Every file the store holds articles of, by path."""

    def stored_all(self) -> Iterator[dict[str, Any]]:
        """The stored fields of every article."""

    def stats(self) -> dict[str, object]:
        """Counts and where the store is, as ``searchkit stats`` prints them."""

    def close(self) -> None:
        """Let go of connections."""
