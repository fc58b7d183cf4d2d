"""The same life given to an embedded index and to a cluster index: files
written, edited, copied word for word, moved and deleted in two folders that
share file names and ids; ingests with and without --prune, removals and
rebuilds, dates given in a metadata table. After every step both hold the
same articles, each from the same file under the same id, with the same date."""

from __future__ import annotations

import json
import random
import shutil
import tempfile
import uuid
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, \
    run_state_machine_as_test

import searchkit

WORDS = "port Quimper grève mairie budget tempête pêcheurs école gare Mossoul coalition vote".split()
FOLDERS = ("news", "news/lundi", "autre")  # news/a.txt and autre/a.txt: two articles
NAMES = ("a.txt", "b.txt", "dump.jsonl")
IDS = ("x1", "x2")  # ids given in dumps: two files may claim one
TABLE = "SOURCES.tsv"


class TwoIndexesLife(RuleBasedStateMachine):
    cluster = ""  # http://HOST:PORT, set by the test

    @initialize()
    def start(self) -> None:
        self.place = Path(tempfile.mkdtemp(prefix="searchkit-twins-"))
        for folder in FOLDERS:
            (self.place / folder).mkdir(parents=True, exist_ok=True)
        self.name = f"test-life-{uuid.uuid4().hex[:10]}"
        self.embedded = searchkit.Index(self.place / "index")
        self.clustered = searchkit.Index(f"opensearch+{self.cluster}/{self.name}")
        self.rng = random.Random(0)
        self.texts: list[str] = []
        for index in (self.embedded, self.clustered):
            index.ingest([self.place / "news"])  # creates it, empty

    def teardown(self) -> None:
        if not hasattr(self, "place"):
            return
        self.embedded.close()
        self.clustered.close()
        from opensearchpy import OpenSearch

        client = OpenSearch(hosts=[self.cluster])
        for index in client.indices.get(index=f"{self.name}*", ignore_unavailable=True):
            client.indices.delete(index=index)
        client.close()
        shutil.rmtree(self.place, ignore_errors=True)

    def _text(self, again: bool) -> str:
        """A new text, or one some file held before (an exact duplicate)."""
        if again and self.texts:
            return self.rng.choice(self.texts)
        text = f"{' '.join(self.rng.choices(WORDS, k=3)).capitalize()}\n\nLe {' '.join(self.rng.choices(WORDS, k=12))} " \
               f"numéro {len(self.texts)}."
        self.texts.append(text)
        return text

    def _files(self) -> list[Path]:
        return sorted(path for folder in FOLDERS for path in (self.place / folder).iterdir()
                      if path.is_file() and path.name != TABLE)

    # -- the files ---------------------------------------------------------

    @rule(folder=st.sampled_from(FOLDERS), name=st.sampled_from(NAMES), again=st.booleans())
    def write_file(self, folder: str, name: str, again: bool) -> None:
        path = self.place / folder / name
        if name.endswith(".jsonl"):
            lines = [json.dumps({"id": article_id, "text": self._text(again)}, ensure_ascii=False)
                     for article_id in self.rng.sample(IDS, self.rng.randint(1, len(IDS)))]
            path.write_text("\n".join(lines) + "\n", "utf-8")
        else:
            path.write_text(self._text(again), "utf-8")

    @rule(folder=st.sampled_from(FOLDERS))
    def break_a_dump(self, folder: str) -> None:
        """A line that is not JSON: the file keeps what it gave until it reads whole."""
        dump = self.place / folder / "dump.jsonl"
        if dump.exists():
            dump.write_text(dump.read_text("utf-8") + '{"id": "x3", "text": \n', "utf-8")

    @precondition(lambda self: self._files())
    @rule(which=st.integers(0, 20), day=st.integers(1, 28))
    def date_a_file_in_its_table(self, which: int, day: int) -> None:
        files = self._files()
        path = files[which % len(files)]
        (path.parent / TABLE).write_text(f"file\tdate\n{path.name}\t2016-06-{day:02d}\n", "utf-8")

    @precondition(lambda self: self._files())
    @rule(which=st.integers(0, 20), folder=st.sampled_from(FOLDERS))
    def move_file(self, which: int, folder: str) -> None:
        files = self._files()
        path = files[which % len(files)]
        target = self.place / folder / f"moved-{path.name}"
        if not target.exists():
            path.rename(target)

    @precondition(lambda self: self._files())
    @rule(which=st.integers(0, 20))
    def delete_file(self, which: int) -> None:
        files = self._files()
        files[which % len(files)].unlink()

    # -- the commands, given to both ----------------------------------------

    @rule(roots=st.sampled_from([("news",), ("news/lundi",), ("autre",), ("news", "autre")]), prune=st.booleans())
    def ingest(self, roots: tuple[str, ...], prune: bool) -> None:
        paths = [self.place / root for root in roots]
        embedded = self.embedded.ingest(paths, prune=prune)
        clustered = self.clustered.ingest(paths, prune=prune)
        assert sorted(map(str, embedded.problems)) == sorted(map(str, clustered.problems))
        assert sorted(map(str, embedded.notices)) == sorted(map(str, clustered.notices))

    @rule(what=st.sampled_from(["news/lundi", "autre", "a.txt", "x1", "x2"]))
    def remove(self, what: str) -> None:
        target = str(self.place / what) if "/" in what or what == "autre" else what
        self.embedded.remove([target])
        self.clustered.remove([target])

    @rule()
    def rebuild(self) -> None:
        self.embedded.close()
        self.embedded, _ = searchkit.Index.rebuild(self.place / "index")
        self.clustered.close()
        self.clustered, _ = searchkit.Index.rebuild(f"opensearch+{self.cluster}/{self.name}")

    @invariant()
    def both_hold_the_same_articles(self) -> None:
        if not hasattr(self, "place"):
            return
        embedded = sorted((a.id, a.path, a.text, a.date) for a in self.embedded.articles())
        clustered = sorted((a.id, a.path, a.text, a.date) for a in self.clustered.articles())
        assert clustered == embedded


def test_a_cluster_index_lives_the_life_of_the_embedded_index(cluster):
    # Longer: python bench/lifecycle.py --days 0 --twins 300 --cluster http://HOST:PORT
    class Life(TwoIndexesLife):
        pass

    Life.cluster = cluster
    run_state_machine_as_test(Life, settings=settings(
        max_examples=8, stateful_step_count=30, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
