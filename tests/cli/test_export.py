"""Exports: CSV for spreadsheets and pandas, and --limit all for csv, jsonl
and trec, on a corpus where the count of matches is known by construction."""

import csv
import io
import json
import math

import pandas
import pytest

from tests.corpora import TRICKY, export_articles
from tests.helpers import SEED_ID, one_line, run

# As docs/formats.md lists them.
CSV_COLUMNS = ("rank", "score", "article_id", "title", "date", "source", "author", "url", "path", "line", "text",
               "copies")
ARTICLES = 600  # each with two passages holding the word: 1,200 passages match
WORD = "Tombouctou"


@pytest.fixture(scope="module")
def export_index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    result = run("ingest", export_articles(folder, ARTICLES, WORD), "--index", folder / "ix")
    assert result.exit_code == 0, result.output
    stats = json.loads(run("stats", "--index", folder / "ix", "--format", "json").output)
    filler_articles = stats["articles"] - ARTICLES
    # Two passages each, the filler articles one: what "all" must come to.
    assert stats["passages"] == 2 * ARTICLES + filler_articles
    return folder / "ix"


def query(index, *args):
    result = run("query", *args, "--index", index)
    assert result.exit_code == 0, result.output
    return result


def csv_rows(result):
    # As a file is read for the csv module: UTF-8, newline="".
    return list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8"), newline="")))


def csv_values(hits):
    """JSON hits with their copies as CSV writes them: the ids, "; " between them."""
    return [{**hit, "copies": "; ".join(copy["id"] for copy in hit["copies"]) or None} for hit in hits]


def cell(value):
    """A JSON value as a CSV cell: empty for null."""
    return "" if value is None else str(value)


def test_a_csv_of_1000_hits_reads_back_with_the_csv_module_as_json_gives_them(export_index):
    hits = csv_values(json.loads(query(export_index, WORD, "--limit", "1000", "--format", "json").output)["hits"])
    result = query(export_index, WORD, "--limit", "1000", "--format", "csv")
    raw = result.stdout_bytes
    assert raw.startswith(b"rank,score,article_id,")  # no BOM: the csv module would read it into "rank"
    assert raw.endswith(b"\r\n")
    header, *rows = csv_rows(result)
    assert header == list(CSV_COLUMNS)
    assert len(hits) == len(rows) == 1000
    for hit, row in zip(hits, rows):
        read = dict(zip(header, row))
        assert float(read.pop("score")) == hit["score"]
        assert read == {name: cell(hit[name]) for name in header if name != "score"}
    # What needs quoting came through: the corpus holds it in titles and passages.
    texts = {row[-2] for row in rows} | {row[3] for row in rows}
    for tricky in TRICKY:
        assert any(tricky in text for text in texts), tricky
    assert any("\n" in row[-2] for row in rows) and any('"' in row[6] for row in rows)


def test_a_csv_of_1000_hits_reads_back_with_pandas_without_options(export_index, tmp_path):
    hits = csv_values(json.loads(query(export_index, WORD, "--limit", "1000", "--format", "json").output)["hits"])
    path = tmp_path / "hits.csv"
    path.write_bytes(query(export_index, WORD, "--limit", "1000", "--format", "csv").stdout_bytes)
    frame = pandas.read_csv(path)
    assert list(frame.columns) == list(CSV_COLUMNS)
    assert len(frame) == 1000
    for hit, (_, row) in zip(hits, frame.iterrows()):
        for name in CSV_COLUMNS:
            value = row[name]
            if hit[name] is None:
                assert isinstance(value, float) and math.isnan(value), (name, value)
            else:
                assert value == hit[name], (name, value, hit[name])
    assert frame["rank"].dtype.kind == "i" and frame["score"].dtype.kind == "f" and frame["line"].dtype.kind == "i"


def test_limit_all_gives_every_match_in_csv_jsonl_and_trec(export_index):
    rows = csv_rows(query(export_index, WORD, "--limit", "all", "--format", "csv"))[1:]
    assert len(rows) == 2 * ARTICLES
    assert sorted({row[2] for row in rows}) == [f"art{number:04d}" for number in range(ARTICLES)]
    assert [row[0] for row in rows] == [str(rank) for rank in range(1, 2 * ARTICLES + 1)]
    # The first thousand are those of --limit 1000, in the same order.
    thousand = csv_rows(query(export_index, WORD, "--limit", "1000", "--format", "csv"))[1:]
    assert rows[:1000] == thousand
    jsonl = query(export_index, WORD, "--limit", "all", "--format", "jsonl").output.splitlines()
    assert len(jsonl) == 1 and len(json.loads(jsonl[0])["hits"]) == 2 * ARTICLES
    trec = query(export_index, WORD, "--limit", "ALL", "--format", "trec").output.splitlines()
    assert len(trec) == ARTICLES == len({line.split()[2] for line in trec})


def test_a_batch_in_csv_has_one_header_and_a_qid_column(export_index, tmp_path):
    batch = tmp_path / "queries.tsv"
    batch.write_text(f"q1\t{WORD}\nq2\tguillemets\n", "utf-8")
    header, *rows = csv_rows(query(export_index, "--batch", batch, "--format", "csv", "--limit", "all"))
    assert header == ["qid", *CSV_COLUMNS]
    assert "qid" not in {row[0] for row in rows}
    counts = {qid: sum(1 for row in rows if row[0] == qid) for qid in ("q1", "q2")}
    # One article in five has "guillemets" in its paragraphs, in both.
    assert counts == {"q1": 2 * ARTICLES, "q2": 2 * ARTICLES // 5}


@pytest.mark.parametrize("text", [f"{WORD} virgule", "Tombouctu"])
def test_jsonl_written_as_found_is_the_search_json_on_one_line(export_index, text):
    lines = query(export_index, text, "--format", "jsonl", "--limit", "30").output.splitlines()
    searched = json.loads(query(export_index, text, "--format", "json", "--limit", "30").output)
    assert len(lines) == 1
    streamed = json.loads(lines[0])
    assert list(streamed) == ["query", "suggestion", "hits", "seconds", "matched", "facets", "timeline"]
    assert {**streamed, "seconds": 0} == {**searched, "seconds": 0}
    assert len(streamed["hits"]) == 30
    assert streamed["suggestion"] == (WORD if text == "Tombouctu" else None)


def test_a_batch_in_jsonl_puts_each_qid_first(export_index, tmp_path):
    batch = tmp_path / "queries.tsv"
    batch.write_text(f"q1\t{WORD}\nq2\tTombouctu\n", "utf-8")
    lines = query(export_index, "--batch", batch, "--format", "jsonl", "--limit", "all").output.splitlines()
    objects = [json.loads(line) for line in lines]
    assert [list(data)[:2] for data in objects] == [["qid", "query"]] * 2
    assert [(data["qid"], len(data["hits"])) for data in objects] == [("q1", 2 * ARTICLES), ("q2", 2 * ARTICLES)]


def test_csv_marks_the_hits_only_when_asked(export_index):
    plain = csv_rows(query(export_index, WORD, "--format", "csv"))
    assert all("[[" not in row[-2] for row in plain[1:])
    marked = csv_rows(query(export_index, WORD, "--format", "csv", "--marks", "stars"))
    assert all(f"**{WORD}**" in row[-2] for row in marked[1:])


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_limit_all_with_text_or_json_is_one_line(export_index, output_format):
    line = one_line(run("query", WORD, "--limit", "all", "--format", output_format, "--index", export_index))
    assert "--limit all is for --format csv, jsonl or trec" in line


@pytest.mark.parametrize("value", ["0", "-3", "tout"])
def test_a_limit_that_is_neither_a_count_nor_all_is_one_line(export_index, value):
    line = one_line(run("query", WORD, "--limit", value, "--index", export_index))
    assert "--limit" in line and "nor 'all'" in line


def test_show_json_gives_every_stored_field(export_index, seeds_index):
    shown = json.loads(run("show", "art0007", "--index", export_index, "--format", "json",
                           "--query", WORD).output)
    assert list(shown) == ["id", "title", "date", "source", "author", "url", "path", "line", "text",
                           "passages", "highlights"]
    assert shown["title"] == f"Titre 7: {TRICKY[7 % len(TRICKY)]}" and shown["date"] == "2016-08-08"
    assert shown["source"] == "Le Monde, Paris" and shown["author"] == 'Jean "7"'
    assert shown["url"] == "https://example.org/7?a=1,2" and shown["line"] == 8
    assert shown["path"].endswith("export.jsonl")
    assert len(shown["passages"]) == 2
    assert {shown["text"][start:end] for start, end in shown["highlights"]} == {WORD}
    seed = json.loads(run("show", SEED_ID, "--index", seeds_index, "--format", "json").output)
    assert seed["highlights"] == [] and seed["line"] is None and seed["date"] == "2016-10-25"
