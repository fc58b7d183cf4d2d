"""The Article record, and what can be inferred from an article's text."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from dataclasses import dataclass, field

from searchkit.articles.passages import Span, sentences

MAX_HEADLINE_CHARS = 200
MAX_HEADLINE_WORDS = 25
MAX_INFERRED_TITLE_CHARS = 160

_MONTHS = {
    "janvier": 1, "fevrier": 2, "février": 2, "mars": 3, "avril": 4, "mai": 5,
    "juin": 6, "juillet": 7, "aout": 8, "août": 8, "septembre": 9, "octobre": 10,
    "novembre": 11, "decembre": 12, "décembre": 12,
}
_FRENCH_DATE_RE = re.compile(
    r"\s*(?:le\s+)?(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+)?"
    r"(?P<day>\d{1,2})(?:er)?\s+(?P<month>" + "|".join(_MONTHS) + r")\s+(?P<year>\d{4})\b",
    re.IGNORECASE,
)
# What may follow a date alone on its line: a time ("à 14h30", "- 14:30").
_REST_OF_DATE_LINE = re.compile(r"[\s,.;–—-]*(?:(?:à\s*)?\d{1,2}\s*[h:]\s*(?:\d{2})?)?[\s.]*", re.IGNORECASE)
# 2016, 2016-05, 2016-05-21 (a time may follow), or 20160521.
_ISO_DATE_RE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?![\d-])|(\d{4})(\d{2})(\d{2})$")
# Seconds or milliseconds since 1970, as some scrapers store dates.
_EPOCH_RE = re.compile(r"\d{10}(?:\d{3})?(?:\.\d+)?$")
_MARKDOWN_HEADING_RE = re.compile(r"#{1,6}\s+")
# "Grève à la S.N.C.F." ends with a dot and still reads as a headline.
_ENDS_WITH_INITIALS_RE = re.compile(r"(?<![^\W_])(?:[^\W\d_]\.){2,}$")


@dataclass
class Article:
    """One article as it goes into the index."""

    id: str
    text: str
    path: str = ""
    title: str = ""
    date: str | None = None  # ISO 8601: YYYY-MM-DD
    url: str | None = None
    source: str | None = None
    author: str | None = None
    line: int | None = None  # line of a JSON Lines file
    body_start: int = 0  # where the text after a headline starts
    # Cut when the article is indexed (in the analysis workers), or read back
    # from the index.
    passages: list[Span] = field(default_factory=list)

    @classmethod
    def from_text(cls, id: str, text: str, **metadata: object) -> "Article":
        """An article whose title and date missing from ``metadata`` are
        inferred from its text."""
        article = cls(id=id, text=text, **metadata)  # type: ignore[arg-type]
        dated, after_date = date_line(text)
        headline, body_start = split_headline(text, after_date)
        article.body_start = body_start
        if not article.title:
            article.title = headline or first_sentence(text, body_start)
        if article.date is None:
            article.date = dated or french_date(text, body_start)
        return article


def date_line(text: str) -> tuple[str | None, int]:
    """The ISO date of a first line that holds only a French date ("3 juin
    2016", "Vendredi 3 juin 2016 à 14h30"), and where the next line starts;
    (None, 0) when the text does not open so."""
    stripped = len(text) - len(text.lstrip())
    end = text.find("\n", stripped)
    m = _FRENCH_DATE_RE.match(text, stripped, end) if end >= 0 else None
    if m is None or not _REST_OF_DATE_LINE.fullmatch(text, m.end(), end):
        return None, 0
    return french_date(text, stripped), end + 1


def split_headline(text: str, start: int = 0) -> tuple[str, int]:
    """The first line from ``start`` and where the body starts after it,
    when that line reads as a headline; else no headline, the body at ``start``."""
    stripped = start + len(text[start:]) - len(text[start:].lstrip())
    end = text.find("\n", stripped)
    if end < 0:
        return "", start
    line = text[stripped:end].strip()
    line = _MARKDOWN_HEADING_RE.sub("", line, count=1) if line.startswith("#") else line
    rest = text[end:].strip()
    is_headline = (
        line
        and rest
        and len(line) <= MAX_HEADLINE_CHARS
        and len(line.split()) <= MAX_HEADLINE_WORDS
        and not (line.endswith(".") and not line.endswith("...") and not _ENDS_WITH_INITIALS_RE.search(line))
    )
    return (line, end + 1) if is_headline else ("", start)


def first_sentence(text: str, start: int = 0) -> str:
    while start < len(text) and text[start].isspace():
        start += 1
    line_end = text.find("\n", start)
    # Only the first sentence is wanted: a text with no line breaks need not be
    # cut whole (a longer sentence is truncated below anyway).
    end = min(len(text) if line_end < 0 else line_end, start + 2000)
    spans = sentences(text, start, end)
    if not spans:
        return ""
    title = " ".join(text[spans[0].start:spans[0].end].split())
    if len(title) > MAX_INFERRED_TITLE_CHARS:
        title = title[:MAX_INFERRED_TITLE_CHARS].rsplit(" ", 1)[0] + "…"
    return title


def french_date(text: str, start: int = 0) -> str | None:
    """The ISO date of a French date that opens the text ("21 juin 2012")."""
    m = _FRENCH_DATE_RE.match(text, start)
    if not m:
        return None
    day, month, year = int(m["day"]), _MONTHS[m["month"].lower()], int(m["year"])
    if not 1 <= day <= 31:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def iso_date(value: object) -> str | None:
    """Normalise a date given as metadata (ISO date or date-time, or the
    RFC 2822 date of RSS feeds and mail) to YYYY-MM-DD."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    m = _ISO_DATE_RE.match(value)
    if m:
        year, month, day = (int(part) if part else 1 for part in (m[1] or m[4], m[2] or m[5], m[3] or m[6]))
        try:
            return date(year, month, day).isoformat()
        except ValueError:  # 2016-13-45
            return None
    if _EPOCH_RE.match(value):
        seconds = float(value) / (1000 if len(value.split(".")[0]) == 13 else 1)
        return datetime.fromtimestamp(seconds, timezone.utc).date().isoformat()
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return None
