"""Copies in the outputs of `searchkit query`: listed with their leader in
JSON, CSV and on a terminal, left out of TREC runs, all shown with --copies."""

import json
import random

from searchkit.cli.output import hit_block
from searchkit.search.results import Copy, Hit
from tests.copies import article, copy_of
from tests.helpers import ingested, run


def corpus():
    rng = random.Random(9)
    dispatch = article(rng, "dispatch", date="2024-03-10")
    copies = [copy_of(dispatch, rng, f"copy{n}", f"2024-03-1{n}") for n in range(1, 5)]
    for number, source in enumerate(("lemonde.fr", "20minutes.fr", "lemonde.fr", None)):
        if source is None:
            del copies[number]["source"]
        else:
            copies[number]["source"] = source
    return dispatch, [dispatch, *copies, *(article(rng, f"other{n}") for n in range(5))]


def test_json_lists_the_copies_trec_only_the_leader_and_copies_shows_them_all(tmp_path):
    dispatch, articles = corpus()
    index = ingested(tmp_path, articles)
    query = dispatch["title"]
    hits = json.loads(run("query", query, "--index", index, "--format", "json", "--per-article", "1").output)["hits"]
    members = {"dispatch", "copy1", "copy2", "copy3", "copy4"}
    leaders = [hit for hit in hits if hit["article_id"] in members]
    assert len(leaders) == 1
    assert sorted(copy["id"] for copy in leaders[0]["copies"]) == sorted(members - {leaders[0]["article_id"]})
    assert set(leaders[0]["copies"][0]) == {"id", "title", "date", "source"}
    trec = run("query", query, "--index", index, "--format", "trec").output.splitlines()
    assert len({line.split()[2] for line in trec} & members) == 1
    every = run("query", query, "--index", index, "--format", "trec", "--copies").output.splitlines()
    assert {line.split()[2] for line in every} >= members
    rows = run("query", query, "--index", index, "--format", "csv", "--per-article", "1").output.splitlines()
    assert rows[0].endswith(",copies")
    assert sum(1 for row in rows if any(member in row for member in members)) == 1


def test_a_terminal_names_where_the_copies_were_published():
    hit = Hit(rank=1, score=3.0, article_id="dispatch", title="Crue", date="2024-03-10", path="a.json",
              passage_index=0, start=0, end=5, text="Crue.", highlights=[], line=1,
              copies=[Copy("c1", "Crue", "2024-03-11", "lemonde.fr"), Copy("c2", "Crue", None, "20minutes.fr"),
                      Copy("c3", "Crue", None, "lemonde.fr"), Copy("c4", "Crue", None, None),
                      Copy("c5", "Crue", None, "ouest-france.fr")])
    assert "   + 5 copies: lemonde.fr, 20minutes.fr, c4 ...\n" in hit_block(hit, 80, color=False)
    one = Hit(**{**hit.__dict__, "copies": hit.copies[:1]})
    assert "   + 1 copy: lemonde.fr\n" in hit_block(one, 80, color=False)
    assert "copies" not in hit_block(Hit(**{**hit.__dict__, "copies": []}), 80, color=False)


def test_a_terminal_names_the_copies_once_under_an_article_of_several_passages():
    from searchkit.cli.output import render_text
    from searchkit.search.results import SearchResult

    first = Hit(rank=1, score=3.0, article_id="dispatch", title="Crue", date=None, path="a.json", passage_index=0,
                start=0, end=5, text="Crue.", highlights=[], line=1, copies=[Copy("c1", "Crue", None, "lemonde.fr")])
    second = Hit(**{**first.__dict__, "rank": 2, "passage_index": 1, "text": "Encore."})
    shown = render_text(SearchResult(query="crue", hits=[first, second]), 80, color=False)
    assert shown.count("+ 1 copy: lemonde.fr") == 1
