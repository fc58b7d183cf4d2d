"""Exact occurrences of a quoted phrase: its words as written, stop words
included, accents and case folded.

A phrase of the syntax matches by stems with stop words skipped, so
``"situation préoccupante"`` also finds ``la situation qui nous préoccupe``:
recall is kept, but an article holding the phrase as written ranks first and
that occurrence is the one marked.
"""

from __future__ import annotations

import re
from typing import Sequence

from searchkit.analysis.french import fold

# Words as a reader sees them: "l’armée" is "l" then "armée", as in the phrase.
_WORD_RE = re.compile(r"[^\W_]+")


def exact_words(phrase: str) -> tuple[str, ...]:
    """The folded words of ``phrase`` as written."""
    return tuple(word for word in (fold(m.group()) for m in _WORD_RE.finditer(phrase)) if word)


def exact_occurrences(text: str, phrases: Sequence[tuple[str, ...]], start: int = 0, end: int | None = None
                      ) -> list[tuple[int, int, int]]:
    """(start, end, phrase number) of each occurrence in ``text[start:end]``
    of a phrase of ``phrases``, in text order."""
    wanted = [phrase for phrase in phrases if phrase]
    if not wanted:
        return []
    firsts = {phrase[0] for phrase in wanted}
    words = [(m.start(), m.end(), fold(m.group())) for m in _WORD_RE.finditer(text, start, len(text) if end is None else end)]
    found = []
    for i, (_, _, word) in enumerate(words):
        if word not in firsts:
            continue
        for number, phrase in enumerate(phrases):
            size = len(phrase)
            if size and phrase[0] == word and i + size <= len(words) and all(
                words[i + k][2] == phrase[k] for k in range(1, size)
            ):
                found.append((words[i][0], words[i + size - 1][1], number))
    return found


def phrases_held(text: str, phrases: Sequence[tuple[str, ...]]) -> int:
    """How many of ``phrases`` stand as written in ``text``."""
    return len({number for _, _, number in exact_occurrences(text, phrases)})


def word_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The words of an occurrence, each marked as a word is elsewhere."""
    return [(m.start(), m.end()) for m in _WORD_RE.finditer(text, start, end)]
