"""Among articles that match a query word through its stem, those that hold
the word as typed rank first."""

import pytest

import searchkit
from searchkit.ranking.fastscore import FastScorer
from searchkit.ranking.reranks import words_held

from tests.corpora import FILLER, index_of


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exact")
    articles = {
        # Another form of the word, in a shorter text: the better BM25 score.
        "other-form": "Les passagers " + " ".join(FILLER[:4]),
        # The word as typed, in a longer text.
        "as-typed": "Le passager " + " ".join(FILLER[:8]),
    }
    return index_of(folder, articles)


@pytest.mark.parametrize("fast", [True, False])
def test_the_word_as_typed_comes_first(index, fast):
    with searchkit.Index(index, create=False, fast_scoring=fast) as ix:
        assert [a for a, _ in ix.rank_articles("passager", limit=2)] == ["as-typed", "other-form"]
        assert [a for a, _ in ix.rank_articles("Passagers", limit=2)] == ["other-form", "as-typed"]
        assert ix.search("passager", limit=1).hits[0].article_id == "as-typed"
    bm25_alone = searchkit.Ranking(exact_word_weight=0.0)
    with searchkit.Index(index, create=False, fast_scoring=fast, ranking=bm25_alone) as ix:
        assert [a for a, _ in ix.rank_articles("passager", limit=2)] == ["other-form", "as-typed"]


def test_both_paths_find_the_same_holders(index):
    with searchkit.Index(index, create=False) as ix:
        searcher = ix.searcher()
        scorer = FastScorer(searcher, searchkit.Ranking())
        everyone = list(range(searcher.doc_count_all()))
        for word in ("passager", "passagers", "canal", "orage", "absent"):
            assert scorer.holding(word, everyone) == words_held(searcher, word, everyone)
        assert len(scorer.holding("canal", everyone)) == len(FILLER)
