"""Finding the files an ingest reads: each once, with its metadata table row;
what is not read (other formats, pipes, links out of the paths) counted."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable

from searchkit.articles.metatable import Metadata, is_table, read_table, table_in
from searchkit.articles.sources import (NOT_AN_ARTICLE_FORMAT, Notice, Passed, Problem, SourceFile, display_path,
                                       find_files)
from searchkit.ingest.report import NOT_A_FILE, OUTSIDE_LINK, IngestReport


def find_sources(paths: Iterable[str | os.PathLike[str]], follow_links: bool, report: IngestReport,
                 on_problem: Callable[[Problem], None]) -> list[SourceFile]:
    """The files to read under ``paths``, each once, with its row of its
    folder's metadata table; the others counted in ``report`` as skipped."""
    sources = []
    found_paths: set[str] = set()
    tables: dict[str, dict[str, Metadata]] = {}  # folder -> its table's rows
    for found in find_files(paths, follow_links):
        if isinstance(found, Problem):
            on_problem(found)
        elif isinstance(found, Passed):
            report.skipped += 1
            report.outside_links += found.outside_link
            report.skipped_files.append((display_path(found.path),
                                         OUTSIDE_LINK if found.outside_link else NOT_A_FILE))
        elif str(found.path) in found_paths:
            continue  # under two of the paths given (a folder and a file in it)
        elif found.reader is None:
            if not is_table(found.path.name):
                report.skipped += 1
                report.skipped_files.append((display_path(found.path), NOT_AN_ARTICLE_FORMAT))
        else:
            found_paths.add(str(found.path))
            folder = str(found.path.parent)
            if folder not in tables:
                tables[folder] = _table(found.path.parent, on_problem)
            metadata = tables[folder].get(str(found.path))
            sources.append(replace(found, metadata=metadata) if metadata else found)
    return sources


def _table(folder: Path, on_problem: Callable[[Problem], None]) -> dict[str, Metadata]:
    """The rows of ``folder``'s metadata table; its bad rows are problems."""
    table = table_in(folder)
    if table is None:
        return {}
    rows, problems = read_table(table)
    for line, reason, warning in problems:
        on_problem((Notice if warning else Problem)(display_path(table), reason, line))
    return rows
