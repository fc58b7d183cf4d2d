"""A group of copies stands once in the results, at the rank of its best
member, the others listed with it; and the groups follow the articles
through edits, removals and rebuilds, as a fresh build would make them."""

import json
import random
import shutil
from pathlib import Path

import pytest

import searchkit
from tests.copies import article, copy_of, same_story


def write(folder: Path, articles: list[dict]) -> None:
    """One JSON file per article, so that each can be edited or deleted."""
    folder.mkdir(parents=True, exist_ok=True)
    for item in articles:
        (folder / f"{item['id']}.json").write_text(json.dumps(item, ensure_ascii=False), "utf-8")


@pytest.fixture
def news(tmp_path):
    """A dispatch (dated first), two copies of it published later, an article
    on the same story, and unrelated articles."""
    rng = random.Random(11)
    dispatch = article(rng, "dispatch", date="2024-03-10")
    articles = [dispatch, copy_of(dispatch, rng, "copy1", "2024-03-11"), copy_of(dispatch, rng, "copy2", "2024-03-12"),
                same_story(dispatch, rng, "story"), *(article(rng, f"other{n}") for n in range(6))]
    write(tmp_path / "news", articles)
    return tmp_path / "news", {item["id"]: item for item in articles}


def ids(hits):
    return [hit.article_id for hit in hits]


def test_a_group_is_one_hit_with_its_copies_and_every_article_with_copies_true(news, tmp_path):
    folder, articles = news
    query = articles["dispatch"]["title"]
    with searchkit.Index(tmp_path / "ix") as index:
        index.ingest([folder])
        assert index.copy_groups() == [["dispatch", "copy1", "copy2"]]
        every = index.search(query, limit=50, per_article=1, copies=True)
        assert {"dispatch", "copy1", "copy2", "story"} <= set(ids(every.hits))
        grouped = index.search(query, limit=50, per_article=1)
        members = {"dispatch", "copy1", "copy2"}
        leaders = [hit for hit in grouped.hits if hit.article_id in members]
        assert len(leaders) == 1
        leader = leaders[0]
        # At the rank of the best of the group, which leads it.
        best = next(hit for hit in every.hits if hit.article_id in members)
        assert leader.article_id == best.article_id and leader.score == best.score
        assert ids(grouped.hits) == [i for i in ids(every.hits) if i not in members or i == best.article_id]
        assert sorted(copy.id for copy in leader.copies) == sorted(members - {leader.article_id})
        copy = next(copy for copy in leader.copies if copy.id == "copy2")
        assert (copy.title, copy.date, copy.source) == (articles["copy2"]["title"], "2024-03-12",
                                                         articles["copy2"]["source"])
        assert "story" in ids(grouped.hits)
        assert next(hit for hit in grouped.hits if hit.article_id == "story").copies == []
        # The ranking of articles and the streamed hits agree with the search.
        assert [i for i, _ in index.rank_articles(query, limit=50)] == ids(grouped.hits)
        assert [hit.to_dict() for hit in index.iter_hits(query, per_article=1)] == \
            [hit.to_dict() for hit in grouped.hits]
        assert len(index.rank_articles(query, limit=50, copies=True)) == len(every.hits)


def test_of_members_ranked_equal_the_earliest_dated_leads(tmp_path):
    rng = random.Random(4)
    dispatch = article(rng, "b-dispatch", date="2024-03-10")
    # The same text under two ids: ranked equal; the earlier dated leads whatever its id.
    resent = {**dispatch, "id": "a-resent", "date": "2024-03-15", "text": dispatch["text"] + " Fin."}
    write(tmp_path / "news", [dispatch, resent, *(article(rng, f"other{n}") for n in range(4))])
    with searchkit.Index(tmp_path / "ix") as index:
        index.ingest([tmp_path / "news"])
        assert index.copy_groups() == [["b-dispatch", "a-resent"]]
        # The only one of the two holding the word: it ranks higher, and leads.
        assert ids(index.search("Fin", limit=5, copies=True).hits)[0] == "a-resent"
        grouped = ids(index.search("Fin", limit=5).hits)
        assert grouped[0] == "a-resent" and "b-dispatch" not in grouped
        words = " ".join(dispatch["text"].split()[:12])
        every = index.rank_articles(words, limit=10, copies=True)
        assert {every[0][0], every[1][0]} == {"b-dispatch", "a-resent"} and every[0][1] == every[1][1]
        assert index.rank_articles(words, limit=10)[0][0] == "b-dispatch"


def fresh_groups(folder: Path, tmp_path: Path) -> list[list[str]]:
    copy = tmp_path / "fresh-news"
    shutil.copytree(folder, copy)
    with searchkit.Index(tmp_path / "fresh") as fresh:
        fresh.ingest([copy])
        groups = fresh.copy_groups()
    shutil.rmtree(tmp_path / "fresh")
    shutil.rmtree(copy)
    return groups


def test_groups_follow_edits_removals_and_rebuilds_as_a_fresh_build(news, tmp_path):
    folder, articles = news
    rng = random.Random(2)
    path = tmp_path / "ix"
    with searchkit.Index(path) as index:
        index.ingest([folder])
        # A copy edited into another story leaves the group; an article edited into a copy joins it.
        write(folder, [{**article(rng, "copy1"), "date": "2024-03-11"},
                       copy_of(articles["dispatch"], rng, "other0", "2024-03-20")])
        index.ingest([folder])
        assert index.copy_groups() == [["dispatch", "copy2", "other0"]] == fresh_groups(folder, tmp_path)
        # The leader removed: the earliest left leads.
        (folder / "dispatch.json").unlink()
        index.ingest([folder], prune=True)
        assert index.copy_groups() == [["copy2", "other0"]] == fresh_groups(folder, tmp_path)
        hits = index.search(articles["dispatch"]["title"], limit=20, per_article=1).hits
        assert len([hit for hit in hits if hit.article_id in ("copy2", "other0")]) == 1
        index.remove(["other0"])
        assert index.copy_groups() == []
        assert index.stats()["copy_groups"] == 0
    write(folder, [copy_of(articles["dispatch"], rng, "copy3", "2024-03-21")])
    rebuilt, _ = searchkit.Index.rebuild(path)
    with rebuilt:
        # other0 comes back from its file, with the new copy3.
        assert rebuilt.copy_groups() == [["copy2", "other0", "copy3"]] == fresh_groups(folder, tmp_path)
        rebuilt.optimize()
        assert rebuilt.copy_groups() == [["copy2", "other0", "copy3"]]
        assert rebuilt.stats()["copy_groups"] == 1 and rebuilt.stats()["articles_in_copy_groups"] == 3


def test_similar_leaves_out_the_articles_copies_and_shows_another_group_once(news, tmp_path):
    folder, articles = news
    rng = random.Random(6)
    other = articles["other1"]
    write(folder, [copy_of(other, rng, "other1-copy")])
    with searchkit.Index(tmp_path / "ix") as index:
        index.ingest([folder])
        found = ids(index.similar("copy1", limit=20).hits)
        assert "dispatch" not in found and "copy2" not in found and "copy1" not in found
        assert len({"other1", "other1-copy"} & set(ids(index.similar("other2", limit=20).hits))) <= 1
