"""An index of the seeds and of hostile articles, served by the application
in process (starlette's TestClient) and by uvicorn on a free loopback port."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from tests.helpers import SEEDS, run

# An article a page must show as text: markup in every field a page shows
# (a text file and its metadata table keep it as written; HTML in JSON fields
# is read as text at ingest).
HOSTILE_TITLE = "<script>alert(1)</script>"
HOSTILE_ATTRIBUTE = '" onmouseover="alert(1)'
HOSTILE_TEXT = f'{HOSTILE_TITLE}\nLe zanzibarique {HOSTILE_ATTRIBUTE} et <b>gras</b> & <script>alert(5)</script> fin.\n'
HOSTILE_TABLE = ("file\tdate\ttitle\tsource\tauthor\turl\n"
                 f"hostile.txt\t2019-03-04\t{HOSTILE_TITLE}\t<img src=x onerror=alert(2)>\t"
                 "Jean <i>Dupont</i>\tjavascript:alert(4)\n")
HOSTILE_ID = "hostile.txt"
# An id with a slash, a hash and spaces, that links must encode.
ODD = {"id": "dossier/rapport #2.txt", "title": "Un rapport zanzibarique rangé", "date": "2019-04-01",
       "source": "Le Journal", "url": "https://example.org/rapport",
       "text": "Un rapport zanzibarique rangé dans un dossier, au nom fait d'espaces et de signes."}


def build_index(folder: Path) -> Path:
    """The seeds and the hostile articles, ingested through the CLI."""
    hostile = folder / "hostile"
    hostile.mkdir(parents=True, exist_ok=True)
    (hostile / "hostile.txt").write_text(HOSTILE_TEXT, "utf-8")
    (hostile / "metadata.tsv").write_text(HOSTILE_TABLE, "utf-8")
    (hostile / "odd.jsonl").write_text(json.dumps(ODD, ensure_ascii=False), "utf-8")
    index = folder / "index"
    result = run("ingest", SEEDS, hostile, "--index", index)
    assert result.exit_code == 0, result.output
    return index


@pytest.fixture(scope="session")
def served_index(tmp_path_factory) -> Path:
    return build_index(tmp_path_factory.mktemp("served"))


@pytest.fixture
def own_index(tmp_path) -> Path:
    """A copy of the served index that a test may change."""
    return build_index(tmp_path / "own")


def client_of(index: Path):
    from starlette.testclient import TestClient

    from searchkit.serve.app import create_app
    from searchkit.serve.reader import IndexReader

    # Answered as on loopback; raise_server_exceptions off: errors are answered as a user sees them.
    return TestClient(create_app(IndexReader(index)), base_url="http://127.0.0.1:8700",
                      raise_server_exceptions=False)


@pytest.fixture(scope="module")
def client(served_index):
    with client_of(served_index) as client:
        yield client


class LiveServer:
    """uvicorn serving an index on a free 127.0.0.1 port, in a thread."""

    def __init__(self, index: Path) -> None:
        import uvicorn

        from searchkit.serve.app import create_app
        from searchkit.serve.reader import IndexReader
        from searchkit.serve.server import listen

        self.socket = listen("127.0.0.1", 0)
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(IndexReader(index)), log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        for _ in range(200):
            if self.server.started:
                return self
            self.thread.join(0.05)
        raise RuntimeError("uvicorn did not start in 10 s")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="session")
def live_server(served_index):
    with LiveServer(served_index) as server:
        yield server


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    from tests.serve.test_browser import SCREENSHOTS

    folder = config.stash.get(SCREENSHOTS, None)
    if folder is not None:
        terminalreporter.write_line(f"browser screenshots: {folder}")
