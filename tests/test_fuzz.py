"""Property tests: random and adversarial input through the analyzer, the query
parser and the whole ingest -> show round trip."""

import json
import unicodedata

from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import searchkit
from searchkit.analysis.french import analyze, index_tokens
from searchkit.cli.commands import main
from searchkit.errors import QueryError
from searchkit.search.querylang import parse

FRENCH = st.sampled_from(list(
    "abcdeéèêëàâîïôöùûüçœæ ÉÀÇŒ’'ʼ-–—«»\"().,;:!?…0123456789 \u00a0\u202f\u00ad\u200b\u200d\ufeff\n\t€$"
    "\u0301\u0327"
))
ADVERSARIAL = st.text(FRENCH, max_size=200) | st.text(max_size=200)


@settings(max_examples=400, deadline=None)
@given(ADVERSARIAL)
def test_token_offsets_are_inside_increasing_and_point_at_the_source(text):
    previous_end = 0
    previous_position = -1
    for token in analyze(text):
        assert 0 <= token.start < token.end <= len(text)
        assert token.start >= previous_end
        assert token.position == previous_position + 1
        previous_end, previous_position = token.end, token.position
        # The token comes from its own characters: they alone give the same token.
        source = text[token.start:token.end]
        assert [(t.term, t.word) for t in analyze(source)] == [(token.term, token.word)]


@settings(max_examples=300, deadline=None)
@given(ADVERSARIAL)
def test_the_indexing_tokenizer_agrees_with_analyze(text):
    assert index_tokens(text) == [(t.term, t.word) for t in analyze(text)]


@settings(max_examples=200, deadline=None)
@given(ADVERSARIAL)
@example("a.À.")  # dotted initials carrying an accent
@example("la S.N.C.F. et l’A.É.L. à Paris")
def test_nfc_and_nfd_text_give_the_same_terms(text):
    nfc = [t.term for t in analyze(unicodedata.normalize("NFC", text))]
    nfd = [t.term for t in analyze(unicodedata.normalize("NFD", text))]
    assert nfc == nfd


QUERY_PIECES = st.sampled_from(
    ['"', "(", ")", "-", "*", "AND", "OR", "NOT", "title:", "source:", "author:", "text:", ":",
     "Mossoul", "libér*", "l’", "é", " ", "  ", "\x00", "\x1b[31m", "🙂", "\u200b", "30 000", "\\"]
)
QUERIES = st.lists(QUERY_PIECES, max_size=12).map("".join) | st.text(max_size=80) | st.text(min_size=2000, max_size=3000)


@settings(max_examples=500, deadline=None)
@given(QUERIES)
def test_the_parser_raises_nothing_but_query_errors(text):
    try:
        parse(text)
    except QueryError as error:
        assert "\n" not in str(error)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(QUERIES)
def test_searching_raises_nothing_but_query_errors(seeds_index, text):
    with searchkit.Index(seeds_index, create=False) as index:
        try:
            result = index.search(text)
        except QueryError:
            return
        for hit in result.hits:
            assert all(0 <= s < e <= len(hit.text) for s, e in hit.highlights)


ARTICLE_TEXT = st.text(FRENCH, min_size=1, max_size=300).filter(lambda t: t.strip())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(ARTICLE_TEXT, min_size=1, max_size=5))
def test_ingested_text_comes_back_intact_in_show(tmp_path_factory, texts):
    folder = tmp_path_factory.mktemp("roundtrip")
    dump = folder / "dump.jsonl"
    dump.write_text("\n".join(json.dumps({"id": f"a{n}", "text": t}) for n, t in enumerate(texts)), "utf-8")
    runner = CliRunner()
    runner.invoke(main, ["ingest", str(dump), "--index", str(folder / "ix")])
    seen_texts = set()
    for number, text in enumerate(texts):
        result = runner.invoke(main, ["show", f"a{number}", "--index", str(folder / "ix"), "--format", "json"])
        if text in seen_texts:  # an exact duplicate is indexed once
            continue
        seen_texts.add(text)
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["text"] == text


@given(ADVERSARIAL)
def test_the_fast_word_pattern_finds_the_same_tokens_where_it_is_used(text):
    from searchkit.analysis.french import PLAIN_WORDS_TOKEN_RE, full_token_re, token_re

    # The fast patterns are chosen for most texts; where they are, they must agree.
    assert token_re(text).findall(text) == full_token_re().findall(text)
    assert token_re("Le ministre l’a dit à 30 000 personnes.") is PLAIN_WORDS_TOKEN_RE
    initials = "L’A.F.P. et la S.N.C.F : 20 €, 20 $ ou " + text
    assert token_re(initials).findall(initials) == full_token_re().findall(initials)


@given(ADVERSARIAL, st.integers(min_value=0, max_value=5))
def test_finding_terms_in_a_span_agrees_with_analyze(text, pick):
    from searchkit.analysis.french import find_terms, index_tokens_of_spans

    tokens = list(analyze(text))
    wanted = frozenset(token.term for token in tokens[pick::3])
    assert find_terms(text, 0, len(text), wanted) == [(t.start, t.end) for t in tokens if t.term in wanted]
    whole = index_tokens_of_spans(text, [(0, len(text))])
    assert whole == [[(t.term, t.word) for t in tokens]]
