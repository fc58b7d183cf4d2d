"""The library API a script uses: import searchkit."""

import pytest

import searchkit

from tests.helpers import SEED_ID, SEEDS


def test_index_ingests_and_searches_as_a_context_manager(tmp_path):
    with searchkit.Index(tmp_path / "ix") as index:
        report = index.ingest([SEEDS])
        assert (report.added, report.updated, report.failed) == (41, 0, 0)
        assert report.passages > 41 and len(index) == 41
        result = index.search("libération de Mossoul", limit=3, per_article=1)
        assert isinstance(result, searchkit.SearchResult)
        assert len(result.hits) == 3
        first = result.hits[0]
        assert isinstance(first, searchkit.Hit)
        assert first.article_id == SEED_ID and first.rank == 1
        assert first.to_dict()["highlights"] == [list(pair) for pair in first.highlights]


def test_searcher_stays_open_and_search_and_ranking_follow_new_commits(tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.txt").write_text("La Loire est en crue à Orléans.", "utf-8")
    with searchkit.Index(tmp_path / "ix") as index:
        index.ingest([folder])
        searcher = index.searcher()
        index.search("Loire")
        assert index.searcher() is searcher
        assert [a for a, _ in index.rank_articles("crue")] == ["a.txt"]
        (folder / "b.txt").write_text("La Garonne est en crue à Bordeaux.", "utf-8")
        index.ingest([folder])
        assert [hit.article_id for hit in index.search("Garonne").hits] == ["b.txt"]
        assert [a for a, _ in index.rank_articles("Garonne crue")] == ["b.txt", "a.txt"]


def test_get_returns_the_stored_article(tmp_path):
    with searchkit.Index(tmp_path / "ix") as index:
        index.ingest([SEEDS / "wikinews_44269.txt"])
        article = index.get("wikinews_44269.txt")
        assert article.title == "Grèce : le nouveau gouvernement de coalition formé"
        assert article.date == "2012-06-21"
        assert article.text == (SEEDS / "wikinews_44269.txt").read_text("utf-8")
        assert index.get("absent") is None


def test_rank_articles_gives_the_order_of_search(tmp_path):
    with searchkit.Index(tmp_path / "ix") as index:
        index.ingest([SEEDS])
        ranked = index.rank_articles("élections gouvernement", limit=5)
        hits = index.search("élections gouvernement", limit=5, per_article=1).hits
        assert [article_id for article_id, _ in ranked] == [hit.article_id for hit in hits]


def test_errors_are_searchkit_errors(tmp_path):
    with pytest.raises(searchkit.IndexNotFound):
        searchkit.Index(tmp_path / "none", create=False)
    with searchkit.Index(tmp_path / "ix") as index:
        with pytest.raises(searchkit.IndexNotFound):  # nothing ingested yet
            index.search("Mossoul")
        index.ingest([])
        with pytest.raises(searchkit.QueryError):
            index.search('"unbalanced')


def test_a_folder_that_is_not_an_index_is_left_alone(tmp_path):
    (tmp_path / "mine.txt").write_text("precious", "utf-8")
    with pytest.raises(searchkit.IndexNotFound, match="holds no searchkit index"):
        searchkit.Index(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]


def test_readme_script_runs(tmp_path, monkeypatch):
    readme = (SEEDS.parent / "README.md").read_text("utf-8")
    script = readme.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(SEEDS.parent)
    monkeypatch.setenv("SEARCHKIT_INDEX", str(tmp_path / "ix"))
    exec(compile(script.replace('"index"', repr(str(tmp_path / "ix"))), "README", "exec"), {})


def test_an_empty_index_answers_with_no_hits(tmp_path):
    with searchkit.Index(tmp_path / "ix") as index:
        index.ingest([])
        assert index.search("Mossoul").hits == []
        assert index.rank_articles("Mossoul") == []


def test_progress_counts_bytes_read_within_a_large_file(tmp_path):
    import gzip
    import json

    news = tmp_path / "news"
    news.mkdir()
    corpus = news / "dump.jsonl.gz"
    with gzip.open(corpus, "wt", encoding="utf-8") as out:
        for number in range(3000):
            out.write(json.dumps({"id": str(number), "text": f"Article {number} sur la crue de la Seine. " * 5}) + "\n")
    (news / "note.txt").write_text("La Marne déborde aussi.", "utf-8")
    calls = []
    with searchkit.Index(tmp_path / "ix") as index:
        index.ingest([news], on_progress=lambda done, total: calls.append((done, total)))
    total = corpus.stat().st_size + (news / "note.txt").stat().st_size
    assert {t for _, t in calls} == {total}
    assert calls[-1] == (total, total)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert any(0 < done < corpus.stat().st_size for done, _ in calls)  # inside the big file


@pytest.mark.parametrize("fast_scoring", [True, False])
def test_passages_scored_from_term_positions_are_those_scored_on_the_text(tmp_path, monkeypatch, fast_scoring):
    """Passages of plain-word queries are scored from the positions of the
    terms in the postings and the passage positions recorded at ingest; the
    same hits, scores and highlights as scoring them on the analysed text."""
    from searchkit.search import engine as search_module

    queries = ["libération de Mossoul", "coalition internationale Daesh", "élections gouvernement Grèce",
               "ministre Paris", "Talibans hôtel Kaboul", "jeux olympiques Londres"]

    def run(index):
        return [[(h.article_id, h.passage_index, round(h.score, 9), h.highlights) for h in index.search(q).hits]
                for q in queries]

    with searchkit.Index(tmp_path / "ix", fast_scoring=fast_scoring) as index:
        index.ingest([SEEDS])
        from_positions = run(index)
        monkeypatch.setattr(search_module, "term_positions", lambda *args: None)
        from_text = run(index)
    assert from_positions == from_text
    assert sum(len(hits) for hits in from_positions) > 20


def test_one_ranking_reaches_the_searcher_the_scorer_and_the_ingest(tmp_path):
    from dataclasses import FrozenInstanceError, replace

    from searchkit.search.session import SearchSession

    shipped = searchkit.Ranking()
    with pytest.raises(FrozenInstanceError):
        shipped.k1 = 1.2  # type: ignore[misc]
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.jsonl").write_text('{"id": "a", "title": "Crue de la Loire", "text": "Orléans sous les eaux."}\n',
                                    "utf-8")
    lengths = {}
    for title_weight in (1, 3):
        ranking = replace(shipped, k1=1.5, b=0.5, title_weight=title_weight)
        with searchkit.Index(tmp_path / f"ix{title_weight}", ranking=ranking) as index:
            index.ingest([folder])
            searcher = index.searcher()
            assert (searcher.weighting.K1, searcher.weighting.B) == (1.5, 0.5)
            assert index._session().fast_scorer().ranking is ranking
            lengths[title_weight] = searcher.doc_field_length(0, "body")
            # A session whose searcher weighs otherwise than its ranking is refused.
            with pytest.raises(ValueError, match="ranking"):
                SearchSession(searcher, shipped)
    # The title stands once, or three times, before the text of the body.
    assert lengths[3] - lengths[1] == 2 * len(searchkit.terms("Crue de la Loire"))
