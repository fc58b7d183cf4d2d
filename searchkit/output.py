"""Rendering search results for people (terminal) and programs (JSON, TREC)."""

from __future__ import annotations

import json
import textwrap

from .articles import Article
from .search import Hit, SearchResult

BOLD = "\x1b[1m"
DIM = "\x1b[2m"
HIGHLIGHT = "\x1b[1;31m"
RESET = "\x1b[0m"
INDENT = "   "
# How hits are marked without colour (NO_COLOR, a pipe): in the text itself,
# so that what was found survives a pipe into grep or a file.
TEXT_MARKS = {"brackets": ("[[", "]]"), "stars": ("**", "**"), "none": ("", "")}


def _mark(text: str, highlights: list[tuple[int, int]], color: bool, marks: str = "brackets") -> str:
    opening, closing = (HIGHLIGHT, RESET) if color else TEXT_MARKS[marks]
    if not opening:
        return text
    out, cursor = [], 0
    for start, end in highlights:
        out.append(text[cursor:start])
        out.append(opening + text[start:end] + closing)
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def _wrap_marked(text: str, highlights: list[tuple[int, int]], width: int, color: bool, marks: str) -> str:
    """Wrap to ``width`` on the plain text, then colour: escape codes must not
    count towards line length."""
    flat = " ".join(text.split())
    # Highlight offsets are into the original text; map them onto the flattened one.
    mapping, j, in_space = [], 0, False
    for ch in text:
        mapping.append(j)
        if ch.isspace():
            if not in_space and j > 0:
                j += 1
            in_space = True
        else:
            j += 1
            in_space = False
    mapping.append(j)
    lines = textwrap.wrap(flat, width=max(20, width - len(INDENT)), break_on_hyphens=False)
    rendered, offset = [], 0
    for line in lines:
        begin = flat.index(line, offset)
        end = begin + len(line)
        local = [
            (max(mapping[s], begin) - begin, min(mapping[e], end) - begin)
            for s, e in highlights
            if mapping[s] < end and mapping[e] > begin
        ]
        rendered.append(INDENT + _mark(line, local, color, marks))
        offset = end
    return "\n".join(rendered)


def _place(hit: Hit) -> str:
    # An HTML page's passages have no line of the file to give.
    return hit.article_id if hit.line is None else f"{hit.article_id}:{hit.line}"


def hit_block(hit: Hit, width: int, color: bool, marks: str = "brackets") -> str:
    """One hit for a person at a terminal: title, where it comes from, the passage."""
    if hit.title:
        title = _mark(hit.title, hit.title_highlights, color, marks)
        title = BOLD + title.replace(RESET, RESET + BOLD) + RESET if color else title
    else:
        title = hit.article_id
    head = f"{hit.rank}. {title}"
    where = " · ".join(part for part in (hit.date, _place(hit), f"score {hit.score:.2f}") if part)
    where = f"{INDENT}{DIM + where + RESET if color else where}"
    body = _wrap_marked(hit.text, hit.highlights, width, color, marks)
    return f"{head}\n{where}\n{body}\n"


def hit_line(hit: Hit, color: bool, marks: str = "brackets") -> str:
    """One hit on one line, for grep and awk: rank, article id:line, date,
    title and passage, separated by tabs, the hits marked."""
    def flat(text: str, highlights: list[tuple[int, int]]) -> str:
        return " ".join(_mark(text, highlights, color, marks).split())

    return "\t".join([str(hit.rank), _place(hit), hit.date or "", flat(hit.title, hit.title_highlights),
                      flat(hit.text, hit.highlights)])


def render_text(result: SearchResult, width: int | None, color: bool, marks: str = "brackets") -> str:
    """Blocks for a terminal ``width`` wide, with the suggestion and the count;
    without a width (a pipe), one line per passage and nothing else: see
    ``render_notes``."""
    if width is None:
        return "\n".join(hit_line(hit, color, marks) for hit in result.hits)
    blocks = [hit_block(hit, width, color, marks) for hit in result.hits]
    if result.suggestion:
        blocks.insert(0, f"did you mean: {result.suggestion}\n")
    return "\n".join(blocks + [render_footer(result)])


def render_footer(result: SearchResult) -> str:
    count = len(result.hits)
    if not result.hits:
        return f"no match for {result.query!r} ({result.seconds * 1000:.0f} ms)"
    return f"{count} passage{'s' if count != 1 else ''} in {result.seconds * 1000:.0f} ms"


def render_notes(result: SearchResult) -> tuple[str | None, str]:
    """The suggestion line (if any) and the count, apart from piped hits."""
    return (f"did you mean: {result.suggestion}" if result.suggestion else None), render_footer(result)


def render_article(article: Article, highlights: list[tuple[int, int]], color: bool, marks: str = "brackets") -> str:
    """A whole article: a header, then its text as stored, hits marked."""
    head = [BOLD + article.title + RESET if color else article.title]
    for label, value in (("id", article.id), ("date", article.date), ("path", article.path),
                         ("url", article.url), ("source", article.source), ("author", article.author)):
        if value:
            head.append(f"{label}: {value}")
    return "\n".join(head) + "\n\n" + _mark(article.text, highlights, color, marks)


def render_json(result: SearchResult) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2)


def render_jsonl(result: SearchResult, qid: str | None = None) -> str:
    data = result.to_dict()
    if qid is not None:
        data = {"qid": qid, **data}
    return json.dumps(data, ensure_ascii=False)


# TREC columns are split on whitespace: an id holding some (a file name with
# spaces) is written with it percent-encoded, and "%" itself, so it reads back.
_TREC_ESCAPES = str.maketrans({"%": "%25", " ": "%20", "\t": "%09", "\n": "%0A", "\r": "%0D"})


def trec_id(article_id: str) -> str:
    """``article_id`` (or a query id) as one TREC column."""
    return article_id.translate(_TREC_ESCAPES) if not article_id.isalnum() else article_id


def render_trec(qid: str, ranked: list[tuple[str, float]], tag: str = "searchkit") -> str:
    """TREC run lines: ``qid Q0 article_id rank score tag``."""
    return "\n".join(
        f"{trec_id(qid)} Q0 {trec_id(article_id)} {rank} {score:.4f} {tag}"
        for rank, (article_id, score) in enumerate(ranked, start=1)
    )
