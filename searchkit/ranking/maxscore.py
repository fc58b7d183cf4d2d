"""MaxScore for the fast scorer's OR queries: the best documents without
adding every posting of the common words.

Term at a time (Turtle and Flood 1995): the terms are added from the one
with the highest possible score to the lowest. Once the highest scores the
terms left could add up to are below the score of the k-th best document so
far (a lower bound of the final k-th score, since scores only grow), no
document outside those already found can enter the best k: the terms left
are looked up in those documents only, and a document is dropped as soon as
its score with everything left could not reach the k-th. A pasted paragraph's
common words, in most documents of the index, are then a lookup in a few
hundred instead of a pass over all their postings.

The pruning is exact: the best documents and their scores, to the bit, are
those of the exhaustive sum (tests/ranking/test_maxscore.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

# The bounds are sums of highest scores, rounded otherwise than a document's
# score: they are compared with room for rounding.
_ROOM = 1e-9
# A posting looked up costs about as much as this many postings added
# (numpy's searchsorted against a scatter-add, measured at 310,000 documents).
LOOKUP_COST = 12
# Documents of the rarest terms kept to find the k-th best without a pass over all.
POOL_SIZE = 8192
# Passes over every document a query may make to count those that can still
# reach the k-th best, each only before skipping this many postings or more.
MAX_PASSES = 2
SKIPPED_POSTINGS = 20_000


@dataclass
class TermScores:
    """One query term: the documents holding it and its score in each, the
    highest of them, and its score in any sorted documents (0 where absent)."""

    ids: np.ndarray
    scores: np.ndarray
    highest: float
    score_in: Callable[[np.ndarray], np.ndarray]


def _kth_best(scores: np.ndarray, candidates: np.ndarray, k: int) -> float:
    """The k-th highest of ``scores`` at ``candidates``; 0 when there are fewer."""
    if len(candidates) < k:
        return 0.0
    values = scores[candidates]
    return float(np.partition(values, len(values) - k)[len(values) - k])


def _live_at_least(scores: np.ndarray, floor: float, live: np.ndarray | None) -> np.ndarray:
    """The live documents scoring ``floor`` or more (more than 0 for a floor of 0)."""
    found = np.flatnonzero(scores >= floor) if floor > 0 else np.flatnonzero(scores > 0)
    return found if live is None else found[live[found]]


class _Pool:
    """The live documents of the rarest terms added so far: the k-th best of
    them is a lower bound of the k-th best of all, found without a pass over
    every document."""

    def __init__(self, size: int, live: np.ndarray | None) -> None:
        self.held = np.zeros(size, dtype=bool) if live is None else ~live
        self.docs = np.zeros(0, dtype=np.int64)
        self.open = True

    def add(self, ids: np.ndarray) -> None:
        if self.open and len(self.docs) + len(ids) <= POOL_SIZE:
            new = ids[~self.held[ids]]
            self.held[new] = True
            self.docs = np.concatenate((self.docs, new))
        else:
            self.open = False  # its best documents are in it already


def best(terms: list[TermScores], size: int, limit: int, live: np.ndarray | None,
         prune: bool = True) -> list[tuple[int, float]]:
    """(docnum, score) of the best ``limit`` live documents (``live`` None:
    all are) for the sum of ``terms``, best first, ties in document order.
    Every score is summed from the term of the highest possible score to the
    lowest, pruned (``prune``) or not: the same order, so the same bits."""
    order = sorted(range(len(terms)), key=lambda i: -terms[i].highest)
    # left[j]: the highest score terms order[j:] can add; postings[j]: their postings
    left = np.cumsum([terms[i].highest for i in order][::-1])[::-1].tolist() + [0.0]
    postings = np.cumsum([len(terms[i].ids) for i in order][::-1])[::-1].tolist() + [0]
    scores = np.zeros(size, dtype=np.float64)
    pool = _Pool(size, live)
    candidates, threshold, step, passes = None, 0.0, len(order), 0 if prune else MAX_PASSES
    measured = 0  # the terms added when the threshold was last found
    for position, i in enumerate(order):
        # The k-th best has grown by at most what the terms added since can
        # give; a pass over every document pays only where many postings would be skipped.
        if passes < MAX_PASSES and left[position] < threshold + left[measured] - left[position] \
                and postings[position] >= SKIPPED_POSTINGS:
            threshold, measured = _kth_best(scores, pool.docs, limit), position
            floor = (threshold - left[position]) * (1 - _ROOM)  # the least a document can have to reach it
            if floor > 0:
                passes += 1
                reaching = int(np.count_nonzero(scores >= floor))
                if reaching * LOOKUP_COST * (len(order) - position) < postings[position]:
                    candidates, step = _live_at_least(scores, floor, live), position
                    break
        term = terms[i]
        scores[term.ids] += term.scores
        pool.add(term.ids)
    if candidates is None:
        # The k-th best of the pool is at most the k-th best of all.
        candidates = _live_at_least(scores, _kth_best(scores, pool.docs, limit) * (1 - _ROOM), live)
    for position in range(step, len(order)):
        candidates = candidates[scores[candidates] + left[position] >= threshold * (1 - _ROOM)]
        scores[candidates] += terms[order[position]].score_in(candidates)
        threshold = max(threshold, _kth_best(scores, candidates, limit))
    if len(candidates) > limit:
        candidates = candidates[scores[candidates] >= _kth_best(scores, candidates, limit)]
    ranked = np.lexsort((candidates, -scores[candidates]))[:limit]
    return [(int(candidates[i]), float(scores[candidates[i]])) for i in ranked]
