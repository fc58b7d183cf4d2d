"""The postings a segment writer holds in memory until it writes the segment.

Documents arrive in increasing number, so each term's postings are appended
in order to compact arrays: document numbers alone while every weight is 1.0
without values (most terms of existence and frequency fields), with weights
and encoded values once one posting needs them.
"""

from __future__ import annotations

from array import array
from collections import defaultdict

from searchkit.writer.inversion import Run


class PlainPostings:
    """Postings of weight 1.0 without values (existence fields): document numbers."""

    __slots__ = ("docnums",)
    weights = None

    def __init__(self, docnums: array) -> None:
        self.docnums = docnums

    def full(self) -> "FullPostings":
        count = len(self.docnums)
        return FullPostings(self.docnums, array("f", [1.0]) * count, b"", array("I", [0]) * count)


class FullPostings:
    """Postings with weights and encoded values (positions)."""

    __slots__ = ("docnums", "weights", "values", "value_sizes")

    def __init__(self, docnums: array, weights: array, values: bytes, value_sizes: array) -> None:
        self.docnums = docnums
        self.weights = weights
        self.values = bytearray(values)
        self.value_sizes = value_sizes

    def add(self, docnum: int, weight: float, vbytes: bytes) -> None:
        self.docnums.append(docnum)
        self.weights.append(weight)
        self.values += vbytes
        self.value_sizes.append(len(vbytes))

    def extend(self, docnums: array, weights: array, values: bytes, value_sizes: array) -> None:
        self.docnums += docnums
        self.weights += weights
        self.values += values
        self.value_sizes += value_sizes


HeldPostings = PlainPostings | FullPostings


class MemoryPool:
    """Stands in for Whoosh's PostingPool: postings grouped per field and term."""

    def __init__(self) -> None:
        self.fields: dict[str, dict[bytes, HeldPostings]] = defaultdict(dict)

    def add(self, item: tuple[str, bytes, int, float, bytes]) -> None:
        """One posting, as Whoosh's add_reader() gives them when merging segments."""
        fieldname, tbytes, docnum, weight, vbytes = item
        vbytes = vbytes or b""  # Whoosh gives None for a format without values (Frequencies, Existence)
        terms = self.fields[fieldname]
        postings = terms.get(tbytes)
        if weight == 1.0 and not vbytes:
            if postings is None:
                terms[tbytes] = PlainPostings(array("I", [docnum]))
                return
            if postings.weights is None:
                postings.docnums.append(docnum)
                return
        if postings is None:
            postings = terms[tbytes] = FullPostings(array("I"), array("f"), b"", array("I"))
        elif postings.weights is None:
            postings = terms[tbytes] = postings.full()
        postings.add(docnum, weight, vbytes)

    def add_run(self, run: Run) -> None:
        for fieldname, field_postings in run.postings.items():
            for postings_of_terms in field_postings:
                for tbytes, docnums, weights, values, sizes in postings_of_terms.parts():
                    self.extend(fieldname, tbytes, docnums, weights, values, sizes)

    def extend(self, fieldname: str, tbytes: bytes, docnums: array, weights: array | None,
               values: bytes, sizes: array) -> None:
        """Postings of one term, after those it holds; ``weights`` None: all
        1.0, without values."""
        terms = self.fields[fieldname]
        postings = terms.get(tbytes)
        if weights is None:
            if postings is None:
                terms[tbytes] = PlainPostings(docnums)
                return
            if postings.weights is None:
                postings.docnums += docnums
                return
            count = len(docnums)
            weights, sizes = array("f", [1.0]) * count, array("I", [0]) * count
        if postings is None:
            terms[tbytes] = FullPostings(docnums, weights, values, sizes)
            return
        if postings.weights is None:
            postings = terms[tbytes] = postings.full()
        postings.extend(docnums, weights, values, sizes)

    def cleanup(self) -> None:
        self.fields.clear()
