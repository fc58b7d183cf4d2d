"""ingest --from-index between embedded indexes: the copy answers as its
source, keeps the stamps of the files so that the next ingest of them is
incremental, and refuses a bad source in one line."""

import json
import shutil

import pytest

import searchkit
from searchkit.articles.sources import INFO_FILE
from tests.helpers import SEEDS, one_line, run

QUERY = "libération de Mossoul"
FIELDS = ("id", "title", "date", "url", "source", "author", "text", "path", "line", "passages")


def _hits(index):
    result = run("query", QUERY, "--format", "json", "--limit", "20", "--index", index)
    assert result.exit_code == 0, result.output
    return [{name: value for name, value in hit.items() if name != "seconds"} for hit in json.loads(result.stdout)["hits"]]


def _articles(index):
    with searchkit.Index(index, create=False) as opened:
        return {article.id: tuple(getattr(article, name) for name in FIELDS) for article in opened.articles()}


def test_a_copy_answers_as_its_source_and_the_next_ingest_skips_every_file(seeds_index, tmp_path):
    target = tmp_path / "copy"
    copied = run("ingest", "--from-index", seeds_index, "--index", target)
    assert copied.exit_code == 0, copied.output
    assert copied.stdout.startswith("Copied: 41 added, 0 updated, 0 unchanged, 0 removed")
    assert len(copied.stdout.strip().splitlines()) == 1
    assert _hits(target) == _hits(seeds_index)
    assert _articles(target) == _articles(seeds_index)

    again = run("ingest", SEEDS, "--index", target)
    assert again.exit_code == 0, again.output
    assert "0 added, 0 updated, 41 unchanged, 0 removed" in again.stdout
    checked = run("check", "--index", target)
    assert checked.exit_code == 0, checked.output
    # The paths the source was ingested from, for a later --rebuild.
    assert json.loads((target / INFO_FILE).read_text())["roots"] == [str(SEEDS)]


def test_a_file_changed_after_the_copy_is_read_again_and_only_it(seeds_copy, tmp_path):
    assert run("ingest", seeds_copy, "--index", tmp_path / "source").exit_code == 0
    assert run("ingest", "--from-index", tmp_path / "source", "--index", tmp_path / "copy").exit_code == 0
    changed = seeds_copy / "wikinews_44545.txt"
    changed.write_text(changed.read_text("utf-8") + "\nLa Garonne déborde à Toulouse.\n", "utf-8")
    (seeds_copy / "wikinews_44269.txt").unlink()
    ingested = run("ingest", seeds_copy, "--prune", "--index", tmp_path / "copy")
    assert "0 added, 1 updated, 39 unchanged, 1 removed" in ingested.stdout, ingested.output
    assert "wikinews_44545.txt" in run("query", "Garonne Toulouse", "--index", tmp_path / "copy").stdout


def test_copying_again_replaces_rather_than_duplicates(seeds_index, tmp_path):
    target = tmp_path / "copy"
    with searchkit.Index(seeds_index, create=False) as source, searchkit.Index(target) as index:
        first = index.ingest_from(source)
        second = index.ingest_from(source)
        assert (first.added, second.added, second.updated) == (41, 0, 41)
        assert len(index) == 41
    assert _hits(target) == _hits(seeds_index)


def test_a_bad_source_is_one_line_and_creates_nothing(seeds_index, tmp_path):
    target = tmp_path / "copy"
    assert one_line(run("ingest", "--from-index", tmp_path / "nowhere", "--index", target)) == \
        f"searchkit: error: no index to copy from at {tmp_path / 'nowhere'}"
    assert one_line(run("ingest", "--from-index", SEEDS, "--index", target)) == \
        f"searchkit: error: no index to copy from at {SEEDS}"
    assert "into itself" in one_line(run("ingest", "--from-index", seeds_index, "--index", f"{seeds_index}/"))
    assert "give no PATHS" in one_line(run("ingest", SEEDS, "--from-index", seeds_index, "--index", target))
    assert not target.exists()

    old = tmp_path / "old"
    shutil.copytree(seeds_index, old)
    info = json.loads((old / INFO_FILE).read_text())
    info["analyzer"] = "fr-0+old"
    (old / INFO_FILE).write_text(json.dumps(info))
    refused = one_line(run("ingest", "--from-index", old, "--index", target))
    assert refused.startswith(f"searchkit: error: cannot copy from {old}: ") and "incompatible version" in refused
    assert not target.exists()


class _BrokenSource:
    """An index whose reading fails after ``good`` articles, as a damaged one does."""

    def __init__(self, source, good):
        self.source, self.good, self.path = source, good, "broken"

    def info(self):
        return self.source.info()

    def stamped_articles(self):
        for count, item in enumerate(self.source.stamped_articles()):
            if count == self.good:
                raise searchkit.SearchkitError("a segment of broken cannot be read")
            yield item


def test_a_copy_that_fails_halfway_leaves_the_target_as_it_was(seeds_index, tmp_path):
    target = tmp_path / "copy"
    assert run("ingest", SEEDS / "wikinews_44269.txt", "--index", target).exit_code == 0
    before = _articles(target)
    with searchkit.Index(seeds_index, create=False) as source, searchkit.Index(target) as index:
        with pytest.raises(searchkit.SearchkitError, match="cannot be read"):
            index.ingest_from(_BrokenSource(source, 20))
    assert _articles(target) == before and len(before) == 1
    assert run("check", "--index", target).exit_code == 0
