"""What a search returns: passages of articles, ranked and marked."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Iterator


@dataclass
class Form:
    """One form of a query word found in an article, and how it matches."""

    text: str  # as the article writes it: "élections", "l’Europe", "30 000"
    how: str  # "as written", "case folded", "accents folded", "number form", "same stem",
    # "family word", "prefix libér*", "typo correction of Mosoul", "same stems in order";
    # after "elided (l’), " when the article elides it
    count: int  # in the title and text together


@dataclass
class Part:
    """What one leaf of the query (a word, a phrase, a field, a prefix) adds
    to an article's BM25 score."""

    query: str  # as the query asks it: "élection", "title:Mossoul", '"coalition internationale"', "libér*"
    term: str  # the analysed term (a stem), or a phrase's stems
    score: float
    forms: list[Form] = field(default_factory=list)
    correction: str | None = None  # the word searched instead of the one typed


@dataclass
class Explanation:
    """Why an article matched: ``score`` is the sum of the parts and the
    bonuses, times ``scale``; a hit's score is that times ``passage``."""

    score: float
    parts: list[Part]
    bonuses: dict[str, float]  # rerank -> what it added: proximity, words as typed, quoted passage, ...
    scale: float = 1.0  # below 1 for an article found only through a spelling correction
    passage: float = 1.0  # the share of the article's score this passage takes (1 for its best)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Copy:
    """Another article of the group of copies a hit's article leads."""

    id: str
    title: str
    date: str | None
    source: str | None


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
    explain: Explanation | None = None  # asked with explain=True
    # The other articles of its group of copies, earliest first; shown once, with this hit.
    copies: list[Copy] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.explain is None:
            del data["explain"]
        data["highlights"] = [list(pair) for pair in self.highlights]
        data["title_highlights"] = [list(pair) for pair in self.title_highlights]
        return data


@dataclass
class Facet:
    """How many of the matching articles hold each value of a field."""

    counts: list[tuple[str, int]]  # (value, articles), most articles first, then by value
    missing: int = 0  # matching articles without a value (for month: the undated ones)

    def to_dict(self) -> dict[str, Any]:
        return {"counts": [list(pair) for pair in self.counts], "missing": self.missing}


@dataclass
class Timeline:
    """How many of the matching articles fall in each period of time."""

    unit: str  # day, week, month or year
    # (period, articles) from the period of the first dated match to that of
    # the last, in time order, empty periods included: 2016-05-21, 2016-W20,
    # 2016-05 or 2016.
    periods: list[tuple[str, int]] = field(default_factory=list)
    undated: int = 0  # matching articles without a date, in no period

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "periods": [list(pair) for pair in self.periods], "undated": self.undated}


@dataclass
class SearchResult:
    query: str
    hits: list[Hit] = field(default_factory=list)
    seconds: float = 0.0
    suggestion: str | None = None  # "did you mean", when a typed word was corrected
    # When facets or a timeline were asked for: every matching article counted,
    # not only those shown.
    matched: int | None = None
    facets: dict[str, Facet] = field(default_factory=dict)  # by facet name, in the order asked
    timeline: Timeline | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "suggestion": self.suggestion,
            "hits": [hit.to_dict() for hit in self.hits],
            "seconds": round(self.seconds, 4),
            "matched": self.matched,
            "facets": {name: facet.to_dict() for name, facet in self.facets.items()} if self.matched is not None
            else None,
            "timeline": None if self.timeline is None else self.timeline.to_dict(),
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
