"""The local web page and JSON API of ``searchkit serve``: starlette routes
over one open Index, read in one worker thread. Needs the ``serve`` extra
(starlette, uvicorn); nothing below this layer imports it."""
