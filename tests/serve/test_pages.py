"""The search page over HTTP: what each link of it asks."""

from __future__ import annotations

import json
import re
import threading
from html import unescape
from urllib.parse import parse_qs, urlsplit

from searchkit import Index
from searchkit.serve.params import SearchParams
from searchkit.serve.render import hit_group
from tests.serve.conftest import LiveServer


def _links(page: str, pattern: str) -> list[str]:
    return [unescape(link) for link in re.findall(pattern, page)]


def _hit_ids(page: str) -> list[str]:
    return re.findall(r'<span class="id">([^<]*)</span>', page)


def test_pages_follow_one_another(client):
    first = client.get("/", params={"q": "Mossoul OR gouvernement OR Syrie"}).text
    assert "passages 1 à 10" in first
    (next_page,) = _links(first, r'<a rel="next" href="([^"]*)"')
    assert parse_qs(urlsplit(next_page).query)["page"] == ["2"]
    second = client.get(next_page).text
    api = client.get("/api/search", params={"q": "Mossoul OR gouvernement OR Syrie", "limit": 30}).json()
    assert 10 < len(api["hits"]) < 20  # a second page, the last
    assert f"passages 11 à {len(api['hits'])}" in second and 'rel="prev"' in second
    assert 'rel="next"' not in second
    assert _hit_ids(second)[0] == api["hits"][10]["article_id"]


def test_a_last_page_of_exactly_ten_has_no_next_link(client):
    api = client.get("/api/search", params={"q": "Mossoul OR gouvernement OR Syrie", "limit": 30}).json()
    for limit in (len(api["hits"]), len(api["hits"]) - 1):
        page = client.get("/", params={"q": "Mossoul OR gouvernement OR Syrie", "limit": limit}).text
        assert ('rel="next"' in page) == (limit < len(api["hits"]))


def test_a_corrected_word_is_a_link_to_the_corrected_query(client):
    page = client.get("/", params={"q": "Mosoul"}).text
    (link,) = _links(page, r'<p class="suggestion">[^<]*<a href="([^"]*)"')
    assert parse_qs(urlsplit(link).query)["q"] == ["Mossoul"]


def test_a_facet_link_keeps_the_query_and_adds_its_value(client):
    page = client.get("/", params={"q": "zanzibarique"}).text
    facet = page[page.index('data-facet="source"'):]
    links = _links(facet, r'<a href="(/\?[^"]*)">')
    queries = [parse_qs(urlsplit(link).query)["q"][0] for link in links]
    assert '(zanzibarique) AND source:"Le Journal"' in queries
    narrowed = client.get(links[queries.index('(zanzibarique) AND source:"Le Journal"')]).text
    assert _hit_ids(narrowed) == ["dossier/rapport #2.txt"]


def test_each_timeline_bar_asks_its_month(client):
    page = client.get("/", params={"q": "zanzibarique"}).text
    bars = dict(re.findall(r'<a href="([^"]*)" class="bar[^"]*" data-period="([^"]*)"', page))
    assert set(bars.values()) == {"2019-03", "2019-04"}
    for link, period in bars.items():
        asked = parse_qs(urlsplit(unescape(link)).query)
        assert asked["since"] == asked["until"] == [period] and asked["q"] == ["zanzibarique"]


def test_copies_of_a_story_are_listed_when_a_hit_has_them():
    hit = {"article_id": "a.txt", "title": "Titre", "title_highlights": [], "date": "2020-01-02", "source": "AFP",
           "author": None, "start": 0, "text": "Texte", "highlights": [],
           "copies": [{"id": "b <1>.txt", "title": "Titre", "date": "2020-01-02", "source": "Le Monde"},
                      {"id": "c.txt", "title": "Titre", "date": "2020-01-03", "source": "Ouest-France"}]}
    html = hit_group([hit], SearchParams(q="texte"))
    assert "+ 2 copies" in html and 'href="/articles/b%20%3C1%3E.txt"' in html and "Ouest-France" in html
    del hit["copies"]
    assert "copies" not in hit_group([hit], SearchParams(q="texte"))


def test_the_home_page_says_what_the_index_holds(client):
    page = client.get("/").text
    assert "L’index contient 43 articles" in page and 'id="q"' in page


def test_requests_during_an_ingest_all_succeed(own_index, tmp_path):
    """Clients searching while another process commits: every answer 200,
    and the articles of the commit served as soon as it is done."""
    extra = tmp_path / "extra.jsonl"
    extra.write_text("\n".join(json.dumps({"id": f"extra-{n}", "date": "2021-01-01",
                                           "text": f"Dépêche {n} sur la crue de la Vistule à Cracovie."})
                               for n in range(300)), "utf-8")
    statuses: list[int] = []
    done = threading.Event()

    def searching(port: int) -> None:
        import http.client

        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while not done.is_set():
            connection.request("GET", "/api/search?q=Vistule%20OR%20Mossoul")
            answer = connection.getresponse()
            answer.read()
            statuses.append(answer.status)

    with LiveServer(own_index) as server:
        clients = [threading.Thread(target=searching, args=(server.port,)) for _ in range(4)]
        for thread in clients:
            thread.start()
        with Index(own_index) as writer:
            writer.ingest([extra])
        done.set()
        for thread in clients:
            thread.join()
        import http.client

        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        connection.request("GET", "/api/search?q=Vistule&limit=100&per_article=1")
        found = json.loads(connection.getresponse().read())
    assert statuses and set(statuses) == {200}
    assert len(found["hits"]) == 100
