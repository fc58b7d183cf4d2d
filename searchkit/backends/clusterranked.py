"""The best articles of one query on a cluster, and what ranked them: what
the search and its explanation share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from searchkit.search.compiling import CompiledQuery


@dataclass
class ClusterRanked:
    compiled: CompiledQuery
    ranked: list[tuple[str, float]]
    stored: dict[str, dict[str, Any]]
    corrections: dict[str, str] = field(default_factory=dict)
    # Explained: what each term gave each article, when searchkit scored them,
    # each rerank's bonus, and the run (with its scale) an article was found by.
    term_scores: dict[str, dict[str, float]] | None = None
    bonuses: dict[str, dict[str, float]] = field(default_factory=dict)
    origins: dict[str, tuple["ClusterRanked", float]] = field(default_factory=dict)

    def origin(self, article_id: str) -> tuple["ClusterRanked", float]:
        return self.origins.get(article_id, (self, 1.0))
