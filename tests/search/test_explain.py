"""Why an article matched: each kind of match named, and the parts of the
explanation adding up to the score shown."""

import json

import pytest

from searchkit import Index
from tests.helpers import SEED_ID, ingested, run

ARTICLES = [
    {"id": "europe", "date": "2019-05-20", "title": "Les élections européennes",
     "text": "L’Europe vote. Avant l’élection, les ELECTIONS de mai mobilisent 30 000 militants ; "
             "l'Europe compte ses électeurs. Une election sans accent dans un tract."},
    {"id": "mossoul", "date": "2016-10-25", "title": "Mossoul",
     "text": "La libération de Mossoul avance. La coalition internationale frappe. Libérer la ville prendra du temps."},
    {"id": "raqqa", "date": "2017-06-01", "title": "Offensive sur Raqqa",
     "text": "La coalition internationale frappe Raqqa, en Syrie, après Mossoul."},
    {"id": "budget", "date": "2018-01-10", "title": "Budget",
     "text": "Le budget de la ville prévoit 30000 euros pour la bibliothèque."},
    # A long text holding the misspelling once: it scores below the articles on Mossoul.
    {"id": "typo", "date": "2016-10-26", "title": "Brève",
     "text": "Les combats continuent à Mosoul, selon un témoin. " + " ".join(f"mot{n}" for n in range(300))},
]

# Every kind of query the syntax has, on either scoring path.
QUERIES = [
    ("élection Europe", {}), ("libération de Mossoul", {}), ("Mosoul", {}), ("Mossul", {}), ("Mossoul Mosoul", {}),
    ('"coalition internationale" Raqqa', {}), ("libér* -Raqqa", {}), ("title:Mossoul coalition", {}),
    ("coalition AND Syrie", {}), ("30 000", {}), ("« coalition internationale » frappe", {}),
    ("coalition Mossoul", {"since": "2017"}), ("coalition", {"sort": "date"}),
    ("La coalition internationale frappe Raqqa, en Syrie", {"plain_text": True}),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return ingested(tmp_path_factory.mktemp("explain"), ARTICLES)


def _forms(hit, query_word):
    part = next(part for part in hit.explain.parts if part.query == query_word)
    return {form.text: form.how for form in part.forms}


def test_each_kind_of_match_is_named(index):
    with Index(index) as ix:
        hit = ix.search("élection Europe", limit=1, per_article=1, explain=True).hits[0]
        assert hit.article_id == "europe"
        election = _forms(hit, "élection")
        assert election["l’élection"] == "elided (l’), as written"
        assert election["élections"] == "same stem"
        assert election["ELECTIONS"] == "case folded" or election["ELECTIONS"] == "same stem"
        assert election["election"] == "accents folded"
        assert election["électeurs"] == "family word"
        europe = _forms(hit, "Europe")
        assert europe["L’Europe"] == "elided (L’), as written"
        assert europe["européennes"] == "family word"

        numbers = ix.search("30000", limit=5, per_article=1, explain=True).hits
        by_id = {hit.article_id: _forms(hit, "30000") for hit in numbers}
        assert by_id["europe"] == {"30 000": "number form"}
        assert by_id["budget"] == {"30000": "as written"}

        typo = ix.search("Mossul", limit=1, explain=True).hits[0]
        part = typo.explain.parts[0]
        assert (part.query, part.correction) == ("Mossul", "mossoul")
        assert {form.how for form in part.forms} == {"typo correction of Mossul"}

        prefix = ix.search("libér*", limit=1, per_article=1, explain=True).hits[0]
        hows = {form.text: form.how for part in prefix.explain.parts for form in part.forms}
        assert hows["libération"] == hows["Libérer"] == "prefix liber*"

        phrase = ix.search('"coalition internationale"', limit=1, explain=True).hits[0]
        assert _forms(phrase, '"coalition internationale"') == {"coalition internationale": "as written"}


def test_rerank_bonuses_are_named(index):
    with Index(index) as ix:
        hit = ix.search("libération de Mossoul", limit=1, explain=True).hits[0]
        assert hit.article_id == "mossoul"
        assert set(hit.explain.bonuses) == {"proximity", "words as typed"}
        quoted = ix.search("« coalition internationale » frappe", limit=1, explain=True).hits[0]
        assert quoted.explain.bonuses["quoted passage"] > 0


@pytest.mark.parametrize("fast_scoring", [True, False])
def test_the_parts_add_up_to_every_score(index, seeds_index, fast_scoring):
    for path, queries in ((index, QUERIES), (seeds_index, [("élection présidentielle", {}), ("Mosoul", {}),
                                                           ("gouvernement -Grèce", {"since": "2012-07"})])):
        with Index(path, fast_scoring=fast_scoring) as ix:
            for text, options in queries:
                result = ix.search(text, limit=10, per_article=2, explain=True, **options)
                assert result.hits, text
                articles = dict(ix.rank_articles(text, limit=10, **{k: v for k, v in options.items()
                                                                      if k != "plain_text"},
                                                 plain_text=options.get("plain_text", False)))
                for hit in result.hits:
                    why = hit.explain
                    total = (sum(part.score for part in why.parts) + sum(why.bonuses.values())) * why.scale
                    assert total == pytest.approx(why.score, rel=1e-9), (text, hit.article_id)
                    if options.get("sort") == "date":
                        continue  # a date-sorted hit's score is its passage's own
                    assert why.score == pytest.approx(articles[hit.article_id], rel=1e-9), (text, hit.article_id)
                    assert total * why.passage == pytest.approx(hit.score, rel=1e-9), (text, hit.article_id)
                    assert why.parts and all(part.score > 0 for part in why.parts)


def test_an_article_found_through_a_correction_shows_its_scale(index):
    with Index(index) as ix:
        # "Mosoul", a rare word the index holds, is found as typed first; the
        # articles found through its correction "Mossoul" come after, scaled below.
        hits = ix.search("Mosoul", limit=10, per_article=1, explain=True).hits
        assert hits[0].article_id == "typo" and hits[0].explain.scale == 1.0
        assert _forms(hits[0], "Mosoul") == {"Mosoul": "as written"}
        scales = {hit.article_id: hit.explain.scale for hit in hits[1:]}
        assert "mossoul" in scales and all(0 < scale < 1.0 for scale in scales.values())
        assert hits[1].explain.parts[0].correction == "mossoul"


def test_a_date_filter_restricts_without_changing_scores(index):
    with Index(index) as ix:
        everything = dict(ix.rank_articles("coalition Mossoul"))
        since = dict(ix.rank_articles("coalition Mossoul", since="2017"))
    assert set(since) == {"raqqa"}
    assert since["raqqa"] == pytest.approx(everything["raqqa"])


def test_no_explanation_unless_asked(index):
    with Index(index) as ix:
        assert all(hit.explain is None for hit in ix.search("Mossoul").hits)
    data = json.loads(run("query", "Mossoul", "--index", index, "--format", "json").output)
    assert "explain" not in data["hits"][0]


def test_cli_explains_the_first_hit_on_the_seeds(seeds_index):
    result = run("query", "libération de Mossoul", "--index", seeds_index, "--explain", "-n", "1")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"1\t{SEED_ID}")
    why = lines[1].strip()
    assert why.startswith("why: ") and "libération" in why and "Mossoul" in why and "proximity" in why
    assert any(line.strip().startswith("Mossoul: Mossoul ×") and "(as written)" in line for line in lines)

    data = json.loads(run("query", "libération de Mossoul", "--index", seeds_index, "--explain",
                          "--format", "json").output)
    first = data["hits"][0]["explain"]
    assert {part["query"] for part in first["parts"]} == {"libération", "Mossoul"}
    assert sum(part["score"] for part in first["parts"]) + sum(first["bonuses"].values()) == \
        pytest.approx(first["score"])


def test_date_sorted_trec_run_has_falling_scores(seeds_index):
    result = run("query", "élection", "--index", seeds_index, "--sort", "date", "--format", "trec")
    assert result.exit_code == 0, result.output
    scores = [float(line.split()[4]) for line in result.output.splitlines()]
    assert len(scores) > 2 and scores == sorted(scores, reverse=True) and len(set(scores)) == len(scores)
