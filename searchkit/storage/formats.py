"""A Whoosh posting format of searchkit's own (pickled into the index schema:
keep its import path)."""

from __future__ import annotations

from collections import Counter

from whoosh.analysis import Analyzer
from whoosh.formats import Format, tokens


class Frequencies(Format):
    """Term frequencies as posting weights, and no posting values.

    Whoosh's Frequency format keeps each frequency twice: as the posting's
    weight, which BM25 reads, and as a 4-byte value beside it, which nothing
    here reads. Without the values a posting costs less to hold while
    indexing and to store.
    """

    posting_size = 0  # no values
    __inittypes__ = dict(field_boost=float)

    def __init__(self, field_boost: float = 1.0, **options: object) -> None:
        self.field_boost = field_boost
        self.options = options

    def word_values(self, value: str, analyzer: Analyzer, **kwargs: object):
        frequencies = Counter(token.text for token in tokens(value, analyzer, kwargs))
        return ((word, frequency, frequency * self.field_boost, b"") for word, frequency in frequencies.items())
