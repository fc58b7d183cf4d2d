"""Finding a query's matches inside an article, and scoring its passages.

Matches are found on the analysed text, so a folded or stemmed query word
marks the word as written: "liberation" marks "libération".
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace
from typing import Sequence

from searchkit.analysis.french import AnalyzedToken, find_terms, fold, index_tokens_of_spans, scan, truncated
from searchkit.articles.passages import Span, word_count
from searchkit.ranking.proximity import holds_phrase
from searchkit.analysis.phrases import exact_occurrences, word_spans

# BM25 inside a passage, as Lucene's UnifiedHighlighter scores passages.
# Not knobs of searchkit.Ranking: they choose which passages of an article are
# shown, never which articles rank where (rank_articles and the relevance
# benches do not read them); a passage's score only places an article's next
# passages among the other articles' (hits.passage_hits). Lucene's values, never
# tuned here.
K1 = 1.2
B = 0.75
AVERAGE_PASSAGE_TERMS = 45.0


@dataclass(frozen=True)
class MatchSpec:
    """What of a query is looked for in the text, and how much each term weighs."""

    terms: dict[str, float] = field(default_factory=dict)  # term -> idf, marked anywhere
    phrases: tuple[tuple[str, ...], ...] = ()  # marked only where the whole phrase stands
    prefixes: tuple[str, ...] = ()  # folded word prefixes
    weights: dict[str, float] = field(default_factory=dict)  # idf of phrase terms too
    # Truncated words (searchkit.ranking.truncation) -> weight: words of the same family
    # as a query word, which an OR of words matches too.
    families: dict[str, float] = field(default_factory=dict)
    # The words as written of each phrase of ``phrases`` (searchkit.analysis.phrases):
    # where they stand, they are marked instead of the phrase's stems.
    exact: tuple[tuple[str, ...], ...] = ()
    # The terms of each passage an OR of words quotes (« changement climatique »):
    # a passage holding them in this order counts them twice, as articles do.
    quoted: tuple[tuple[str, ...], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.terms or self.phrases or self.prefixes)


@dataclass(frozen=True)
class PassageMatch:
    index: int
    span: Span
    score: float
    highlights: list[tuple[int, int]] | None  # offsets into the article text; None: not marked yet


def find_matches(tokens: Sequence[AnalyzedToken], spec: MatchSpec) -> list[AnalyzedToken]:
    """The tokens that a query matches, in text order."""
    marked: dict[int, AnalyzedToken] = {}
    for i, token in enumerate(tokens):
        if token.term in spec.terms or (
            spec.prefixes and token.word.startswith(spec.prefixes)
        ) or (spec.families and truncated(token.word) in spec.families):
            marked[i] = token
    for phrase in spec.phrases:
        size = len(phrase)
        for i in range(len(tokens) - size + 1):
            if tokens[i].term == phrase[0] and all(
                tokens[i + k].term == phrase[k] and tokens[i + k].position == tokens[i].position + k
                for k in range(1, size)
            ):
                for k in range(size):
                    marked[i + k] = tokens[i + k]
    return [marked[i] for i in sorted(marked)]


def score_passages(text: str, spans: Sequence[Span], spec: MatchSpec) -> list[PassageMatch]:
    """Every passage of the article with its BM25 score and highlights."""
    if not spans:
        spans = [Span(0, len(text))]
    # A phrase that stands as written in the article is marked there only, and
    # counts there only: that passage is chosen over one matched by stems.
    exact = exact_occurrences(text, spec.exact) if spec.exact else []
    held = {number for _, _, number in exact}
    exact_terms = [spec.phrases[number] for number in range(len(spec.phrases))]
    if held:
        spec = replace(spec, phrases=tuple(p for n, p in enumerate(spec.phrases) if n not in held), exact=())
    phrase_terms = {term for phrase in spec.phrases for term in phrase}
    prefixes = spec.prefixes

    def wanted(term: str, word: str) -> bool:
        return term in spec.terms or term in phrase_terms or bool(prefixes and word.startswith(prefixes))

    # Only the tokens a query may match are built; phrase words stand next to
    # each other in that list exactly when their positions follow.
    starts, candidates = scan(text, wanted)
    per_passage: list[list[AnalyzedToken]] = [[] for _ in spans]
    span_starts = [span.start for span in spans]
    for token in find_matches(candidates, spec):
        index = bisect_right(span_starts, token.start) - 1
        if index >= 0 and token.end <= spans[index].end:
            per_passage[index].append(token)
    per_passage_exact: list[list[tuple[int, int, int]]] = [[] for _ in spans]
    for occurrence in exact:
        index = bisect_right(span_starts, occurrence[0]) - 1
        if index >= 0 and occurrence[1] <= spans[index].end:
            per_passage_exact[index].append(occurrence)
    weights = spec.weights or spec.terms
    results = []
    for index, (span, matched) in enumerate(zip(spans, per_passage)):
        counts: dict[str, int] = {}
        for token in matched:
            counts[token.term] = counts.get(token.term, 0) + 1
        marks = [(t.start, t.end) for t in matched]
        for start, end, number in per_passage_exact[index]:
            for term in exact_terms[number]:
                counts[term] = counts.get(term, 0) + 1
            marks.extend(word_spans(text, start, end))
        length = bisect_left(starts, span.end) - bisect_left(starts, span.start)
        results.append(PassageMatch(index, span, _bm25(counts, length, weights), merged_marks(marks)))
    return results


def merged_marks(marks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Marks in text order, a word inside an exact phrase marked once."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(marks):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _bm25(counts: dict[str, int], length: int, weights: dict[str, float]) -> float:
    norm = K1 * (1 - B + B * length / AVERAGE_PASSAGE_TERMS)
    return sum(weights.get(term, 1.0) * tf * (K1 + 1) / (tf + norm) for term, tf in counts.items())


def best_passages(
    text: str, spans: Sequence[Span], spec: MatchSpec, count: int,
    positions: tuple[dict[str, list[int]], Sequence[int]] | None = None, marked: bool = True,
) -> list[PassageMatch]:
    """Up to ``count`` best-scoring passages; scored by words of the query's
    families when none holds a query term; the lead passage when none
    matches. ``positions``: the positions of the query's plain terms in the
    indexed body, and the body positions where each passage starts and ends
    (as recorded at ingest), to score without analysing the text. Unless
    ``marked``, the passages of a query of plain terms come without their
    highlights (``highlights`` is None): ``with_marks`` adds them to the
    passages actually shown."""
    if spec.phrases or spec.prefixes:
        scored = score_passages(text, spans, spec)
    elif positions is not None and spans:
        scored = _score_by_positions(spans, spec, *positions)
    else:
        scored = score_by_terms(text, spans or [Span(0, len(text))], spec)
    matching = sorted((p for p in scored if p.score > 0), key=lambda p: (-p.score, p.index))
    if not matching and spec.families:
        # An article found through words of the same family only: the
        # positions read hold none of them, they are found in its text.
        scored = _score_by_families(text, spans or [Span(0, len(text))], spec)
        matching = sorted((p for p in scored if p.score > 0), key=lambda p: (-p.score, p.index))
    chosen = matching[:count] or scored[:1]
    return [with_marks(text, p, spec) for p in chosen] if marked else chosen


def with_marks(text: str, passage: PassageMatch, spec: MatchSpec) -> PassageMatch:
    """``passage`` with its highlights."""
    if passage.highlights is not None:
        return passage
    return PassageMatch(passage.index, passage.span, passage.score, marks_in(text, passage.span, spec))


def score_by_terms(text: str, spans: Sequence[Span], spec: MatchSpec) -> list[PassageMatch]:
    """The scores of score_passages for a query of plain terms, counted on
    each passage's terms, without highlights: most passages are not shown."""
    weights = spec.weights or spec.terms
    results = []
    for index, (span, tokens) in enumerate(zip(spans, index_tokens_of_spans(text, spans))):
        terms = [term for term, _ in tokens]
        counts = {term: found for term in spec.terms if (found := terms.count(term))}
        if spec.quoted:
            where: dict[str, list[int]] = {}
            for position, term in enumerate(terms):
                where.setdefault(term, []).append(position)
            _count_quoted(counts, spec.quoted, where, 0, len(terms))
        results.append(PassageMatch(index, span, _bm25(counts, len(terms), weights), None))
    return results


def _score_by_families(text: str, spans: Sequence[Span], spec: MatchSpec) -> list[PassageMatch]:
    """Passage scores from the words of the query's families alone, found as
    they are marked (only words that may be one are analysed); lengths in
    words, which rank the passages of one article alike."""
    counts: list[dict[str, int]] = [{} for _ in spans]
    span_starts = [span.start for span in spans]
    for start, end in find_terms(text, spans[0].start, spans[-1].end, frozenset(), frozenset(spec.families)):
        index = bisect_right(span_starts, start) - 1
        if index >= 0 and end <= spans[index].end:
            family = truncated(fold(text[start:end]))
            counts[index][family] = counts[index].get(family, 0) + 1
    return [PassageMatch(index, span, _bm25(found, word_count(text, span), spec.families), None)
            for index, (span, found) in enumerate(zip(spans, counts))]


def _score_by_positions(spans: Sequence[Span], spec: MatchSpec, positions: dict[str, list[int]],
                        edges: Sequence[int]) -> list[PassageMatch]:
    """The scores of score_by_terms, from where the terms stand."""
    weights = spec.weights or spec.terms
    results = []
    for index, span in enumerate(spans):
        start, end = edges[2 * index], edges[2 * index + 1]
        counts = {}
        for term, where in positions.items():
            found = bisect_left(where, end) - bisect_left(where, start)
            if found:
                counts[term] = found
        _count_quoted(counts, spec.quoted, positions, start, end)
        results.append(PassageMatch(index, span, _bm25(counts, end - start, weights), None))
    return results


def _count_quoted(counts: dict[str, int], quoted: Sequence[tuple[str, ...]], positions: dict[str, list[int]],
                  start: int, end: int) -> None:
    """Each term of a quoted passage held in order between positions
    ``start`` and ``end`` counted once more in ``counts``."""
    for phrase in quoted:
        inside = [[p for p in positions.get(term, ()) if start <= p < end] for term in phrase]
        if all(inside) and holds_phrase(inside):
            for term in phrase:
                counts[term] = counts.get(term, 0) + 1


def marks_in(text: str, span: Span, spec: MatchSpec) -> list[tuple[int, int]]:
    """Offsets in ``text`` of the query's plain terms, and words of their
    families, inside one passage."""
    return find_terms(text, span.start, span.end, frozenset(spec.terms), frozenset(spec.families))
