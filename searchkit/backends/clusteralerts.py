"""Saved searches of a cluster index: the embedded index's (searchkit.search.alerts),
kept in one document of the index's companion (searchkit.backends.companion),
so that every reader of the cluster shares them and they outlive a rebuild.
A run written over another's (two readers running them at once) is refused
in one line rather than losing what the other saw."""

from __future__ import annotations

from typing import Any, Callable, Sequence

from searchkit.backends.companion import Companion, Kept
from searchkit.errors import SearchkitError
from searchkit.search.alerts import SavedSearch, saved_data, saved_from
from searchkit.storage.groups import CopyGroups

DOCUMENT = "saved-searches"


class ClusterSavedSearches:
    """The saved searches in the companion of a cluster index."""

    def __init__(self, companion: Companion) -> None:
        self.companion = companion
        self._read: Kept | None = None

    def load(self) -> dict[str, SavedSearch]:
        self._read = self.companion.get(DOCUMENT)
        if self._read.source is None:
            return {}
        try:
            return saved_from(self._read.source)
        except (KeyError, TypeError) as error:
            raise SearchkitError(f"the saved searches in {self.companion.name!r} (document {DOCUMENT!r}) are not "
                                 f"as searchkit writes them ({error!r}): mend or delete the document") from None

    def save(self, saved: dict[str, SavedSearch]) -> None:
        self.companion.put(DOCUMENT, saved_data(saved), over=self._read)
        self._read = None


class ClusterReader:
    """A cluster index as the saved searches read it (searchkit.search.alerts.AlertReader)."""

    def __init__(self, rank_articles: Callable[..., list[tuple[str, float]]], copy_groups: Callable[[], CopyGroups],
                 stored: Callable[[Sequence[str]], list[dict[str, Any] | None]]) -> None:
        self._rank_articles = rank_articles
        self._copy_groups = copy_groups
        self._stored = stored

    def matching(self, query: str, since: str | None = None) -> list[str]:
        return [article_id for article_id, _ in self._rank_articles(query, limit=None, since=since, copies=True)]

    def copy_groups(self) -> CopyGroups:
        return self._copy_groups()

    def stored(self, article_ids: Sequence[str]) -> list[dict[str, Any] | None]:
        return self._stored(list(article_ids))
