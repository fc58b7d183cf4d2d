"""Hostile queries: one line over the bounds, never a traceback, and a bad
line of a batch does not stop the others."""

import pytest

from searchkit.errors import QueryError
from searchkit.limits import MAX_QUERY_NESTING, MAX_QUERY_WORD_CHARS, MAX_QUERY_WORDS
from searchkit.search.querylang import parse, plain

from tests.helpers import one_line, run


@pytest.mark.parametrize("text", [
    "(" * 300 + "Mossoul" + ")" * 300,
    "(" * 100_000 + "Mossoul" + ")" * 100_000,
    "NOT " * 500 + "Mossoul",
    "( -" * (MAX_QUERY_NESTING + 1) + "Mossoul",
])
def test_deep_nesting_is_a_query_error(text):
    with pytest.raises(QueryError, match="nests parentheses or NOTs more than"):
        parse(text)


def test_nesting_within_the_bound_is_read():
    parse("(" * MAX_QUERY_NESTING + "Mossoul" + ")" * MAX_QUERY_NESTING)


def test_too_many_words_or_too_long_a_word_is_a_query_error():
    with pytest.raises(QueryError, match=f"at most {MAX_QUERY_WORDS} are read"):
        parse('"' + " ".join(["mot"] * (MAX_QUERY_WORDS + 1)) + '"')
    with pytest.raises(QueryError, match=f"at most {MAX_QUERY_WORDS} are read"):
        plain(" ".join(["mot"] * (MAX_QUERY_WORDS + 1)))
    with pytest.raises(QueryError, match=f"at most {MAX_QUERY_WORD_CHARS} are read"):
        parse("a" * 16_000)
    parse(" ".join(["mot"] * MAX_QUERY_WORDS))
    parse("a" * MAX_QUERY_WORD_CHARS)


def test_the_cli_gives_one_line_over_the_bounds(seeds_index):
    assert "nests parentheses" in one_line(run("query", "(" * 300 + "Mossoul" + ")" * 300, "--index", seeds_index))
    assert "characters" in one_line(run("query", "a" * 16_000, "--index", seeds_index))
    assert "words" in one_line(run("query", '"' + "mot " * 1_600 + '"', "--index", seeds_index))


@pytest.mark.parametrize("text, found", [("-Chine Mossoul", "Mossoul"), ("-Macron Mossoul", "Mossoul"),
                                         ("-help Mossoul", "Mossoul"), ("-n Mossoul", "Mossoul")])
def test_a_query_starting_with_an_exclusion_is_never_an_option(seeds_index, text, found):
    result = run("query", text, "--index", seeds_index, "--format", "json")
    assert result.exit_code == 0, result.output
    assert '"query": ' in result.output and found in result.output
    assert "Usage" not in result.output


def test_options_around_a_query_still_work(seeds_index):
    result = run("query", "--limit", "1", "-Zanzibar Mossoul", "--index", seeds_index, "--format=json")
    assert result.exit_code == 0, result.output
    assert result.output.count('"rank"') == 1
    assert one_line(run("query", "-Raqqa", "--index", seeds_index)).endswith("not excluded")
    # A short option with its number joined, as click reads it elsewhere; a word stays a word.
    for args in (["Mossoul", "-n1"], ["-n1", "Mossoul"]):
        joined = run("query", *args, "--index", seeds_index, "--format", "json")
        assert joined.exit_code == 0, joined.output
        assert joined.output.count('"rank"') == 1 and '"query": "Mossoul"' in joined.output
    assert '"query": "Mossoul -nord"' in run("query", "Mossoul", "-nord", "--index", seeds_index,
                                              "--format", "json").output


def test_a_bad_batch_line_is_reported_for_its_qid_and_the_rest_runs(seeds_index, tmp_path):
    batch = tmp_path / "queries.tsv"
    batch.write_bytes(b"1\tMossoul\n"
                      + b"2\t" + b"(" * 300 + b"Mossoul" + b")" * 300 + b"\n"
                      + b"3\tGr\xe8ce\n"
                      + b"no tab here\n"
                      + b"4\tgouvernement\n")
    result = run("query", "--batch", batch, "--index", seeds_index, "--format", "trec")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    qids = {line.split()[0] for line in result.output.splitlines() if " Q0 " in line}
    assert qids == {"1", "4"}
    errors = [line for line in result.output.splitlines() if line.startswith("searchkit: error:")]
    assert errors == [
        "searchkit: error: query 2: the query nests parentheses or NOTs more than 32 deep",
        "searchkit: error: batch line 3 (query 3): not UTF-8 (invalid continuation byte at byte 4)",
        "searchkit: error: batch line 4: expected 'qid<TAB>query'",
    ]


def test_a_long_word_gets_no_spelling_search(seeds_index):
    import searchkit
    from searchkit.search.spelling import corrections

    with searchkit.Index(seeds_index, create=False) as index:
        word = "mossoul" * 6
        assert corrections(index.searcher(), [(word, word)], rare_only=True) == {}


def test_a_pasted_text_gets_the_spelling_of_its_first_unknown_words_only(seeds_index):
    import searchkit
    from searchkit.limits import MAX_SPELLED_WORDS
    from searchkit.search.spelling import corrections

    typos = ["mosoul", "liberatoin", "coalitoin", "irakiene", "djihadites", "gouvernemnt"]
    with searchkit.Index(seeds_index, create=False) as index:
        searcher = index.searcher()
        alone = {typo: corrections(searcher, [(typo, typo)], rare_only=True).get(typo) for typo in typos}
        assert all(alone.values())  # each is corrected on its own
        together = corrections(searcher, [(typo, typo) for typo in typos], rare_only=True)
    assert together == {typo: alone[typo] for typo in typos[:MAX_SPELLED_WORDS]}
