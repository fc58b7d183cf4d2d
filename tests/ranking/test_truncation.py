"""An OR of words also matches words sharing their first letters with the
query's: "Europe" finds "européennes", which Snowball stems apart."""

import pytest

import searchkit
from searchkit.analysis.french import truncated

from tests.corpora import FILLER, index_of


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("truncation")
    articles = {
        "same-stem": "L'Europe " + " ".join(FILLER[:8]),  # the query's stem, in a longer text
        "same-family": "Les institutions européennes " + " ".join(FILLER[:2]),
        "elsewhere": "Un voyage en Amérique " + " ".join(FILLER[:2]),
    }
    return index_of(folder, articles)


def test_truncation_keeps_the_first_five_letters_of_words_and_numbers_whole():
    assert [truncated(w) for w in ("europeennes", "europe", "gouverneur", "eu", "2016", "1,5")] == [
        "europ", "europ", "gouve", "eu", "2016", "1,5"]


@pytest.mark.parametrize("fast", [True, False])
def test_words_of_the_same_family_are_found_after_the_same_stem(index, fast):
    with searchkit.Index(index, create=False, fast_scoring=fast) as ix:
        assert [a for a, _ in ix.rank_articles("Europe")] == ["same-stem", "same-family"]
        assert [a for a, _ in ix.rank_articles("européen")] == ["same-family", "same-stem"]
        # A required or excluded word, or a phrase, is matched by its stem alone.
        assert [a for a, _ in ix.rank_articles("Europe AND institutions")] == []
        assert [a for a, _ in ix.rank_articles('"institutions européennes"')] == ["same-family"]
        assert [a for a, _ in ix.rank_articles("institutions -Europe")] == ["same-family"]
    without = searchkit.Ranking(family_weight=0.0)
    with searchkit.Index(index, create=False, fast_scoring=fast, ranking=without) as ix:
        assert [a for a, _ in ix.rank_articles("Europe")] == ["same-stem"]


@pytest.fixture(scope="module")
def family_passages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("family")
    lead = "Le village " + " ".join(FILLER * 2) + "."
    later = "Les élections européennes " + " ".join(FILLER) + "."
    articles = {
        "family-only": lead + "\n\n" + later,
        "both": "L'Europe et les institutions européennes " + " ".join(FILLER) + ".",
    }
    return index_of(folder, articles)


@pytest.mark.parametrize("fast", [True, False])
def test_passages_are_chosen_and_marked_by_words_of_the_same_family(family_passages, fast):
    with searchkit.Index(family_passages, create=False, fast_scoring=fast) as ix:
        hits = {hit.article_id: hit for hit in ix.search("Europe", per_article=1).hits}
    # Found through "européennes" alone: the passage holding it, not the lead.
    assert hits["family-only"].passage_index == 1
    assert [hits["family-only"].text[s:e] for s, e in hits["family-only"].highlights] == ["européennes"]
    assert [hits["both"].text[s:e] for s, e in hits["both"].highlights] == ["Europe", "européennes"]


def test_a_phrase_marks_no_word_of_the_family(family_passages):
    with searchkit.Index(family_passages, create=False) as ix:
        hits = ix.search('"institutions européennes"').hits
    assert [[hit.text[s:e] for s, e in hit.highlights] for hit in hits] == [["institutions", "européennes"]]


@pytest.fixture(scope="module")
def counted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("counted")
    # Under a title holding no word of the family (the title counts twice).
    articles = {
        "stem-and-family": "Le village\n\nL'Europe et les élections européennes " + " ".join(FILLER[:4]),
        "family-only": "Le village\n\nLes institutions européennes et les élections européennes "
                       + " ".join(FILLER[:4]),
    }
    return index_of(folder, articles)


@pytest.mark.parametrize("fast", [True, False])
def test_a_word_of_the_family_counts_a_fraction_of_an_occurrence_of_the_stem(counted, fast):
    from whoosh.scoring import bm25

    from searchkit.search.compiling import compile_query
    from searchkit.search.session import SearchSession

    ranking = searchkit.Ranking()
    with searchkit.Index(counted, create=False) as ix:
        searcher = ix.searcher()
        compiled = compile_query(searcher, ranking, "europe")  # no capital: no boost
        if fast:
            ranked = SearchSession(searcher, ranking).fast_scorer().top(compiled.terms, 10, compiled.truncated)
        else:
            ranked = [(hit.docnum, hit.score) for hit in searcher.search(compiled.query)]
        scores = {searcher.stored_fields(docnum)["id"]: score for docnum, score in ranked}
        idf = searcher.idf("body", "europ")  # the stem's idf, for both
        average = searcher.avg_field_length("body")

        def expected(article_id, frequency):
            length = searcher.doc_field_length(searcher.document_number(id=article_id), "body")
            return bm25(idf, frequency, length, average, ranking.b, ranking.k1)

        # "Europe" once and a family word once: 1 + family_weight occurrences, not
        # a score for the stem plus another for the family, which holds "Europe" too.
        family = ranking.family_weight
        assert scores["stem-and-family"] == pytest.approx(expected("stem-and-family", 1 + family), rel=1e-9)
        assert scores["family-only"] == pytest.approx(expected("family-only", 2 * family), rel=1e-9)
