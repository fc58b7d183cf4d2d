"""A damaged index says so: every kind of file it holds, cut short, emptied,
flipped or deleted, is named by `check`, and queries either say the index is
damaged in one line or, when they do not read that file, answer as before."""

import json
import os
import re
import shutil

import pytest
from click.testing import CliRunner

import searchkit
from searchkit.cli.commands import main

QUERY = "crue Marne"
CORRUPTIONS = ("half", "empty", "flip-head", "flip-middle", "delete")


def write_articles(folder, count, start, word):
    folder.mkdir(parents=True)
    for number in range(start, start + count):
        (folder / f"{number}.txt").write_text(
            f"Crue de la {word} numéro {number}.\n\n"
            + f"La {word} monte au jour {number}; la crue de la Marne inquiète. " * (1 + number % 4),
            "utf-8")


def ranking_of(hits):
    return [(hit["article_id"], round(hit["score"], 6), hit["passage_index"]) for hit in hits]


def cli(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """An index of three commits, so three segments; the ranking it gives."""
    root = tmp_path_factory.mktemp("integrity")
    index_path = root / "ix"
    for number, word in enumerate(("Marne", "Seine", "Loire")):
        write_articles(root / word, 4, start=10 * number, word=word)
        assert cli("ingest", root / word, "--index", index_path).exit_code == 0
    assert len(list(index_path.glob("*.sums"))) == 3
    result = cli("query", QUERY, "--index", index_path, "--format", "json")
    ranking = ranking_of(json.loads(result.output)["hits"])
    assert len(ranking) == 10
    return index_path, ranking


def kind_of(name):
    """The kind of an index file: its name without the segment id or generation."""
    return re.sub(r"^searchkit_[0-9a-z]+\.|^_searchkit_[0-9]+\.|(?<=^copies\.)[0-9]+\.", "", name)


def files_by_kind(index_path):
    """One file of each kind, from the segment holding the first result (the
    lock file holds nothing to damage)."""
    with searchkit.Index(index_path, create=False) as index:
        searcher = index.searcher()
        docnum = searcher.document_number(id="0.txt")
        segment = searcher.reader().leaf_readers()[0]
        for leaf, base in searcher.reader().leaf_readers():
            if base <= docnum < base + leaf.doc_count_all():
                segment = (leaf, base)
        segment_id = segment[0].segment().segment_id()
        generation = index.searcher().reader().generation()
    chosen = {}
    for path in sorted(index_path.iterdir()):
        if path.name.endswith("WRITELOCK"):
            continue
        if path.name.startswith("searchkit_") and not path.name.startswith(segment_id + "."):
            continue
        if path.name.startswith("copies.") and path.name != f"copies.{generation}.json":
            continue  # the groups of the commit before: kept for its searchers
        chosen[kind_of(path.name)] = path.name
    return chosen


KINDS = ("toc", "searchkit.json", "sums", "pst", "trm", "_stored.col", "_body_len.col", "_title_len.col",
         "_truncated_len.col", "id.col", "path.col", "date.col", "file_sig.col", "text_hash.col",
         "passage_count.col", "copy_sig.col", "copies.json")


def test_every_kind_of_index_file_is_covered(built):
    index_path, _ = built
    assert sorted(files_by_kind(index_path)) == sorted(KINDS)


def corrupt(path, how):
    data = path.read_bytes()
    if how == "half":
        path.write_bytes(data[:len(data) // 2])
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "delete":
        path.unlink()
    else:
        at = 0 if how == "flip-head" else len(data) // 2
        path.write_bytes(data[:at] + bytes([data[at] ^ 0x20]) + data[at + 1:])


@pytest.mark.parametrize("kind", KINDS)
def test_a_damaged_file_is_named_by_check_and_queries_never_answer_wrong(built, tmp_path, kind):
    index_path, ranking = built
    name = files_by_kind(index_path)[kind]
    for how in CORRUPTIONS:
        damaged = tmp_path / how
        shutil.copytree(index_path, damaged)
        corrupt(damaged / name, how)
        where = f"{name} {how}"

        check = cli("check", "--index", damaged)
        assert check.exit_code == 1, f"{where}: {check.output}"
        named = name if kind != "toc" or how != "delete" else "_searchkit_*.toc"
        assert any(named in line and "damaged" in line for line in check.output.splitlines()), \
            f"{where}: {check.output}"

        query = cli("query", QUERY, "--index", damaged, "--format", "json")
        if query.exit_code == 0:
            assert ranking_of(json.loads(query.output)["hits"]) == ranking, where
        else:
            assert query.exit_code == 1 and query.output.count("\n") == 1, f"{where}: {query.output}"
            assert f"the index at {damaged} is damaged (" in query.output, f"{where}: {query.output}"
            assert "ingest --rebuild" in query.output

        try:
            with searchkit.Index(damaged, create=False) as index:
                hits = [hit.to_dict() for hit in index.search(QUERY).hits]
            assert ranking_of(hits) == ranking, where
        except searchkit.IndexDamaged as error:
            assert "\n" not in str(error) and error.file in (name, named) or error.file.endswith(".sums"), \
                f"{where}: {error}"


def test_the_damaged_message_names_the_file_and_rebuild_repairs_it(built, tmp_path):
    index_path, ranking = built
    damaged = tmp_path / "ix"
    shutil.copytree(index_path, damaged)
    name = files_by_kind(damaged)["_body_len.col"]
    corrupt(damaged / name, "flip-middle")  # same size: only the CRC sees it
    for command in (["query", QUERY], ["stats"], ["show", "0.txt"]):
        result = cli(*command, "--index", damaged)
        assert result.exit_code == 1
        assert result.output == (f"searchkit: error: the index at {damaged} is damaged ({name}: checksum mismatch): "
                                 f"run `searchkit ingest --rebuild --index {damaged}`\n")
    assert cli("ingest", "--rebuild", "--index", damaged).exit_code == 0
    assert cli("check", "--index", damaged).exit_code == 0
    query = cli("query", QUERY, "--index", damaged, "--format", "json")
    # One segment now: articles of equal score may come in another order.
    assert sorted(ranking_of(json.loads(query.output)["hits"])) == sorted(ranking)


def without_checksums(index_path, folder):
    """A copy of the index as searchkit wrote it before it kept checksums."""
    shutil.copytree(index_path, folder)
    for sums in folder.glob("*.sums"):
        sums.unlink()
    toc = next(folder.glob("*.toc"))
    data = toc.read_bytes()
    toc.write_bytes(data[:data.rindex(b"skcrc32\x01") - int.from_bytes(data[-8:-4], "big")])
    info = json.loads((folder / "searchkit.json").read_text("utf-8"))
    del info["checksum"]
    (folder / "searchkit.json").write_text(json.dumps(info), "utf-8")
    return folder


def test_an_index_written_before_checksums_opens_and_check_notes_it(built, tmp_path):
    index_path, ranking = built
    old = without_checksums(index_path, tmp_path / "ix")
    query = cli("query", QUERY, "--index", old, "--format", "json")
    assert ranking_of(json.loads(query.output)["hits"]) == ranking
    check = cli("check", "--index", old)
    assert check.exit_code == 0, check.output
    assert "written before searchkit kept checksums: not verified" in check.output


def test_check_notes_new_files_without_failing(built, tmp_path):
    index_path, _ = built
    (index_path.parent / "Loire" / "new.txt").write_text("Un nouvel article sur la Loire.", "utf-8")
    try:
        check = cli("check", "--index", index_path)
        assert check.exit_code == 0, check.output
        assert "Loire/new.txt: new under the ingested paths, not indexed yet" in check.output
    finally:
        (index_path.parent / "Loire" / "new.txt").unlink()


def test_check_passes_over_a_named_pipe_under_the_ingested_paths(built):
    index_path, _ = built
    pipe = index_path.parent / "Loire" / "feed.fifo"
    os.mkfifo(pipe)
    try:
        check = cli("check", "--index", index_path)
        assert check.exit_code == 0, check.output
        assert "feed.fifo" not in check.output
    finally:
        pipe.unlink()


@pytest.mark.parametrize("kind", ["pst", "trm", "_stored.col", "id.col", "date.col", "path.col"])
def test_a_damaged_large_file_read_by_a_query_is_named_not_a_traceback(built, tmp_path, monkeypatch, kind):
    """Files over the size whose CRC is read at each open have only their
    size checked then: the error a flipped byte raises inside Whoosh is
    traced to its file by reading every file against its checksum."""
    from searchkit.storage import integrity

    index_path, _ = built
    monkeypatch.setattr(integrity, "CRC_AT_OPEN_MAX", 0)
    name = files_by_kind(index_path)[kind]
    answers = {output: cli("query", QUERY, "--index", index_path, "--format", output).output
               for output in ("json", "trec")}
    for how in ("flip-head", "flip-middle"):
        damaged = tmp_path / how
        shutil.copytree(index_path, damaged)
        corrupt(damaged / name, how)
        for output, answer in answers.items():
            query = cli("query", QUERY, "--index", damaged, "--format", output)
            if query.exit_code == 0:
                if output == "json":
                    assert ranking_of(json.loads(query.output)["hits"]) == ranking_of(json.loads(answer)["hits"])
                else:
                    assert query.output == answer, f"{name} {how}"
            else:
                assert query.output.count("\n") == 1 and f"is damaged ({name}: checksum mismatch)" in query.output


@pytest.mark.parametrize("kind", ["toc", "trm", "_stored.col"])
def test_an_error_reading_an_index_without_checksums_is_one_line(built, tmp_path, kind):
    index_path, _ = built
    old = without_checksums(index_path, tmp_path / "ix")
    corrupt(old / files_by_kind(index_path)[kind], "half")
    query = cli("query", QUERY, "--index", old)
    assert query.exit_code == 1 and query.output.count("\n") == 1 and "is damaged" in query.output


def test_a_programming_error_on_a_whole_index_is_not_called_damage(built, monkeypatch):
    index_path, _ = built
    from searchkit.search import engine as search

    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(search, "passage_hits", broken)
    with searchkit.Index(index_path, create=False) as index:
        with pytest.raises(ValueError, match="a bug"):
            index.search(QUERY)
        with pytest.raises(searchkit.QueryError):
            index.search("le")  # only stop words: the user's error, as before
