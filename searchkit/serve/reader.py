"""The one Index the server keeps open, read in one worker thread.

A Whoosh searcher and searchkit's search session hold caches that are not
thread-safe, so every read of the index runs in the same single thread, one
after the other: a search takes milliseconds, and the event loop keeps taking
requests meanwhile. The index refreshes its searcher when an ingest or
``watch`` commits (searchkit.storage.opened), so the next request sees the new
articles without the index being reopened.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, Callable, TypeVar

from searchkit.articles.article import Article
from searchkit.index import Index
from searchkit.search.results import SearchResult

T = TypeVar("T")


class IndexReader:
    """The index at ``path``, opened now (a missing or damaged index raises
    its SearchkitError before the server starts), read one call at a time."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.index = Index(path, create=False)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="searchkit-index")

    async def _run(self, operation: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._thread, operation)

    def close(self) -> None:
        self._thread.shutdown(wait=True)
        self.index.close()

    async def search(self, text: str, **options: Any) -> SearchResult:
        return await self._run(lambda: self.index.search(text, **options))

    async def article(self, article_id: str, query: str | None) -> tuple[Article, list[tuple[int, int]],
                                                                        list[tuple[int, int]]] | None:
        """The article, and the highlights of ``query`` in its text and in its title."""
        def read() -> tuple[Article, list[tuple[int, int]], list[tuple[int, int]]] | None:
            article = self.index.get(article_id)
            if article is None:
                return None
            if not query:
                return article, [], []
            title = replace(article, text=article.title, passages=[])
            return article, self.index.highlights(article, query), self.index.highlights(title, query)

        return await self._run(read)

    async def stats(self) -> dict[str, object]:
        return await self._run(self.index.stats)
