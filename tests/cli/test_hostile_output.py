"""Article text, ids and file names never drive the terminal they are printed on."""

import csv
import io
import json

import pytest
from click.testing import CliRunner

from searchkit.cli.commands import main
from searchkit.cli.output import BOLD, DIM, HIGHLIGHT, RESET, visible

SEQUENCES = {
    "window title": "\x1b]0;pwned\x07",
    "clear screen": "\x1b[2J",
    "blink": "\x1b[5m",
    "hyperlink": "\x1b]8;;http://evil.example/\x1b\\lien\x1b]8;;\x1b\\",
    "right-to-left override": "\u202egnp.exe\u202c",
    "isolate": "\u2066x\u2069",
    "C1 CSI": "\x9b31m",
    "DEL": "\x7f",
    "backspace": "\x08\x08",
}
ALL = "".join(SEQUENCES.values())
TEXT = f"Début {ALL} puis Mossoul libéré, fin.\n\nSecond paragraphe sur Mossoul {ALL}."
ARTICLE_ID = f"evil{SEQUENCES['window title']}"
TITLE = f"Titre {SEQUENCES['clear screen']}{SEQUENCES['blink']} qui clignote"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def controls(output: str) -> list[str]:
    """Characters of ``output`` a terminal would act on, searchkit's own colours aside."""
    for code in (HIGHLIGHT, BOLD, DIM, RESET):
        output = output.replace(code, "")
    return [ch for ch in output if ch not in "\n\t" and (ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0
                                                          or 0x202A <= ord(ch) <= 0x202E
                                                          or 0x2066 <= ord(ch) <= 0x2069)]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    news = folder / "news"
    news.mkdir()
    rows = [{"id": ARTICLE_ID, "title": TITLE, "text": TEXT, "author": f"X{SEQUENCES['blink']}"},
            {"id": "other", "text": "Un marché de village sans histoire."}]
    (news / "news.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows), "utf-8")
    (news / f"fichier{SEQUENCES['clear screen']}.txt").write_text("Mossoul encore.\n\nTexte du fichier.", "utf-8")
    (news / f"vide{SEQUENCES['window title']}.txt").write_text("", "utf-8")
    ingest = run("ingest", news, "--index", folder / "ix")
    return folder / "ix", news, ingest


@pytest.mark.parametrize("name", SEQUENCES)
def test_visible_writes_each_sequence_as_escapes(name):
    shown = visible(f"a{SEQUENCES[name]}b")
    assert not controls(shown)
    assert shown.startswith("a") and shown.endswith("b")


def test_visible_keeps_layout_when_asked():
    assert visible("a\tb\nc\x1b", layout=True) == "a\tb\nc\\x1b"
    assert visible("a\tb\nc") == "a\\x09b\\x0ac"


def test_ingest_problem_lines_show_file_names_inert(hostile):
    _, _, ingest = hostile
    assert "vide\\x1b]0;pwned\\x07.txt: empty file" in ingest.output
    assert not controls(ingest.output)


@pytest.mark.parametrize("color", ["never", "always"])
def test_query_output_is_inert_and_highlights_stay_on_their_words(hostile, color):
    index, _, _ = hostile
    result = run("query", "Mossoul", "--index", index, "--color", color)
    assert result.exit_code == 0, result.output
    assert not controls(result.output), controls(result.output)
    assert "evil\\x1b]0;pwned\\x07" in result.output and "Titre \\x1b[2J\\x1b[5m qui clignote" in result.output
    assert "\\u202egnp.exe\\u202c" in result.output
    if color == "always":
        assert result.output.count(HIGHLIGHT + "Mossoul" + RESET) >= 2


def test_show_is_inert_and_marks_the_right_words(hostile):
    index, _, _ = hostile
    result = run("show", ARTICLE_ID, "--index", index, "--query", "Mossoul libéré", "--color", "always")
    assert result.exit_code == 0, result.output
    assert not controls(result.output)
    assert HIGHLIGHT + "Mossoul" + RESET in result.output and HIGHLIGHT + "libéré" + RESET in result.output
    assert "\n\nSecond paragraphe" in result.output  # the layout is kept


def test_json_keeps_the_text_as_it_is(hostile):
    index, _, _ = hostile
    result = run("query", "Mossoul", "--index", index, "--format", "json")
    assert not controls(result.output)
    hits = [hit for hit in json.loads(result.output)["hits"] if hit["article_id"] == ARTICLE_ID]
    assert hits and hits[0]["title"] == TITLE
    assert all(hit["text"] in TEXT for hit in hits)
    for hit in hits:
        assert {hit["text"][s:e] for s, e in hit["highlights"]} == {"Mossoul"}
    shown = json.loads(run("show", ARTICLE_ID, "--index", index, "--format", "json").output)
    assert shown["text"] == TEXT and shown["id"] == ARTICLE_ID


def test_trec_and_batch_lines_are_inert(hostile, tmp_path):
    index, _, _ = hostile
    batch = tmp_path / "q.tsv"
    batch.write_text(f"q{SEQUENCES['blink']}1\tMossoul {SEQUENCES['clear screen']}\n", "utf-8")
    for output_format in ("trec", "text", "jsonl", "csv"):
        result = run("query", "--batch", batch, "--format", output_format, "--index", index)
        assert result.exit_code == 0, result.output
        assert not controls(result.output), output_format


def test_csv_is_inert_and_keeps_the_layout(hostile):
    index, _, _ = hostile
    result = run("query", "Mossoul", "--index", index, "--format", "csv", "--limit", "all")
    assert result.exit_code == 0, result.output
    assert not controls(result.output.replace("\r\n", "\n"))
    rows = list(csv.DictReader(io.StringIO(result.output, newline="")))
    evil = [row for row in rows if row["article_id"] == visible(ARTICLE_ID)]
    assert evil and evil[0]["title"] == visible(TITLE) and evil[0]["author"] == visible(f"X{SEQUENCES['blink']}")
    hits = json.loads(run("query", "Mossoul", "--index", index, "--format", "json").output)["hits"]
    assert [row["text"] for row in evil] == [visible(hit["text"], layout=True) for hit in hits
                                             if hit["article_id"] == ARTICLE_ID]
    assert any("\n\nSecond paragraphe" in row["text"] for row in evil)


def test_stats_and_check_are_inert(hostile):
    index, news, _ = hostile
    (news / f"fichier{SEQUENCES['clear screen']}.txt").write_text("Changé.", "utf-8")
    result = run("check", "--index", index)
    assert "fichier\\x1b[2J.txt: changed since it was ingested" in result.output
    assert not controls(result.output)
    assert not controls(run("stats", "--index", index).output)


def test_a_file_name_with_a_newline_stays_on_its_line(tmp_path):
    news = tmp_path / "news"
    news.mkdir()
    (news / "deux\nlignes.txt").write_text("Tombouctou sous la neige.\n\nUn texte sur Tombouctou.", "utf-8")
    assert run("ingest", news, "--index", tmp_path / "ix").exit_code == 0
    result = run("query", "Tombouctou", "--index", tmp_path / "ix")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert not any(line.startswith("lignes.txt") for line in lines)
    assert any("deux\\x0alignes.txt:" in line for line in lines)
    # piped: one line per passage (rank, id:line, date, title, passage), then the count
    assert len(lines) == 2 and lines[0].split("\t")[1] == "deux\\x0alignes.txt:1", lines
