"""Excluding words: Whoosh's AndNot, with the first document checked.

Whoosh's AndNotMatcher skips the excluded words' documents up to the current
one only when both start on the same document: when the excluded word's
first document comes before the first one the query finds, that one is kept
even if it holds the word (``"bastion djihadiste" -coalition`` found the
article holding both). Every later document is checked.
"""

from __future__ import annotations

from whoosh import query as wq
from whoosh.matching import AndNotMatcher


class _CheckedAndNotMatcher(AndNotMatcher):
    def _find_first(self) -> None:
        if self.a.is_active() and self.b.is_active():
            self._find_next()


class Excluding(wq.AndNot):
    """The documents of ``a`` that ``b`` does not match."""

    def matcher(self, searcher, context=None):
        return _CheckedAndNotMatcher(self.a.matcher(searcher, context),
                                     self.b.matcher(searcher, searcher.boolean_context()))
