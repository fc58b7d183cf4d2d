"""Writing a segment's postings: each field's terms, those of the new
documents and of the segments merged into it, encoded into the W3 codec's
blocks (in the workers when there are some), laid out in the postings file
and the term table.
"""

from __future__ import annotations

from array import array
from itertools import chain
from typing import Iterable, Iterator, Sequence

from whoosh.filedb.filetables import _lengths as _ROW_LENGTHS  # key and value sizes of a term table row
from whoosh.system import pack_int, pack_long, pack_ushort

from searchkit.storage.tails import TAIL_FIELDS
from searchkit.writer.inversion import Encoded, TermPostings, encode_terms
from searchkit.writer.copying import copy_documents
from searchkit.writer.merging import Merged, block_lengths, close_merged, field_names, merged_terms, open_merged
from searchkit.writer.pool import MemoryPool
from searchkit.writer.workers import Workers

ENCODE_CHUNK = 100_000  # postings a worker encodes into blocks at a time


def write_segment(storage, schema, perdocwriter, fieldwriter, pool: MemoryPool, new_lengths: dict[str, array] | None,
                  workers: Workers | None, merged: Sequence[Merged]) -> None:
    """The postings of the new documents (``pool``, their lengths ``new_lengths``,
    None when the codec keeps none) and of the ``merged`` segments, then the
    merged segments' documents, with their lengths counted from their postings."""
    open_merged(storage, schema, merged)
    try:
        lengths = block_lengths(new_lengths, merged) if new_lengths is not None else None
        write_postings(fieldwriter, schema, pool, lengths, workers, merged)
        for source in merged:
            copy_documents(perdocwriter, schema, source.reader, source.live, source.lengths, source.base)
    finally:
        close_merged(merged)


def write_postings(fieldwriter, schema, pool: MemoryPool, lengths: dict[str, array] | None,
                   workers: Workers | None, merged: Sequence[Merged] = ()) -> None:
    """Every term of ``pool`` and of the ``merged`` segments (opened), field
    by field in order; ``lengths``, each document's length in each scorable
    field as the segment keeps it (None when the codec keeps no lengths)."""
    names = {name for name, terms in pool.fields.items() if terms} | field_names(merged)
    for fieldname in sorted(name for name in names if name in schema):
        terms = merged_terms(fieldname, pool.fields.get(fieldname, {}), merged)
        first = next(terms, None)
        if first is None:  # every posting of a merged field deleted
            continue
        fieldobj = schema[fieldname]
        field_lengths = lengths.get(fieldname) if lengths is not None and fieldobj.scorable else None
        fieldwriter.start_field(fieldname, fieldobj)
        postwriter = fieldwriter._postwriter
        settings = (field_lengths, fieldobj.format.fixed_value_size(),
                    postwriter._blocklimit, postwriter._compression, fieldname in TAIL_FIELDS)
        chunks = _chunks(chain((first,), terms))
        if workers is not None:
            encoded = _in_order(workers, settings, chunks)
        else:
            encoded = (encode_terms(chunk, *settings) for chunk in chunks)
        _lay_out(fieldwriter, encoded)
        fieldwriter.finish_field()


def _chunks(terms: Iterable[TermPostings]) -> Iterator[list[TermPostings]]:
    """The terms, in lists of about ENCODE_CHUNK postings."""
    chunk: list[TermPostings] = []
    size = 0
    for term in terms:
        chunk.append(term)
        size += len(term[1]) + 8
        if size >= ENCODE_CHUNK:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _in_order(workers: Workers, settings: tuple, chunks: Iterable[list[TermPostings]]) -> Iterator[Encoded]:
    """encode_terms over the chunks in the workers, in order."""
    for chunk in chunks:
        if workers.full():
            result = workers.result()
            workers.submit(encode_terms, chunk, *settings)
            yield result
        else:
            workers.submit(encode_terms, chunk, *settings)
    while workers.pending():
        yield workers.result()


class PackedBucket:
    """One of the 256 buckets of (hash, row position) pairs a term table
    keeps until it is closed, in two arrays: as Whoosh keeps them, a tuple of
    two ints, they took about 130 bytes a term (40 of the 48 MiB Python held
    at the end of a merge of 31,034 articles), 12 here. Whoosh's
    HashWriter reads it as it reads its own lists."""

    __slots__ = ("hashes", "positions")

    def __init__(self) -> None:
        self.hashes = array("I")
        self.positions = array("q")

    @classmethod
    def of(cls, pairs: Iterable[tuple[int, int]]) -> "PackedBucket":
        bucket = cls()
        for pair in pairs:
            bucket.append(pair)
        return bucket

    def append(self, pair: tuple[int, int]) -> None:
        self.hashes.append(pair[0])
        self.positions.append(pair[1])

    def __len__(self) -> int:
        return len(self.hashes)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return zip(self.hashes, self.positions)


def _packed_buckets(table) -> list[PackedBucket]:
    """The term table's buckets, packed (once per table, keeping any pair
    Whoosh's writer added before)."""
    if not all(isinstance(bucket, PackedBucket) for bucket in table.buckets):
        table.buckets = [PackedBucket.of(bucket) for bucket in table.buckets]
    return table.buckets


def _lay_out(fieldwriter, encoded: Iterable[Encoded]) -> None:
    """Append encoded blocks to the postings file and a row per term to the
    term table (an OrderedHashWriter: rows now, hashes when it closes)."""
    postfile = fieldwriter._postfile
    table = fieldwriter._tindex
    table_file, buckets, positions, hash_key = table.dbfile, _packed_buckets(table), table.index, table.hashfn
    appends = [(bucket.hashes.append, bucket.positions.append) for bucket in buckets]
    key_prefix = pack_ushort(fieldwriter._fieldid)
    key = b""
    for blob, infos in encoded:
        base = postfile.tell()
        postfile.write(blob)
        ends = [start for _, start, _ in infos[1:]] + [len(blob)]
        rows = bytearray()
        rows_base = table_file.tell()
        for (tbytes, start, info), end in zip(infos, ends):
            key = key_prefix + tbytes
            value = info + pack_long(base + start) + pack_int(end - start)
            position = rows_base + len(rows)
            rows += _ROW_LENGTHS.pack(len(key), len(value))
            rows += key
            rows += value
            hashed = hash_key(key)
            add_hash, add_position = appends[hashed & 255]
            add_hash(hashed)
            add_position(position)
            positions.append(position)
        table_file.write(rows)
    if key:
        table.lastkey = key
