"""The life of one index: many small ingests, edits, moves, removals,
rebuilds and interruptions, checked after every step against a model of what
it should hold, and against an index built fresh from the same articles."""

from __future__ import annotations

import random
import shutil
import tempfile
from pathlib import Path
from unittest import mock

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import searchkit
from searchkit.ingest.ingestion import Ingestion
from searchkit.writer.bulk import BulkWriter
from searchkit.cli.commands import main
from searchkit.writer import merging
from searchkit.writer.merges import MERGE_FACTOR

WORDS = (
    "gouvernement ministre élection président réforme grève syndicat Quimper Bretagne port "
    "pêcheurs tempête mairie budget école hôpital médecins train gare retraite Mossoul coalition "
    "libération armée frontière accord sommet Europe européennes députés loi vote"
).split()
QUERIES = ["gouvernement réforme", "Quimper port pêcheurs", "élection présidentielle", "grève des trains",
           "libération de Mossoul", "médecins hôpital", "Europe"]


class Interrupted(Exception):
    """Stands for a crash or a Ctrl-C at one point of an ingest."""


def _unique(serial: int) -> str:
    return "dossier" + "".join("bcdfghjklmnpqrstvz"[int(digit)] for digit in str(serial))


def _text(serial: int, rng: random.Random) -> str:
    title = " ".join(rng.choice(WORDS) for _ in range(3)).capitalize()
    # Long enough, often, to have a signature and copies (searchkit.storage.minhash).
    body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 60)))
    # A word of its own, so that no two versions of any file hold the same text.
    return f"{title}\n\nLe {body} {_unique(serial)}.\n"


def _copy_text(text: str, serial: int) -> str:
    """A near copy of ``text``, as an agency dispatch taken up: an agency
    line first, and a word of its own."""
    title, _, body = text.partition("\n\n")
    return f"{title}\n\n(AFP) {body.rsplit(' ', 1)[0]} {_unique(serial)}.\n"


def _groups(index: searchkit.Index, root: Path) -> list[list[str]]:
    paths = {article.id: str(Path(article.path).relative_to(root)) for article in index.articles()}
    return sorted(sorted(paths[article_id] for article_id in group) for group in index.copy_groups())


def _ranking(index: searchkit.Index, root: Path, text: str) -> list[tuple[float, str]]:
    paths = {article.id: str(Path(article.path).relative_to(root)) for article in index.articles()}
    return sorted((-round(score, 5), paths[article_id])
                  for article_id, score in index.rank_articles(text, limit=1000))


class IndexLife(RuleBasedStateMachine):
    """Files on disk, the articles the index should hold (by path), and one
    Index kept open from start to end, as a long-running script keeps it."""

    @initialize()
    def start(self) -> None:
        self.place = Path(tempfile.mkdtemp(prefix="searchkit-life-"))
        self.news = self.place / "news"
        for folder in ("", "lundi", "mardi/soir"):
            (self.news / folder).mkdir(parents=True, exist_ok=True)
        self.index_path = self.place / "index"
        self.index = searchkit.Index(self.index_path)
        self.rng = random.Random(0)
        self.serial = 0
        self.files: dict[str, str] = {}  # path -> text on disk
        self.indexed: dict[str, str] = {}  # path -> text the index should hold
        self.roots: set[str] = set()
        self.index.ingest([self.news])  # creates the index
        self.roots.add(str(self.news))

    def teardown(self) -> None:
        if hasattr(self, "index"):
            self.index.close()
            shutil.rmtree(self.place, ignore_errors=True)

    # -- the files ---------------------------------------------------------

    def _write(self, path: str) -> None:
        self.serial += 1
        self.files[path] = _text(self.serial, self.rng)
        Path(path).write_text(self.files[path], "utf-8")

    @rule(folder=st.sampled_from(["", "lundi", "mardi/soir"]))
    def add_file(self, folder: str) -> None:
        self.serial += 1
        self._write(str(self.news / folder / f"article{self.serial}.txt"))

    @precondition(lambda self: self.files)
    @rule(data=st.data())
    def change_file(self, data: st.DataObject) -> None:
        self._write(data.draw(st.sampled_from(sorted(self.files))))

    @precondition(lambda self: self.files)
    @rule(data=st.data(), folder=st.sampled_from(["", "lundi", "mardi/soir"]))
    def copy_file(self, data: st.DataObject, folder: str) -> None:
        """Another site's copy of an article: grouped with it when long enough."""
        source = data.draw(st.sampled_from(sorted(self.files)))
        self.serial += 1
        path = str(self.news / folder / f"copy{self.serial}.txt")
        self.files[path] = _copy_text(self.files[source], self.serial)
        Path(path).write_text(self.files[path], "utf-8")

    @precondition(lambda self: self.files)
    @rule(data=st.data(), folder=st.sampled_from(["", "lundi", "mardi/soir"]))
    def move_file(self, data: st.DataObject, folder: str) -> None:
        old = data.draw(st.sampled_from(sorted(self.files)))
        self.serial += 1
        new = str(self.news / folder / f"moved{self.serial}.txt")
        Path(old).rename(new)
        self.files[new] = self.files.pop(old)

    @precondition(lambda self: self.files)
    @rule(data=st.data())
    def delete_file(self, data: st.DataObject) -> None:
        path = data.draw(st.sampled_from(sorted(self.files)))
        Path(path).unlink()
        del self.files[path]

    # -- what the model expects of an ingest --------------------------------

    def _ingested(self, scope: str, prune: bool) -> None:
        self.roots.add(scope)
        for path, text in self.files.items():
            if path == scope or path.startswith(scope + "/"):
                for other in [p for p, t in self.indexed.items() if t == text and p not in self.files]:
                    del self.indexed[other]  # a moved file: its article follows it
                self.indexed[path] = text
        if prune:
            for path in [p for p in self.indexed if p.startswith(scope + "/") and p not in self.files]:
                del self.indexed[path]

    # -- the commands ------------------------------------------------------

    @rule(prune=st.booleans())
    def ingest_folder(self, prune: bool) -> None:
        report = self.index.ingest([self.news], prune=prune)
        assert report.failed == 0
        self._ingested(str(self.news), prune)

    @rule(folder=st.sampled_from(["lundi", "mardi"]), prune=st.booleans())
    def ingest_subfolder(self, folder: str, prune: bool) -> None:
        self.index.ingest([self.news / folder], prune=prune)
        self._ingested(str(self.news / folder), prune)

    @precondition(lambda self: self.files)
    @rule(data=st.data())
    def ingest_one_file(self, data: st.DataObject) -> None:
        path = data.draw(st.sampled_from(sorted(self.files)))
        self.index.ingest([path])
        self._ingested(path, prune=False)

    @precondition(lambda self: self.indexed)
    @rule(data=st.data())
    def remove_by_id(self, data: st.DataObject) -> None:
        path = data.draw(st.sampled_from(sorted(self.indexed)))
        [article_id] = [a.id for a in self.index.articles() if a.path == path]
        assert self.index.remove([article_id]).removed == 1
        del self.indexed[path]

    @rule(folder=st.sampled_from(["lundi", "mardi/soir"]))
    def remove_folder(self, folder: str) -> None:
        scope = str(self.news / folder)
        self.index.remove([scope])
        for path in [p for p in self.indexed if p.startswith(scope + "/")]:
            del self.indexed[path]

    @precondition(lambda self: self.roots)
    @rule()
    def rebuild(self) -> None:
        rebuilt, report = searchkit.Index.rebuild(self.index_path)
        rebuilt.close()
        gone = {root for root in self.roots if not Path(root).exists()}
        assert {problem.path for problem in report.problems} == gone  # named, the rest rebuilt
        self.indexed = {p: t for p, t in self.files.items()
                        if any(p == root or p.startswith(root + "/") for root in self.roots)}

    @rule()
    def optimize_then_rank_as_a_fresh_build(self) -> None:
        self.index.optimize()
        self._compare_with_fresh_build()

    @precondition(lambda self: self.files)
    @rule(point=st.sampled_from(["reading", "merging", "before the commit"]), data=st.data())
    def interrupted_ingest(self, point: str, data: st.DataObject) -> None:
        self._write(data.draw(st.sampled_from(sorted(self.files))))  # something to commit
        target = {"reading": (Ingestion, "file"),
                  "merging": (merging, "_numbered"),  # a merged segment's first term read
                  "before the commit": (BulkWriter, "_commit_toc")}[point]
        with mock.patch.object(*target, side_effect=Interrupted(point)):
            try:
                self.index.ingest([self.news], prune=True)
            except Interrupted:
                pass  # "merging" is only reached when a merge is due

        # Either the whole ingest or nothing: the next ingest completes it.
        self.index.ingest([self.news], prune=True)
        self._ingested(str(self.news), prune=True)

    # -- what holds after every step ---------------------------------------

    @invariant()
    def holds_what_the_model_holds(self) -> None:
        if not hasattr(self, "index"):
            return
        held = {article.path: article.text for article in self.index.articles()}
        assert held == {path: text.rstrip("\n") for path, text in self.indexed.items()} or \
            held == self.indexed
        assert len(self.index) == len(held)
        assert self.index.article_ids() == {article.id for article in self.index.articles()}

    @invariant()
    def check_names_only_what_changed_on_disk(self) -> None:
        if not hasattr(self, "index"):
            return
        stale = {p for p, t in self.indexed.items() if self.files.get(p) != t}
        report = self.index.check()
        assert not report.damaged, report.damaged
        assert len(report.problems) == len(stale), report.problems
        assert all(any(problem.startswith(path + ":") for path in stale) for problem in report.problems)

    @invariant()
    def segments_stay_few(self) -> None:
        if hasattr(self, "index"):
            assert len(self.index._ix._segments()) <= 3 * (MERGE_FACTOR - 1) + 1

    def _compare_with_fresh_build(self) -> None:
        fresh_root = Path(tempfile.mkdtemp(prefix="searchkit-fresh-"))
        try:
            for path, text in self.indexed.items():
                target = fresh_root / "news" / Path(path).relative_to(self.news)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, "utf-8")
            with searchkit.Index(fresh_root / "index") as fresh:
                fresh.ingest([fresh_root / "news"])
                for query in QUERIES:
                    assert _ranking(self.index, self.place, query) == _ranking(fresh, fresh_root, query), query
                # The same groups of copies, whatever the life that led to them.
                assert _groups(self.index, self.place) == _groups(fresh, fresh_root)
        finally:
            shutil.rmtree(fresh_root, ignore_errors=True)


IndexLife.TestCase.settings = settings(
    max_examples=6, stateful_step_count=30, deadline=None,
    # Steps cost milliseconds each: shrinking a failure could take minutes; the steps are printed.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
test_the_life_of_an_index = IndexLife.TestCase


def test_fifty_small_ingests_into_one_index_each_commit(tmp_path: Path) -> None:
    """The sixth small ingest into one index used to fail in Whoosh's merge
    (vbytes=None for a field with weights and no values), and every commit after."""
    folder, index_path = tmp_path / "r", tmp_path / "ir"
    folder.mkdir()
    runner = CliRunner()
    for step in range(1, 51):
        (folder / f"f{step}.txt").write_text(f"Article {step}\nUn article numéro {step} sur Quimper.\n", "utf-8")
        result = runner.invoke(main, ["ingest", str(folder), "--index", str(index_path)])
        assert result.exit_code == 0, (step, result.output)
        assert "1 added" in result.output
    query = runner.invoke(main, ["query", "Quimper", "--index", str(index_path), "--limit", "100",
                                 "--format", "json"])
    assert query.exit_code == 0
    assert query.output.count('"article_id"') == 50
    check = runner.invoke(main, ["check", "--index", str(index_path)])
    assert check.exit_code == 0, check.output
    with searchkit.Index(index_path) as index:
        assert len(index._ix._segments()) < MERGE_FACTOR * 2


def test_segments_merge_into_one_with_tails_that_the_fast_scorer_reads(tmp_path: Path) -> None:
    from searchkit.storage.tails import TAIL_MIN_POSTINGS

    folder, index_path = tmp_path / "news", tmp_path / "index"
    folder.mkdir()
    per_commit = TAIL_MIN_POSTINGS // (MERGE_FACTOR - 1) + 1
    with searchkit.Index(index_path) as index:
        for commit in range(MERGE_FACTOR + 1):
            lines = "\n".join(f'{{"id": "a{commit}-{n}", "text": "Quimper le port numéro {n} de la semaine {commit} et la mairie"}}'
                              for n in range(per_commit))
            (folder / f"day{commit}.jsonl").write_text(lines, "utf-8")
            index.ingest([folder])
        segments = index._ix._segments()
        assert len(segments) < MERGE_FACTOR  # the first ten merged
        biggest = max(segments, key=lambda s: s.doc_count())
        assert biggest.doc_count() >= TAIL_MIN_POSTINGS
        searcher = index.searcher()
        leaf = next(r for r, _ in searcher.reader().leaf_readers() if r.doc_count() == biggest.doc_count())
        from searchkit.storage.postings import term_postings
        from searchkit.storage.tails import Tail
        assert isinstance(term_postings(leaf, "quimp", tails=True), Tail)
        fast = index.rank_articles("Quimper mairie", limit=5)
        with searchkit.Index(index_path, fast_scoring=False) as plain:
            slow = plain.rank_articles("Quimper mairie", limit=5)
        assert [round(s, 4) for _, s in fast] == [round(s, 4) for _, s in slow]
        index.optimize()
        assert len(index._ix._segments()) == 1
        assert len(index) == per_commit * (MERGE_FACTOR + 1)


def test_a_rename_and_a_prune_in_one_ingest_keep_the_article(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.txt").write_text("Titre\n\nLe port de Quimper.\n", "utf-8")
    with searchkit.Index(tmp_path / "index") as index:
        index.ingest([folder])
        (folder / "a.txt").rename(folder / "b.txt")
        report = index.ingest([folder], prune=True)
        assert [a.path for a in index.articles()] == [str(folder / "b.txt")]
        assert (report.added, report.removed, report.duplicates) == (1, 1, 0)


def test_a_moved_dump_whose_lines_share_a_text_still_holds_it_once(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    (folder / "lundi").mkdir(parents=True)
    line = '{"id": "%s", "text": "Titre\\n\\nLe port de Quimper."}'
    (folder / "d.jsonl").write_text("\n".join(line % article_id for article_id in ("x2", "x1")), "utf-8")
    with searchkit.Index(tmp_path / "index") as index:
        index.ingest([folder])
        (folder / "d.jsonl").rename(folder / "lundi" / "d.jsonl")
        report = index.ingest([folder], prune=True)
        assert [(a.id, a.path) for a in index.articles()] == [("x2", str(folder / "lundi" / "d.jsonl"))]
        assert (report.failed, report.duplicates) == (0, 1)


# -- rebuilds, writers and interruptions ----------------------------------


def _news(folder: Path, count: int, prefix: str = "a") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (folder / f"{prefix}{n}.txt").write_text(f"Titre {prefix} {n}\n\nLe port de Quimper, jour {prefix}{n}.\n", "utf-8")
    return folder


def _rebuild_in_background(index_path: Path, marker: Path, seconds: float):  # type: ignore[no-untyped-def]
    """A `searchkit ingest --rebuild` in another process that holds the lock for
    ``seconds`` before putting its new index in place."""
    import subprocess
    import sys

    script = (
        "import pathlib, sys, time\n"
        "import searchkit.ingest.transaction as transaction\n"
        "swap_in = transaction.swap_in\n"
        "def slow(*args, **kwargs):\n"
        f"    pathlib.Path({str(marker)!r}).touch(); time.sleep({seconds})\n"
        "    return swap_in(*args, **kwargs)\n"
        "transaction.swap_in = slow\n"
        "from searchkit.cli.commands import main\n"
        f"main(['ingest', '--rebuild', '--index', {str(index_path)!r}])\n"
    )
    return subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(marker: Path) -> None:
    import time

    deadline = time.monotonic() + 60
    while not marker.exists():
        assert time.monotonic() < deadline, "the rebuild never started"
        time.sleep(0.02)


def test_an_ingest_during_a_rebuild_waits_for_it_and_is_kept(tmp_path: Path) -> None:
    index_path = tmp_path / "index"
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", str(_news(tmp_path / "old", 5)), "--index", str(index_path)]).exit_code == 0
    new = _news(tmp_path / "new", 1, prefix="nouveau")
    rebuild = _rebuild_in_background(index_path, tmp_path / "started", seconds=1.5)
    _wait_for(tmp_path / "started")
    busy = runner.invoke(main, ["ingest", str(new), "--index", str(index_path)])
    assert busy.exit_code == 1 and "another ingest or rebuild is writing" in busy.output
    waited = runner.invoke(main, ["ingest", str(new), "--index", str(index_path), "--wait", "60"])
    assert rebuild.wait(60) == 0, rebuild.stderr.read()
    assert waited.exit_code == 0, waited.output
    with searchkit.Index(index_path) as index:
        assert len(index) == 6
        assert any(a.path == str(new / "nouveau0.txt") for a in index.articles())
    assert runner.invoke(main, ["check", "--index", str(index_path)]).exit_code == 0


def test_two_rebuilds_at_once_one_waits_or_says_so(tmp_path: Path) -> None:
    index_path = tmp_path / "index"
    searchkit.Index(index_path).ingest([_news(tmp_path / "news", 5)])
    rebuild = _rebuild_in_background(index_path, tmp_path / "started", seconds=1.0)
    _wait_for(tmp_path / "started")
    second = CliRunner().invoke(main, ["ingest", "--rebuild", "--index", str(index_path)])
    assert second.exit_code == 1 and "another ingest or rebuild is writing" in second.output
    assert "Traceback" not in second.output
    assert rebuild.wait(60) == 0, rebuild.stderr.read()
    with searchkit.Index(index_path) as index:
        assert len(index) == 5 and index.check().ok


def test_a_rebuild_touches_nothing_beside_the_index_and_keeps_its_folder(tmp_path: Path) -> None:
    index_path = tmp_path / "index"
    searchkit.Index(index_path).ingest([_news(tmp_path / "news", 3)])
    for sibling in ("index.old", "index.rebuild"):  # a user's own backups
        (tmp_path / sibling).mkdir()
        (tmp_path / sibling / "keep.txt").write_text("mine", "utf-8")
    (index_path / ".gitignore").write_text("*\n", "utf-8")
    folder = index_path.stat().st_ino  # renaming it would fail on a mount point
    rebuilt, _ = searchkit.Index.rebuild(index_path)
    rebuilt.close()
    assert index_path.stat().st_ino == folder
    assert (index_path / ".gitignore").read_text("utf-8") == "*\n"
    for sibling in ("index.old", "index.rebuild"):
        assert (tmp_path / sibling / "keep.txt").read_text("utf-8") == "mine"
    assert not [p for p in index_path.iterdir() if p.name.startswith(".rebuild")]


@pytest.mark.parametrize("window", ["moving the new segments in", "writing the table of contents",
                                    "recording the new versions"])
def test_a_rebuild_interrupted_in_each_window_loses_nothing(tmp_path: Path, window: str) -> None:
    index_path = tmp_path / "index"
    searchkit.Index(index_path).ingest([_news(tmp_path / "news", 4)])
    extra = _news(tmp_path / "more", 2, prefix="plus")
    target = {"moving the new segments in": ("searchkit.ingest.rebuild.sync_file", None),
              "writing the table of contents": ("searchkit.ingest.rebuild.TOC.write", None),
              "recording the new versions": ("searchkit.ingest.transaction.write_info", None)}[window][0]
    with mock.patch(target, side_effect=Interrupted(window)), pytest.raises(Interrupted):
        searchkit.Index.rebuild(index_path, [extra])
    with searchkit.Index(index_path) as index:  # it opens and answers
        assert len(index) in (4, 6)
        assert index.rank_articles("Quimper")
    rebuilt, report = searchkit.Index.rebuild(index_path)  # the new path was recorded before
    with rebuilt:
        assert len(rebuilt) == 6 and report.failed == 0 and rebuilt.check().ok
    leftovers = [p.name for p in index_path.iterdir() if p.name.startswith(".rebuild")]
    assert leftovers == []


def test_an_ingest_interrupted_after_its_commit_still_records_its_path(tmp_path: Path) -> None:
    index_path = tmp_path / "index"
    searchkit.Index(index_path).ingest([_news(tmp_path / "news", 2)])
    extra = _news(tmp_path / "more", 3, prefix="plus")
    with searchkit.Index(index_path) as index:
        # The commit is done; the record after it never comes.
        with mock.patch("searchkit.ingest.transaction._now", side_effect=Interrupted("after the commit")), \
                pytest.raises(Interrupted):
            index.ingest([extra])
        assert len(index) == 5
    rebuilt, _ = searchkit.Index.rebuild(index_path)
    with rebuilt:
        assert len(rebuilt) == 5


def test_an_index_whose_creation_was_interrupted_can_be_created_again(tmp_path: Path) -> None:
    index_path = tmp_path / "index"
    with mock.patch("whoosh.index.create_in", side_effect=Interrupted("creating")), pytest.raises(Interrupted):
        searchkit.Index(index_path).ingest([tmp_path / "nothing"])
    assert index_path.exists()
    result = CliRunner().invoke(main, ["ingest", str(_news(tmp_path / "news", 2)), "--index", str(index_path)])
    assert result.exit_code == 0, result.output
    with searchkit.Index(index_path) as index:
        assert len(index) == 2


def test_a_kept_open_index_sees_each_ingest_and_a_rebuild(tmp_path: Path) -> None:
    index_path = tmp_path / "index"
    news = _news(tmp_path / "news", 3)
    with searchkit.Index(index_path) as kept:
        kept.ingest([news])
        assert len(kept.search("Quimper", limit=100, per_article=1).hits) == 3
        with searchkit.Index(index_path) as other:  # another script, or the CLI
            other.ingest([_news(news, 5)])
        assert len(kept.search("Quimper", limit=100, per_article=1).hits) == 5
        (news / "a0.txt").unlink()
        searchkit.Index.rebuild(index_path)[0].close()
        assert len(kept.search("Quimper", limit=100, per_article=1).hits) == 4
        assert len(kept) == 4 and kept.article_ids() == {a.id for a in kept.articles()}


def test_article_ids_are_those_of_the_articles_after_remove_and_prune(tmp_path: Path) -> None:
    news = _news(tmp_path / "news", 4)
    with searchkit.Index(tmp_path / "index") as index:
        index.ingest([news])
        (news / "a1.txt").unlink()
        index.ingest([news], prune=True)
        index.remove(["a0.txt"])
        assert index.article_ids() == {"a2.txt", "a3.txt"} == {a.id for a in index.articles()}


def test_the_classes_an_index_pickles_are_pinned() -> None:
    """Whoosh unpickles these by import path when it opens an index: moving one
    is an index format change (bump FORMAT_VERSION, users rebuild)."""
    import pickle
    import pickletools

    from searchkit.storage.schema import make_schema

    names = set()
    for opcode, argument, _ in pickletools.genops(pickle.dumps(make_schema(), 2)):
        if opcode.name == "GLOBAL" and argument.startswith("searchkit"):
            names.add(argument.replace(" ", "."))
    assert names == {"searchkit.analysis.analyzer.FrenchAnalyzer", "searchkit.storage.formats.Frequencies",
                     "searchkit.storage.schema.TextColumn"}


def test_an_index_naming_a_class_this_version_lacks_gets_the_rebuild_message(tmp_path: Path) -> None:
    index_path = tmp_path / "index"
    searchkit.Index(index_path).ingest([_news(tmp_path / "news", 2)])
    [toc] = index_path.glob("_searchkit_*.toc")
    toc.write_bytes(toc.read_bytes().replace(b"searchkit.storage.formats", b"searchkit.formatz"))  # a moved module
    result = CliRunner().invoke(main, ["query", "Quimper", "--index", str(index_path)])
    assert result.exit_code == 1
    assert "searchkit ingest --rebuild" in result.output and "Traceback" not in result.output
    rebuilt = CliRunner().invoke(main, ["ingest", "--rebuild", "--index", str(index_path)])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert CliRunner().invoke(main, ["query", "Quimper", "--index", str(index_path)]).exit_code == 0


def test_a_prefix_query_is_not_crowded_out_by_removed_articles_words(tmp_path: Path) -> None:
    import itertools
    import string

    news = tmp_path / "news"
    news.mkdir()
    removed = " ".join("zorg" + "".join(letters)
                       for letters in itertools.islice(itertools.product(string.ascii_lowercase, repeat=3), 1100))
    (news / "gone.txt").write_text(f"Liste\n\n{removed}.\n", "utf-8")
    for n in range(4):  # one removal in five articles: the segment is not merged yet
        (news / f"a{n}.txt").write_text(f"Titre {n}\n\nLe port de Quimper numéro {n}.\n", "utf-8")
    (news / "live.txt").write_text("Vivant\n\nLe mot zorgzzzz est encore là.\n", "utf-8")
    with searchkit.Index(tmp_path / "index") as index:
        index.ingest([news])
        index.remove(["gone.txt"])
        assert len(index._ix._segments()) == 1 and index._ix._segments()[0].has_deletions()
        assert [hit.article_id for hit in index.search("zorg*").hits] == ["live.txt"]


def test_the_optimize_command_merges_into_one_segment_and_says_so(tmp_path: Path) -> None:
    index_path = tmp_path / "index"
    runner = CliRunner()
    news = _news(tmp_path / "news", 3)
    for n in range(3):
        _news(news, 3 + n, prefix=f"jour{n}-")
        assert runner.invoke(main, ["ingest", str(news), "--index", str(index_path)]).exit_code == 0
    assert runner.invoke(main, ["remove", "a0.txt", "--index", str(index_path)]).exit_code == 0
    result = runner.invoke(main, ["optimize", "--index", str(index_path)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Optimized: {3 + 3 + 4 + 5 - 1} articles in one segment")
    stats = runner.invoke(main, ["stats", "--format", "json", "--index", str(index_path)])
    assert '"removed_not_merged": 0' in stats.output
    missing = runner.invoke(main, ["optimize", "--index", str(tmp_path / "nowhere")])
    assert missing.exit_code == 1 and missing.output.count("\n") == 1 and "no index" in missing.output


def test_segments_written_by_whooshs_own_writer_merge_and_rank_as_a_fresh_build(tmp_path: Path) -> None:
    from searchkit.articles.article import Article
    from searchkit.storage.documents import cut_passages, document_of

    news = _news(tmp_path / "news", 6)
    with searchkit.Index(tmp_path / "index") as index:
        index.ingest([_news(tmp_path / "other", 1, prefix="autre")])  # creates the index
        writer = index._ix.writer()  # Whoosh's SegmentWriter and its pool
        for path in sorted(news.iterdir()):
            text = path.read_text("utf-8")
            article = Article(id=path.name, text=text, path=str(path), title=text.splitlines()[0])
            document = document_of(article, "0:0:0/x", path.name, title_weight=index.ranking.title_weight)
            writer.add_document(**document.fields, **cut_passages(document).fields)
        writer.commit(merge=False)
        assert len(index._ix._segments()) == 2
        index.optimize()  # through searchkit's writer
        assert len(index._ix._segments()) == 1 and len(index) == 7
        with searchkit.Index(tmp_path / "fresh") as fresh:
            fresh.ingest([tmp_path / "other", news])
            for query in ("Quimper", "port jour", "titre a3"):
                assert [(i, round(s, 5)) for i, s in index.rank_articles(query)] == \
                    [(i, round(s, 5)) for i, s in fresh.rank_articles(query)]
