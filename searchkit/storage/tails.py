"""The frequency tail of a common term's posting list.

Whoosh's W3 codec stores a term's postings as pickled, compressed blocks of
128, which Python loads one at a time: the postings of a word found in a
hundred thousand articles are eight hundred blocks to decompress and unpickle.
After the last block of each term with at least TAIL_MIN_POSTINGS postings in
the fields the fast scorer reads, searchkit's writer appends its document
numbers and weights as plain arrays, and where each block starts: the fast
scorer reads them with numpy in one go, and decodes only the few blocks whose
positions it needs.

Whoosh reads a posting list up to its last block and never sees the tail; a
segment that Whoosh's own writer merges has none, and is read block by block.
"""

from __future__ import annotations

import struct
import zlib
from typing import NamedTuple, Sequence

import numpy as np

TAIL_FIELDS = ("body", "words", "truncated")  # the fields the fast scorer reads
TAIL_MIN_POSTINGS = 1024
_MAGIC = b"skTail01"
# postings, blocks, postings per block, payload bytes, magic
_FOOTER = struct.Struct("<IIII8s")


class Tail(NamedTuple):
    offset: int  # where the posting list starts in the postings file
    ids: np.ndarray  # document numbers in the segment, int64
    weights: np.ndarray  # float64
    block_starts: np.ndarray  # byte offset of each block from the posting list's start, int64
    blocks_end: int  # byte offset of the end of the last block, where the tail starts
    block_size: int  # postings per block (the last may hold fewer)


def encode_tail(docnums: Sequence[int], weights: Sequence[float] | None, block_starts: Sequence[int],
                block_size: int) -> bytes:
    """The tail to append after a term's last block."""
    ids = np.asarray(docnums, dtype=np.int64)
    deltas = np.diff(ids, prepend=0).astype("<u4")
    values = np.ones(len(ids), "<f4") if weights is None else np.asarray(weights, dtype="<f4")
    payload = zlib.compress(deltas.tobytes() + values.tobytes() + np.asarray(block_starts, "<u4").tobytes(), 1)
    return payload + _FOOTER.pack(len(ids), len(block_starts), block_size, len(payload), _MAGIC)


def read_tail(postfile, offset: int, length: int, doc_frequency: int) -> Tail | None:
    """The tail of the posting list at ``offset`` (``length`` bytes, tail
    included), or None when it has none."""
    if length < _FOOTER.size:
        return None
    count, blocks, block_size, size, magic = _FOOTER.unpack(postfile.get(offset + length - _FOOTER.size, _FOOTER.size))
    if magic != _MAGIC or count != doc_frequency or not block_size or blocks != -(-count // block_size) \
            or size > length - _FOOTER.size:
        return None
    blocks_end = length - _FOOTER.size - size
    raw = zlib.decompress(postfile.get(offset + blocks_end, size))
    ids = np.cumsum(np.frombuffer(raw, "<u4", count), dtype=np.int64)
    weights = np.frombuffer(raw, "<f4", count, offset=4 * count).astype(np.float64)
    starts = np.frombuffer(raw, "<u4", blocks, offset=8 * count).astype(np.int64)
    return Tail(offset, ids, weights, starts, blocks_end, block_size)
