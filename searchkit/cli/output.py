"""Rendering search results for people (terminal) and programs (JSON, CSV, TREC)."""

from __future__ import annotations

import json
import re
import textwrap
from typing import Callable, Iterable, Iterator

from searchkit.articles.article import Article
from searchkit.search.alerts import AlertRun
from searchkit.search.results import Copy, Explanation, Form, Hit, HitStream, SearchResult

BOLD = "\x1b[1m"
DIM = "\x1b[2m"
HIGHLIGHT = "\x1b[1;31m"
RESET = "\x1b[0m"
INDENT = "   "
# How hits are marked without colour (NO_COLOR, a pipe): in the text itself,
# so that what was found survives a pipe into grep or a file.
TEXT_MARKS = {"brackets": ("[[", "]]"), "stars": ("**", "**"), "none": ("", "")}

# What a terminal acts on instead of showing: C0 controls (ESC starts the
# sequences that set the window title, clear the screen or plant a link), DEL,
# C1 controls (U+009B is a CSI of its own) and the bidirectional overrides and
# isolates that make text read in another order than it is stored.
_CONTROLS = (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_ESCAPED = {code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" for code in _CONTROLS}
# Text laid out on lines (a passage, an article) keeps its tabs and newlines.
_ESCAPED_KEEPING_LAYOUT = {code: escape for code, escape in _ESCAPED.items() if chr(code) not in "\t\n"}
_ANY_CONTROL_RE = re.compile("[%s]" % "".join(re.escape(chr(code)) for code in _CONTROLS))
_LAYOUT_CONTROL_RE = re.compile("[%s]" % "".join(re.escape(chr(code)) for code in _ESCAPED_KEEPING_LAYOUT))
_CONTROL_RE = re.compile("[%s]" % "".join(re.escape(chr(code)) for code in _CONTROLS if code >= 0x7F))


def visible(text: str, layout: bool = False) -> str:
    """``text`` fit for a terminal: each control character (see _CONTROLS)
    written as a visible escape (``\\x1b``, ``\\u202e``), tab and newline kept
    with ``layout``. Article text, ids and file names go through it: printed
    raw, an article could drive the terminal of whoever searches it."""
    if not (_LAYOUT_CONTROL_RE if layout else _ANY_CONTROL_RE).search(text):
        return text  # most text: a scan in C, four times faster than translate
    return text.translate(_ESCAPED_KEEPING_LAYOUT if layout else _ESCAPED)


def json_text(data: object, **options: object) -> str:
    """``json.dumps`` whose strings also escape the controls that JSON lets
    through raw (DEL, C1, bidirectional overrides): the value read back is the
    text as it is, and the output cannot drive a terminal it is printed on."""
    out = json.dumps(data, ensure_ascii=False, **options)  # type: ignore[arg-type]
    # Outside strings JSON is ASCII, so every match lies inside a string.
    return _CONTROL_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", out)


def _mark(text: str, highlights: list[tuple[int, int]], color: bool, marks: str = "brackets",
          layout: bool = True) -> str:
    """``text`` made visible, its highlights coloured or marked in text: the
    offsets are into the raw text, so each piece is made visible after it is cut."""
    opening, closing = (HIGHLIGHT, RESET) if color else TEXT_MARKS[marks]
    if not opening:
        return visible(text, layout)
    out, cursor = [], 0
    for start, end in highlights:
        out.append(visible(text[cursor:start], layout))
        out.append(opening + visible(text[start:end], layout) + closing)
        cursor = end
    out.append(visible(text[cursor:], layout))
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
    article_id = visible(hit.article_id)
    return article_id if hit.line is None else f"{article_id}:{hit.line}"


def hit_block(hit: Hit, width: int, color: bool, marks: str = "brackets", copies_shown: bool = True) -> str:
    """One hit for a person at a terminal: title, where it comes from, the
    passage, and where its copies were published unless not ``copies_shown``
    (shown with the article's first passage)."""
    if hit.title:
        title = _mark(hit.title, hit.title_highlights, color, marks, layout=False)
        title = BOLD + title.replace(RESET, RESET + BOLD) + RESET if color else title
    else:
        title = visible(hit.article_id)
    head = f"{hit.rank}. {title}"
    where = " · ".join(part for part in (visible(hit.date or ""), _place(hit), f"score {hit.score:.2f}") if part)
    where = f"{INDENT}{DIM + where + RESET if color else where}"
    body = _wrap_marked(hit.text, hit.highlights, width, color, marks)
    copies = f"{INDENT}{copies_line(hit)}\n" if hit.copies and copies_shown else ""
    return f"{head}\n{where}\n{body}\n{copies}{_explanation(hit, color)}"


SOURCES_NAMED = 3  # sources of copies named on a hit's line; the rest as "..."


def copies_line(hit: Hit) -> str:
    """``+ 3 copies: lemonde.fr, 20minutes.fr ...``: where the others of the
    hit's group of copies were published (their ids when they have no source)."""
    return _copies_line(hit.copies)


def _copies_line(copies: list[Copy]) -> str:
    names = list(dict.fromkeys(visible(copy.source or copy.id) for copy in copies))
    more = " ..." if len(names) > SOURCES_NAMED else ""
    count = len(copies)
    return f"+ {count} cop{'ies' if count > 1 else 'y'}: {', '.join(names[:SOURCES_NAMED])}{more}"


def alert_lines(run: AlertRun) -> list[str]:
    """A saved search's new articles for a person: a head line, then one line
    each (date, title, id, source), its new copies under it; none when nothing is new."""
    if not run.new:
        return []
    lines = [f"{visible(run.name)}: {len(run.new)} new ({visible(run.query)})"]
    for match in run.new:
        where = " · ".join(visible(part) for part in (match.id, match.source or "") if part)
        lines.append(f"{INDENT}{visible(match.date or 'undated')}  {visible(match.title or match.id)}  [{where}]")
        if match.copies:
            lines.append(f"{INDENT * 2}{_copies_line(match.copies)}")
    return lines


def hit_line(hit: Hit, color: bool, marks: str = "brackets") -> str:
    """One hit on one line, for grep and awk: rank, article id:line, date,
    title and passage, separated by tabs, the hits marked."""
    def flat(text: str, highlights: list[tuple[int, int]]) -> str:
        return " ".join(_mark(text, highlights, color, marks).split())

    line = "\t".join([str(hit.rank), _place(hit), visible(hit.date or ""), flat(hit.title, hit.title_highlights),
                      flat(hit.text, hit.highlights)])
    return line + ("\n" + _explanation(hit, color).rstrip("\n") if hit.explain else "")


def _explanation(hit: Hit, color: bool) -> str:
    """The lines saying why the hit's article matched, when asked (--explain)."""
    if hit.explain is None:
        return ""
    return "\n".join(explanation_lines(hit.explain, color)) + "\n"


# An explanation for a person: a few indented lines under a hit.
MAX_FORMS = 6  # forms listed per query word; the rest counted


def _form(form: Form) -> str:
    count = f" ×{form.count}" if form.count > 1 else ""
    return f"{visible(form.text)}{count} ({form.how})"


def explanation_lines(explanation: Explanation, color: bool) -> list[str]:
    """The sum the article's score is, then each query word with the forms
    it found in the article and how they match it."""
    terms = [f"{visible(part.query)} {part.score:.2f}" for part in explanation.parts]
    terms += [f"{name} {value:.2f}" for name, value in explanation.bonuses.items()]
    total = " + ".join(terms)
    if explanation.scale != 1.0:
        total = f"({total}) × {explanation.scale:.2f}, found only through a spelling correction"
    lines = [f"why: {explanation.score:.2f} = {total}"]
    for part in explanation.parts:
        forms = " · ".join(_form(form) for form in part.forms[:MAX_FORMS])
        more = len(part.forms) - MAX_FORMS
        lines.append(f"  {visible(part.query)}: {forms or 'held by its field'}"
                     + (f" and {more} more" if more > 0 else ""))
    if explanation.passage != 1.0:
        lines.append(f"this passage: × {explanation.passage:.2f} of the article's score (its next best)")
    return [INDENT + (DIM + line + RESET if color else line) for line in lines]


def render_text(result: SearchResult, width: int | None, color: bool, marks: str = "brackets") -> str:
    """Blocks for a terminal ``width`` wide, with the suggestion and the count;
    without a width (a pipe), one line per passage and nothing else: see
    ``render_notes``."""
    if width is None:
        return "\n".join(hit_line(hit, color, marks) for hit in result.hits)
    blocks, shown = [], set()
    for hit in result.hits:
        blocks.append(hit_block(hit, width, color, marks, copies_shown=hit.article_id not in shown))
        shown.add(hit.article_id)
    if result.suggestion:
        blocks.insert(0, f"did you mean: {visible(result.suggestion)}\n")
    counts = render_counts(result, width)
    return "\n".join(blocks + ([counts] if counts else []) + [render_footer(result)])


# A bar's last cell, in eighths: the chart reads to an eighth of a cell.
EIGHTHS = ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")
BAR_CELLS = 50  # the longest bar, narrower on a narrow terminal
TOP_VALUES = 10  # values of a facet shown; JSON has them all
VALUE_WIDTH = 40


def bar(count: int, most: int, cells: int) -> str:
    """A bar ``cells`` long for ``most``, in eighths of a cell; never empty for a count above 0."""
    eighths = round(count / most * cells * 8) if most else 0
    eighths = max(eighths, 1 if count else 0)
    return "█" * (eighths // 8) + EIGHTHS[eighths % 8]


def _articles(count: int) -> str:
    return f"{count:,} article{'s' if count != 1 else ''}"


def render_counts(result: SearchResult, width: int | None) -> str | None:
    """The facets as short tables of their top values, and the timeline as
    a bar chart; None when none was asked for or nothing matched."""
    if not result.matched:
        return None
    blocks = []
    for name, facet in result.facets.items():
        without = f", {facet.missing:,} {'undated' if name == 'month' else 'without'}" if facet.missing else ""
        lines = [f"{name}: {_articles(result.matched)}{without}"]
        shown = [(_cut(visible(value), VALUE_WIDTH), count) for value, count in facet.counts[:TOP_VALUES]]
        column = max((len(value) for value, _ in shown), default=0)
        digits = max((len(f"{count:,}") for _, count in shown), default=1)
        lines += [f"{INDENT}{value:<{column}}  {count:>{digits},}" for value, count in shown]
        if len(facet.counts) > TOP_VALUES:
            lines.append(f"{INDENT}... {len(facet.counts) - TOP_VALUES:,} more")
        blocks.append("\n".join(lines))
    timeline = result.timeline
    if timeline is not None:
        undated = f", {timeline.undated:,} undated" if timeline.undated else ""
        lines = [f"by {timeline.unit}: {_articles(result.matched)}{undated}"]
        most = max((count for _, count in timeline.periods), default=0)
        label = max((len(period) for period, _ in timeline.periods), default=0)
        digits = len(f"{most:,}")
        cells = BAR_CELLS if width is None else max(10, min(BAR_CELLS, width - len(INDENT) - label - digits - 3))
        lines += [f"{INDENT}{period:<{label}} {count:>{digits},} {bar(count, most, cells)}".rstrip()
                  for period, count in timeline.periods]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n" if blocks else None


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def render_footer(result: SearchResult) -> str:
    count = len(result.hits)
    if not result.hits:
        return f"no match for {visible(repr(result.query))} ({result.seconds * 1000:.0f} ms)"
    return f"{count} passage{'s' if count != 1 else ''} in {result.seconds * 1000:.0f} ms"


def render_notes(result: SearchResult) -> tuple[str | None, str]:
    """The suggestion line (if any), and the count after the facets and
    timeline asked for: apart from piped hits."""
    counts = render_counts(result, None)
    footer = f"{counts}\n{render_footer(result)}" if counts else render_footer(result)
    return (f"did you mean: {visible(result.suggestion)}" if result.suggestion else None), footer


def render_article(article: Article, highlights: list[tuple[int, int]], color: bool, marks: str = "brackets") -> str:
    """A whole article: a header, then its text as stored, hits marked."""
    title = visible(article.title)
    head = [BOLD + title + RESET if color else title]
    for label, value in (("id", article.id), ("date", article.date), ("path", article.path),
                         ("url", article.url), ("source", article.source), ("author", article.author)):
        if value:
            head.append(f"{label}: {visible(value)}")
    return "\n".join(head) + "\n\n" + _mark(article.text, highlights, color, marks)


def article_json(article: Article, highlights: list[tuple[int, int]]) -> dict[str, object]:
    """What ``show --format json`` prints: every field the index stores of
    the article, its passages as [start, end) offsets into ``text``, and
    the ``highlights`` of a query, likewise."""
    fields = ("id", "title", "date", "source", "author", "url", "path", "line", "text")
    return {**{name: getattr(article, name) for name in fields},
            "passages": [list(span) for span in article.passages],
            "highlights": [list(pair) for pair in highlights]}


def render_json(result: SearchResult) -> str:
    return json_text(result.to_dict(), indent=2)


def jsonl_pieces(stream: HitStream, qid: str | None, seconds: Callable[[], float]) -> Iterator[str]:
    """The JSON Lines line of a search (``render_json``'s object on one line,
    its ``qid`` first in a batch), in pieces as the hits of ``stream`` come;
    ``seconds`` is read once they have all come."""
    head = json_text({**({"qid": qid} if qid is not None else {}), "query": stream.query,
                      "suggestion": stream.suggestion})
    yield head[:-1] + ', "hits": ['
    for number, hit in enumerate(stream):
        yield (", " if number else "") + json_text(hit.to_dict())
    # Nothing counted: the counts of --facets and --timeline need the whole result.
    yield f'], "seconds": {json_text(round(seconds(), 4))}, "matched": null, "facets": null, "timeline": null}}'


# The fields of a hit a spreadsheet has a use for, named as in JSON.
CSV_COLUMNS = ("rank", "score", "article_id", "title", "date", "source", "author", "url", "path", "line", "text",
               "copies")
COPIES_SEPARATOR = "; "  # between the ids of the copies in their CSV cell


def csv_row(hit: Hit, qid: str | None = None, marks: str = "none") -> list[object]:
    """One hit as a CSV row (a ``qid`` first in a batch). The title and the
    text are marked only when ``marks`` says so, a spreadsheet having no
    colour. CSV has no escapes: control characters are written as visible
    ones (``\\x1b``), as on a terminal, tabs and newlines kept."""
    def cell(value: str | None) -> str | None:
        return None if value is None else visible(value, layout=True)

    cells: list[object] = [hit.rank, hit.score, cell(hit.article_id), _mark(hit.title, hit.title_highlights, False, marks),
             cell(hit.date), cell(hit.source), cell(hit.author), cell(hit.url), cell(hit.path), hit.line,
             _mark(hit.text, hit.highlights, False, marks),
             cell(COPIES_SEPARATOR.join(copy.id for copy in hit.copies))]
    return cells if qid is None else [visible(qid, layout=True), *cells]


# TREC columns are split on whitespace: an id holding some (a file name with
# spaces) is written with it percent-encoded, and "%" itself, so it reads back.
# Control characters likewise, so that a run file shows no escape sequence.
_TREC_ESCAPES = str.maketrans({
    "%": "%25", " ": "%20",
    **{chr(code): "".join(f"%{byte:02X}" for byte in chr(code).encode("utf-8")) for code in _CONTROLS},
})


def trec_id(article_id: str) -> str:
    """``article_id`` (or a query id) as one TREC column."""
    return article_id.translate(_TREC_ESCAPES) if not article_id.isalnum() else article_id


def trec_lines(qid: str, ranked: Iterable[tuple[str, float]], tag: str = "searchkit") -> Iterator[str]:
    """TREC run lines: ``qid Q0 article_id rank score tag``."""
    for rank, (article_id, score) in enumerate(ranked, start=1):
        yield f"{trec_id(qid)} Q0 {trec_id(article_id)} {rank} {score:.4f} {tag}"
