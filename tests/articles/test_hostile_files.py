"""Hostile files cost bounded memory and time: each is named with the limit it
passes, and the rest of the batch is ingested.

Each ingest runs in a subprocess whose address space is capped a few hundred
MB above what it holds once started (resource.setrlimit), so that reading a
hostile file whole fails the test instead of swapping. The files are written
here, streaming; some limits are lowered in the subprocess so that the files
stay small enough to write quickly, still far larger than the cap.
"""

import gzip
import json
import os
import socket
import subprocess
import sys
import textwrap

import pytest

from searchkit import limits

from tests.helpers import run

ALLOWANCE_MB = 300
CHUNK = b"a" * (1 << 20)

INGEST = textwrap.dedent("""
    import json, os, resource, sys
    import numpy  # its thread pools reserve address space: before the cap is measured
    import searchkit, searchkit.writer.bulk, searchkit.articles.sources, trafilatura
    from searchkit import limits
    folder, index, overrides, allowance = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), int(sys.argv[4])
    for name, value in overrides.items():
        setattr(limits, name, value)
    with open("/proc/self/status") as status:
        size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    resource.setrlimit(resource.RLIMIT_AS, (size + allowance, size + allowance))
    with searchkit.Index(index) as ix:
        report = ix.ingest([folder])
    print(json.dumps({"added": report.added, "problems": [str(p) for p in report.problems]}))
""")


def ingest_capped(folder, tmp_path, timeout=120, index="ix", **overrides):
    """Ingest ``folder`` in a subprocess capped at ALLOWANCE_MB more than it starts with."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", INGEST, str(folder), str(tmp_path / index), json.dumps(overrides),
         str(ALLOWANCE_MB << 20)],
        capture_output=True, text=True, timeout=timeout, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def folder(tmp_path):
    """A folder holding one good article beside the hostile file."""
    news = tmp_path / "news"
    news.mkdir()
    (news / "good.txt").write_text("Mossoul est libérée.\n\nLa ville fête sa libération.", "utf-8")
    return news


def only_problem(result, path, reason):
    assert result["added"] == 1, result  # the good article
    assert result["problems"] == [f"{path}: {reason}"] or result["problems"] == [reason], result


def write_gzip(path, chunks):
    with gzip.open(path, "wb", compresslevel=1) as out:
        for chunk in chunks:
            out.write(chunk)


def test_json_nested_100000_deep_is_refused_as_invalid(folder, tmp_path):
    (folder / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (folder / "deep.jsonl").write_text('{"text": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
    result = ingest_capped(folder, tmp_path)
    assert result["added"] == 1
    assert result["problems"] == [
        f"{folder / 'deep.json'}: invalid JSON (nested deeper than the limit of about 1,000 levels)",
        f"{folder / 'deep.jsonl'}:1: invalid JSON (nested deeper than the limit of about 1,000 levels)"]


def test_a_gzip_inflating_to_a_long_line_is_read_in_bounded_memory(folder, tmp_path):
    # 400 MB with no newline, then an article on a line of its own.
    write_gzip(folder / "bomb.jsonl.gz", [*(CHUNK for _ in range(400)), b"\n",
                                          json.dumps({"text": "Raqqa aussi."}).encode() + b"\n"])
    result = ingest_capped(folder, tmp_path)
    assert result["added"] == 2, result  # the good file, and the line after the long one
    assert result["problems"] == [f"{folder / 'bomb.jsonl.gz'}:1: line longer than the limit of "
                                  f"{limits.MAX_JSON_LINE_BYTES / 1e6:g} MB: not read"]


def test_a_long_json_line_is_not_read(folder, tmp_path):
    head = b'{"text": "'
    write_gzip(folder / "long.jsonl.gz", [head, *(CHUNK for _ in range(100)), b'"}\n'])
    result = ingest_capped(folder, tmp_path)
    only_problem(result, f"{folder / 'long.jsonl.gz'}:1",
                 f"line longer than the limit of {limits.MAX_JSON_LINE_BYTES / 1e6:g} MB: not read")


def test_a_gzip_inflating_past_the_limit_stops_there(folder, tmp_path):
    write_gzip(folder / "newlines.jsonl.gz", (b"\n" * (1 << 20) for _ in range(200)))
    result = ingest_capped(folder, tmp_path, MAX_DECOMPRESSED_BYTES=50_000_000)
    assert result["added"] == 1
    [problem] = result["problems"]
    assert problem.startswith(f"{folder / 'newlines.jsonl.gz'}:")
    assert problem.endswith("inflates past the limit of 0.05 GB: the rest of the file is not read (split it)")


def test_reading_one_file_stops_at_the_time_limit(folder, tmp_path):
    write_gzip(folder / "newlines.jsonl.gz", (b"\n" * (1 << 20) for _ in range(200)))
    # Far below what inflating and splitting 200 MB takes on any machine.
    result = ingest_capped(folder, tmp_path, MAX_SECONDS_PER_FILE=0.02)
    assert result["added"] == 1
    [problem] = result["problems"]
    assert problem.endswith("reading took over the limit of 0.02 s: the rest of the file is not read")


def test_a_large_json_file_is_not_read(folder, tmp_path):
    with open(folder / "big.json", "wb") as out:
        out.write(b'{"text": "')
        for _ in range(30):
            out.write(CHUNK)
        out.write(b'"}')
    result = ingest_capped(folder, tmp_path, MAX_JSON_FILE_BYTES=10_000_000)
    only_problem(result, folder / "big.json", "JSON file of 31 MB, over the limit of 10 MB: not read "
                                              "(write it as JSON Lines, one article a line)")


def attributes_page(count):
    attributes = " ".join(f"a{n}=x" for n in range(count))
    return f"<html><body><div {attributes}><p>{'Le texte de la page. ' * 30}</p></div></body></html>"


def test_an_html_page_with_200000_attributes_is_not_read(folder, tmp_path):
    (folder / "attrs.html").write_text(attributes_page(200_000))
    result = ingest_capped(folder, tmp_path, timeout=60)  # it ran past 300 s
    only_problem(result, folder / "attrs.html",
                 f"an HTML element with over {limits.MAX_HTML_ATTRIBUTES} attributes, the limit: not read")


def test_html_in_a_json_text_field_is_bounded_too(folder, tmp_path):
    (folder / "attrs.jsonl").write_text(json.dumps({"text": attributes_page(200_000)}) + "\n")
    result = ingest_capped(folder, tmp_path, timeout=60)
    only_problem(result, f"{folder / 'attrs.jsonl'}:1",
                 f"an HTML element with over {limits.MAX_HTML_ATTRIBUTES} attributes, the limit, "
                 "in its text: not read")


def test_html_over_the_size_or_element_limits_is_not_read(folder, tmp_path):
    (folder / "big.html").write_text("<p>mot</p>" * 200_000)
    result = ingest_capped(folder, tmp_path, MAX_HTML_BYTES=1_000_000)
    only_problem(result, folder / "big.html", "HTML page of 2 MB, over the limit of 1 MB: not read")
    result = ingest_capped(folder, tmp_path, index="ix2", MAX_HTML_ELEMENTS=1_000)
    only_problem(result, folder / "big.html", "HTML of 400000 elements, over the limit of 1000: not read")


@pytest.mark.parametrize("page", [
    "<p>" * 5, "<div a=1 b=2>x</div>", "<" * 50, ">" * 10 + "<a " + "x=1 " * 30, "no markup at all", "",
    "<a " + "x=1 " * 31 + ">" + "<b " + "y=2 " * 29, "<img src='data:image/png;base64,AAAA=='>" * 3,
])
def test_html_excess_counts_what_a_regular_expression_counts(page, monkeypatch):
    import re

    monkeypatch.setattr(limits, "MAX_HTML_ATTRIBUTES", 30)
    monkeypatch.setattr(limits, "MAX_HTML_ELEMENTS", 40)
    elements = page.count("<")
    most = max((tag.count("=") for tag in re.findall(r"<[^>]*", page)), default=0)
    expected = elements > 40 or most > 30
    assert (limits.html_excess(page) is not None) == expected
    assert (limits.html_excess(page.encode()) is not None) == expected


def test_a_page_over_the_limits_never_reaches_the_extractor(folder, monkeypatch):
    import trafilatura

    from searchkit.articles.sources import find_files, read_source

    given = []
    monkeypatch.setattr(trafilatura, "bare_extraction", lambda page, **options: given.append(page))
    (folder / "attrs.html").write_text(attributes_page(limits.MAX_HTML_ATTRIBUTES + 1))
    [source] = [found for found in find_files([folder / "attrs.html"])]
    assert [str(item) for item in read_source(source)] == [
        f"{folder / 'attrs.html'}: an HTML element with over {limits.MAX_HTML_ATTRIBUTES} attributes, "
        "the limit: not read"]
    assert given == []


# -- links, special files, text Python cannot encode ---------------------------


def test_a_symbolic_link_out_of_the_paths_given_is_skipped_and_counted(folder, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("Le mot de passe est hunter2.\n\nNe le dites pas.", "utf-8")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "private.txt").write_text("Un texte privé.\n\nSuite.", "utf-8")
    (folder / "shadow.txt").symlink_to(secret)
    (folder / "elsewhere").symlink_to(outside)
    (folder / "inside.txt").symlink_to(folder / "good.txt")  # inside: read as its target is
    result = run("ingest", folder, "--index", tmp_path / "ix")
    assert result.exit_code == 0, result.output
    assert "2 skipped (2 symbolic links out of the paths given: --follow-links reads them)" in result.output
    assert run("show", "shadow.txt", "--index", tmp_path / "ix").exit_code == 1
    result = run("ingest", folder, "--index", tmp_path / "ix2", "--follow-links")
    assert result.exit_code == 0
    assert "hunter2" in run("show", "shadow.txt", "--index", tmp_path / "ix2").output
    assert run("show", "elsewhere/private.txt", "--index", tmp_path / "ix2").exit_code == 0


def test_named_pipes_and_sockets_are_counted_as_skipped(folder, tmp_path):
    os.mkfifo(folder / "pipe.txt")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "socket.txt"))
    try:
        result = run("ingest", folder, "--index", tmp_path / "ix")
    finally:
        server.close()
    assert result.exit_code == 0, result.output
    assert ("1 added, 0 updated, 0 unchanged, 0 removed, 0 duplicates, "
            "2 skipped (not a file: a pipe, a socket or a device), 0 failed") in result.output


def test_a_link_to_a_pipe_or_a_device_says_what_it_leads_to(folder, tmp_path):
    os.mkfifo(folder / "pipe")
    (folder / "to-pipe.txt").symlink_to(folder / "pipe")
    result = run("ingest", folder, "--index", tmp_path / "ix")
    assert (f"searchkit: error: {folder / 'to-pipe.txt'}: symbolic link to a named pipe (FIFO) "
            f"({folder / 'pipe'}), not a file: not read") in result.output
    assert "broken" not in result.output
    (folder / "to-pipe.txt").unlink()
    (folder / "null.txt").symlink_to("/dev/null")
    result = run("ingest", folder, "--index", tmp_path / "ix2", "--follow-links")
    assert "null.txt: symbolic link to a character device (/dev/null), not a file: not read" in result.output


def test_a_lone_surrogate_is_replaced_with_a_warning_and_the_article_found(folder, tmp_path):
    (folder / "news.jsonl").write_text('{"id": "s\\udc00", "title": "Titre \\ud800", '
                                       '"text": "Mossoul \\ud800 libre, \\ud83d\\ude00 dit-on."}\n', "utf-8")
    result = run("ingest", folder, "--index", tmp_path / "ix")
    assert result.exit_code == 0, result.output
    assert (f"searchkit: warning: {folder / 'news.jsonl'}:1: lone surrogate code points (not text) "
            "replaced by U+FFFD") in result.output
    assert "2 added" in result.output and "0 failed" in result.output
    found = run("query", "Mossoul libre", "--index", tmp_path / "ix")
    assert found.exit_code == 0 and "[[Mossoul]] \ufffd [[libre]], \U0001F600 dit-on." in found.output
    shown = run("show", "s\ufffd", "--index", tmp_path / "ix")
    assert shown.exit_code == 0 and "Titre \ufffd" in shown.output


def test_lines_are_numbered_as_a_file_reads_them_whatever_the_blocks():
    import io

    from hypothesis import given, settings, strategies as st

    from searchkit.articles import sources

    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet="ab \n\r", max_size=60), st.integers(1, 9), st.integers(1, 12))
    def check(text, block, limit):
        old = sources._BLOCK, limits.MAX_JSON_LINE_BYTES
        sources._BLOCK, limits.MAX_JSON_LINE_BYTES = block, limit
        try:
            for data in (text, text.encode()):
                newline = "\n" if isinstance(data, str) else b"\n"
                stream = io.BytesIO(data) if isinstance(data, bytes) else io.StringIO(data, newline="")
                lines = data.split(newline)
                # A blank line over the limit may be reported as too long, or passed over.
                got = [(n, line) for n, line in sources._bounded_lines(stream)
                       if line or (line is None and lines[n - 1].strip())]
                expected = [(n, line if len(line) <= limit else None)
                            for n, line in enumerate(lines, 1) if line.strip()]
                assert got == expected
        finally:
            sources._BLOCK, limits.MAX_JSON_LINE_BYTES = old

    check()
