"""Cutting article text into sentences and passages, by character offsets."""

from __future__ import annotations

import re
from typing import NamedTuple

MIN_WORDS = 40
MAX_WORDS = 120
# A paragraph shorter than this (a sub-heading, a dateline) joins the next one.
SHORT_PARAGRAPH_WORDS = 12


class Span(NamedTuple):
    start: int
    end: int


_WORD_RE = re.compile(r"\S+")
_BLANK_LINE_RE = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_NEWLINE_RE = re.compile(r"\s*\n\s*")

# Words after which a full stop does not end a sentence.
_ABBREVIATIONS = frozenset(
    "m mm mme mmes mlle mlles dr pr me st ste cf etc ex p pp av bd n no vol art al "
    "env min max fig éd ed hab janv févr fév avr juil sept oct nov déc".split()
)
# A sentence ends at . ! ? or … (with closing quotes or brackets after it), and
# the next one starts with a capital, a digit or an opening quote - with or
# without a space in between ("jeudi.Le gouvernement" is two sentences).
# Linear on any text: a match starts only at the first stop of a run (the
# lookbehind) and its repeats never give back what they took (possessive), so
# a run of 16,000 dots is read once, not once from each of its dots.
_SENTENCE_END_RE = re.compile(
    r"(?<![.!?…])(?P<end>[.!?…]++(?:[\"”’)\]]|\s?»)*+)(?P<space>\s*+)(?=[«\"“(\[]?\s*+[A-ZÀ-ÖØ-Þ0-9])"
)
_WORD_BEFORE_RE = re.compile(r"([\w.-]*)$")
# A stop right after a closing quote or bracket ends a sentence, space or not:
# scraped text glues "(OCLCIFF).Le parquet" and "« non ».Le".
_CLOSERS = frozenset("\")]»”’")


def _ends_sentence(text: str, m: re.Match[str]) -> bool:
    if m.group("end").startswith(".") and not (m.start() > 0 and text[m.start() - 1] in _CLOSERS):
        before = _WORD_BEFORE_RE.search(text, max(0, m.start() - 30), m.start())[1]  # type: ignore[index]  # always matches
        last = before.rsplit(".", 1)[-1].rsplit("-", 1)[-1]
        if last.lower() in _ABBREVIATIONS:
            return False
        # Initials: "J.-Y. Le Drian", "M. Dupont".
        if len(last) == 1 and last.isupper():
            return False
        # "3.5", "orange.fr": no capital after the stop.
        if not m.group("space") and (not last or not last[-1].isalpha()):
            return False
    return True


def sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentence spans in ``text[start:end]``, whitespace trimmed."""
    end = len(text) if end is None else end
    spans = []
    cursor = start
    for m in _SENTENCE_END_RE.finditer(text, start, end):
        if not _ends_sentence(text, m):
            continue
        cut = m.end("end")
        spans.append(_trim(text, cursor, cut))
        cursor = m.end()
    spans.append(_trim(text, cursor, end))
    return [s for s in spans if s.end > s.start]


def paragraphs(text: str, start: int = 0) -> list[Span]:
    """Paragraph spans: blocks between blank lines, or lines when there are none."""
    splitter = _BLANK_LINE_RE if _BLANK_LINE_RE.search(text, start) else _NEWLINE_RE
    spans = []
    cursor = start
    for m in splitter.finditer(text, start):
        spans.append(_trim(text, cursor, m.start()))
        cursor = m.end()
    spans.append(_trim(text, cursor, len(text)))
    return [s for s in spans if s.end > s.start]


def _trim(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


def word_count(text: str, span: Span) -> int:
    return len(text[span.start:span.end].split())


def _windows(text: str, para: Span) -> list[Span]:
    """Cut a long paragraph into windows of whole sentences, MIN..MAX words."""
    units: list[tuple[Span, int]] = []
    for sentence in sentences(text, para.start, para.end):
        count = word_count(text, sentence)
        if count <= MAX_WORDS:
            units.append((sentence, count))
            continue
        # A run-on "sentence": cut it between words.
        words = list(_WORD_RE.finditer(text, sentence.start, sentence.end))
        for i in range(0, len(words), MAX_WORDS):
            chunk = words[i:i + MAX_WORDS]
            units.append((Span(chunk[0].start(), chunk[-1].end()), len(chunk)))
    windows: list[Span] = []
    counts: list[int] = []
    for unit, count in units:
        if windows and counts[-1] + count <= MAX_WORDS and (
            counts[-1] < MIN_WORDS or counts[-1] + count <= (MIN_WORDS + MAX_WORDS) // 2
        ):
            windows[-1] = Span(windows[-1].start, unit.end)
            counts[-1] += count
        else:
            windows.append(unit)
            counts.append(count)
    if len(windows) > 1 and counts[-1] < MIN_WORDS and counts[-2] + counts[-1] <= MAX_WORDS:
        windows[-2:] = [Span(windows[-2].start, windows[-1].end)]
    return windows


def passages(text: str, start: int = 0) -> list[Span]:
    """Passage spans of ``text[start:]``: paragraphs, long ones cut into windows."""
    merged: list[Span] = []
    pending: Span | None = None
    for para in paragraphs(text, start):
        if pending is not None:
            para = Span(pending.start, para.end)
            pending = None
        if word_count(text, para) < SHORT_PARAGRAPH_WORDS:
            pending = para
            continue
        merged.append(para)
    if pending is not None:
        if merged and word_count(text, Span(merged[-1].start, pending.end)) <= MAX_WORDS:
            merged[-1] = Span(merged[-1].start, pending.end)
        else:
            merged.append(pending)
    spans: list[Span] = []
    for para in merged:
        if word_count(text, para) > MAX_WORDS:
            spans.extend(_windows(text, para))
        else:
            spans.append(para)
    return spans
