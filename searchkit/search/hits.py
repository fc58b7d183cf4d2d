"""The hits of a search: the best passages of each article found, marked,
with their titles' marks and line numbers."""

from __future__ import annotations

import heapq
import itertools
from dataclasses import replace
from typing import Any, Iterator

from searchkit.analysis.french import analyze
from searchkit.analysis.phrases import exact_occurrences, word_spans
from searchkit.articles.passages import Span
from searchkit.articles.sources import HTML_EXTENSIONS
from searchkit.search.highlight import MatchSpec, PassageMatch, best_passages, find_matches, merged_marks, with_marks
from searchkit.search.results import Hit
from searchkit.search.session import SearchSession

# Articles whose stored texts a streamed search holds at a time.
CHUNK_ARTICLES = 200


def term_positions(session: SearchSession, spec: MatchSpec, docnums: list[int]
                   ) -> list[dict[str, list[int]]] | None:
    """For a query of plain terms, the positions of each term in the body
    of each article of ``docnums``, read from the session's postings (the
    fast scorer holds them already): passages are then scored without analysing text."""
    if not spec.terms or spec.phrases or spec.prefixes or not docnums:
        return None
    postings = session.postings()
    found = {term: postings.positions(term, docnums) for term in spec.terms}
    return [{term: where.get(docnum, []) for term, where in found.items()} for docnum in docnums]


def passage_hits(
    results: list[tuple[dict[str, Any], float]], spec: MatchSpec, limit: int, per_article: int, by_date: bool,
    positions: list[dict[str, list[int]]] | None = None, title_spec: MatchSpec | None = None,
) -> list[Hit]:
    """Up to ``limit`` hits from ``results`` (stored fields, article score),
    at most ``per_article`` passages of each: an article's best passage takes
    its score, its next ones from half to all of it, as their passage scores
    go. ``positions``: those of ``term_positions``, to score passages without
    analysing the text."""
    chosen = _scored_passages(results, spec, per_article, by_date, positions)
    if not by_date:
        chosen.sort(key=lambda item: -item[0])
    # Only the passages shown are marked.
    return [_hit(rank, score, results[number][0], passage, spec, title_spec)
            for rank, (score, number, passage) in enumerate(chosen[:limit], start=1)]


def streamed_hits(
    session: SearchSession, ranked: list[tuple[int, float]], spec: MatchSpec, title_spec: MatchSpec,
    limit: int | None, per_article: int, by_date: bool, chunk: int | None = None,
) -> Iterator[Hit]:
    """The hits ``passage_hits`` gives for the articles of ``ranked``
    (docnum, score), in the same order, made ``chunk`` articles at a time and
    yielded as soon as no article still to come can score above them: the
    stored texts of one chunk are held at a time, whatever the count."""
    chunk = chunk or CHUNK_ARTICLES
    # The best score of the articles from each chunk on: no passage of
    # theirs scores above it (an article's passages score at most its score).
    # By date, the articles come in their order and need no merging.
    ceilings, best = [], float("-inf")
    for start in reversed(range(0, len(ranked), chunk) if not by_date else ()):
        best = max([best, *(score for _, score in ranked[start:start + chunk])])
        ceilings.append(best)
    ceilings.reverse()
    pending: list[tuple[float, int, Hit]] = []  # a heap: (-score or 0 by date, order made, hit)
    made, rank = itertools.count(), 0
    for number, start in enumerate(range(0, len(ranked), chunk)):
        part = ranked[start:start + chunk]
        results = [(session.searcher.stored_fields(docnum), score) for docnum, score in part]
        positions = term_positions(session, spec, [docnum for docnum, _ in part])
        for score, at, passage in _scored_passages(results, spec, per_article, by_date, positions):
            hit = _hit(0, score, results[at][0], passage, spec, title_spec)
            heapq.heappush(pending, (0.0 if by_date else -score, next(made), hit))
        ceiling = ceilings[number + 1] if number + 1 < len(ceilings) else float("-inf")
        while pending and (by_date or -pending[0][0] >= ceiling):
            hit = heapq.heappop(pending)[2]
            rank += 1
            hit.rank = rank
            yield hit
            if rank == limit:
                return


def _scored_passages(
    results: list[tuple[dict[str, Any], float]], spec: MatchSpec, per_article: int, by_date: bool,
    positions: list[dict[str, list[int]]] | None,
) -> list[tuple[float, int, PassageMatch]]:
    """(score, result number, passage) of the best passages of each article
    of ``results``, in their order, unmarked."""
    chosen: list[tuple[float, int, PassageMatch]] = []
    for number, (stored, article_score) in enumerate(results):
        spans = [Span(*span) for span in stored.get("passages", [])]
        edges = stored.get("passage_positions")
        known = (positions[number], edges) if positions is not None and edges is not None \
            and len(edges) == 2 * len(spans) else None
        passages = best_passages(stored["text"], spans, spec, per_article, known, marked=False)
        best = passages[0].score or 1.0
        for passage in passages:
            if by_date:  # Whoosh gives no relevance score to date-sorted results
                score = passage.score
            elif passage.score:
                score = article_score * (0.5 + 0.5 * passage.score / best)
            else:
                score = article_score
            chosen.append((score, number, passage))
    return chosen


def _hit(rank: int, score: float, stored: dict[str, Any], passage: PassageMatch, spec: MatchSpec,
         title_spec: MatchSpec | None) -> Hit:
    """The hit of one passage of an article (its stored fields), marked."""
    body: str = stored["text"]
    start, end = passage.span
    highlights = with_marks(body, passage, spec).highlights or []
    return Hit(
        rank=rank,
        score=score,
        article_id=stored["id"],
        title=stored.get("title", ""),
        date=stored.get("date"),
        path=stored.get("path", ""),
        passage_index=passage.index,
        start=start,
        end=end,
        text=body[start:end],
        highlights=[(s - start, e - start) for s, e in highlights],
        line=_line_number(body, start, stored.get("line"), stored.get("path", "")),
        title_highlights=title_marks(stored.get("title", ""), title_spec or spec),
        author=stored.get("author"),
        source=stored.get("source"),
        url=stored.get("url"),
    )


def title_marks(title: str, spec: MatchSpec) -> list[tuple[int, int]]:
    """[start, end) offsets of what ``spec`` matches in ``title``."""
    if not title or not spec:
        return []
    exact = exact_occurrences(title, spec.exact) if spec.exact else []
    held = {number for _, _, number in exact}
    if held:
        spec = replace(spec, phrases=tuple(p for n, p in enumerate(spec.phrases) if n not in held))
    marks = [(token.start, token.end) for token in find_matches(list(analyze(title)), spec)]
    return merged_marks(marks + [span for start, end, _ in exact for span in word_spans(title, start, end)])


def _line_number(body: str, start: int, jsonl_line: int | None, path: str) -> int | None:
    # A JSON Lines article sits on one line of its file; the text extracted
    # from an HTML page has lines of its own, not the file's.
    if jsonl_line is not None:
        return jsonl_line
    if path.lower().endswith(HTML_EXTENSIONS):
        return None
    return body.count("\n", 0, start) + 1
