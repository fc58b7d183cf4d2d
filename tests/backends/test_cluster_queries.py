"""Queries on a cluster index that the embedded index answers beyond its
hits: facets and timelines (every matching article counted by the cluster's
aggregations), spelling suggestions and explanations, the same JSON as the
embedded index."""

import json

import pytest

from tests.helpers import run

COUNTED = ("matched", "facets", "timeline")


def _counts(index, *args):
    result = run("query", *args, "--facets", "month,source,author", "--format", "json", "--index", index)
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    return {name: answer[name] for name in COUNTED}


@pytest.mark.parametrize("args", [
    ("France",),
    ("président OR guerre", "--since", "2012-06", "--until", "2012-09", "--timeline-unit", "week"),
    ('"libération de Mossoul" OR (Irak AND NOT Mossoul)', "--timeline"),
])
def test_the_cluster_counts_as_the_embedded_index(seeds_cluster, seeds_index, args):
    embedded, clustered = _counts(seeds_index, *args), _counts(seeds_cluster, *args)
    assert embedded["matched"] > 0
    assert clustered == embedded


def test_a_facet_that_is_none_is_refused_in_one_line(seeds_cluster):
    result = run("query", "Algérie", "--facets", "month,colour", "--index", seeds_cluster)
    assert result.exit_code == 1 and "no facet 'colour'" in result.output


@pytest.mark.parametrize("typed, meant", [("libération de Mosoul", "libération de Mossoul"),
                                          ("Algérei indépendance", "Algérie indépendance")])
def test_a_misspelt_word_is_searched_as_the_embedded_index_would(seeds_cluster, seeds_index, typed, meant):
    answers = []
    for index in (seeds_index, seeds_cluster):
        result = run("query", typed, "--format", "json", "--index", index)
        assert result.exit_code == 0, result.output
        answer = json.loads(result.stdout)
        answers.append((answer["suggestion"], [(h["article_id"], h["highlights"]) for h in answer["hits"]]))
    assert answers[1] == answers[0]
    assert answers[1][0] == meant and answers[1][1]
    shown = run("query", typed, "--index", seeds_cluster)
    assert meant in shown.output
    streamed = run("query", typed, "--format", "jsonl", "--index", seeds_cluster)  # hits made one at a time
    assert json.loads(streamed.stdout.splitlines()[0])["suggestion"] == meant


def _explained(index, query):
    result = run("query", query, "--explain", "--limit", "3", "--format", "json", "--index", index)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["hits"]


@pytest.mark.parametrize("query", ["libération de Mossoul", "title:Mossoul OR Raqqa"])
def test_explain_gives_the_parts_of_the_embedded_index(seeds_cluster, seeds_index, query):
    embedded, clustered = _explained(seeds_index, query), _explained(seeds_cluster, query)
    assert [h["article_id"] for h in clustered] == [h["article_id"] for h in embedded]
    for mine, theirs in zip(clustered, embedded):
        explained, expected = mine["explain"], theirs["explain"]
        assert [(p["query"], p["forms"]) for p in explained["parts"]] == \
            [(p["query"], p["forms"]) for p in expected["parts"]]
        assert sorted(explained["bonuses"]) == sorted(expected["bonuses"])
        # The parts add up to the article's score (the cluster's BM25 is Lucene's for a field).
        parts = sum(p["score"] for p in explained["parts"]) + sum(explained["bonuses"].values())
        assert parts == pytest.approx(explained["score"])
        if not query.startswith("title:"):  # scored by searchkit: the embedded index's figures
            assert explained["score"] == pytest.approx(expected["score"], rel=0.01)


def test_a_phrase_as_written_ranks_first_as_on_the_embedded_index(address, tmp_path):
    filler = "Le conseil municipal a voté le budget de la commune après un long débat sur les travaux de la gare. "
    articles = [  # the phrase's stems in each; as written in the one BM25 ranks last
        {"id": "plural", "title": "Les carburants", "text": "Le prix des essences grimpe. " * 3 + filler * 2},
        {"id": "written", "title": "Budget",
         "text": filler * 4 + "Les automobilistes s'inquiètent du prix de l'essence cette semaine. " + filler * 2},
        {"id": "other", "title": "Marché", "text": "Au marché, le prix aux essences rares. " + filler * 3},
    ]
    corpus = tmp_path / "news.jsonl"
    corpus.write_text("\n".join(json.dumps(item, ensure_ascii=False) for item in articles), "utf-8")
    embedded = tmp_path / "ix"
    for index in (embedded, address):
        assert run("ingest", corpus, "--index", index).exit_code == 0
    orders = []
    for index in (embedded, address):
        for limit in ("10", "1"):
            result = run("query", "\"prix de l'essence\"", "--explain", "--limit", limit, "--format", "json",
                         "--per-article", "1", "--index", index)
            assert result.exit_code == 0, result.output
            hits = json.loads(result.stdout)["hits"]
            orders.append([(hit["article_id"], sorted(hit["explain"]["bonuses"])) for hit in hits])
    written = [("written", ["phrase as written"])]
    assert orders == [written + [("plural", []), ("other", [])], written] * 2
