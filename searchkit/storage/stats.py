"""The counts and versions of an index, as ``searchkit stats`` prints them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from searchkit.storage.groups import CopyGroups


def index_stats(path: Path, reader: Any, info: dict[str, Any], groups: CopyGroups) -> dict[str, object]:
    """The counts of ``reader`` and of its ``groups`` of copies, the index's
    size on disk at ``path`` and the versions its record ``info`` names."""
    passages = 0
    if reader.doc_count_all():  # an index with no segment has no columns to read
        counts = reader.column_reader("passage_count")
        passages = sum(
            counts[docnum] for docnum in range(reader.doc_count_all())
            if not reader.is_deleted(docnum)
        )
    size = sum(p.stat().st_size for p in path.iterdir() if p.is_file())
    return {
        "index": str(path),
        "articles": reader.doc_count(),
        "passages": passages,
        # Removed articles' terms count until their segment is merged (searchkit optimize).
        "removed_not_merged": reader.doc_count_all() - reader.doc_count(),
        # Groups of two articles or more whose texts are near copies (searchkit.storage.minhash).
        "copy_groups": len(groups),
        "articles_in_copy_groups": sum(len(group) for group in groups.groups),
        "distinct_terms": sum(1 for _ in reader.lexicon("body")),
        "distinct_words": sum(1 for _ in reader.lexicon("words")),
        "size_bytes": size,
        "searchkit": info.get("searchkit"),
        "analyzer": info.get("analyzer"),
        "stemmer": info.get("stemmer"),
        "last_ingest": info.get("last_ingest"),
    }
