"""Writing a segment's postings: each field's terms encoded into the W3
codec's blocks (in the workers when there are some), laid out in the postings
file and the term table.
"""

from __future__ import annotations

from array import array
from typing import Iterable, Iterator

from whoosh.filedb.filetables import _lengths as _ROW_LENGTHS  # key and value sizes of a term table row
from whoosh.system import pack_int, pack_long, pack_ushort

from searchkit.storage.tails import TAIL_FIELDS
from searchkit.writer.inversion import Encoded, TermPostings, encode_terms
from searchkit.writer.pool import HeldPostings, MemoryPool
from searchkit.writer.workers import Workers

ENCODE_CHUNK = 100_000  # postings a worker encodes into blocks at a time


def write_postings(fieldwriter, schema, pool: MemoryPool, lengths, doc_count: int,
                   workers: Workers | None) -> None:
    """Every term of ``pool``, field by field in order; ``lengths``, the
    segment's per-document reader (None when the codec keeps no lengths)."""
    fields = pool.fields
    for fieldname in sorted(fields):
        terms = fields[fieldname]
        if not terms:
            continue
        fieldobj = schema[fieldname]
        field_lengths = None
        if lengths is not None and fieldobj.scorable:
            field_lengths = array("I", (lengths.doc_field_length(d, fieldname) or 0 for d in range(doc_count)))
        fieldwriter.start_field(fieldname, fieldobj)
        postwriter = fieldwriter._postwriter
        settings = (field_lengths, fieldobj.format.fixed_value_size(),
                    postwriter._blocklimit, postwriter._compression, fieldname in TAIL_FIELDS)
        chunks = _chunks(terms)
        if workers is not None:
            encoded = _in_order(workers, settings, chunks)
        else:
            encoded = (encode_terms(chunk, *settings) for chunk in chunks)
        _lay_out(fieldwriter, encoded)
        fieldwriter.finish_field()


def _chunks(terms: dict[bytes, HeldPostings]) -> Iterator[list[TermPostings]]:
    """The terms in order, in lists of about ENCODE_CHUNK postings."""
    chunk: list[TermPostings] = []
    size = 0
    for tbytes in sorted(terms):
        postings = terms[tbytes]
        if postings.weights is None:
            chunk.append((tbytes, postings.docnums, None, b"", ()))
        else:
            chunk.append((tbytes, postings.docnums, postings.weights, postings.values,
                          postings.value_sizes))
        size += len(postings.docnums) + 8
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


def _lay_out(fieldwriter, encoded: Iterable[Encoded]) -> None:
    """Append encoded blocks to the postings file and a row per term to the
    term table (an OrderedHashWriter: rows now, hashes when it closes)."""
    postfile = fieldwriter._postfile
    table = fieldwriter._tindex
    table_file, buckets, positions, hash_key = table.dbfile, table.buckets, table.index, table.hashfn
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
            buckets[hashed & 255].append((hashed, position))
            positions.append(position)
        table_file.write(rows)
    if key:
        table.lastkey = key
