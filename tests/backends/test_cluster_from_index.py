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


def test_an_embedded_index_moves_into_the_cluster_and_back(seeds_index, address, tmp_path):
    into = run("ingest", "--from-index", seeds_index, "--index", address)
    assert into.exit_code == 0, into.output
    assert into.stdout.startswith("Copied: 41 added, 0 updated, 0 unchanged, 0 removed")
    assert _hits(address) == _hits(seeds_index)
    assert _articles(address) == _articles(seeds_index)
    again = run("ingest", SEEDS, "--index", address)
    assert "0 added, 0 updated, 41 unchanged, 0 removed" in again.stdout, again.output
    assert run("check", "--index", address).exit_code == 0

    back = tmp_path / "back"
    out = run("ingest", "--from-index", address, "--index", back)
    assert out.exit_code == 0, out.output
    assert out.stdout.startswith("Copied: 41 added, 0 updated, 0 unchanged, 0 removed")
    assert _hits(back) == _hits(seeds_index)
    assert _articles(back) == _articles(seeds_index)
    again = run("ingest", SEEDS, "--index", back)
    assert "0 added, 0 updated, 41 unchanged, 0 removed" in again.stdout, again.output
    assert run("check", "--index", back).exit_code == 0

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
