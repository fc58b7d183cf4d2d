"""The OpenAPI description of the JSON API, written by hand: starlette makes
none by itself, and its SchemaGenerator would need a YAML docstring on each
route and PyYAML. A test checks that every API route is described here."""

from __future__ import annotations

from typing import Any

from searchkit.serve.params import MAX_DEPTH, MAX_LIMIT, MAX_QUERY_CHARS, PAGE_SIZE
from searchkit.version import __version__


def _param(name: str, description: str, schema: dict[str, Any], required: bool = False,
           where: str = "query") -> dict[str, Any]:
    return {"name": name, "in": where, "required": required, "description": description, "schema": schema}


_ERROR = {"description": "One line saying what is wrong",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_OBJECT = {"content": {"application/json": {"schema": {"type": "object"}}}}
_DATE = {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "searchkit", "version": __version__,
             "description": "Search an index of French news articles (read-only)."},
    "paths": {
        "/api/search": {"get": {
            "summary": "The best passages for a query: the object of `searchkit query --format json`",
            "parameters": [
                _param("q", "The query, in searchkit's syntax", {"type": "string", "maxLength": MAX_QUERY_CHARS},
                       required=True),
                _param("since", "Only articles dated this or later", _DATE),
                _param("until", "Only articles dated this or earlier", _DATE),
                _param("sort", "relevance, or date (newest first)", {"enum": ["relevance", "date"]}),
                _param("limit", "Passages per page", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                                                      "default": PAGE_SIZE}),
                _param("page", f"Page of `limit` passages (limit × page ≤ {MAX_DEPTH})",
                       {"type": "integer", "minimum": 1, "default": 1}),
                _param("per_article", "At most this many passages of one article",
                       {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 2}),
                _param("plain", "Read the query as plain words", {"type": "boolean", "default": False}),
                _param("facets", "Count every matching article by these fields (comma-separated)",
                       {"type": "string", "example": "source,author,month"}),
                _param("timeline", "Count every matching article per period: 1 for the unit the span needs",
                       {"enum": ["1", "day", "week", "month", "year"]}),
            ],
            "responses": {"200": {"description": "query, suggestion, hits, seconds, matched, facets, timeline",
                                  **_OBJECT},
                          "400": _ERROR, "503": _ERROR},
        }},
        "/api/articles/{article_id}": {"get": {
            "summary": "One whole article: the object of `searchkit show ID --format json`",
            "parameters": [
                _param("article_id", "The article's id, percent-encoded", {"type": "string"}, required=True,
                       where="path"),
                _param("q", "A query whose words are given as highlights", {"type": "string"}),
            ],
            "responses": {"200": {"description": "Every stored field, passages and highlights", **_OBJECT},
                          "404": _ERROR, "503": _ERROR},
        }},
        "/api/stats": {"get": {
            "summary": "What the index holds: the object of `searchkit stats --format json`",
            "responses": {"200": {"description": "Counts and versions", **_OBJECT}, "503": _ERROR},
        }},
        "/api/openapi.json": {"get": {
            "summary": "This description",
            "responses": {"200": {"description": "OpenAPI 3.1", **_OBJECT}},
        }},
    },
    "components": {"schemas": {"Error": {"type": "object", "required": ["error"],
                                         "properties": {"error": {"type": "string"}}}}},
}
