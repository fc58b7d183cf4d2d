"""Index.iter_hits: the hits of Index.search one at a time, every match for
limit=None, the stored texts read a chunk of articles at a time."""

import pytest
import searchkit
from searchkit.search import hits as hits_module
from tests.corpora import export_articles

QUERIES = ["Mossoul", "gouvernement", "libération de Mossoul", '"coalition internationale"', "élections -Grèce",
           "Mosoul", "djihad*", "le président de la république", "France", "title:Mossoul"]


@pytest.mark.parametrize("fast_scoring", [False, True])
@pytest.mark.parametrize("sort", ["relevance", "date"])
@pytest.mark.parametrize("chunk", [1, 3, 200])
def test_the_stream_gives_the_hits_of_search_in_its_order(seeds_index, monkeypatch, fast_scoring, sort, chunk):
    # Chunks of one article: an article's second passage waits for the
    # articles after it that score higher.
    monkeypatch.setattr(hits_module, "CHUNK_ARTICLES", chunk)
    with searchkit.Index(seeds_index, fast_scoring=fast_scoring) as index:
        for text in QUERIES:
            for limit in (1, 4, 10, 200):
                searched = index.search(text, limit=limit, per_article=3, sort=sort)
                stream = index.iter_hits(text, limit, per_article=3, sort=sort)
                assert [hit.to_dict() for hit in stream] == [hit.to_dict() for hit in searched.hits], (text, limit)
                assert stream.suggestion == searched.suggestion


def test_limit_none_gives_every_matching_article_and_passage(seeds_index):
    with searchkit.Index(seeds_index) as index:
        for text in ("France", "gouvernement", "Mosoul"):
            every = list(index.iter_hits(text, per_article=100))
            ranked = index.rank_articles(text, limit=None)
            assert len(ranked) == len({hit.article_id for hit in every}) > 0
            assert [hit.rank for hit in every] == list(range(1, len(every) + 1))
            searched = index.search(text, limit=len(every) + 50, per_article=100).hits
            assert [hit.to_dict() for hit in searched] == [hit.to_dict() for hit in every]


def test_the_stored_texts_are_read_as_the_hits_are(tmp_path, monkeypatch):
    path = export_articles(tmp_path, 600)
    with searchkit.Index(tmp_path / "ix") as index:
        index.ingest([path])
        reads = []
        searcher = index.searcher()  # the one searches use until a commit
        stored_fields = searcher.stored_fields
        monkeypatch.setattr(searcher, "stored_fields", lambda docnum: reads.append(docnum) or stored_fields(docnum))
        hits = iter(index.iter_hits("Tombouctou"))
        next(hits)
        assert len(reads) == hits_module.CHUNK_ARTICLES
        assert sum(1 for _ in hits) == 2 * 600 - 1
        assert len(reads) == len(set(reads)) == 600


def test_a_bad_query_is_refused_when_asked_not_when_read(seeds_index):
    with searchkit.Index(seeds_index) as index:
        with pytest.raises(searchkit.QueryError):
            index.iter_hits("(Mossoul")
        with pytest.raises(searchkit.QueryError, match="^limit must be at least 1"):
            index.iter_hits("Mossoul", limit=0)
