"""MaxScore skips postings without changing the best documents or their scores."""

import json
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import searchkit
from searchkit.ranking import maxscore
from searchkit.ranking.fastscore import FastScorer
from searchkit.ranking.maxscore import TermScores, best
from searchkit.search.compiling import compile_query

COMMON = ("gouvernement ministre président Paris France pays politique économie semaine année "
          "réforme projet accord grève police justice").split()
RARE = ("Mossoul Daesh Athènes Tsipras Lelandais Serebrennikov Hongkongais Wikinews Seine crue passagers "
        "djihadistes coalition libération Grèce banque euro avion Noyer assises").split()


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    """Articles of many common words and a few rare ones, in two segments, some removed."""
    folder = tmp_path_factory.mktemp("maxscore")
    rng = random.Random(3)
    for part, (start, count) in enumerate(((0, 500), (500, 200))):
        with open(folder / f"{part}.jsonl", "w", encoding="utf-8") as out:
            for number in range(start, start + count):
                words = [rng.choice(COMMON) for _ in range(rng.randint(20, 200))]
                words += rng.sample(RARE, rng.randint(0, 3))
                rng.shuffle(words)
                out.write(json.dumps({"id": f"a{number}", "text": " ".join(words)}) + "\n")
    with searchkit.Index(folder / "ix") as ix:
        ix.ingest([folder / "0.jsonl"])
        ix.ingest([folder / "1.jsonl"])
        ix.remove([f"a{n}" for n in range(0, 700, 37)])
    return folder / "ix"


@pytest.fixture
def eager(monkeypatch):
    """Pruning tried on the smallest lists, so that small indexes take every path."""
    monkeypatch.setattr(maxscore, "SKIPPED_POSTINGS", 1)
    monkeypatch.setattr(maxscore, "LOOKUP_COST", 0)
    monkeypatch.setattr(maxscore, "POOL_SIZE", 64)


def _term(ids: np.ndarray, scores: np.ndarray, looked_up: list) -> TermScores:
    def score_in(docs: np.ndarray) -> np.ndarray:
        looked_up.append(len(docs))
        at = np.minimum(np.searchsorted(ids, docs), max(len(ids) - 1, 0))
        return np.where(ids[at] == docs, scores[at], 0.0) if len(ids) else np.zeros(len(docs))

    return TermScores(ids, scores, float(scores.max()) if len(scores) else 0.0, score_in)


@st.composite
def queries(draw):
    size = draw(st.integers(1, 300))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    terms = []
    for _ in range(draw(st.integers(1, 12))):
        held = np.flatnonzero(rng.random(size) < draw(st.sampled_from([0.01, 0.1, 0.5, 0.9])))
        # Few distinct values: ties between documents are common.
        values = rng.choice([0.5, 1.0, 1.25, 2.0, 3.5], len(held)) * draw(st.sampled_from([0.1, 1.0, 7.0]))
        terms.append((held, values))
    live = rng.random(size) < 0.9 if draw(st.booleans()) else None
    return size, terms, live, draw(st.integers(1, 40))


@settings(max_examples=300, deadline=None)
@given(queries())
def test_pruned_and_exhaustive_give_the_same_documents_and_scores(query):
    size, lists, live, limit = query
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(maxscore, "SKIPPED_POSTINGS", 1)
        patch.setattr(maxscore, "LOOKUP_COST", 0)
        patch.setattr(maxscore, "POOL_SIZE", 32)
        looked_up: list = []
        terms = [_term(ids, scores, looked_up) for ids, scores in lists]
        pruned = best(terms, size, limit, live)
        exhaustive = best(terms, size, limit, live, prune=False)
    assert pruned == exhaustive
    # And both are the best documents by the plain sum (which of two equal
    # sums rounds higher depends on the order of the terms).
    total = np.zeros(size)
    for ids, scores in lists:
        total[ids] += scores
    held = [d for d in range(size) if total[d] > 0 and (live is None or live[d])]
    expected = sorted((total[d] for d in held), reverse=True)[:limit]
    assert [score for _, score in exhaustive] == pytest.approx(expected, rel=1e-12)
    assert all(score == pytest.approx(total[d], rel=1e-12) for d, score in exhaustive)


def test_a_long_query_skips_most_postings_of_its_common_words(eager):
    rng = np.random.default_rng(1)
    size, looked_up = 20_000, []
    rare = [_term(np.sort(rng.choice(size, 30, replace=False)), np.full(30, 9.0), looked_up) for _ in range(5)]
    common = []
    for _ in range(8):
        ids = np.flatnonzero(rng.random(size) < 0.6)
        common.append(_term(ids, rng.random(len(ids)) * 0.2 + 0.1, looked_up))
    terms = rare + common
    assert best(terms, size, 10, None) == best(terms, size, 10, None, prune=False)
    postings = sum(len(t.ids) for t in common)
    assert looked_up and sum(looked_up) < postings / 20


def test_the_fast_scorer_prunes_exactly_on_an_index(index, eager, monkeypatch):
    rng = random.Random(11)
    lookups = []
    looking_up = FastScorer._score_in
    monkeypatch.setattr(FastScorer, "_score_in", lambda *args: lookups.append(1) or looking_up(*args))
    with searchkit.Index(index, create=False) as ix:
        searcher = ix.searcher()
        ranking = searchkit.Ranking()
        scorer = FastScorer(searcher, ranking)
        for _ in range(150):
            # "ministériel" and "gouverneur" are held by no article, only words of their families.
            words = rng.sample(RARE, rng.randint(0, 4)) + rng.sample(COMMON, rng.randint(1, 12))
            text = " ".join(words + rng.sample(["ministériel", "gouverneur", "justicier"], rng.randint(0, 2)))
            compiled = compile_query(searcher, ranking, text, plain_text=True)
            for limit in (1, 10, 50):
                pruned = scorer.top(compiled.terms, limit, compiled.truncated, compiled.boosts)
                exhaustive = scorer.top(compiled.terms, limit, compiled.truncated, compiled.boosts, prune=False)
                assert pruned == exhaustive, text
    assert len(lookups) > 100  # terms were looked up in candidates rather than added whole


def test_a_term_looked_up_scores_as_added_whole(index):
    """What MaxScore looks up in a few documents is, to the bit, what the sum
    over all postings adds there: for stems held by articles, and for a word
    held by none whose family is ("ministériel": "ministre")."""
    with searchkit.Index(index, create=False) as ix:
        searcher = ix.searcher()
        ranking = searchkit.Ranking()
        scorer = FastScorer(searcher, ranking)
        compiled = compile_query(searcher, ranking, "gouvernement ministériel Mossoul justice", plain_text=True)
        assert not len(scorer.postings("ministeriel")[0])  # held by no article
        docs = np.arange(scorer.size)
        for term in compiled.terms:
            family = compiled.truncated.get(term)
            ids, weights = scorer._weights(term, family)
            dense = np.zeros(scorer.size)
            dense[ids] = weights
            assert scorer._score_in(term, family, None, docs).tolist() == dense.tolist()
            assert scorer._score_in(term, family, 2.0, docs[::7]).tolist() == (2.0 * dense[::7]).tolist()
