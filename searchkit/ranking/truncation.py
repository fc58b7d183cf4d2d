"""Matching by truncated words, beside the stems.

Snowball removes inflections, not derivations: "Europe" gives "europ" and
"européenne" "europeen", "gouvernement" and "gouverneur" part too. The
``truncated`` field indexes the first letters of every word of the body (see
``searchkit.analysis.french.truncated``), with frequencies. In a query of plain words,
each word is scored as one BM25 term whose frequency in an article is that of
its stem plus ``Ranking.family_weight`` times that of the other words of its
family (those sharing its truncated word, not its stem), with the stem's idf:
an article that only shares words of the same family can be found, below
those sharing the stem, and a word is not counted twice where both match
(BM25F's way of joining fields, Robertson et al. 2004). The measured reason
is in searchkit.ranking.settings.
"""

from __future__ import annotations

from typing import Callable

from whoosh import matching
from whoosh import query as wq

TRUNCATED_FIELD = "truncated"


def joint_frequency(stem_frequency: float, family_frequency: float, family_weight: float) -> float:
    """The frequency a word is scored with: its stem's, and ``family_weight``
    for each other word of its family (the family counts the stem's words too)."""
    return stem_frequency + family_weight * max(family_frequency - stem_frequency, 0.0)


class WordWithFamily(wq.Term):
    """A stem of the ``body`` field scored with the words of its family, as
    ``joint_frequency`` counts them with ``family_weight``
    (``Ranking.family_weight``): Whoosh's side of FastScorer.top."""

    def __init__(self, fieldname: str, text: str, family: str, family_weight: float, boost: float = 1.0) -> None:
        super().__init__(fieldname, text, boost)
        self.family = family
        self.family_weight = family_weight

    def __eq__(self, other: object) -> bool:
        return bool(super().__eq__(other)) and isinstance(other, WordWithFamily) \
            and (self.family, self.family_weight) == (other.family, other.family_weight)

    def __hash__(self) -> int:
        return super().__hash__() ^ hash((self.family, self.family_weight))

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}({self.fieldname!r}, {self.text!r}, family={self.family!r}, "
                f"family_weight={self.family_weight!r})")

    def matcher(self, searcher, context=None):
        if not searcher.is_atomic():
            children = [(self.matcher(leaf, context), offset) for leaf, offset in searcher.leaf_searchers()]
            children = [(m, offset) for m, offset in children if m.is_active()]
            if not children:
                return matching.NullMatcher()
            return matching.MultiMatcher([m for m, _ in children], [offset for _, offset in children])
        reader = searcher.reader()
        stems = _raw_postings(reader, self.fieldname, self.text)
        family = _raw_postings(reader, TRUNCATED_FIELD, self.family)
        if not (stems.is_active() or family.is_active()):
            return matching.NullMatcher()
        # Global statistics, from the searcher of the whole index.
        top = searcher.get_parent()
        weighting = context.weighting if context is not None and context.weighting else top.weighting
        idf = top.idf(self.fieldname, self.text)
        average = top.avg_field_length(self.fieldname) or 1
        k1, b, boost, field = weighting.K1, weighting.B, self.boost, self.fieldname

        def score(docnum: int, frequency: float) -> float:
            length = searcher.doc_field_length(docnum, field, 1)
            return boost * idf * frequency * (k1 + 1) / (frequency + k1 * (1 - b + b * length / average))

        # BM25's saturation bounds the score: what Whoosh's pruning needs.
        return _FamilyMatcher(stems, family, self.family_weight, score, boost * idf * (k1 + 1))


def _raw_postings(reader, field: str, text: str) -> matching.Matcher:
    """The postings of a term with their frequencies as weights, unscored."""
    if (field, text) not in reader:
        return matching.NullMatcher()
    return reader.postings(field, text)


class _FamilyMatcher(matching.UnionMatcher):
    """The documents holding a stem or a word of its family, scored on
    ``joint_frequency``."""

    def __init__(self, stems: matching.Matcher, family: matching.Matcher, family_weight: float,
                 score: Callable[[int, float], float], bound: float) -> None:
        super().__init__(stems, family)
        self._family_weight = family_weight
        self._score = score
        self._bound = bound

    def score(self) -> float:
        docnum = self.id()
        stems, family = self.a, self.b
        frequency = stems.weight() if stems.is_active() and stems.id() == docnum else 0.0
        family_frequency = family.weight() if family.is_active() and family.id() == docnum else 0.0
        return self._score(docnum, joint_frequency(frequency, family_frequency, self._family_weight))

    def supports_block_quality(self) -> bool:
        return False  # no bound on the joint score is kept per block

    def max_quality(self) -> float:
        return self._bound

    def replace(self, minquality=0):
        # A union replaces itself by a child alone when the other is spent:
        # this one keeps scoring both.
        if not self.is_active():
            return matching.NullMatcher()
        self._id = None
        return self

    def copy(self) -> "_FamilyMatcher":
        return _FamilyMatcher(self.a.copy(), self.b.copy(), self._family_weight, self._score, self._bound)
