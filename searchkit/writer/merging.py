"""Merging segments into the one being written, a term at a time.

The postings of the segments a commit merges are not held in memory: when the
new segment is written, each field's terms are read from the new documents'
pool and from every merged segment in order, joined term by term, their
documents renumbered, and encoded as new documents' postings are. A merge
then holds a few chunks of terms however large its segments (holding them
all took 2.5 GB for 310,000 articles, and a day's ingest after such an
import merged them).

Each merged document's field lengths are counted again from its postings: a
segment keeps them only as one byte each, and adding those decoded lengths
up made every merge shift BM25's average lengths away from a fresh build's.
The blocks' length bounds are kept as bytes, the same from either.
"""

from __future__ import annotations

import heapq
from array import array
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any, Iterator, Sequence

from whoosh.codec.whoosh3 import W3TermsReader
from whoosh.reading import SegmentReader
from whoosh.util.numeric import byte_to_length, length_to_byte

from searchkit.storage.postings import extent, read_blocks
from searchkit.writer.inversion import TermPostings
from searchkit.writer.pool import HeldPostings


@dataclass
class Merged:
    """A segment merged into the one being written."""

    segment: Any
    base: int  # number of its first live document in the new segment
    live: list[int]  # its live documents, in order
    size: int  # its documents, deleted ones included
    reader: Any = None  # opened while the new segment is written
    # Its documents' field lengths, counted from the postings as they are copied.
    lengths: dict[str, list[int]] = field(default_factory=dict)
    # The new number of each document (-1 if deleted); None without deletions.
    numbers: list[int] | None = None


def merged_of(reader, base: int) -> Merged:
    """``reader``'s segment, to merge as documents ``base``, ``base + 1``...;
    its W3 term table is read in order when the new segment is written."""
    if not isinstance(getattr(reader, "_terms", None), W3TermsReader):
        raise NotImplementedError(f"segments of the W3 codec are merged, not {type(reader).__name__}")
    return Merged(reader.segment(), base, list(reader.all_doc_ids()), reader.doc_count_all())


def open_merged(storage, schema, merged: Sequence[Merged]) -> None:
    for source in merged:
        source.reader = SegmentReader(storage, schema, source.segment)
        source.lengths = {name: [0] * len(source.live) for name in schema.scorable_names()}
        if len(source.live) < source.size:
            source.numbers = [-1] * source.size
            for position, docnum in enumerate(source.live, source.base):
                source.numbers[docnum] = position


def close_merged(merged: Sequence[Merged]) -> None:
    for source in merged:
        if source.reader is not None:
            source.reader.close()
            source.reader = None


def block_lengths(new: dict[str, array], merged: Sequence[Merged]) -> dict[str, array]:
    """Each document's length in each scorable field as the segment keeps it
    (a byte, decoded): the ``new`` documents' (exact lengths), then the
    ``merged`` segments' (opened)."""
    lengths = {}
    for name, exact in new.items():
        column = array("I", (byte_to_length(length_to_byte(length)) for length in exact))
        for source in merged:
            reader = source.reader
            column += array("I", (reader.doc_field_length(docnum, name) or 0 for docnum in source.live))
        lengths[name] = column
    return lengths


def field_names(merged: Sequence[Merged]) -> set[str]:
    return {name for source in merged for name in source.reader._terms._fieldmap}


def _field_terms(reader, fieldname: str) -> Iterator[tuple[bytes, Sequence[int], Sequence[float], Sequence]]:
    """(term, ids, weights, values) of each term of ``fieldname`` in a W3 segment, in order."""
    terms = reader._terms
    if fieldname not in terms._fieldmap:
        return
    postfile = terms._postfile
    for (name, tbytes), info in terms.items_from(fieldname, b""):
        if name != fieldname:
            return
        if info.is_inlined():
            ids, weights, values = info.inlined_postings()
        else:
            ids, weights, values = read_blocks(postfile.get(*extent(info)))
        yield tbytes, ids, weights, values


def merged_terms(fieldname: str, pool_terms: dict[bytes, HeldPostings],
                 merged: Sequence[Merged]) -> Iterator[TermPostings]:
    """Every term of ``fieldname``, in order, with the new documents'
    postings and then each merged segment's, renumbered."""
    if not merged:
        for tbytes in sorted(pool_terms):
            yield held(tbytes, pool_terms[tbytes])
        return
    streams: list[Iterator[tuple[bytes, int, Any]]] = [
        ((tbytes, -1, pool_terms[tbytes]) for tbytes in sorted(pool_terms))]
    streams += [_numbered(_field_terms(source.reader, fieldname), number) for number, source in enumerate(merged)]
    # (term, stream) pairs are unique: the parts themselves are never compared.
    for tbytes, group in groupby(heapq.merge(*streams), key=lambda part: part[0]):
        parts = list(group)
        if len(parts) == 1 and parts[0][1] < 0:
            yield held(tbytes, parts[0][2])
            continue
        joined = _joined(tbytes, fieldname, parts, merged)
        if len(joined[1]):  # not every document of the term deleted
            yield joined


def _numbered(terms, number: int) -> Iterator[tuple[bytes, int, Any]]:
    for tbytes, *postings in terms:
        yield tbytes, number, postings


def held(tbytes: bytes, postings: HeldPostings) -> TermPostings:
    """The postings of a term of the pool alone, as they are."""
    if postings.weights is None:
        return tbytes, postings.docnums, None, b"", ()
    return tbytes, postings.docnums, postings.weights, postings.values, postings.value_sizes


def _joined(tbytes: bytes, fieldname: str, parts, merged: Sequence[Merged]) -> TermPostings:
    """One term's postings: the new documents' (a part numbered -1) and
    those of the merged segments, renumbered, in that order."""
    docnums = array("I")
    weights = array("f")
    values = bytearray()
    sizes = array("I")
    plain = True  # every weight 1.0 and no values, as PlainPostings
    for _, number, part in parts:
        if number < 0:  # the new documents'
            docnums += part.docnums
            if part.weights is None:
                weights += array("f", [1.0]) * len(part.docnums)
                sizes += array("I", [0]) * len(part.docnums)
            else:
                plain = False
                weights += part.weights
                values += part.values
                sizes += part.value_sizes
            continue
        source = merged[number]
        ids, part_weights, part_values = part
        if source.numbers is None:
            new = [docnum + source.base for docnum in ids]
        else:
            renumbered = source.numbers
            kept = [(renumbered[d], w, v) for d, w, v in zip(ids, part_weights, part_values) if renumbered[d] >= 0]
            new, part_weights, part_values = ([list(column) for column in zip(*kept)] if kept else ([], [], []))
        counted = source.lengths.get(fieldname)
        if counted is not None:
            base = source.base
            for docnum, weight in zip(new, part_weights):
                counted[docnum - base] += int(weight)
        encoded = [value or b"" for value in part_values]
        if plain and (any(encoded) or any(weight != 1.0 for weight in part_weights)):
            plain = False
        docnums += array("I", new)
        weights += array("f", part_weights)
        values += b"".join(encoded)
        sizes += array("I", map(len, encoded))
    if plain:
        return tbytes, docnums, None, b"", ()
    return tbytes, docnums, weights, values, sizes
