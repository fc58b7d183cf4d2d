"""Merging a segment into the one being written: its postings renumbered into
the writer's pool, its stored fields, lengths and columns copied.

Each document's field lengths are counted again from its postings: a segment
keeps them only as one byte each (Whoosh's lossy encoding of lengths), and
adding those decoded lengths up made every merge shift the average lengths of
BM25 away from those of a fresh build.
"""

from __future__ import annotations

from array import array
from typing import Iterator

from whoosh.columns import TranslatingColumnReader

from searchkit.storage.postings import segment_postings
from searchkit.writer.pool import MemoryPool


def copy_postings(pool: MemoryPool, reader, schema, base: int, live: list[int]) -> dict[str, list[int]]:
    """Add the postings of ``reader``'s documents ``live`` to ``pool``, the
    first numbered ``base``; return their lengths in each scorable field."""
    lengths = {name: [0] * len(live) for name in schema.scorable_names()}
    terms = segment_postings(reader)
    if terms is None:  # not a W3 segment: one posting at a time
        terms = _one_term_at_a_time(reader)
    # Most terms hold a posting or two: lists beat numpy here.
    renumbered: list[int] | None = None  # the new number of each document, -1 if deleted
    if len(live) < reader.doc_count_all():
        renumbered = [-1] * reader.doc_count_all()
        for position, docnum in enumerate(live):
            renumbered[docnum] = base + position
    for fieldname, tbytes, ids, weights, values in terms:
        if fieldname not in schema:
            continue
        if renumbered is None:
            new = [docnum + base for docnum in ids]
        else:
            kept = [(renumbered[d], w, v) for d, w, v in zip(ids, weights, values) if renumbered[d] >= 0]
            if not kept:
                continue
            new, weights, values = (list(column) for column in zip(*kept))
        field_lengths = lengths.get(fieldname)
        if field_lengths is not None:
            for number, weight in zip(new, weights):
                field_lengths[number - base] += int(weight)
        docnums = array("I", new)
        if not any(values) and all(weight == 1.0 for weight in weights):
            pool.extend(fieldname, tbytes, docnums, None, b"", array("I"))
        else:
            encoded = [value or b"" for value in values]
            pool.extend(fieldname, tbytes, docnums, array("f", weights),
                        b"".join(encoded), array("I", map(len, encoded)))
    return lengths


def copy_documents(perdocwriter, schema, reader, live: list[int], lengths: dict[str, list[int]],
                   first: int) -> None:
    """The stored fields, lengths and columns of ``reader``'s documents
    ``live``, written as documents ``first``, ``first + 1``..."""
    names = [name for name in schema.names() if name in reader.schema]
    columns = {}
    for name in names:
        column_type = schema[name].column_type
        if column_type and reader.has_column(name):
            column = reader.column_reader(name, column_type)
            if isinstance(column, TranslatingColumnReader):
                column = column.raw_column()
            columns[name] = column
    for position, docnum in enumerate(live):
        stored = reader.stored_fields(docnum)
        perdocwriter.start_doc(first + position)
        for name in names:
            field = schema[name]
            field_lengths = lengths.get(name)
            length = field_lengths[position] if field_lengths is not None else 0
            perdocwriter.add_field(name, field, stored.get(name), length)
            if name in columns:
                perdocwriter.add_column_value(name, field.column_type, columns[name][docnum])
        perdocwriter.finish_doc()


def _one_term_at_a_time(reader) -> Iterator[tuple[str, bytes, list[int], list[float], list]]:
    """(field, term, ids, weights, values) of every term of any reader."""
    current: tuple[str, bytes] | None = None
    ids: list[int] = []
    weights: list[float] = []
    values: list = []
    for fieldname, tbytes, docnum, weight, vbytes in reader.iter_postings():
        if (fieldname, tbytes) != current:
            if current is not None:
                yield (*current, ids, weights, values)
            current, ids, weights, values = (fieldname, tbytes), [], [], []
        ids.append(docnum)
        weights.append(weight)
        values.append(vbytes)
    if current is not None:
        yield (*current, ids, weights, values)
