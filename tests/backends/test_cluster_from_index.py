"""ingest --from-index between an embedded index and a cluster, both ways:
the copy answers as its source, keeps the stamps of the files so that the
next ingest of them is incremental, and refuses a bad source in one line."""

import json
import socket

import searchkit
from tests.helpers import SEEDS, one_line, run

QUERY = "libération de Mossoul"
FIELDS = ("id", "title", "date", "url", "source", "author", "text", "path", "line", "passages")


def _hits(index):
    result = run("query", QUERY, "--format", "json", "--limit", "20", "--index", index)
    assert result.exit_code == 0, result.output
    return [(h["article_id"], h["title"], h["date"], h["path"], h["start"], h["highlights"])
            for h in json.loads(result.stdout)["hits"]]


def _articles(index):
    with searchkit.Index(str(index), create=False) as opened:
        return {article.id: tuple(getattr(article, name) for name in FIELDS) for article in opened.articles()}


def _copies_as_its_source(source, target, seeds_index):
    """Copy ``source`` into ``target``: the seeds' hits and articles, and the
    next ingest of the seeds into ``target`` reads nothing again."""
    copied = run("ingest", "--from-index", source, "--index", target)
    assert copied.exit_code == 0, copied.output
    assert copied.stdout.startswith("Copied: 41 added, 0 updated, 0 unchanged, 0 removed")
    assert _hits(target) == _hits(seeds_index)
    assert _articles(target) == _articles(seeds_index)
    again = run("ingest", SEEDS, "--index", target)
    assert "0 added, 0 updated, 41 unchanged, 0 removed" in again.stdout, again.output
    assert run("check", "--index", target).exit_code == 0


def test_an_embedded_index_moves_into_the_cluster_and_back(seeds_index, address, tmp_path):
    _copies_as_its_source(seeds_index, address, seeds_index)
    _copies_as_its_source(address, tmp_path / "back", seeds_index)

    # Copied again: replaced, not doubled.
    twice = run("ingest", "--from-index", seeds_index, "--index", address)
    assert "0 added, 41 updated" in twice.stdout, twice.output
    assert json.loads(run("stats", "--format", "json", "--index", address).stdout)["articles"] == 41


def test_a_bad_cluster_source_is_one_line(cluster, address, tmp_path):
    target = tmp_path / "copy"
    missing = one_line(run("ingest", "--from-index", address, "--index", target))
    assert missing == f"searchkit: error: no index to copy from at {address}"
    with socket.socket() as probe:  # a port nothing answers on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    unreachable = one_line(run("ingest", "--from-index", f"opensearch+http://127.0.0.1:{port}/news", "--index", target))
    assert unreachable.startswith(f"searchkit: error: cannot copy from opensearch+http://127.0.0.1:{port}/news: ")
    assert "cannot reach the cluster" in unreachable
    assert not target.exists()
    assert run("ingest", SEEDS, "--index", address).exit_code == 0
    itself = one_line(run("ingest", "--from-index", address, "--index", address.replace("127.0.0.1", "localhost,127.0.0.1")))
    assert "into itself" in itself
