"""The term-at-a-time scorer ranks as Whoosh's own BM25F searcher does."""

import json
import random

import pytest

import searchkit
from searchkit.writer import inversion
from searchkit.analysis.french import fold, terms
from searchkit.ranking.fastscore import FastScorer
from searchkit.storage.postings import term_postings
from searchkit.ranking.reranks import SearcherPostings, read_positions, words_held
from searchkit.search.compiling import compile_query
from searchkit.storage.tails import Tail

WORDS = ("Mossoul coalition internationale libération Daesh Paris ministre Irak Syrie djihadistes "
         "élections gouvernement Grèce crise euro banque Athènes passagers avion Seine crue "
         "Europe européenne gouverneur électoral").split()


@pytest.fixture(scope="module", params=["blocks", "tails"])
def index(request, tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        if request.param == "tails":  # common terms get a frequency tail
            patch.setattr(inversion, "TAIL_MIN_POSTINGS", 100)
        return _build(tmp_path_factory.mktemp(request.param))


def _build(folder):
    rng = random.Random(3)

    def write(name, count, start):
        with open(folder / name, "w", encoding="utf-8") as out:
            for number in range(start, start + count):
                text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 300)))
                out.write(json.dumps({"id": f"a{number}", "text": text}) + "\n")

    write("one.jsonl", 400, 0)
    write("two.jsonl", 150, 400)
    with searchkit.Index(folder / "ix") as ix:
        ix.ingest([folder / "one.jsonl"])
        ix.ingest([folder / "two.jsonl"])  # a second segment
        ix.remove(["a3", "a17", "a401"])  # deleted documents
    return folder / "ix"


def test_same_documents_and_scores_as_whoosh(index):
    rng = random.Random(5)
    with searchkit.Index(index, create=False) as ix:
        searcher = ix.searcher()
        assert len(list(searcher.reader().leaf_readers())) == 2
        ranking = searchkit.Ranking()
        scorer = FastScorer(searcher, ranking)
        compared = 0
        for _ in range(200):
            compiled = compile_query(searcher, ranking, " ".join(rng.sample(WORDS, rng.randint(1, 6))),
                                     plain_text=True)
            query_terms = compiled.terms
            limit = rng.choice([1, 10, 100])
            fast = scorer.top(query_terms, limit, compiled.truncated, compiled.boosts)
            whoosh = [(hit.docnum, hit.score) for hit in searcher.search(compiled.query, limit=limit)]
            assert [d for d, _ in fast] == [d for d, _ in whoosh]
            assert [s for _, s in fast] == pytest.approx([s for _, s in whoosh], rel=1e-9)
            compared += len(fast)
            docnums = sorted(d for d, _ in fast)
            # The reranks read the same postings from either source.
            whoosh_postings = SearcherPostings(searcher, ranking)
            for term in query_terms:
                assert scorer.positions(term, docnums) == read_positions(searcher, term, docnums)
            for word in {fold(w) for w in WORDS}:
                assert scorer.holding(word, docnums) == words_held(searcher, word, docnums)
                assert scorer.word_idf(word) == whoosh_postings.word_idf(word)
            assert [scorer.norm(d) for d in docnums] == [whoosh_postings.norm(d) for d in docnums]
        assert compared > 5000
        # Where the index has frequency tails, the scores and positions above were read from them.
        for field, word_form in (("body", lambda word: terms(word)[0]), ("words", fold)):
            tails = [isinstance(term_postings(leaf, word_form(w), field, tails=True), Tail)
                     for w in WORDS for leaf, _ in scorer.leaves if (field, word_form(w)) in leaf]
            assert any(tails) == index.parent.name.startswith("tails")
        deleted = {searcher.document_number(id=i) for i in ("a3", "a17", "a401")} - {None}
        assert not deleted  # removed articles are gone from the index...
        assert all(searcher.stored_fields(d)["id"] not in ("a3", "a17", "a401")
                   for d, _ in scorer.top(terms(" ".join(WORDS)), 1000))  # ...and from the results


def test_searches_of_plain_words_take_the_fast_path(index, monkeypatch):
    calls = []
    real_top = FastScorer.top
    monkeypatch.setattr(FastScorer, "top", lambda self, t, *rest: calls.append(t) or real_top(self, t, *rest))
    with searchkit.Index(index, create=False) as ix:
        ix.search("Mossoul coalition")
        ix.rank_articles("crise euro")
        assert len(calls) == 2
        ix.search('"coalition internationale"')
        ix.search("Mossoul", since="2016")
        ix.search("title:Mossoul")
        assert len(calls) == 2  # phrases, filters and fields go through Whoosh


def test_fast_scoring_can_be_turned_off_with_the_same_results(index, monkeypatch):
    with searchkit.Index(index, create=False) as fast:
        expected = fast.rank_articles("Mossoul coalition crise", limit=50)
    monkeypatch.setattr(FastScorer, "top", lambda *args: pytest.fail("fast path taken"))
    with searchkit.Index(index, create=False, fast_scoring=False) as slow:
        got = slow.rank_articles("Mossoul coalition crise", limit=50)
    assert [a for a, _ in got] == [a for a, _ in expected]
    assert [s for _, s in got] == pytest.approx([s for _, s in expected], rel=1e-9)


def test_postings_read_in_one_pass_equal_whoosh_matchers(index, tmp_path):
    from whoosh import index as whoosh_index

    from searchkit.storage.schema import INDEX_NAME, make_schema

    # Beside searchkit's own segments, one written by Whoosh's writer, as its
    # merges write them.
    rng = random.Random(8)
    stock = whoosh_index.create_in(str(tmp_path), make_schema())
    with stock.writer() as writer:
        for number in range(300):
            words = rng.sample(WORDS, 3) + [f"rare{number}"]
            writer.add_document(id=f"s{number}", body=" ".join(words * rng.randint(1, 3)))
    for ix in (whoosh_index.open_dir(str(index), indexname=INDEX_NAME), stock):
        with ix.searcher() as searcher:
            for leaf, _ in searcher.reader().leaf_readers():
                checked = 0
                for term in leaf.lexicon("body"):
                    term = term.decode("utf-8")
                    matcher = leaf.postings("body", term)
                    matcher = getattr(matcher, "child", matcher)
                    expected = ([], [], [])
                    while matcher.is_active():
                        for found, value in zip(expected, (matcher.id(), matcher.weight(), matcher.value())):
                            found.append(value)
                        matcher.next()
                    assert tuple(map(list, term_postings(leaf, term))) == expected, term
                    checked += len(expected[0])
                assert checked > 250
