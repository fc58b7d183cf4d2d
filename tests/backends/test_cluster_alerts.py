"""Saved searches on a cluster index, kept in the cluster and shared by
every reader: each new matching article told once across ingests, an edited
or removed one not again, a query that no longer runs named in one line,
and `watch`'s run after an ingest."""

import json
import random
import sys

import searchkit
from searchkit.backends.clusteralerts import DOCUMENT
from searchkit.cli.commands import _run_alerts
from tests.copies import article, copy_of
from tests.helpers import run
from tests.test_alerts import WORD, matching, new_ids, stopped_search_named_once, write


def test_each_new_matching_article_is_told_once_across_ingests(address, tmp_path):
    rng = random.Random(1)
    news = tmp_path / "news"
    write(news, article(rng, "old"), matching(rng, "before"))
    assert run("ingest", news, "--index", address).exit_code == 0
    added = run("alert", "add", "port", WORD, "--index", address)
    assert added.exit_code == 0 and "1 article seen already" in added.output, added.output
    dispatch = matching(rng, "day1-a")
    write(news, dispatch, copy_of(dispatch, rng, "day1-copy", "2024-03-11"), matching(rng, "day1-b"),
          article(rng, "day1-other"))
    assert run("ingest", news, "--index", address).exit_code == 0
    first = run("alert", "run", "--index", address)
    assert first.exit_code == 0, first.output
    printed = new_ids(first)
    assert sorted(printed) == ["day1-a", "day1-b"] and "      + 1 copy: " in first.output
    assert run("alert", "run", "--index", address).output == ""
    # The next day: a new article, one of the first day's edited, another removed.
    write(news, matching(rng, "day2"), matching(rng, "day1-a"))
    (news / "day1-b.json").unlink()
    assert run("ingest", news, "--prune", "--index", address).exit_code == 0
    second = run("alert", "run", "--index", address, "--format", "json")
    runs = json.loads(second.output)["alerts"]
    assert [(r["name"], r["error"]) for r in runs] == [("port", None)]
    printed += [match["id"] for match in runs[0]["new"]]
    assert sorted(printed) == ["day1-a", "day1-b", "day2"]
    # A rebuild keeps the ids: nothing is news again.
    assert run("ingest", "--rebuild", "--index", address).exit_code == 0
    assert run("alert", "run", "--index", address).output == ""
    listed = json.loads(run("alert", "list", "--index", address, "--format", "json").output)
    assert [item["name"] for item in listed] == ["port"]


def test_a_saved_query_that_no_longer_runs_is_one_line_and_the_others_run(address, cluster, tmp_path):
    from opensearchpy import OpenSearch

    rng = random.Random(4)
    news = tmp_path / "news"
    write(news, article(rng, "old"))
    assert run("ingest", news, "--index", address).exit_code == 0
    for name, query in (("port", WORD), ("stops", "marché des vins")):
        assert run("alert", "add", name, query, "--index", address).exit_code == 0
    # As after an analysis whose stop words grew: the saved query holds only stop words now.
    client = OpenSearch(hosts=[cluster])
    companion = f"{address.rsplit('/', 1)[1]}.searchkit"
    saved = client.get(index=companion, id=DOCUMENT)["_source"]
    saved["saved_searches"][1]["query"] = "les des"
    client.index(index=companion, id=DOCUMENT, body=saved)
    client.close()
    write(news, matching(rng, "new"))
    assert run("ingest", news, "--index", address).exit_code == 0
    stopped_search_named_once(run("alert", "run", "--index", address), ["new"])
    for args in (("add", "port", WORD), ("remove", "nope"), ("run", "nope")):
        refused = run("alert", *args, "--index", address)
        assert refused.exit_code == 1 and refused.output.count("\n") == 1, (args, refused.output)


def test_watch_runs_the_saved_searches_of_a_cluster_after_an_ingest(address, tmp_path):
    rng = random.Random(6)
    news = tmp_path / "news"
    write(news, article(rng, "a"))
    told = tmp_path / "told.json"
    notifier = [sys.executable, "-c", f"import json, sys; json.dump(sys.argv[1:], open({str(told)!r}, 'w'))"]
    with searchkit.Index(address) as index:
        index.ingest([news])
        index.alerts.add("port", WORD)
        write(news, matching(rng, "b"))
        index.ingest([news])
        _run_alerts(index, notifier)  # what `watch` runs after each ingest
        assert json.loads(told.read_text("utf-8")) == [f"port: 1 new: {index.get('b').title}"]
        assert [run.new for run in index.alerts.run()] == [[]]
    # Another reader of the cluster shares them.
    with searchkit.Index(address) as other:
        assert [search.name for search in other.alerts.list()] == ["port"]
        other.alerts.remove("port")
        assert other.alerts.list() == []
