"""What a request asks, read from its query string and bounded: the search
options of the page and of /api/search, and the URLs that change one of them."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Mapping
from urllib.parse import urlencode

from searchkit.limits import MAX_QUERY_WORD_CHARS, MAX_QUERY_WORDS

PAGE_SIZE = 10  # passages a page shows, as the terminal does
MAX_LIMIT = 100  # passages one request may ask for
MAX_DEPTH = 1_000  # limit × page: the deepest passage a request may reach
# A query the library could accept is at most this long (its words and their
# lengths are bounded); anything longer is refused before it is parsed.
MAX_QUERY_CHARS = MAX_QUERY_WORDS * 8 + MAX_QUERY_WORD_CHARS
FACETS = ("source", "author")
TIMELINE_UNITS = ("day", "week", "month", "year")


class BadRequest(ValueError):
    """A parameter that cannot be used; the message says which, in one line."""


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    since: str = ""
    until: str = ""
    sort: str = "relevance"
    page: int = 1
    limit: int = PAGE_SIZE
    plain: bool = False
    per_article: int = 2

    @property
    def skipped(self) -> int:
        """Passages of the pages before this one."""
        return (self.page - 1) * self.limit

    def search_options(self, peek: bool = False) -> dict[str, Any]:
        """The keyword arguments of Index.search for this page (its hits are
        those past ``skipped``); with ``peek``, one hit more, which tells whether
        there is a next page."""
        return dict(limit=self.page * self.limit + peek, per_article=self.per_article, plain_text=self.plain,
                    since=self.since or None, until=self.until or None, sort=self.sort)

    def url(self, path: str = "/", **changes: Any) -> str:
        """``path`` with these parameters, ``changes`` applied, defaults left out:
        a search a user can bookmark and share."""
        changed = replace(self, **changes)
        defaults = SearchParams()
        pairs = [(f.name, _text(getattr(changed, f.name))) for f in fields(self)
                 if getattr(changed, f.name) != getattr(defaults, f.name)]
        return f"{path}?{urlencode(pairs)}" if pairs else path


def _text(value: object) -> str:
    return ("1" if value else "0") if isinstance(value, bool) else str(value)


def search_params(query: Mapping[str, str], required: bool = False) -> SearchParams:
    """The search a query string asks; BadRequest for a value out of bounds."""
    q = query.get("q", "").strip()
    if required and not q:
        raise BadRequest("parameter q is required: the query")
    if len(q) > MAX_QUERY_CHARS:
        raise BadRequest(f"query of {len(q):,} characters, over the limit of {MAX_QUERY_CHARS:,}")
    sort = query.get("sort", "relevance") or "relevance"
    if sort not in ("relevance", "date"):
        raise BadRequest(f"sort {sort!r}: use relevance or date")
    limit = _count(query, "limit", PAGE_SIZE, MAX_LIMIT)
    page = _count(query, "page", 1, MAX_DEPTH)
    if limit * page > MAX_DEPTH:
        raise BadRequest(f"page {page} of {limit}: past the {MAX_DEPTH:,}th passage, the limit")
    return SearchParams(q=q, since=_date(query, "since"), until=_date(query, "until"), sort=sort, page=page,
                        limit=limit, plain=_flag(query, "plain"),
                        per_article=_count(query, "per_article", 2, MAX_LIMIT))


def _count(query: Mapping[str, str], name: str, default: int, most: int) -> int:
    value = query.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or not 1 <= int(value) <= most:
        raise BadRequest(f"{name} {value[:20]!r}: a whole number from 1 to {most}")
    return int(value)


def _date(query: Mapping[str, str], name: str) -> str:
    value = query.get(name, "").strip()
    if len(value) > 10:  # the library names what is wrong with a date of the right length
        raise BadRequest(f"{name} {value[:20]!r}: a date 2016, 2016-05 or 2016-05-21")
    return value


def _flag(query: Mapping[str, str], name: str) -> bool:
    value = query.get(name, "").strip().lower()
    if value not in ("", "0", "1", "true", "false"):
        raise BadRequest(f"{name} {value[:20]!r}: 1 or 0")
    return value in ("1", "true")


def facet_names(query: Mapping[str, str], default: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The facets /api/search counts: source, author or month, comma-separated."""
    value = query.get("facets")
    if value is None:
        return default
    names = tuple(dict.fromkeys(name.strip() for name in value.split(",") if name.strip()))
    for name in names:
        if name not in (*FACETS, "month"):
            raise BadRequest(f"facet {name[:20]!r}: use source, author or month")
    return names


def timeline_option(query: Mapping[str, str]) -> bool | str:
    """False, True (the unit the span needs) or a unit: ``timeline=1`` or ``timeline=month``."""
    value = query.get("timeline", "").strip().lower()
    if value in ("", "0", "false"):
        return False
    if value in ("1", "true"):
        return True
    if value not in TIMELINE_UNITS:
        raise BadRequest(f"timeline {value[:20]!r}: 1, or one of {', '.join(TIMELINE_UNITS)}")
    return value


def with_filter(q: str, field: str, value: str) -> str:
    """``q`` kept to the articles whose ``field`` holds ``value`` (a facet clicked)."""
    phrase = " ".join(value.replace('"', " ").split())
    return f'({q}) AND {field}:"{phrase}"'
