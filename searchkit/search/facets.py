"""Counting every article a query matches, not only those shown: per value
of a field (facets: month, source, author) and per period (a timeline).

The matching set is the ranked query's: for an OR of words the articles
holding one of its terms or a word of its family (as the fast scorer reads
them, or Whoosh's matchers), else those Whoosh's searcher matches; then the
dates of --since/--until; never a deleted article. Dates come from their
column; sources and authors from the stored fields of the matching articles
only (28 µs an article on the 31k OrangeSum set, ten times what its date
costs), kept for the session.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Iterable, Iterator

from searchkit.errors import QueryError
from searchkit.search.compiling import CompiledQuery
from searchkit.search.filters import Filters
from searchkit.search.results import Facet, Timeline
from searchkit.search.session import SearchSession

FACETS = ("month", "source", "author")
UNITS = ("day", "week", "month", "year")
_STORED = ("source", "author")  # as session.sources_authors keeps them
# The finest unit giving at most this many periods: a chart a screen high.
MAX_PERIODS = 40


def facet_names(names: Iterable[str] | str) -> tuple[str, ...]:
    """The facets asked for (names, or one text of names and commas), in
    order and once each; QueryError for a name that is none."""
    if isinstance(names, str):
        names = names.split(",")
    wanted = tuple(dict.fromkeys(name.strip().lower() for name in names))
    for name in wanted:
        if name not in FACETS:
            shown = repr(name) if name else "an empty name"
            raise QueryError(f"no facet {shown}: use {', '.join(FACETS)}")
    return wanted


def timeline_unit(timeline: bool | str) -> str | None:
    """None for no timeline, "" for the unit the span needs, else the unit asked."""
    if timeline is True:
        return ""
    if timeline is False or timeline is None:
        return None
    if timeline not in UNITS:
        raise QueryError(f"no timeline unit {timeline!r}: use {', '.join(UNITS)}")
    return timeline


def matching(session: SearchSession, compiled: CompiledQuery, filters: Filters) -> list[int]:
    """The document numbers of every live article the query matches."""
    if compiled.terms is not None and session.fast_scoring:
        docnums: list[int] = session.fast_scorer().matching(compiled.terms, compiled.truncated).tolist()
    else:
        # Whoosh's matchers leave out deleted documents.
        docnums = sorted(session.searcher.docs_for_query(compiled.query))
    if filters.since is None and filters.until is None:
        return docnums
    # The range of Filters.restriction, on the column: ISO dates sort as text.
    low, high = filters.since or "", filters.until or "\uffff"
    dates = session.dates()
    return [docnum for docnum in docnums if dates[docnum] and low <= dates[docnum] <= high]


def count(session: SearchSession, compiled: CompiledQuery, filters: Filters, facets: tuple[str, ...],
          unit: str | None) -> tuple[int, dict[str, Facet], Timeline | None]:
    """The number of matching articles, the ``facets`` asked for (see
    facet_names) and the timeline by ``unit`` (see timeline_unit)."""
    docnums = matching(session, compiled, filters)
    days: Counter[str] = Counter()
    if unit is not None or "month" in facets:
        dates = session.dates()
        days = Counter(dates[docnum] for docnum in docnums)
    values = {name: Counter(_stored_values(session, docnums, _STORED.index(name)))
              for name in facets if name in _STORED}
    return tallied(len(docnums), days, values, facets, unit)


def tallied(matched: int, days: Counter[str], values: dict[str, Counter], facets: tuple[str, ...],
            unit: str | None) -> tuple[int, dict[str, Facet], Timeline | None]:
    """``count``'s answer from the matching articles counted per day (``""``:
    undated) and per source and author (None: none): an index in a cluster
    counts them with aggregations, then answers as this one does."""
    days = Counter(days)
    undated = days.pop("", 0)
    counted: dict[str, Facet] = {}
    for name in facets:
        if name == "month":
            months: Counter[str] = Counter()
            for day, articles in days.items():
                months[day[:7]] += articles
            counted[name] = _facet(months, undated)
        else:
            found = Counter(values[name])
            counted[name] = _facet(found, found.pop(None, 0))
    timeline = None if unit is None else _timeline(days, undated, unit)
    return matched, counted, timeline


def _stored_values(session: SearchSession, docnums: list[int], which: int) -> Iterator[str | None]:
    """The source (``which`` 0) or author (1) of each document, None for none:
    both are read at once, as reading the stored fields is what costs."""
    cache = session.sources_authors
    stored_fields = session.searcher.stored_fields
    for docnum in docnums:
        values = cache.get(docnum)
        if values is None:
            stored = stored_fields(docnum)
            # An empty value says nothing: counted as none.
            values = cache[docnum] = (stored.get("source") or None, stored.get("author") or None)
        yield values[which]


def _facet(counts: Counter, missing: int) -> Facet:
    return Facet(sorted(counts.items(), key=lambda item: (-item[1], item[0])), missing)


def _timeline(days: Counter[str], undated: int, unit: str) -> Timeline:
    """Articles per period, every period from the first dated one to the last."""
    by_day: Counter[date] = Counter()
    for text, articles in days.items():
        try:
            by_day[date.fromisoformat(text)] += articles
        except ValueError:  # not a date searchkit writes: counted with the undated
            undated += articles
    if not by_day:
        return Timeline(unit or "month", [], undated)
    first, last = min(by_day), max(by_day)
    unit = unit or next((u for u in UNITS if _span(first, last, u) <= MAX_PERIODS), "year")
    periods: Counter[str] = Counter({period: 0 for period in _periods(first, last, unit)})
    for day, articles in by_day.items():
        periods[_period(day, unit)] += articles
    return Timeline(unit, list(periods.items()), undated)


def _start(day: date, unit: str) -> date:
    """The first day of the period ``day`` falls in."""
    if unit == "week":
        return day - timedelta(days=day.weekday())  # ISO weeks start on Monday
    if unit == "month":
        return day.replace(day=1)
    if unit == "year":
        return day.replace(month=1, day=1)
    return day


def _span(first: date, last: date, unit: str) -> int:
    """How many periods of ``unit`` run from ``first`` to ``last``, both included."""
    if unit in ("day", "week"):
        return (_start(last, unit) - _start(first, unit)).days // (7 if unit == "week" else 1) + 1
    if unit == "month":
        return (last.year - first.year) * 12 + last.month - first.month + 1
    return last.year - first.year + 1


def _periods(first: date, last: date, unit: str) -> Iterator[str]:
    day = _start(first, unit)
    while day <= last:
        yield _period(day, unit)
        try:
            if unit in ("day", "week"):
                day += timedelta(days=7 if unit == "week" else 1)
            elif unit == "month":
                day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
            else:
                day = date(day.year + 1, 1, 1)
        except (OverflowError, ValueError):  # past the year 9999
            return


def _period(day: date, unit: str) -> str:
    if unit == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if unit == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if unit == "year":
        return f"{day.year:04d}"
    return day.isoformat()
