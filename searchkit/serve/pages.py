"""The HTML pages: the search page (a plain GET form, working without
JavaScript) and the article view."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from searchkit.serve import render
from searchkit.serve import strings as fr
from searchkit.serve.params import MAX_QUERY_CHARS, SearchParams, search_params
from searchkit.serve.reader import IndexReader

PAGE_FACETS = ("source", "author")


def _reader(request: Request) -> IndexReader:
    return request.app.state.reader


async def search_page(request: Request) -> HTMLResponse:
    params = search_params(request.query_params)
    if not params.q:
        stats = await _reader(request).stats()
        return HTMLResponse(render.document("", render.home(stats), params, home=True))
    result = await _reader(request).search(params.q, **params.search_options(peek=True), facets=PAGE_FACETS,
                                           timeline="month")
    return HTMLResponse(render.document(params.q, render.results(result, params), params))


async def article_page(request: Request) -> HTMLResponse:
    article_id = request.path_params["article_id"]
    params = search_params(request.query_params)
    found = await _reader(request).article(article_id, params.q or None)
    if found is None:
        message = fr.NO_ARTICLE.format(article_id=f"« {article_id} »")
        return HTMLResponse(render.document(fr.ERROR_TITLE, render.error(message), params), status_code=404)
    article, highlights, title_highlights = found
    return HTMLResponse(render.document(article.title or article.id,
                                        render.article_view(article, highlights, title_highlights, params), params))


def error_page(message: str, status: int, query: str = "") -> HTMLResponse:
    """A page of one line, the query asked kept in the form to be corrected."""
    params = SearchParams(q=query[:MAX_QUERY_CHARS])
    return HTMLResponse(render.document(fr.ERROR_TITLE, render.error(message), params), status_code=status)


ROUTES = [
    Route("/", search_page),
    Route("/articles/{article_id:path}", article_page),
]
