"""The command line: hostile or mistaken arguments get one line, never a traceback."""

import json

import pytest

from tests.helpers import one_line, run


def test_a_bad_option_value_gets_one_line_and_exit_status_1(seeds_index):
    line = one_line(run("query", "Mossoul", "--limit", "zero", "--index", seeds_index))
    assert "--limit" in line and "searchkit query --help" in line


def test_an_unknown_option_or_command_gets_one_line_and_exit_status_1(seeds_index):
    assert "--frobnicate" in one_line(run("stats", "--frobnicate", "--index", seeds_index))
    assert "frobnicate" in one_line(run("frobnicate"))
    assert "--frobnicate" in one_line(run("--frobnicate"))


def test_rebuild_in_the_current_folder_rebuilds_it_in_place(tmp_path, monkeypatch):
    from tests.helpers import SEED_ID, SEEDS

    (tmp_path / "news").mkdir()
    (tmp_path / "news" / SEED_ID).write_bytes((SEEDS / SEED_ID).read_bytes())
    assert run("ingest", tmp_path / "news", "--index", tmp_path / "ix").exit_code == 0
    monkeypatch.chdir(tmp_path / "ix")
    # The rebuild is committed inside the folder: it was a traceback when it renamed the folder.
    result = run("ingest", "--rebuild", "--index", ".")
    assert result.exit_code == 0 and result.output.startswith("Rebuilt: 1 added"), result.output
    assert run("query", "Mossoul", "--index", ".").exit_code == 0
    monkeypatch.chdir(tmp_path)
    assert run("ingest", "--rebuild", "--index", "ix").exit_code == 0


def test_a_killed_ingest_leaves_nothing_after_the_next_one(tmp_path):
    from tests.helpers import SEED_ID, SEEDS

    (tmp_path / "news").mkdir()
    (tmp_path / "news" / SEED_ID).write_bytes((SEEDS / SEED_ID).read_bytes())
    index = tmp_path / "ix"
    assert run("ingest", tmp_path / "news", "--index", index).exit_code == 0
    before = sorted(p.name for p in index.iterdir())
    # What a kill -9 in the middle of an ingest was seen to leave.
    leftovers = ["searchkit_k1ll3d0000000000.pst", "searchkit_k1ll3d0000000000.trm",
                 "searchkit_k1ll3d0000000000._stored.col", "_searchkit_2.toc.1796186800.6775627",
                 "searchkit.json.tmp"]
    for name in leftovers:
        (index / name).write_bytes(b"partial")
    (index / "searchkit.tmp").mkdir()  # Whoosh's temporary storage
    (index / "searchkit.tmp" / "run.tmp").write_bytes(b"partial")
    result = run("ingest", tmp_path / "news", "--index", index)  # changes nothing: it cancels
    assert "1 unchanged" in result.output
    assert sorted(p.name for p in index.iterdir()) == before
    assert "Mossoul" in run("query", "Mossoul", "--index", index).output


def test_a_disk_full_at_the_last_flush_of_the_term_table_is_one_line(tmp_path, monkeypatch):
    """The exact point: the term table's final flush fails, which closes its
    file; cancelling then closed the table again on the closed file
    (ValueError: I/O operation on closed file, a traceback)."""
    import errno

    from whoosh.filedb.structfile import StructFile

    from tests.helpers import SEEDS

    close = StructFile.close

    def full_disk_close(self):
        if str(getattr(self, "_name", "")).endswith(".trm") and not self.is_closed:
            self.file.close()
            raise OSError(errno.ENOSPC, "No space left on device")
        return close(self)

    monkeypatch.setattr(StructFile, "close", full_disk_close)
    line = one_line(run("ingest", SEEDS, "--index", tmp_path / "ix"))
    assert line == (f"searchkit: error: could not write the index at {tmp_path / 'ix'}: No space left on device; "
                    "it is as it was before this ingest")


@pytest.mark.parametrize("option", ["--index", "--limit", "--format", "--since", "-n"])
def test_an_option_missing_its_value_after_the_query_is_named(seeds_index, option):
    line = one_line(run("query", "Mossoul", option))
    assert f"Option '{option}' requires an argument." in line and "'--'" not in line


def test_words_given_unquoted_are_one_query(seeds_index):
    def ranked(*words):
        result = run("query", *words, "--index", seeds_index, "--format", "json")
        assert result.exit_code == 0, result.output
        return [hit["article_id"] for hit in json.loads(result.output)["hits"]]

    assert ranked("libération", "Mossoul") == ranked("libération Mossoul")
    assert ranked("gouvernement", "-Grèce") == ranked("gouvernement -Grèce")
