"""What the server must never do: run an article's markup, serve a file
outside its static folder, change the index, accept unbounded requests, or
answer with a traceback."""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
from urllib.parse import quote

import pytest

from tests.helpers import ROOT, run
from tests.serve.conftest import HOSTILE_TITLE


def _assert_shown_as_text(page: str) -> None:
    assert HOSTILE_TITLE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "onmouseover=\"alert" not in page and "onerror=alert(2)>" not in page and "<i>Dupont" not in page
    assert "<b>gras</b>" not in page
    assert 'href="javascript:' not in page


def test_a_hostile_article_is_text_in_the_results(client):
    page = client.get("/", params={"q": "zanzibarique"})
    assert page.status_code == 200
    _assert_shown_as_text(page.text)
    assert "&quot; onmouseover=&quot;alert(1)" in page.text  # the passage, as text
    assert "&lt;img src=x onerror=alert(2)&gt;" in page.text  # the source, in the meta line and the facet


def test_a_hostile_article_is_text_in_the_article_view(client):
    page = client.get("/articles/hostile.txt", params={"q": "zanzibarique"})
    assert page.status_code == 200
    _assert_shown_as_text(page.text)
    assert "javascript:alert(4)" in page.text  # shown, not linked
    assert "<mark" in page.text


def test_a_hostile_query_is_text_in_the_form_the_links_and_the_errors(client):
    query = '"><script>alert(6)</script> zanzibarique'
    for page in (client.get("/", params={"q": query}), client.get("/", params={"q": query + ' "'})):
        assert page.status_code in (200, 400)
        assert "<script>alert(6)" not in page.text
        assert "&lt;script&gt;alert(6)" in page.text or "%3Cscript%3E" in page.text


def test_every_link_of_the_results_page_leads_somewhere(client):
    page = client.get("/", params={"q": "zanzibarique Mossoul"}).text
    links = {link.replace("&amp;", "&") for link in re.findall(r'href="(/[^"]*)"', page)}
    assert any(link.startswith("/articles/dossier%2Frapport%20%232.txt") for link in links)
    for link in links:
        assert client.get(link).status_code == 200, link


@pytest.mark.parametrize("path", [
    "/static/../app.py",
    "/static/../../../setup.cfg",
    "/static/%2e%2e/app.py",
    "/static/%2E%2E/%2E%2E/%2E%2E/setup.cfg",
    "/static/..%2fapp.py",
    "/static/%2e%2e%2fapp.py",
    "/static/..%5capp.py",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/static/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/articles/../../setup.cfg",
    "/%2e%2e/%2e%2e/setup.cfg",
])
def test_no_file_outside_the_static_folder_is_served(live_server, path):
    """Sent as written (http.client normalises nothing), to uvicorn itself."""
    connection = http.client.HTTPConnection("127.0.0.1", live_server.port, timeout=10)
    connection.request("GET", path)
    answer = connection.getresponse()
    body = answer.read().decode("utf-8", "replace")
    connection.close()
    assert answer.status in (400, 404), (path, answer.status)
    assert "root:" not in body and "import " not in body and "[metadata]" not in body
    assert "Traceback" not in body


def test_the_static_files_are_served(live_server):
    connection = http.client.HTTPConnection("127.0.0.1", live_server.port, timeout=10)
    connection.request("GET", "/static/app.js")
    answer = connection.getresponse()
    assert answer.status == 200 and b"addEventListener" in answer.read()


def test_the_page_refers_to_nothing_outside_the_server(client):
    page = client.get("/", params={"q": "Mossoul"})
    assert not re.search(r'(src|href)="(https?:)?//', page.text.replace('href="https://example.org/rapport"', ""))
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_nothing_but_get_is_accepted(client, method):
    for path in ("/api/search?q=Mossoul", "/", "/api/articles/hostile.txt"):
        answer = client.request(method, path)
        assert answer.status_code == 405
    assert client.request(method, "/api/stats").json()["error"].startswith("method not allowed")


def test_a_body_and_a_huge_url_are_refused(client, live_server):
    assert client.request("GET", "/api/stats", content=b"x" * 100).status_code == 413
    connection = http.client.HTTPConnection("127.0.0.1", live_server.port, timeout=10)
    connection.request("GET", "/api/search?q=" + quote("é" * 6_000))
    answer = connection.getresponse()
    assert answer.status == 414 and list(json.loads(answer.read())) == ["error"]


def test_another_host_name_is_refused(client):
    """A site whose name resolves to 127.0.0.1 (DNS rebinding) reads nothing."""
    answer = client.get("/api/stats", headers={"host": "attacker.example:8700"})
    assert answer.status_code == 400 and "articles" not in answer.text
    assert client.get("/api/stats", headers={"host": "localhost:8700"}).status_code == 200


def test_pages_errors_are_one_line_pages(client):
    for path, status in (("/nothing", 404), ("/?q=%22unclosed", 400), ("/articles/nothing.txt", 404),
                         ("/?q=Mossoul&limit=1000", 400)):
        answer = client.get(path)
        assert answer.status_code == status, path
        assert answer.headers["content-type"].startswith("text/html")
        errors = re.findall(r'<p class="error">([^<]*)</p>', answer.text)
        assert len(errors) == 1 and "Traceback" not in answer.text


def test_serve_on_a_missing_index_is_one_line(tmp_path):
    result = run("serve", "--index", tmp_path / "none", "--port", "1")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"searchkit: error: no index at {tmp_path / 'none'}/: "
                                                  "run `searchkit ingest FOLDER` first (FOLDER: your articles)"]


def test_serve_warns_when_the_host_is_not_loopback(served_index, monkeypatch):
    import uvicorn

    from searchkit.serve import server

    listened = []
    monkeypatch.setattr(server, "listen", lambda host, port: listened.append((host, port)))
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: None)
    result = run("serve", "--index", served_index, "--host", "192.0.2.7", "--port", "8799")
    assert result.exit_code == 0, result.output
    assert "searchkit: warning: serving on 192.0.2.7: anyone on that network can read the index" in result.output
    assert listened == [("192.0.2.7", 8799)]
    quiet = run("serve", "--index", served_index)
    assert "warning" not in quiet.output and listened[-1] == ("127.0.0.1", 8700)


def test_serve_without_the_extra_says_what_to_install(served_index):
    code = ("import sys; sys.modules['starlette'] = None\n"
            "from searchkit.cli.commands import main\n"
            f"main(['serve', '--index', {str(served_index)!r}])")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip() == "searchkit: error: searchkit serve needs starlette: pip install '.[serve]' in searchkit's folder"


def test_article_links_encode_every_id(client):
    page = client.get("/", params={"q": "rapport zanzibarique"}).text
    assert f'href="/articles/{quote("dossier/rapport #2.txt", safe="")}' in page


def test_answers_are_not_held_back_by_nagle():
    """Without TCP_NODELAY on the listening socket (asyncio sets it only on
    sockets made with proto=IPPROTO_TCP), each answer on a kept-alive
    connection waited 40 ms for the client's delayed ACK of its headers."""
    import socket

    from searchkit.serve.server import listen

    listening = listen("127.0.0.1", 0)
    try:
        assert listening.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        listening.close()


def test_kept_alive_requests_answer_in_milliseconds(live_server):
    import time

    connection = http.client.HTTPConnection("127.0.0.1", live_server.port, timeout=10)
    times = []
    for _ in range(15):
        started = time.perf_counter()
        connection.request("GET", "/static/app.js")
        connection.getresponse().read()
        times.append(time.perf_counter() - started)
    connection.close()
    assert sorted(times)[len(times) // 2] < 0.030  # 0.045 s each with Nagle's delay
