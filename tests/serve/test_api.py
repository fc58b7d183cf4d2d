"""The JSON API: the objects of the CLI's JSON formats, bounded, with one-line errors."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from searchkit import Index
from tests.helpers import SEED_ID, run
from tests.serve.conftest import client_of

QUERY = "libération de Mossoul"


def _cli_json(*args):
    result = run(*args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _without_seconds(data):
    return {name: value for name, value in data.items() if name != "seconds"}


def test_search_gives_the_object_of_query_format_json(client, served_index):
    answer = client.get("/api/search", params={"q": QUERY})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    data = answer.json()
    assert data["hits"][0]["article_id"] == SEED_ID
    expected = _cli_json("query", QUERY, "--format", "json", "--index", served_index)
    assert _without_seconds(data) == _without_seconds(expected)


def test_search_options_are_those_of_the_cli(client, served_index):
    params = {"q": "gouvernement", "since": "2012-07", "until": "2012-12", "sort": "date", "limit": "5",
              "facets": "source,author,month", "timeline": "month", "per_article": "1"}
    data = client.get("/api/search", params=params).json()
    expected = _cli_json("query", "gouvernement", "--since", "2012-07", "--until", "2012-12", "--sort", "date",
                         "--limit", "5", "--facets", "source,author,month", "--timeline-unit", "month",
                         "--per-article", "1", "--format", "json", "--index", served_index)
    assert _without_seconds(data) == _without_seconds(expected)
    assert data["timeline"]["unit"] == "month" and data["matched"] >= len(data["hits"]) > 0
    assert all("2012-07" <= hit["date"] <= "2012-12-31" for hit in data["hits"])


def test_page_n_gives_the_hits_after_the_first_pages(client):
    four = client.get("/api/search", params={"q": "Mossoul OR gouvernement", "limit": 4}).json()["hits"]
    second = client.get("/api/search", params={"q": "Mossoul OR gouvernement", "limit": 2, "page": 2}).json()["hits"]
    assert len(four) == 4 and second == four[2:]


def test_an_article_gives_the_object_of_show_format_json(client, served_index):
    answer = client.get(f"/api/articles/{SEED_ID}", params={"q": QUERY})
    assert answer.status_code == 200
    expected = _cli_json("show", SEED_ID, "--query", QUERY, "--format", "json", "--index", served_index)
    assert answer.json() == expected
    assert len(expected["highlights"]) >= 4


def test_an_id_with_a_slash_a_hash_and_spaces_is_reached_encoded(client):
    article_id = "dossier/rapport #2.txt"
    answer = client.get("/api/articles/" + quote(article_id, safe=""))
    assert answer.status_code == 200 and answer.json()["id"] == article_id


def test_stats_give_the_object_of_stats_format_json(client, served_index):
    assert client.get("/api/stats").json() == _cli_json("stats", "--format", "json", "--index", served_index)


def test_every_api_route_is_in_the_openapi_description(client):
    described = client.get("/api/openapi.json").json()
    assert described["openapi"].startswith("3.")
    routes = [route.path.replace(":path}", "}") for route in client.app.routes
              if getattr(route, "path", "").startswith("/api/") and "{rest" not in route.path]
    assert len(routes) == 4
    assert sorted(routes) == sorted(described["paths"])


@pytest.mark.parametrize("params, status, words", [
    ({}, 400, "q is required"),
    ({"q": '"coalition'}, 400, "quote"),
    ({"q": "Mossoul", "limit": "101"}, 400, "limit"),
    ({"q": "Mossoul", "limit": "dix"}, 400, "limit"),
    ({"q": "Mossoul", "limit": "100", "page": "11"}, 400, "page"),
    ({"q": "Mossoul", "sort": "score"}, 400, "sort"),
    ({"q": "Mossoul", "since": "hier"}, 400, "hier"),
    ({"q": "Mossoul", "facets": "pays"}, 400, "facet"),
    ({"q": "Mossoul", "timeline": "decade"}, 400, "timeline"),
    ({"q": "mot " * 3000}, 400, "limit"),
])
def test_a_bad_request_gets_one_line_of_json(client, params, status, words):
    answer = client.get("/api/search", params=params)
    assert answer.status_code == status
    error = answer.json()["error"]
    assert words in error and "\n" not in error and "Traceback" not in answer.text


def test_a_missing_article_and_route_are_404_in_json(client):
    missing = client.get("/api/articles/nothing-here.txt")
    assert missing.status_code == 404 and "nothing-here.txt" in missing.json()["error"]
    route = client.get("/api/nothing")
    assert route.status_code == 404 and set(route.json()) == {"error"}


def test_a_commit_is_seen_by_the_next_request(own_index, tmp_path):
    """An ingest by another process (here another Index) while the server
    keeps its index open: the next request sees the new article."""
    extra = tmp_path / "new.jsonl"
    extra.write_text(json.dumps({"id": "new-1", "title": "Crue exceptionnelle de la Vistule",
                                 "text": "La Vistule déborde à Cracovie.", "date": "2020-05-02"}), "utf-8")
    with client_of(own_index) as client:
        before = client.get("/api/stats").json()["articles"]
        assert client.get("/api/search", params={"q": "Vistule"}).json()["hits"] == []
        with Index(own_index) as writer:
            writer.ingest([extra])
        hits = client.get("/api/search", params={"q": "Vistule"}).json()["hits"]
        assert [hit["article_id"] for hit in hits] == ["new-1"]
        assert client.get("/api/stats").json()["articles"] == before + 1


def test_a_damaged_index_is_one_line_and_503(own_index, tmp_path):
    """A commit whose new segment is then damaged on disk: the refreshed
    searcher finds it, and the answer says so in one line."""
    extra = tmp_path / "new.jsonl"
    extra.write_text(json.dumps({"id": "new-2", "text": "Une nouvelle ligne de tramway à Tours."}), "utf-8")
    with client_of(own_index) as client:
        assert client.get("/api/search", params={"q": "Mossoul"}).status_code == 200
        segments_before = set(own_index.iterdir())
        with Index(own_index) as writer:
            writer.ingest([extra])
        for path in set(own_index.iterdir()) - segments_before:
            if path.is_file() and path.suffix != ".toc" and path.name != "searchkit.json":
                path.write_bytes(b"\0" * path.stat().st_size)
        api = client.get("/api/search", params={"q": "tramway"})
        page = client.get("/", params={"q": "tramway"})
    assert api.status_code == 503 and "damaged" in api.json()["error"]
    assert "\n" not in api.json()["error"]
    assert page.status_code == 503 and "damaged" in page.text and "Traceback" not in page.text


def test_an_unexpected_failure_is_one_line_and_500(own_index, monkeypatch):
    from searchkit.serve.reader import IndexReader

    async def failing(self, text, **options):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(IndexReader, "search", failing)
    with client_of(own_index) as client:
        api = client.get("/api/search", params={"q": "Mossoul"})
        page = client.get("/", params={"q": "Mossoul"})
    assert api.status_code == 500 and set(api.json()) == {"error"} and "boom" not in api.text
    assert page.status_code == 500 and "boom" not in page.text and "Traceback" not in page.text
