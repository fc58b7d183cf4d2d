"""A table of metadata beside the articles: what a folder of plain text files
has no other place to say (each file's date, url, source, title, author).

A file named ``SOURCES.tsv``, ``sources.csv``, ``metadata.tsv`` or
``metadata.csv`` (any case) in a folder of articles is read as one: a header
row naming its columns, ``file`` among them, then one row per file of that
folder (a path relative to it). Its values are those of every article of the
file they name, in place of what was inferred (the first line as title, the
file's modification date). Empty cells and other columns (a licence) are
passed over.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from searchkit.articles.article import iso_date

TABLE_NAMES = ("sources.tsv", "sources.csv", "metadata.tsv", "metadata.csv")
FILE_COLUMNS = ("file", "path", "filename")
METADATA_COLUMNS = ("date", "url", "source", "title", "author")

Metadata = tuple[tuple[str, str], ...]  # (field, value) pairs: hashable, for a frozen SourceFile


def is_table(name: str) -> bool:
    return name.lower() in TABLE_NAMES


def table_in(folder: Path) -> Path | None:
    """The metadata table of ``folder``, if it holds one."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return None
    return next((folder / name for name in names if is_table(name)), None)


def read_table(table: Path) -> tuple[dict[str, Metadata], list[tuple[int | None, str, bool]]]:
    """Each named file's absolute path -> its metadata, and the problems of
    the table: (line, reason, whether only a warning) of each row that cannot
    be used. A row naming a file that is not there is a warning: the file was
    most often removed, and nothing the table gives is lost."""
    try:
        text = table.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        return {}, [(None, f"cannot read this metadata table: {getattr(error, 'strerror', None) or error}", False)]
    delimiter = "\t" if table.suffix.lower() == ".tsv" else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows:
        return {}, []
    header = [name.strip().lower() for name in rows[0]]
    file_column = next((header.index(name) for name in FILE_COLUMNS if name in header), None)
    if file_column is None:
        return {}, [(1, f"a metadata table needs a 'file' column naming each file (columns: {', '.join(header)})",
                     False)]
    columns = {name: header.index(name) for name in METADATA_COLUMNS if name in header}
    found: dict[str, Metadata] = {}
    problems: list[tuple[int | None, str, bool]] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append((line, f"{len(row)} columns, the header has {len(header)}", False))
            continue
        name = row[file_column].strip()
        path = os.path.normpath(os.path.join(table.parent, name))
        if not name or not os.path.isfile(path):
            problems.append((line, f"no file {name!r} beside this table", True))
            continue
        values = {field: row[column].strip() for field, column in columns.items() if row[column].strip()}
        if "date" in values:
            date = iso_date(values["date"])
            if date is None:
                problems.append((line, f"date {values['date']!r} cannot be read: write 2016-10-25", False))
                continue
            values["date"] = date
        found[path] = tuple(sorted(values.items()))
    return found, problems
