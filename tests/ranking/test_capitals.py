"""A word typed with a capital initial, most often a name, weighs more in an
OR of words."""

import pytest

import searchkit

from tests.corpora import index_of


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    # "Pérou" is in two articles, "élections" in one: the rarer word ranks first...
    articles = {
        "perou": "Le Pérou vote.",
        "perou-again": "Le Pérou encore.",
        "elections": "Les élections ont lieu.",
    }
    return index_of(tmp_path_factory.mktemp("capitals"), articles)


@pytest.mark.parametrize("fast", [True, False])
def test_a_capitalised_word_weighs_more(index, fast):
    with searchkit.Index(index, create=False, fast_scoring=fast) as ix:
        assert ix.rank_articles("élections pérou")[0][0] == "elections"
        # ...unless the other is typed as a name.
        assert ix.rank_articles("élections Pérou")[0][0] == "perou"
    without = searchkit.Ranking(capital_weight=1.0)
    with searchkit.Index(index, create=False, fast_scoring=fast, ranking=without) as ix:
        assert ix.rank_articles("élections Pérou")[0][0] == "elections"
