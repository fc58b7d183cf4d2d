"""The starlette application: the routes, the static files of the package,
and the bounds and errors every request goes through."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import AsyncIterator, Iterable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from searchkit.errors import QueryError, SearchkitError
from searchkit.serve import api, pages
from searchkit.serve import strings as fr
from searchkit.serve.params import BadRequest
from searchkit.serve.reader import IndexReader

STATIC = Path(__file__).resolve().parent / "static"
# A URL past this is refused (414) before it is read: the longest query the
# library accepts, percent-encoded, fits.
MAX_URL_BYTES = 32_768
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")
# No request leaves the page: scripts, styles and images from this server only.
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                 b"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
log = logging.getLogger("searchkit.serve")


def create_app(reader: IndexReader, allowed_hosts: Iterable[str] | None = LOOPBACK_NAMES) -> Starlette:
    """The application over ``reader``'s index. ``allowed_hosts``: the Host
    names answered (a page of another site resolving its name to 127.0.0.1
    gets nothing); None for any, when serving a network."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        reader.close()

    app = Starlette(
        routes=[*api.ROUTES, *pages.ROUTES, Mount("/static", StaticFiles(directory=STATIC), name="static")],
        exception_handlers={HTTPException: _http_error, BadRequest: _bad_request, QueryError: _bad_request,
                            SearchkitError: _index_error, Exception: _internal_error},
        lifespan=lifespan,
    )
    app.state.reader = reader
    app.add_middleware(Bounded, allowed_hosts=None if allowed_hosts is None else frozenset(allowed_hosts))
    return app


def error_response(path: str, message: str, status: int, query: str = "") -> Response:
    """One line: JSON ``{"error": ...}`` under /api/, else a page (``query`` in its form)."""
    message = " ".join(message.split())
    if path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=status)
    return pages.error_page(message, status, query)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    message = fr.NOT_FOUND if error.status_code == 404 and not request.url.path.startswith("/api/") \
        else error.detail
    return error_response(request.url.path, message, error.status_code)


async def _bad_request(request: Request, error: Exception) -> Response:
    return error_response(request.url.path, str(error), 400, request.query_params.get("q", ""))


async def _index_error(request: Request, error: Exception) -> Response:
    """The index cannot be read (damaged, removed, rebuilt by another version): 503, its one line."""
    log.warning("searchkit serve: %s", error)
    if request.url.path.startswith("/api/"):
        return error_response(request.url.path, str(error), 503)
    return error_response(request.url.path, f"{fr.UNAVAILABLE} : {error}", 503)


async def _internal_error(request: Request, error: Exception) -> Response:
    # The traceback goes to the server's log only.
    log.error("searchkit serve: %s %s", request.url.path, error, exc_info=error)
    message = "internal error; the details are in the log of searchkit serve" \
        if request.url.path.startswith("/api/") else fr.INTERNAL
    return error_response(request.url.path, message, 500)


class Bounded:
    """Read-only and bounded: GET and HEAD only, no body, a URL of at most
    MAX_URL_BYTES, a Host among ``allowed_hosts``; the security headers on every answer."""

    def __init__(self, app: ASGIApp, allowed_hosts: frozenset[str] | None) -> None:
        self.app, self.allowed_hosts = app, allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        refusal = self._refusal(scope)
        if refusal is not None:
            await error_response(scope["path"], *refusal)(scope, receive, send_secured)
            return
        await self.app(scope, receive, send_secured)

    def _refusal(self, scope: Scope) -> tuple[str, int] | None:
        headers = {name.lower(): value for name, value in scope["headers"]}
        if scope["method"] not in ("GET", "HEAD"):
            return "method not allowed: this server is read-only (GET)", 405
        if len(scope.get("raw_path") or scope["path"].encode()) + len(scope["query_string"]) > MAX_URL_BYTES:
            return f"URL over {MAX_URL_BYTES:,} bytes", 414
        if headers.get(b"content-length", b"0") not in (b"", b"0") or b"transfer-encoding" in headers:
            return "a request body is not accepted", 413
        if self.allowed_hosts is not None:
            host = headers.get(b"host", b"").decode("latin-1")
            name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            if name.lower() not in self.allowed_hosts:
                return f"host {host[:60]!r} not served: open http://127.0.0.1 instead", 400
        return None
