"""Articles where the query's words stand together rank above articles where
they lie apart."""

import pytest

import searchkit
from searchkit.analysis.french import terms
from searchkit.ranking.fastscore import FastScorer
from searchkit.ranking.proximity import holds_phrase, proximity_bonus

from tests.corpora import FILLER, index_of


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("proximity")
    articles = {
        # The words apart, in a shorter text: the better BM25 score.
        "apart": "rentrée " + " ".join(FILLER[:10]) + " scolaire",
        # The words together, one word longer.
        "together": "rentrée scolaire " + " ".join(FILLER),
    }
    return index_of(folder, articles)


def test_bm25_alone_prefers_the_words_apart(index):
    with searchkit.Index(index, create=False) as ix:
        searcher = ix.searcher()
        ranked = FastScorer(searcher, searchkit.Ranking()).top(terms("rentrée scolaire"), 2)
        ids = searcher.reader().column_reader("id")
        assert [ids[docnum] for docnum, _ in ranked] == ["apart", "together"]


@pytest.mark.parametrize("fast", [True, False])
def test_the_words_together_come_first_even_below_the_limit(index, fast):
    with searchkit.Index(index, create=False, fast_scoring=fast) as ix:
        assert [a for a, _ in ix.rank_articles("rentrée scolaire", limit=1)] == ["together"]
        assert ix.search("rentrée scolaire", limit=1).hits[0].article_id == "together"
        # One word has no pair: BM25 alone.
        assert [a for a, _ in ix.rank_articles("rentrée", limit=2)] == ["apart", "together"]


def test_bonus_counts_pairs_of_different_terms_within_the_window():
    window = searchkit.Ranking().proximity_window

    def bonus(positions):
        return proximity_bonus(positions, norm=1.0, k1=0.9, window=window)

    assert bonus([[0], [1]]) > bonus([[0], [3]]) > 0
    assert bonus([[0], [window]]) > 0
    assert bonus([[0], [window + 1]]) == 0
    assert bonus([[0, 1, 2], []]) == 0  # one term repeated


@pytest.fixture(scope="module")
def quoting(tmp_path_factory):
    folder = tmp_path_factory.mktemp("quoted")
    articles = {
        # The quoted words as written, once, in a longer text.
        "quoted": "Guyane situation préoccupante " + " ".join(FILLER),
        # The same words twice and as close, in the other order: the better score otherwise.
        "reversed": "Guyane préoccupante situation marché préoccupante situation",
    }
    return index_of(folder, articles)


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("text", ['Guyane : "situation préoccupante"', "Guyane : « situation préoccupante »",
                                  "Guyane : “situation préoccupante”"])
def test_a_passage_quoted_in_plain_text_ranks_the_article_holding_it_first(quoting, fast, text):
    with searchkit.Index(quoting, create=False, fast_scoring=fast) as ix:
        unquoted = "Guyane situation préoccupante"
        assert [a for a, _ in ix.rank_articles(unquoted, limit=2, plain_text=True)] == ["reversed", "quoted"]
        assert [a for a, _ in ix.rank_articles(text, limit=2, plain_text=True)] == ["quoted", "reversed"]
        assert ix.search(text, limit=1, plain_text=True).hits[0].article_id == "quoted"


@pytest.mark.parametrize("fast", [True, False])
def test_french_quotes_rank_so_with_the_query_syntax_too(quoting, fast):
    # « » and “ ” are no phrase of the syntax: the words are searched as words.
    with searchkit.Index(quoting, create=False, fast_scoring=fast) as ix:
        assert [a for a, _ in ix.rank_articles("Guyane « situation préoccupante »", limit=2)] == ["quoted", "reversed"]
        assert [a for a, _ in ix.rank_articles("Guyane “situation préoccupante”", limit=2)] == ["quoted", "reversed"]


def test_a_phrase_is_held_where_its_terms_follow_one_another():
    assert holds_phrase([[4, 9], [5], [6, 2]])
    assert not holds_phrase([[4], [6], [7]])
    assert not holds_phrase([[4], [5], []])
    assert not holds_phrase([[1], [0]])


@pytest.fixture(scope="module")
def long_query(tmp_path_factory):
    folder = tmp_path_factory.mktemp("long")
    filler = " ".join(FILLER)
    articles = {
        # The common words side by side, the rare ones apart.
        "common together": f"conseil municipal {filler} crue {filler} Garonne",
        # The rare words side by side, the common ones apart.
        "rare together": f"crue Garonne {filler} conseil {filler} municipal",
    }
    # Articles that make "conseil" and "municipal" common words.
    articles.update({f"other {n}": f"conseil {' '.join(FILLER[n:])} municipal" for n in range(8)})
    return index_of(folder, articles)


@pytest.mark.parametrize("fast", [True, False])
def test_a_long_query_counts_the_proximity_of_its_rarest_terms_only(long_query, fast):
    text = "conseil municipal crue Garonne"
    every_term = searchkit.Ranking(proximity_terms=4)
    rarest_two = searchkit.Ranking(proximity_terms=2)
    scores = {}
    for name, ranking in (("every", every_term), ("rarest", rarest_two)):
        with searchkit.Index(long_query, create=False, fast_scoring=fast, ranking=ranking) as ix:
            scores[name] = dict(ix.rank_articles(text, limit=10))
    # "crue Garonne" counts either way; "conseil municipal" only while every term counts.
    assert scores["rarest"]["rare together"] == pytest.approx(scores["every"]["rare together"])
    assert scores["rarest"]["common together"] < scores["every"]["common together"]
    assert max(scores["rarest"], key=scores["rarest"].get) == "rare together"
