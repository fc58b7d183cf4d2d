"""The HTML of the page, built as text: every value that comes from an
article, a query or the index goes through ``esc`` (or ``marked``, which
escapes each piece it cuts), so that a title ``<script>`` shows as text."""

from __future__ import annotations

import html
from typing import Any, Iterable
from urllib.parse import quote, urlsplit

from searchkit.articles.article import Article
from searchkit.search.results import SearchResult
from searchkit.serve import strings as fr
from searchkit.serve.params import SearchParams, with_filter

# Beyond this many months the timeline is drawn by year: bars stay clickable on a phone.
MAX_MONTH_BARS = 72
FACET_VALUES = 10  # values of a facet shown
MIN_BAR_SLOTS = 24  # the timeline is at least this many bars wide


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def marked(text: str, highlights: Iterable[Iterable[int]], first_id: str | None = None) -> str:
    """``text`` escaped, its [start, end) ``highlights`` in <mark>; the first
    mark gets the id ``first_id`` (a link to it)."""
    out, cursor = [], 0
    for number, (start, end) in enumerate(highlights):
        if start < cursor:  # overlapping marks: the text is shown once
            continue
        out.append(esc(text[cursor:start]))
        anchor = f' id="{esc(first_id)}"' if first_id and number == 0 else ""
        out.append(f"<mark{anchor}>{esc(text[start:end])}</mark>")
        cursor = end
    out.append(esc(text[cursor:]))
    return "".join(out)


def article_path(article_id: str) -> str:
    return "/articles/" + quote(article_id, safe="")


def document(title: str, body: str, params: SearchParams, home: bool = False) -> str:
    """A whole page: the search form on top, then ``body``."""
    page_title = f"{esc(title)} · {fr.TITLE}" if title else fr.TITLE
    return (
        '<!doctype html>\n<html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{page_title}</title><link rel="stylesheet" href="/static/app.css">'
        '<script src="/static/app.js" defer></script></head>\n<body>'
        f'<header><a class="brand" href="/">{fr.TITLE}</a>{search_form(params, home)}</header>\n'
        f'<main>{body}</main></body></html>\n'
    )


def search_form(params: SearchParams, home: bool = False) -> str:
    sorts = "".join(f'<option value="{value}"{" selected" if value == params.sort else ""}>{esc(label)}</option>'
                    for value, label in fr.SORT_CHOICES.items())
    syntax = "".join(f"<tr><td><code>{esc(example)}</code></td><td>{esc(meaning)}</td></tr>"
                     for example, meaning in fr.SYNTAX)
    return (
        '<form class="search" role="search" action="/" method="get">'
        f'<label class="visually-hidden" for="q">{fr.SEARCH_LABEL}</label>'
        f'<input id="q" name="q" type="search" value="{esc(params.q)}" placeholder="{esc(fr.SEARCH_PLACEHOLDER)}"'
        f' autocomplete="off" enterkeyhint="search"{" autofocus" if home else ""}>'
        f'<button type="submit">{fr.SEARCH_BUTTON}</button>'
        '<div class="options">'
        f'<label>{fr.SINCE} <input name="since" value="{esc(params.since)}" size="10" '
        f'placeholder="{fr.DATE_PLACEHOLDER}" title="{esc(fr.DATE_HINT)}"></label>'
        f'<label>{fr.UNTIL} <input name="until" value="{esc(params.until)}" size="10" '
        f'placeholder="{fr.DATE_PLACEHOLDER}" title="{esc(fr.DATE_HINT)}"></label>'
        f'<label>{fr.SORT} <select name="sort">{sorts}</select></label>'
        '</div>'
        f'<details class="syntax"><summary>{fr.SYNTAX_SUMMARY}</summary><table>{syntax}</table>'
        f'<p>{esc(fr.KEYS_HINT)}</p></details>'
        '</form>'
    )


def home(stats: dict[str, object]) -> str:
    holds = fr.INDEX_HOLDS.format(articles=_number(stats.get("articles")), passages=_number(stats.get("passages")))
    return f'<p class="summary">{esc(holds)}</p>'


def _number(value: object) -> str:
    # French groups thousands with a narrow no-break space.
    return f"{value:,}".replace(",", "\u202f") if isinstance(value, int) else "?"


def results(result: SearchResult, params: SearchParams) -> str:
    """The results of one page: the count, the timeline, the facets, the hits
    grouped by article, the links to other pages."""
    hits = [hit.to_dict() for hit in result.hits[params.skipped:params.skipped + params.limit]]
    parts = []
    if result.suggestion:
        parts.append(f'<p class="suggestion">{fr.DID_YOU_MEAN} '
                     f'<a href="{esc(params.url(q=result.suggestion, page=1))}">{esc(result.suggestion)}</a></p>')
    parts.append(_summary(result, params, hits))
    parts.append(_period(params))
    if result.timeline is not None and result.timeline.periods:
        parts.append(timeline(result.timeline.periods, params, result.timeline.undated))
    side = "".join(facet(name, counts.counts, counts.missing, params) for name, counts in result.facets.items()
                   if counts.counts)
    listing = "".join(hit_group(group, params) for group in _by_article(hits))
    parts.append(f'<div class="layout{"" if side else " alone"}"><ol class="hits">{listing}</ol>'
                 f'{f"<aside class=side>{side}</aside>" if side else ""}</div>')
    parts.append(pager(params, more=len(result.hits) > params.page * params.limit))
    return "".join(parts)


def _summary(result: SearchResult, params: SearchParams, hits: list[dict[str, Any]]) -> str:
    if not result.hits:
        return f'<p class="summary empty">{fr.NO_MATCH} « {esc(params.q)} ».</p>'
    matched = result.matched
    count = fr.MATCHED_ONE if matched == 1 else fr.MATCHED.format(count=_number(matched))
    shown = fr.SHOWN.format(first=params.skipped + 1, last=params.skipped + len(hits)) if hits else ""
    took = fr.SECONDS.format(ms=round(result.seconds * 1000))
    return f'<p class="summary">{esc(" · ".join(part for part in (count, shown, took) if part))}</p>'


def _period(params: SearchParams) -> str:
    if not (params.since or params.until):
        return ""
    period = fr.PERIOD.format(since=params.since or "…", until=params.until or "…")
    return (f'<p class="period">{esc(period)} '
            f'<a href="{esc(params.url(since="", until="", page=1))}">{fr.CLEAR}</a></p>')


def _by_article(hits: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The passages of a page, those of one article together, in the order of its best."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for hit in hits:
        groups.setdefault(hit["article_id"], []).append(hit)
    return list(groups.values())


def hit_group(hits: list[dict[str, Any]], params: SearchParams) -> str:
    """One article of the results: its title, where it comes from, its passages."""
    first = hits[0]
    title = marked(first["title"], first["title_highlights"]) if first["title"] else esc(first["article_id"])
    link = params.url(article_path(first["article_id"]), page=params.page)
    meta = " · ".join(esc(value) for value in (first["date"], first["source"], first["author"]) if value)
    passages = "".join(
        f'<p class="passage">{"… " if hit["start"] > 0 else ""}{marked(hit["text"], hit["highlights"])}</p>'
        for hit in hits)
    return (f'<li class="hit"><h2><a class="hit-link" href="{esc(link)}">{title}</a></h2>'
            f'<p class="meta">{meta}{" · " if meta else ""}<span class="id">{esc(first["article_id"])}</span></p>'
            f'{passages}{copies(first.get("copies"))}</li>')


def copies(found: object) -> str:
    """The other copies of a wire story, where the index groups them."""
    if not isinstance(found, list) or not found:
        return ""
    label = fr.COPY_ONE if len(found) == 1 else fr.COPIES.format(count=len(found))
    def item(copy: dict[str, Any]) -> str:
        where = " · ".join(str(value) for value in (copy.get("date"), copy.get("source")) if value)
        return (f'<li><a href="{esc(article_path(str(copy.get("id", ""))))}">{esc(copy.get("title") or copy.get("id"))}'
                f'</a> <span class="meta">{esc(where)}</span></li>')

    items = "".join(item(copy) for copy in found if isinstance(copy, dict))
    return f'<details class="copies"><summary>{esc(label)}</summary><ul>{items}</ul></details>'


def timeline(periods: list[tuple[str, int]], params: SearchParams, undated: int = 0) -> str:
    """A bar per month (per year past MAX_MONTH_BARS months), each a link
    keeping the search to its period; drawn in SVG, sized by attributes."""
    heading = fr.TIMELINE
    if len(periods) > MAX_MONTH_BARS:
        years: dict[str, int] = {}
        for period, count in periods:
            years[period[:4]] = years.get(period[:4], 0) + count
        periods, heading = list(years.items()), fr.TIMELINE_YEARS
    most = max(count for _, count in periods) or 1
    # A few periods are drawn as narrow bars in the middle, not as wide blocks.
    slots = max(len(periods), MIN_BAR_SLOTS)
    offset = (slots - len(periods)) // 2
    bars = []
    for number, (period, count) in enumerate(periods, start=offset):
        if not count:
            continue
        height = max(3.0, count / most * 96)
        label = f"{period} : {fr.ARTICLE_ONE if count == 1 else fr.ARTICLES.format(count=_number(count))}"
        chosen = " on" if params.since == period and params.until == period else ""
        bars.append(
            f'<a href="{esc(params.url(since=period, until=period, page=1))}" class="bar{chosen}" '
            f'data-period="{esc(period)}" aria-label="{esc(label)}"><title>{esc(label)}</title>'
            f'<rect class="hitbox" x="{number * 10}" y="0" width="10" height="100"/>'
            f'<rect x="{number * 10 + 1}" y="{100 - height:.1f}" width="8" height="{height:.1f}"/></a>')
    return (f'<section class="timeline"><h3>{heading}</h3>'
            f'<svg viewBox="0 0 {slots * 10} 100" preserveAspectRatio="none" role="img" '
            f'aria-label="{esc(heading)}">{"".join(bars)}</svg>'
            f'<p class="ends"><span>{esc(periods[0][0])}</span><span>{esc(fr.TIMELINE_HINT)}</span>'
            f'<span>{esc(periods[-1][0])}</span></p>'
            f'{f"<p class=meta>{esc(fr.UNDATED.format(count=_number(undated)))}</p>" if undated else ""}</section>')


def facet(name: str, counts: list[tuple[str, int]], missing: int, params: SearchParams) -> str:
    """A facet's most frequent values, each a link keeping the search to it."""
    items = "".join(
        f'<li><a href="{esc(params.url(q=with_filter(params.q, name, value), page=1))}">{esc(value)}</a>'
        f' <span class="count">{_number(count)}</span></li>'
        for value, count in counts[:FACET_VALUES])
    said = fr.WITHOUT_VALUE.get(name, "{count}").format(count=_number(missing))
    without = f'<p class="meta">{esc(said)}</p>' if missing else ""
    return (f'<section class="facet" data-facet="{esc(name)}"><h3>{esc(fr.FACETS.get(name, name))}</h3>'
            f'<ul>{items}</ul>{without}</section>')


def pager(params: SearchParams, more: bool) -> str:
    links = []
    if params.page > 1:
        links.append(f'<a rel="prev" href="{esc(params.url(page=params.page - 1))}">{fr.PREVIOUS}</a>')
    if params.page > 1 or more:
        links.append(f'<span>{fr.PAGE.format(page=params.page)}</span>')
    if more:
        links.append(f'<a rel="next" href="{esc(params.url(page=params.page + 1))}">{fr.NEXT}</a>')
    return f'<nav class="pager">{"".join(links)}</nav>' if links else ""


def article_view(article: Article, highlights: list[tuple[int, int]], title_highlights: list[tuple[int, int]],
                 params: SearchParams) -> str:
    """The whole stored text of an article, every hit of the query marked."""
    back = (f'<a href="{esc(params.url("/"))}">{fr.BACK}</a>' if params.q
            else f'<a href="/">{fr.NEW_SEARCH}</a>')
    rows = [(fr.DATE, esc(article.date or "")), (fr.SOURCE, esc(article.source or "")),
            (fr.AUTHOR, esc(article.author or "")), (fr.URL, _link(article.url)),
            (fr.FILE, esc(article.path)), (fr.ARTICLE_ID, esc(article.id))]
    meta = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in rows if value)
    count = ""
    if params.q:
        said = fr.HIT_IN_ARTICLE_ONE if len(highlights) == 1 else fr.HITS_IN_ARTICLE.format(count=len(highlights))
        jump = f' · <a href="#m1">{fr.FIRST_HIT}</a>' if highlights else ""
        count = f'<p class="summary">{esc(said)}{jump}</p>'
    title = marked(article.title, title_highlights) if article.title else esc(article.id)
    return (f'<p class="back">{back}</p><article class="full"><h1>{title}</h1><dl class="meta">{meta}</dl>'
            f'{count}<div class="text">{marked(article.text, highlights, first_id="m1")}</div></article>')


def _link(url: str | None) -> str:
    """A link for a web address; any other (javascript:, data:) is shown as text only."""
    if not url:
        return ""
    if urlsplit(url).scheme.lower() in ("http", "https"):
        return f'<a href="{esc(url)}" rel="noopener noreferrer">{esc(url)}</a>'
    return esc(url)


def error(message: str) -> str:
    return f'<p class="error">{esc(message)}</p>'
