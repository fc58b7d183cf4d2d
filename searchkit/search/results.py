"""What a search returns: passages of articles, ranked and marked."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Iterator


@dataclass
class Hit:
    """One passage of one article, as a search result."""

    rank: int
    score: float
    article_id: str
    title: str
    date: str | None
    path: str
    passage_index: int
    start: int  # the passage's place in the article text
    end: int
    text: str
    highlights: list[tuple[int, int]]  # [start, end) offsets into ``text``
    line: int | None  # line of the file where the passage starts; None for an HTML page
    title_highlights: list[tuple[int, int]] = field(default_factory=list)  # offsets into ``title``
    author: str | None = None
    source: str | None = None
    url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["highlights"] = [list(pair) for pair in self.highlights]
        data["title_highlights"] = [list(pair) for pair in self.title_highlights]
        return data


@dataclass
class SearchResult:
    query: str
    hits: list[Hit] = field(default_factory=list)
    seconds: float = 0.0
    suggestion: str | None = None  # "did you mean", when a typed word was corrected

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "suggestion": self.suggestion,
            "hits": [hit.to_dict() for hit in self.hits],
            "seconds": round(self.seconds, 4),
        }


@dataclass
class HitStream:
    """The hits of a search read one at a time, best first, each made as it
    is read (see Index.iter_hits): iterate it once."""

    query: str
    hits: Iterator[Hit]
    suggestion: str | None = None  # "did you mean", as in SearchResult

    def __iter__(self) -> Iterator[Hit]:
        return self.hits
