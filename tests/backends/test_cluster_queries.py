"""Queries on a cluster index that the embedded index answers beyond its
hits: facets and timelines (every matching article counted by the cluster's
aggregations) and spelling suggestions, the same JSON as the embedded index."""

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
