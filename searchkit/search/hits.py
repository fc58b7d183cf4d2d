"""The hits of a search: the best passages of each article found, marked,
with their titles' marks and line numbers."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from searchkit.analysis.french import analyze
from searchkit.analysis.phrases import exact_occurrences, word_spans
from searchkit.articles.passages import Span
from searchkit.articles.sources import HTML_EXTENSIONS
from searchkit.search.highlight import MatchSpec, PassageMatch, best_passages, find_matches, merged_marks, with_marks
from searchkit.search.results import Hit
from searchkit.search.session import SearchSession


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
    chosen: list[tuple[float, int, PassageMatch]] = []  # (score, result number, passage)
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
    if not by_date:
        chosen.sort(key=lambda item: -item[0])
    hits = []
    # Only the passages shown are marked.
    for rank, (score, number, passage) in enumerate(chosen[:limit], start=1):
        stored = results[number][0]
        body: str = stored["text"]
        start, end = passage.span
        highlights = with_marks(body, passage, spec).highlights or []
        hits.append(Hit(
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
        ))
    return hits


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
