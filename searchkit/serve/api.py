"""The JSON API under /api/: the objects of ``searchkit query --format json``,
``show --format json`` and ``stats --format json``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from searchkit.serve.openapi import OPENAPI
from searchkit.serve.params import facet_names, search_params, timeline_option
from searchkit.serve.reader import IndexReader


def _reader(request: Request) -> IndexReader:
    return request.app.state.reader


async def search(request: Request) -> JSONResponse:
    """``searchkit query --format json``'s object; ``page`` n keeps the hits
    past the first n-1 pages of ``limit``, ranks unchanged."""
    params = search_params(request.query_params, required=True)
    result = await _reader(request).search(
        params.q, **params.search_options(), facets=facet_names(request.query_params),
        timeline=timeline_option(request.query_params))
    data = result.to_dict()
    data["hits"] = data["hits"][params.skipped:]
    return JSONResponse(data)


async def article(request: Request) -> JSONResponse:
    """``searchkit show ID --format json``'s object; ``q`` marks its words."""
    article_id = request.path_params["article_id"]
    query = search_params(request.query_params).q
    found = await _reader(request).article(article_id, query or None)
    if found is None:
        return JSONResponse({"error": f"no article {article_id!r} in the index"}, status_code=404)
    stored, highlights, _ = found
    fields = ("id", "title", "date", "source", "author", "url", "path", "line", "text")
    return JSONResponse({**{name: getattr(stored, name) for name in fields},
                         "passages": [list(span) for span in stored.passages],
                         "highlights": [list(pair) for pair in highlights]})


async def stats(request: Request) -> JSONResponse:
    return JSONResponse(await _reader(request).stats())


async def openapi(request: Request) -> JSONResponse:
    return JSONResponse(OPENAPI)


async def not_found(request: Request) -> JSONResponse:
    return JSONResponse({"error": f"no API route {request.url.path}"}, status_code=404)


ROUTES = [
    Route("/api/search", search),
    Route("/api/articles/{article_id:path}", article),
    Route("/api/stats", stats),
    Route("/api/openapi.json", openapi),
    Route("/api/{rest:path}", not_found),
]
