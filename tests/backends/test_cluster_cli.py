"""The CLI against an index in a real two-node cluster: the same hits as the
embedded index, incremental ingests, removals, a rebuild behind an alias,
and the cluster's refusals as one line."""

import json
import shutil

import pytest

from tests.heldtexts import texts_another_folder_holds_stay_when_their_article_goes
from tests.helpers import SEED_ID, SEEDS, one_line, run

QUERY = "libération de Mossoul"


def _hits(*args):
    result = run("query", QUERY, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["hits"]


def _green(address: str) -> None:
    from opensearchpy import OpenSearch

    host = address.removeprefix("opensearch+").rsplit("/", 1)[0]
    OpenSearch(hosts=[host]).cluster.health(wait_for_status="green", params={"request_timeout": 45})


def test_seeds_in_the_cluster_answer_as_the_embedded_index(address, seeds_index, seeds_copy):
    ingested = run("ingest", seeds_copy, "--index", address)
    assert ingested.exit_code == 0, ingested.output
    assert "41 added" in ingested.stdout
    embedded, clustered = _hits("--index", seeds_index), _hits("--index", address)
    assert clustered[0]["article_id"] == embedded[0]["article_id"] == SEED_ID
    # Passages and marks are chosen by the same code from the same text.
    assert [(h["article_id"], h["start"], h["highlights"]) for h in clustered] == \
        [(h["article_id"], h["start"], h["highlights"]) for h in embedded]
    for output in ("text", "csv", "trec"):
        assert run("query", QUERY, "--format", output, "--index", address).exit_code == 0
    shown = run("show", SEED_ID, "--index", address, "--query", "Mossoul")
    assert shown.exit_code == 0 and "Mossoul" in shown.stdout
    _green(address)  # replicas of a new index are placed after the write returns
    stats = json.loads(run("stats", "--format", "json", "--index", address).stdout)
    assert (stats["articles"], stats["shards"], stats["replicas"], stats["nodes"]) == (41, 2, 1, 2)
    assert stats["cluster_status"] == "green"

    # Incremental: nothing read again, then one file changed, one gone.
    assert "41 unchanged" in run("ingest", seeds_copy, "--index", address).stdout
    changed = seeds_copy / "wikinews_44545.txt"
    changed.write_text(changed.read_text("utf-8") + "\nUn paragraphe ajouté sur Tamanrasset.\n", "utf-8")
    (seeds_copy / "wikinews_44881.txt").unlink()
    table = seeds_copy / "SOURCES.tsv"
    table.write_text("".join(line for line in table.read_text("utf-8").splitlines(keepends=True)
                             if not line.startswith("wikinews_44881.txt")), "utf-8")
    again = run("ingest", seeds_copy, "--prune", "--index", address)
    assert again.exit_code == 0 and "1 updated" in again.stdout and "1 removed" in again.stdout, again.output
    assert run("query", "Tamanrasset", "--format", "json", "--index", address).stdout.count("wikinews_44545") >= 1
    removed = run("remove", SEED_ID, "--index", address)
    assert removed.exit_code == 0 and "Removed 1 article" in removed.stdout
    assert _hits("--index", address)[0]["article_id"] != SEED_ID

    # A rebuild builds a new index from the files and swaps the alias: the
    # removed seed article, still in its file, comes back.
    rebuilt = run("ingest", "--rebuild", "--index", address)
    assert rebuilt.exit_code == 0, rebuilt.output
    after = json.loads(run("stats", "--format", "json", "--index", address).stdout)
    assert after["articles"] == 40 and after["physical_index"] != stats["physical_index"]


def test_an_article_the_cluster_refuses_is_named_and_the_others_written(address, tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    too_long = "x" * 600  # OpenSearch refuses an _id over 512 bytes
    lines = [{"id": too_long, "text": "Un article sur Mossoul."}, {"id": "bon", "text": "Un autre sur Raqqa."}]
    (folder / "export.jsonl").write_text("\n".join(json.dumps(line) for line in lines), "utf-8")
    result = run("ingest", folder, "--index", address)
    assert result.exit_code == 1
    assert "1 added" in result.stdout
    refused = [line for line in result.stderr.splitlines() if "refused by the cluster" in line]
    assert len(refused) == 1 and too_long in refused[0] and "export.jsonl" in refused[0]
    assert run("query", "Raqqa", "--index", address).exit_code == 0


def test_a_read_only_index_is_one_line_and_loses_nothing(address, cluster, seeds_copy):
    from opensearchpy import OpenSearch

    assert run("ingest", seeds_copy, "--index", address).exit_code == 0
    client = OpenSearch(hosts=[cluster])
    name = address.rsplit("/", 1)[1]
    client.indices.put_settings(index=name, body={"index.blocks.write": True})
    try:
        (seeds_copy / "wikinews_44545.txt").write_text("Texte remplacé sur Mossoul.", "utf-8")
        result = run("ingest", seeds_copy, "--index", address)
        assert result.exit_code == 1
        assert "read-only" in result.output and "Traceback" not in result.output
    finally:
        client.indices.put_settings(index=name, body={"index.blocks.write": False})
        client.close()
    assert _hits("--index", address)[0]["article_id"] == SEED_ID


@pytest.mark.parametrize("where, said", [
    ("opensearch+http://127.0.0.1:1/news", "cannot reach the cluster at http://127.0.0.1:1"),
    ("opensearch+http://user:secret@127.0.0.1:9200/news", "put no credentials in the index address"),
    ("opensearch+http://127.0.0.1:9200/News", "cannot be used"),
])
def test_an_address_that_cannot_serve_is_one_line(where, said):
    assert said in one_line(run("query", QUERY, "--index", where))


def test_an_index_not_in_the_cluster_is_named(address):
    assert "no index" in one_line(run("query", QUERY, "--index", address))


def test_texts_another_folder_holds_stay_when_their_article_goes(address, tmp_path):
    texts_another_folder_holds_stay_when_their_article_goes(tmp_path, address)


def test_two_folders_files_of_the_same_name_are_two_articles(address, tmp_path):
    """As in the embedded index: the second folder's crue.txt does not replace the first's."""
    for folder, river in (("a", "Seine"), ("b", "Loire")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "crue.txt").write_text(f"La {river} monte.\n\nLes quais sont fermés.", "utf-8")
        assert run("ingest", tmp_path / folder, "--index", address).exit_code == 0
    for river in ("Seine", "Loire"):
        found = run("query", river, "--format", "json", "--index", address)
        assert [hit["path"] for hit in json.loads(found.stdout)["hits"]] == \
            [str(tmp_path / ("a" if river == "Seine" else "b") / "crue.txt")]
    dump = tmp_path / "c" / "dump.jsonl"
    dump.parent.mkdir()
    dump.write_text(json.dumps({"id": "crue.txt", "text": "Le Rhône gèle."}) + "\n", "utf-8")
    refused = run("ingest", dump.parent, "--index", address)
    assert refused.exit_code == 1 and "already belongs to" in refused.output, refused.output
    assert "Seine" in run("show", "crue.txt", "--index", address).stdout


def test_an_edited_table_row_updates_its_article(address, tmp_path):
    news = tmp_path / "news"
    news.mkdir()
    (news / "crue.txt").write_text("La Seine en crue\n\nLa Seine déborde à Paris depuis lundi.", "utf-8")
    (news / "SOURCES.tsv").write_text("file\tdate\ncrue.txt\t2016-06-03\n", "utf-8")
    assert run("ingest", news, "--index", address).exit_code == 0
    (news / "SOURCES.tsv").write_text("file\tdate\ncrue.txt\t2016-06-04\n", "utf-8")
    result = run("ingest", news, "--index", address)
    assert "0 added, 1 updated, 0 unchanged" in result.output, result.output
    shown = json.loads(run("show", "crue.txt", "--format", "json", "--index", address).stdout)
    assert shown["date"] == "2016-06-04"
