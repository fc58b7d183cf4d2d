"""``--explain`` on a cluster index: what each leaf of the query gave each
article (searchkit's own BM25 for the OR of words it scores again, else the
cluster's score of the leaf alone, which its bool queries sum) and the
reranks' bonuses, written out by the embedded index's code
(searchkit.search.explain.explained)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from whoosh import query as wq

from searchkit.backends.cluster import OpenSearchBackend
from searchkit.backends.clusterquery import to_dsl
from searchkit.backends.clusterranked import ClusterRanked
from searchkit.search.explain import explained, leaves
from searchkit.search.results import Explanation, Hit


def explain_hits(backend: OpenSearchBackend, text: str, hits: list[Hit], found: ClusterRanked,
                 results: list[tuple[dict[str, Any], float]], by_date: bool) -> None:
    """Each hit's explanation, as searchkit.search.engine._explain_hits gives it."""
    number_of = {stored["id"]: number for number, (stored, _) in enumerate(results)}
    wanted = sorted({hit.article_id for hit in hits})
    leaf_scores: dict[int, list[tuple[wq.Query, dict[str, float]]]] = {}  # by id() of the run
    done: dict[str, Explanation] = {}
    for hit in hits:
        stored, article_score = results[number_of[hit.article_id]]
        if hit.article_id not in done:
            run, scale = found.origin(hit.article_id)
            if id(run) not in leaf_scores:
                leaf_scores[id(run)] = _leaf_scores(backend, run, wanted)
            scored = [(leaf, scores.get(hit.article_id, 0.0)) for leaf, scores in leaf_scores[id(run)]]
            bonus = {name: given[hit.article_id] for name, given in run.bonuses.items() if given.get(hit.article_id)}
            done[hit.article_id] = explained(text, stored, scored, run.compiled, bonus, scale, found.corrections)
        share = hit.score / article_score if article_score and not by_date else 1.0
        hit.explain = replace(done[hit.article_id], passage=share)


def _leaf_scores(backend: OpenSearchBackend, run: ClusterRanked, article_ids: list[str]
                 ) -> list[tuple[wq.Query, dict[str, float]]]:
    """Each scoring leaf of the run's query with what it gives each of ``article_ids``."""
    found = []
    for leaf in leaves(run.compiled.query):
        if run.term_scores is not None and isinstance(leaf, wq.Term):
            found.append((leaf, run.term_scores.get(leaf.text, {})))
            continue
        alone = {"bool": {"must": [to_dsl(leaf)], "filter": [{"ids": {"values": article_ids}}]}}
        found.append((leaf, dict(backend.rank(alone, len(article_ids)))))
    return found
