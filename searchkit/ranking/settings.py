"""Every knob of the ranking of articles, in one settings object.

An ``Index`` holds one ``Ranking`` (``Index(path, ranking=...)``, by default
``Ranking()``, the ranking as shipped) and passes it down to what reads it:
the Whoosh searcher's weighting, the fast scorer, the query compiler, the
reranks and the ingest. Nothing reads a knob from a module global, so a
bench or a test that tries another value opens the index with another
``Ranking`` (``dataclasses.replace(Ranking(), family_weight=0.0)``).

The values are those kept by the relevance sets (bench/relevance.py) and
checked on queries they were not tuned on (bench/heldout.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from whoosh import scoring


@dataclass(frozen=True)
class Ranking:
    """How articles are scored for a query, and reranked after."""

    # BM25's term-frequency saturation, for the articles' scores and the proximity bonus.
    k1: float = 0.9
    # BM25's length normalisation (0: none, 1: whole), over the body's length.
    b: float = 0.75
    # How many times an article's title stands in its body (BM25F's field weight):
    # applied at INGEST, not at query time, so the index is built with it and an
    # index must be ingested and searched with the same value (another one needs a
    # rebuild). Scoring title and text as two fields and adding the scores ranked
    # worse on every relevance set (see storage.documents.indexed_body).
    title_weight: int = 2
    # In an OR of words, a word typed with a capital initial (most often a name:
    # "Pérou", "SNCF") weighs this many times the others: it raised MRR@10 on the
    # news titles and the questions (bench/relevance.py). 1 turns it off.
    capital_weight: float = 1.2
    # An occurrence of a word of the same family (same first letters, not the same
    # stem: "européennes" for "Europe") counts this fraction of one of the stem,
    # in one BM25 term with the stem's idf (ranking.truncation); on the three
    # relevance sets this ranked better than a separate BM25 score of the
    # truncated field. 0 turns family matching off.
    family_weight: float = 0.3
    # A query word held as typed (accents and case aside) adds this times its idf
    # in the ``words`` field (ranking.exactwords): it raised MRR@10 on each of
    # the three relevance sets.
    exact_word_weight: float = 0.3
    # BM25TP proximity (ranking.proximity): two different query terms at most this
    # many positions apart add 1/distance² to each one's proximity frequency.
    proximity_window: int = 5
    # The saturated proximity score is added with this weight: it raised MRR@10
    # on the three relevance sets (news titles, questions, keyphrases); Whoosh
    # phrase queries instead hurt the news titles and took three times as long.
    proximity_weight: float = 0.5
    # Of a longer query (a pasted paragraph), proximity counts the pairs of this
    # many of its rarest terms: the common words of forty left a sample of 1,000
    # abstracts as well ranked (MRR@10 +0.003 ±0.003, bench/heldout.py) while their
    # positions were most of the time of such a query.
    proximity_terms: int = 12
    # How many of the best articles the reranks re-sort (proximity, words as typed,
    # quoted passages, phrases as written): BM25 is asked for at least this many,
    # so that a close match just below the limit can rise.
    rerank_depth: int = 50
    # A passage a query of words quotes, held in that order, adds this times the
    # idf of its words, as if they counted twice: it raised MRR@10 on the news
    # titles (a fifth of them quote) and on other headlines and abstracts
    # (bench/heldout.py); from 0.6 to 1.5 times, the same.
    quoted_weight: float = 1.0

    def weighting(self) -> scoring.BM25F:
        """Whoosh's weighting for this ranking, for the index's searcher."""
        return scoring.BM25F(B=self.b, K1=self.k1)

    def length_norm(self, length: Any, average_length: float) -> Any:
        """BM25's length norm K of a body of ``length`` terms (a number, or a
        numpy array of them: the fast scorer computes every document's at once)."""
        return self.k1 * ((1 - self.b) + self.b * length / average_length)
