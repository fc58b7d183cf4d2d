"""Groups of copies on a cluster index: made by the embedded index's code
from the signatures the cluster stores, the same groups as an embedded index
of the same articles through ingests, removals and a rebuild, and a group
shown once in a query's outputs, every copy with --copies."""

import json
import random

import searchkit
from tests.copies import article, copy_of, same_story
from tests.test_alerts import write
from tests.helpers import run


def _news():
    """Two dispatches, each with copies published later, an article on the
    first's story, and unrelated articles."""
    rng = random.Random(21)
    first, second = article(rng, "dispatch", date="2024-03-10"), article(rng, "later", date="2024-03-14")
    return first, [first, copy_of(first, rng, "copy1", "2024-03-11"), copy_of(first, rng, "copy2", "2024-03-12"),
                   same_story(first, rng, "story"), second, copy_of(second, rng, "later-copy", "2024-03-15"),
                   *(article(rng, f"other{n}") for n in range(5))]


def _groups(index):
    with searchkit.Index(index, create=False) as opened:
        return opened.copy_groups()


def _hits(index, query, *args):
    result = run("query", query, "--per-article", "1", "--limit", "20", "--format", "json", "--index", index, *args)
    assert result.exit_code == 0, result.output
    return [(hit["article_id"], sorted(copy["id"] for copy in hit.get("copies", []))) for hit in
            json.loads(result.stdout)["hits"]]


def _shown(hits):
    """Each hit with its copies, as a set: its leader is the best ranked of
    them, which Lucene's rounding of lengths may pick apart from Whoosh's on a near tie."""
    return {frozenset([hit, *copies]) for hit, copies in hits}


def test_the_cluster_groups_copies_as_the_embedded_index(address, tmp_path):
    dispatch, articles = _news()
    news, embedded = tmp_path / "news", tmp_path / "ix"
    write(news, *articles)
    for index in (embedded, address):
        assert run("ingest", news, "--index", index).exit_code == 0
    assert _groups(address) == _groups(embedded) == [["dispatch", "copy1", "copy2"], ["later", "later-copy"]]
    stats = json.loads(run("stats", "--format", "json", "--index", address).stdout)
    assert (stats["copy_groups"], stats["articles_in_copy_groups"]) == (2, 5)

    # A query: the group once, at its best member's rank, the others as its copies.
    query = dispatch["title"]
    grouped = _hits(address, query)
    assert _shown(grouped) == _shown(_hits(embedded, query))
    members = {"dispatch", "copy1", "copy2"}
    shown = [(hit, copies) for hit, copies in grouped if hit in members]
    assert len(shown) == 1 and shown[0][1] == sorted(members - {shown[0][0]})
    every = _hits(address, query, "--copies")
    assert members <= {hit for hit, _ in every} and all(copies == [] for _, copies in every)
    group_of = {member: n for n, group in enumerate(_groups(address)) for member in group}
    firsts = [hit for n, (hit, _) in enumerate(every)
              if hit not in group_of or all(group_of.get(other) != group_of[hit] for other, _ in every[:n])]
    assert [hit for hit, _ in grouped] == firsts
    rows = run("query", query, "--per-article", "1", "--format", "csv", "--index", address).output.splitlines()
    assert rows[0].endswith(",copies") and sum(1 for row in rows if any(m in row for m in members)) == 1
    trec = run("query", query, "--format", "trec", "--index", address).output.splitlines()
    assert len({line.split()[2] for line in trec} & members) == 1
    similar = json.loads(run("similar", "copy1", "--format", "json", "--index", address).stdout)["hits"]
    assert not members & {hit["article_id"] for hit in similar}

    # A removal, a file gone, then a rebuild: the groups a fresh build makes.
    for index in (embedded, address):
        assert run("remove", "dispatch", "--index", index).exit_code == 0
    assert _groups(address) == _groups(embedded) == [["copy1", "copy2"], ["later", "later-copy"]]
    (news / "later.json").unlink()
    for index in (embedded, address):
        assert run("ingest", news, "--prune", "--index", index).exit_code == 0
    # Its file unchanged but its article removed: read again, as embedded.
    assert _groups(address) == _groups(embedded) == [["dispatch", "copy1", "copy2"]]
    for index in (embedded, address):
        assert run("remove", "copy2", "--index", index).exit_code == 0
    assert _groups(address) == _groups(embedded) == [["dispatch", "copy1"]]
    for index in (embedded, address):
        assert run("ingest", "--rebuild", "--index", index).exit_code == 0, index
    assert _groups(address) == _groups(embedded) == [["dispatch", "copy1", "copy2"]]
    assert _shown(_hits(address, query)) == _shown(_hits(embedded, query))
