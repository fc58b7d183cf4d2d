"""Reading a W3 segment's posting lists in bulk.

Whoosh reads postings through a matcher: several Python calls per posting,
and a hash lookup in the term table per term. The fast scorer reads a term's
blocks in one pass; a merge reads every term of a segment in the order of the
term table (searchkit.writer.merging).
"""

from __future__ import annotations

import io
import struct
import zlib
from itertools import accumulate, repeat
from typing import Iterator, Sequence

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermsReader

from searchkit.storage import safepickle
from searchkit.storage.tails import Tail, read_tail

_INT = struct.Struct("!i")  # a posting block's signed length, as W3 writes it


def blocks(postings: bytes, position: int) -> Iterator[tuple[int, tuple]]:
    """(postings, (ids, weights, values) as pickled) of each W3 block, from
    the one at ``position`` to the last."""
    stream = io.BytesIO(postings)
    block_info = safepickle.RestrictedUnpickler(stream)
    while True:
        (size,) = _INT.unpack_from(postings, position)
        stream.seek(position + _INT.size)
        count, _, _, compression, _, _ = block_info.load()
        end = position + _INT.size + abs(size)
        data = postings[stream.tell():end]
        yield count, safepickle.loads(zlib.decompress(data) if compression else data)
        if size < 0:  # the last block
            return
        position = end


def read_blocks(postings: bytes) -> tuple[list[int], list[float], list[bytes | None]]:
    """The postings of one term as W3LeafMatcher reads them, all blocks in
    one pass: without a matcher's calls per block, a common term reads
    several times faster."""
    if postings[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError("not a W3 posting list")
    ids: list[int] = []
    weights: list[float] = []
    values: list[bytes | None] = []
    for count, (block_ids, block_weights, block_values) in blocks(postings, 4):
        ids.extend(accumulate(block_ids))  # deltas from the previous id, the first from 0
        if block_weights is None:
            weights.extend(repeat(1.0, count))
        elif isinstance(block_weights, float):
            weights.extend(repeat(block_weights, count))
        else:
            weights.extend(block_weights)
        values.extend(repeat(None, count) if block_values is None else block_values)
    return ids, weights, values


def extent(info) -> tuple[int, int]:
    """Where a W3 term info's postings are: (offset, length)."""
    offset, length = info.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves it as struct.unpack gives it
        (length,) = length
    return offset, length


def term_info(leaf, term: str, field: str):
    """The W3 term info of ``term`` when the segment's postings can be read
    directly (W3 codec, values of variable size or none, not inlined), else
    None; raises TermNotFound when the segment does not hold it."""
    terms = getattr(leaf, "_terms", None)
    if not isinstance(terms, W3TermsReader) or leaf.schema[field].format.fixed_value_size() not in (None, 0):
        return None
    info = terms.term_info(field, leaf._text_to_bytes(field, term))
    return None if info.is_inlined() else info


LeafPostings = tuple[Sequence[int], Sequence[float], Sequence["bytes | None"]]


def term_postings(leaf, term: str, field: str = "body", tails: bool = False) -> "LeafPostings | Tail":
    """The document numbers, weights and encoded values of a term's postings
    in one segment (deleted documents included); with ``tails``, the
    frequency tail instead where the term has one. Raises TermNotFound when
    the segment does not hold the term."""
    info = term_info(leaf, term, field)
    if info is not None:
        offset, length = extent(info)
        postfile = leaf._terms._postfile
        tail = read_tail(postfile, offset, length, info.doc_frequency()) if tails else None
        return tail if tail is not None else read_blocks(postfile.get(offset, length))
    matcher = leaf.postings(field, term)
    matcher = getattr(matcher, "child", matcher)  # deletions are masked by the scorer
    ids, weights, values = [], [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        values.append(matcher.value())
        matcher.next()
    return ids, weights, values
