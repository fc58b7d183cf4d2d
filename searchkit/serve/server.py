"""Running the application with uvicorn on one address: ``searchkit serve``."""

from __future__ import annotations

import ipaddress
import os
import socket
import threading
import webbrowser
from typing import Callable

import uvicorn

from searchkit.serve.app import LOOPBACK_NAMES, create_app
from searchkit.serve.reader import IndexReader

# Requests handled at once; past it uvicorn answers 503 at once rather than queueing without end.
MAX_CONCURRENT = 100
# Bytes of a request's line and headers (uvicorn's h11 reads no more before answering 400).
MAX_HEAD_BYTES = 65_536


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(index_path: str | os.PathLike[str], host: str, port: int, open_browser: bool,
          say: Callable[[str], None]) -> None:
    """Open the index (its errors raised before anything listens), then serve
    it on ``host``:``port`` until Ctrl-C."""
    reader = IndexReader(index_path)
    loopback = is_loopback(host)
    app = create_app(reader, allowed_hosts=LOOPBACK_NAMES if loopback else None)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    if not loopback:
        say(f"searchkit: warning: serving on {host}: anyone on that network can read the index")
    listening = listen(host, port)
    say(f"searchkit serve: {url} (Ctrl-C to stop)")
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", server_header=False,
                            limit_concurrency=MAX_CONCURRENT, h11_max_incomplete_event_size=MAX_HEAD_BYTES,
                            proxy_headers=False)
    server = uvicorn.Server(config)
    if open_browser:
        def open_when_up() -> None:
            while not server.started and not server.should_exit:
                threading.Event().wait(0.05)
            if server.started:
                webbrowser.open(url)
        threading.Thread(target=open_when_up, daemon=True).start()
    server.run(sockets=[listening])


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so that a port in use is one line of ours."""
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    try:
        listening = socket.create_server((host.strip("[]"), port), family=family, backlog=128)
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno else str(error)
        raise OSError(f"cannot listen on {host} port {port}: {reason} (--port)") from None
    # Inherited by each connection: asyncio sets it only on sockets made with proto=IPPROTO_TCP, and
    # without it an answer's body waits for the client's delayed ACK of its headers (40 ms on Linux).
    listening.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return listening
