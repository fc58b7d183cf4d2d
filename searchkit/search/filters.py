"""Restrictions on which articles a search may find, and their order."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from whoosh import query as wq

from searchkit.errors import QueryError


@dataclass(frozen=True)
class Filters:
    """Restrictions on which articles may match, and their order."""

    since: str | None = None  # ISO date, inclusive
    until: str | None = None
    sort: str = "relevance"  # or "date": newest first

    def restriction(self) -> wq.Query | None:
        """The articles the dates allow, as a filter of Whoosh's search: a
        filter adds nothing to the scores, where a range in the query would."""
        if self.since is None and self.until is None:
            return None
        return wq.TermRange("date", self.since, self.until)


_DATE_RE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def date_bound(text: str, end: bool) -> str:
    """An ISO date from ``2016``, ``2016-05`` or ``2016-05-21``: the first day of
    the period, or its last day when ``end``."""
    m = _DATE_RE.fullmatch(text.strip())
    if not m:
        raise QueryError(f"{text!r} is not a date: write 2016, 2016-05 or 2016-05-21")
    year = int(m.group(1))
    month = int(m.group(2) or (12 if end else 1))
    if not 1 <= month <= 12:
        raise QueryError(f"{text!r} is not a date: the month must be 01 to 12")
    last_day = calendar.monthrange(year, month)[1]
    day = int(m.group(3) or (last_day if end else 1))
    if not 1 <= day <= last_day:
        raise QueryError(f"{text!r} is not a date: that month has no day {day}")
    return f"{year:04d}-{month:02d}-{day:02d}"


def make_filters(since: str | None = None, until: str | None = None, sort: str = "relevance") -> Filters:
    if sort not in ("relevance", "date"):
        raise QueryError(f"cannot sort by {sort!r}: use relevance or date")
    first = date_bound(since, end=False) if since else None
    last = date_bound(until, end=True) if until else None
    if first is not None and last is not None and first > last:
        raise QueryError(f"since {since} comes after until {until}: no date is in between")
    return Filters(since=first, until=last, sort=sort)
