"""The frequency tail of a common term's posting list.

Whoosh's W3 codec stores a term's postings as pickled, compressed blocks of
128, which Python loads one at a time: the postings of a word found in a
hundred thousand articles are eight hundred blocks to decompress and unpickle.
After the last block of each term with at least TAIL_MIN_POSTINGS postings in
the fields the fast scorer reads, searchkit's writer appends its document
numbers and weights as plain arrays, uncompressed (zlib took most of the time
of reading a common word), and where each block starts: the fast scorer reads
them with numpy in one go, and decodes only the few blocks whose positions it
needs.

Whoosh reads a posting list up to its last block and never sees the tail; a
segment that Whoosh's own writer merges has none, and is read block by block.
"""

from __future__ import annotations

import struct
from typing import NamedTuple, Sequence

import numpy as np

TAIL_FIELDS = ("body", "words", "truncated")  # the fields the fast scorer reads
TAIL_MIN_POSTINGS = 1024
# Weights of fewer distinct values are stored as a byte each and their table.
MAX_TABLED_WEIGHTS = 256
_MAGIC = b"skTail02"
# postings, blocks, postings per block, payload bytes, distinct weights tabled (0: as float32), magic
_FOOTER = struct.Struct("<IIIII8s")


class Tail(NamedTuple):
    offset: int  # where the posting list starts in the postings file
    ids: np.ndarray  # document numbers in the segment, int64
    weights: np.ndarray  # float64
    block_starts: np.ndarray  # byte offset of each block from the posting list's start, int64
    blocks_end: int  # byte offset of the end of the last block, where the tail starts
    block_size: int  # postings per block (the last may hold fewer)


def encode_tail(docnums: Sequence[int], weights: Sequence[float] | None, block_starts: Sequence[int],
                block_size: int) -> bytes:
    """The tail to append after a term's last block: document numbers as
    they are and weights as a byte into a table of their values (frequencies
    take few), so that numpy reads them without decompressing anything."""
    ids = np.asarray(docnums, dtype="<u4")
    values = np.ones(len(ids), "<f4") if weights is None else np.asarray(weights, dtype="<f4")
    table, codes = np.unique(values, return_inverse=True)
    if len(table) <= MAX_TABLED_WEIGHTS:
        stored = table.astype("<f4").tobytes() + (codes.astype("u1").tobytes() if len(table) > 1 else b"")
        tabled = len(table)
    else:
        stored, tabled = values.tobytes(), 0
    payload = ids.tobytes() + np.asarray(block_starts, "<u4").tobytes() + stored
    return payload + _FOOTER.pack(len(ids), len(block_starts), block_size, len(payload), tabled, _MAGIC)


def read_tail(postfile, offset: int, length: int, doc_frequency: int) -> Tail | None:
    """The tail of the posting list at ``offset`` (``length`` bytes, tail
    included), or None when it has none."""
    if length < _FOOTER.size:
        return None
    count, blocks, block_size, size, tabled, magic = _FOOTER.unpack(
        postfile.get(offset + length - _FOOTER.size, _FOOTER.size))
    if magic != _MAGIC or count != doc_frequency or not block_size or blocks != -(-count // block_size) \
            or size > length - _FOOTER.size:
        return None
    blocks_end = length - _FOOTER.size - size
    raw = postfile.get(offset + blocks_end, size)
    ids = np.frombuffer(raw, "<u4", count).astype(np.int64)
    starts = np.frombuffer(raw, "<u4", blocks, offset=4 * count).astype(np.int64)
    at = 4 * (count + blocks)
    if not tabled:
        weights = np.frombuffer(raw, "<f4", count, offset=at).astype(np.float64)
    else:
        table = np.frombuffer(raw, "<f4", tabled, offset=at).astype(np.float64)
        codes = np.frombuffer(raw, "u1", count, offset=at + 4 * tabled) if tabled > 1 else np.zeros(count, "u1")
        weights = table[codes]
    return Tail(offset, ids, weights, starts, blocks_end, block_size)
