"""The files that hold a text the index holds under another article.

An article whose text another article of the index already has is not
indexed again (it counts as a duplicate). When that other article goes (its
file removed or pruned, its text edited), the text must not go with it while
a file still holds it: the paths that held each text as a duplicate are kept
beside the index, and read again then. The file is a hint: a path that no
longer holds the text gives nothing, and a file lost only means the texts are
found again at the next ingest of their folder.
"""

from __future__ import annotations

import json
from pathlib import Path

from searchkit.storage.durability import write_json

DUPLICATES_FILE = "duplicates.json"


def read_duplicates(folder: Path) -> dict[str, set[str]]:
    """The paths that held each text (by its digest) as a duplicate."""
    try:
        entries = json.loads((folder / DUPLICATES_FILE).read_text("utf-8"))
        return {digest: set(paths) for digest, paths in entries.items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def write_duplicates(folder: Path, entries: dict[str, set[str]]) -> None:
    write_json(folder / DUPLICATES_FILE, {digest: sorted(paths) for digest, paths in sorted(entries.items()) if paths})
