"""Texts held as duplicates, indexed again when their article goes.

A file whose text an article of the index already has is counted as a
duplicate and not indexed. When that article goes (removed, pruned, its text
edited), its text must not leave the index while another file still holds
it: the paths that held each text as a duplicate are kept (beside the index,
or in a cluster's companion), and read again then. Shared by the embedded
index and the cluster, whose ingestions differ.
"""

from __future__ import annotations

import os
from typing import Callable, Iterable, Iterator

from searchkit.articles.article import Article
from searchkit.articles.sources import SourceFile, file_digest, read_source
from searchkit.ingest.ingestion import is_under, stamp_of, text_hash


def texts_to_restore(gone: Iterable[str], held_elsewhere: dict[str, set[str]], holds: Callable[[str], bool],
                     leaving: Iterable[str] = ()) -> Iterator[tuple[str, str]]:
    """(digest, path): each text gone from the index and a file that held it
    as a duplicate (none under ``leaving``), until the index ``holds`` it again."""
    leaving = [os.path.abspath(path) for path in leaving]
    for digest in sorted(gone):
        for path in sorted(held_elsewhere.get(digest, set())):
            if holds(digest):
                break
            if not is_under(path, leaving) and os.path.isfile(path):
                yield digest, path


def article_with_text(source: SourceFile, digest: str) -> tuple[Article, str] | None:
    """The article of ``source`` whose text has ``digest``, and the signature
    of its file; None when the file no longer holds that text."""
    try:
        signature = f"{stamp_of(source.path.stat())}/{file_digest(source.path)}"
    except OSError:
        return None
    for item in read_source(source):
        if isinstance(item, Article) and text_hash(item.text) == digest:
            return item, signature
    return None
