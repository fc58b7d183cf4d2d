"""Each element of the query syntax on a small corpus, with the case a naive
engine gets wrong."""

import json

import pytest
from click.testing import CliRunner
from whoosh.reading import MultiReader

from searchkit import Index
from searchkit.cli.commands import main
from searchkit.search.spelling import words_within
from tests.helpers import ingested

ARTICLES = [
    {"id": "phrase", "date": "2016-10-20", "title": "Sommet à Paris",
     "text": "La coalition internationale se réunit à Paris pour préparer l'offensive."},
    {"id": "apart", "date": "2016-03-02", "title": "Revue de presse",
     "text": "Une coalition de partis forme le gouvernement. La presse internationale applaudit."},
    {"id": "raqqa", "date": "2017-06-01", "title": "Offensive sur Raqqa",
     "text": "La coalition internationale frappe Raqqa, bastion djihadiste en Syrie."},
    {"id": "liberation", "date": "2016-11-05", "title": "Mossoul",
     "text": "La libération de Mossoul avance ; il faut libérer les quartiers est. Les djihadistes reculent."},
    {"id": "librairie", "date": "2015-01-10", "title": "Culture",
     "text": "Une librairie indépendante ouvre ses portes à Lyon ; un livre libre de droits y est offert."},
    {"id": "undated", "title": "Note",
     "text": "Une note sans date sur la coalition internationale et le djihadisme.",
     "source": "Agence Presse Locale", "author": "Marie Durand"},
]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return ingested(tmp_path_factory.mktemp("syntax"), ARTICLES)


def search(index, text, *options):
    result = CliRunner().invoke(
        main, ["query", text, "--index", str(index), "--format", "json", "--per-article", "1", *options])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def ids(index, text, *options):
    return [hit["article_id"] for hit in search(index, text, *options)["hits"]]


def marked(hit):
    return [hit["text"][s:e] for s, e in hit["highlights"]]


def test_words_rank_passages_with_more_of_them_first(index):
    found = ids(index, "coalition internationale Paris")
    assert found[0] == "phrase"
    assert {"apart", "raqqa", "undated"} <= set(found)


def test_phrase_matches_only_the_words_in_order_and_highlights_only_the_phrase(index):
    hits = search(index, '"coalition internationale"')["hits"]
    assert {hit["article_id"] for hit in hits} == {"phrase", "raqqa", "undated"}  # not "apart"
    for hit in hits:
        assert marked(hit) == ["coalition", "internationale"]


def test_phrase_ignores_accents_and_case(index):
    assert "liberation" in ids(index, '"LIBERATION DE MOSSOUL"')


def test_phrase_in_a_ranked_query_highlights_loose_words_apart(index):
    hit = search(index, '"coalition internationale" presse')["hits"]
    apart = next(h for h in hit if h["article_id"] == "apart")
    assert marked(apart) == ["presse"]


def test_minus_and_not_exclude(index):
    assert "raqqa" not in ids(index, '"coalition internationale" -Raqqa')
    assert "raqqa" not in ids(index, "coalition NOT raqqa")
    assert "raqqa" in ids(index, "coalition")
    # The excluded word in an earlier article than the first the phrase finds.
    assert ids(index, '"bastion djihadiste"') == ["raqqa"]
    assert ids(index, '"bastion djihadiste" -coalition') == []
    assert ids(index, '"bastion djihadiste" NOT coalition', "--sort", "date") == []


def test_of_an_article_the_passage_holding_the_quote_as_written_is_shown_first(seeds_index):
    result = CliRunner().invoke(main, ["query", "« changement climatique »", "--index", str(seeds_index),
                                       "--format", "json"])
    first, second = json.loads(result.output)["hits"][:2]
    assert first["article_id"] == second["article_id"] == "wikinews_45626.txt"
    # The other passage holds "climat", "climatiques", "change" and "changement", apart.
    assert "changement climatique" in first["text"] and "changement climatique" not in second["text"]


def test_and_requires_both_or_takes_either(index):
    assert ids(index, "coalition AND Syrie") == ["raqqa"]
    assert set(ids(index, "Lyon OR Syrie")) == {"librairie", "raqqa"}
    assert set(ids(index, "(Lyon OR Syrie) AND coalition")) == {"raqqa"}


def test_fields(index):
    assert ids(index, "title:Mossoul") == ["liberation"]
    assert "liberation" in ids(index, "Mossoul")
    assert ids(index, "title:Raqqa") == ["raqqa"]
    assert ids(index, "source:agence") == ["undated"]
    assert ids(index, 'author:"Marie Durand"') == ["undated"]


def test_prefix_matches_words_not_stems(index):
    hits = search(index, "libér*")["hits"]
    assert [hit["article_id"] for hit in hits] == ["liberation"]  # "librairie", "libre" do not match
    assert set(marked(hits[0])) == {"libération", "libérer"}
    assert ids(index, "LIBER*") == ["liberation"]
    assert ids(index, "djihadis*") and "raqqa" in ids(index, "djihadis*")


def test_prefix_finds_words_whose_term_is_not_their_plain_stem(tmp_path):
    # Plurals and feminine participles are made singular and masculine
    # before Snowball: "passagers" is indexed as "passag", not "passager".
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(json.dumps({"id": "plural", "text": "Les passagers attendent."}) + "\n"
                      + json.dumps({"id": "feminine", "text": "Une idée créée hier."}), "utf-8")
    assert CliRunner().invoke(main, ["ingest", str(corpus), "--index", str(tmp_path / "ix")]).exit_code == 0
    assert ids(tmp_path / "ix", "passag*") == ["plural"]
    assert ids(tmp_path / "ix", "cré*") == ["feminine"]
    assert marked(search(tmp_path / "ix", "passager*")["hits"][0]) == ["passagers"]


def test_dates_filter_and_sort(index):
    assert set(ids(index, "coalition", "--since", "2016", "--until", "2016")) == {"phrase", "apart"}
    assert set(ids(index, "coalition", "--since", "2016-10")) == {"phrase", "raqqa"}
    assert ids(index, "coalition", "--sort", "date") == ["raqqa", "phrase", "apart", "undated"]
    assert ids(index, "coalition", "--until", "2016-03-02") == ["apart"]


@pytest.mark.parametrize("bad", ["2016-13", "hier", "2016-02-30"])
def test_a_bad_date_is_a_clear_error(index, bad):
    result = CliRunner().invoke(main, ["query", "coalition", "--since", bad, "--index", str(index)])
    assert result.exit_code == 1
    assert "is not a date" in result.output


def test_dates_the_wrong_way_round_are_a_clear_error(index):
    result = CliRunner().invoke(main, ["query", "coalition", "--since", "2016-11", "--until", "2016-06",
                                       "--index", str(index)])
    assert result.exit_code == 1
    assert result.output.strip() == "searchkit: error: since 2016-11 comes after until 2016-06: no date is in between"
    assert ids(index, "coalition", "--since", "2016-03", "--until", "2016-03") == ["apart"]


@pytest.mark.parametrize("typo", ["Mosoul", "Mossul", "mosoul"])
def test_a_misspelt_name_finds_the_right_one_with_a_suggestion(index, typo):
    result = search(index, typo)
    assert result["suggestion"] == "Mossoul"
    assert result["hits"][0]["article_id"] == "liberation"
    assert "Mossoul" in marked(result["hits"][0])


def test_suggestions_in_an_index_of_several_segments_walk_each_segment(tmp_path, monkeypatch):
    # Whoosh's reader of several segments compares a word with every word of
    # the index, seconds on a large one: each segment's automaton is walked.
    monkeypatch.setattr(MultiReader, "terms_within", lambda *args: pytest.fail("every word compared"))
    for number, article in enumerate(ARTICLES[:4]):
        corpus = tmp_path / f"part{number}.jsonl"
        corpus.write_text(json.dumps(article, ensure_ascii=False), "utf-8")
        assert CliRunner().invoke(main, ["ingest", str(corpus), "--index", str(tmp_path / "ix")]).exit_code == 0
    result = search(tmp_path / "ix", "Mosoul")
    assert result["suggestion"] == "Mossoul"
    assert result["hits"][0]["article_id"] == "liberation"


def test_words_within_finds_what_whooshs_automaton_finds(seeds_index):
    # The words of one first letter are read in one piece and the automaton
    # walked over them in memory: the same words as Whoosh's walk of the file.
    with Index(seeds_index) as ix:
        for leaf, _ in ix.searcher().reader().leaf_readers():
            words = [w.decode() for w in leaf.lexicon("words") if w.isalpha()]
            assert len(words) > 1000
            typos = {"zzzz", "aaaa", "xylophon", "qqqqq"}
            for word in words[::80]:
                middle = len(word) // 2
                typos |= {word, word[:middle] + word[middle + 1:], word[:middle] + "e" + word[middle:],
                          word[:middle] + word[middle + 1:middle + 2] + word[middle:middle + 1] + word[middle + 2:]}
            for typo in sorted(typos):
                for maxdist in (1, 2):
                    expected = set(leaf.terms_within("words", typo, maxdist, prefix=1))
                    assert set(words_within(leaf, typo, maxdist)) == expected, typo


def test_a_suggestion_is_written_as_most_articles_found_write_it(tmp_path):
    # The best-ranked article writes the party's name with a capital: the others in lower case.
    articles = [{"id": "a", "text": "Les frères Musulmans au Caire : les frères Musulmans manifestent."},
                *({"id": f"b{n}", "text": f"Les frères musulmans manifestent au Caire, jour {n}."} for n in range(3))]
    result = search(ingested(tmp_path, articles), "frères musulmants")
    assert result["suggestion"] == "frères musulmans"


def test_suggestions_keep_the_first_letter_typed(index):
    # As Elasticsearch's term suggester: the first letter is taken as typed.
    assert search(index, "Nossoul")["suggestion"] is None
    assert search(index, "Mossoum")["suggestion"] == "Mossoul"


def test_no_suggestion_when_the_word_is_found(index):
    assert search(index, "Mossoul")["suggestion"] is None
    # Only its plural is written ("les quartiers est"): found through it, not a typo of it.
    assert search(index, "quartier")["suggestion"] is None
    assert search(index, "quartiet")["suggestion"] == "quartiers"


def test_no_suggestion_from_a_removed_article(tmp_path):
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "a.txt").write_text("Un seul article sur Mossoul.", "utf-8")
    ix = str(tmp_path / "ix")
    assert CliRunner().invoke(main, ["ingest", str(tmp_path / "news"), "--index", ix]).exit_code == 0
    assert CliRunner().invoke(main, ["remove", "a.txt", "--index", ix]).exit_code == 0
    result = CliRunner().invoke(main, ["query", "Mosoul", "--index", ix])
    assert result.exit_code == 0
    assert "did you mean" not in result.output and "no match for 'Mosoul'" in result.output


def test_suggestion_in_the_terminal_output(index):
    result = CliRunner().invoke(main, ["query", "Mosoul", "--index", str(index)])
    assert result.output.startswith("did you mean: Mossoul\n")


def test_show_prints_the_whole_article_with_hits(index):
    result = CliRunner().invoke(main, ["show", "liberation", "--query", "libér*", "--index", str(index),
                                       "--format", "json"])
    article = json.loads(result.output)
    assert article["text"] == ARTICLES[3]["text"]
    assert [article["text"][s:e] for s, e in article["highlights"]] == ["libération", "libérer"]
    plain = CliRunner().invoke(main, ["show", "liberation", "--index", str(index)])
    assert plain.output.startswith("Mossoul\nid: liberation\ndate: 2016-11-05\n")
    assert ARTICLES[3]["text"] in plain.output
    missing = CliRunner().invoke(main, ["show", "absent", "--index", str(index)])
    assert missing.exit_code == 1 and "no article 'absent'" in missing.output


def test_stats(index):
    result = CliRunner().invoke(main, ["stats", "--index", str(index), "--format", "json"])
    figures = json.loads(result.output)
    assert figures["articles"] == len(ARTICLES)
    assert figures["passages"] == len(ARTICLES)
    assert figures["distinct_terms"] > 30 and figures["size_bytes"] > 0
    assert figures["analyzer"] and figures["last_ingest"]
    text = CliRunner().invoke(main, ["stats", "--index", str(index)]).output
    assert "articles" in text and "last ingest" in text


@pytest.mark.parametrize("text", [
    '"', "((", "))", "AND", "NOT", "-", "title:", '"" ', "*", "a OR OR b", "\x00", "é" * 5000,
    "NOT NOT a", "(a", "a AND (b OR", "title:(a)", "🙂", "\u200b",
])
def test_odd_queries_never_raise_a_traceback(index, text):
    result = CliRunner().invoke(main, ["query", text, "--index", str(index)])
    assert result.exit_code in (0, 1)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    if result.exit_code == 1:
        assert len(result.output.strip().splitlines()) == 1


def test_a_misspelt_word_beside_good_ones_is_corrected_too(index):
    result = search(index, "Mosoul djihadistes")
    assert result["suggestion"] == "Mossoul djihadistes"
    assert result["hits"][0]["article_id"] == "liberation"
