"""The record searchkit keeps beside an index (searchkit.json): the versions it
was built with, its article count and every path it was ingested from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

from searchkit.analysis.french import fingerprint, stemmer_version
from searchkit.articles.sources import INFO_FILE
from searchkit.storage import integrity
from searchkit.storage.durability import write_json
from searchkit.storage.schema import INDEX_NAME
from searchkit.version import __version__

# Bump when the schema, what is stored in it or a class it pickles changes.
FORMAT_VERSION = 8


def read_info(path: Path) -> dict[str, Any]:
    try:
        return json.loads((path / INFO_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def write_info(path: Path, ix, last_ingest: str | None = None, roots: Iterable[str] = ()) -> None:
    """Record beside the index the versions it is built with, its count and
    every path it was ingested from."""
    old = read_info(path)
    info = {
        **current_versions(),
        "searchkit": __version__,
        "last_ingest": last_ingest or old.get("last_ingest"),
        # The count of the generation it was read from: a record written
        # before a commit, or one a crash kept from coming, is not compared.
        "articles": ix.doc_count() if ix is not None else 0,
        "generation": ix.latest_generation() if ix is not None else -1,
        # Every path ever given to ingest: what --rebuild reads again.
        "roots": sorted(set(old.get("roots", [])) | set(roots)),
    }
    write_json(path / INFO_FILE, integrity.sealed_info(info))


def current_versions() -> dict[str, object]:
    """What must match between an index and the code that opens it."""
    return {"format": FORMAT_VERSION, "analyzer": fingerprint(), "stemmer": stemmer_version()}


def index_exists(path: Path) -> bool:
    """Whether ``path`` holds an index: a table of contents, looked for by
    name (opening one unpickles it)."""
    return integrity.latest_toc(path, INDEX_NAME) is not None


def holds_only_own_files(path: Path) -> bool:
    """Whether an index may be created at ``path``: it does not exist, or
    holds only hidden files and what searchkit writes before the index (an
    index whose creation was interrupted)."""
    own = {INFO_FILE, INFO_FILE + ".tmp", INDEX_NAME + "_WRITELOCK"}
    return not path.exists() or all(p.name.startswith(".") or p.name in own for p in path.iterdir())
