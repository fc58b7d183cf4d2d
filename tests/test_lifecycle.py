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
from searchkit.bulkwrite import BulkWriter
from searchkit.cli import main
from searchkit.merges import MERGE_FACTOR

WORDS = (
    "gouvernement ministre élection président réforme grève syndicat Quimper Bretagne port "
    "pêcheurs tempête mairie budget école hôpital médecins train gare retraite Mossoul coalition "
    "libération armée frontière accord sommet Europe européennes députés loi vote"
).split()
QUERIES = ["gouvernement réforme", "Quimper port pêcheurs", "élection présidentielle", "grève des trains",
           "libération de Mossoul", "médecins hôpital", "Europe"]


class Interrupted(Exception):
    """Stands for a crash or a Ctrl-C at one point of an ingest."""


def _text(serial: int, rng: random.Random) -> str:
    title = " ".join(rng.choice(WORDS) for _ in range(3)).capitalize()
    body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 30)))
    # A word of its own, so that no two versions of any file hold the same text.
    unique = "".join("bcdfghjklmnpqrstvz"[int(digit)] for digit in str(serial))
    return f"{title}\n\nLe {body} dossier{unique}.\n"


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
        target = {"reading": (searchkit.index.Ingestion, "file"),
                  "merging": (BulkWriter, "add_reader"),
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
        problems = self.index.check()
        assert len(problems) == len(stale), problems
        assert all(any(problem.startswith(path + ":") for path in stale) for problem in problems)

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
    from searchkit.tails import TAIL_MIN_POSTINGS

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
        from searchkit.fastscore import _leaf_postings
        from searchkit.tails import Tail
        assert isinstance(_leaf_postings(leaf, "quimp", tails=True), Tail)
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
