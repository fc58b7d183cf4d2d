"""Merging a segment into the one being written: its documents' stored
fields, lengths and columns copied (its postings: searchkit.writer.merging).
"""

from __future__ import annotations

from whoosh.columns import TranslatingColumnReader


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
