"""Trying to break the index: killed ingests, concurrent processes, version
changes, hostile environments. Real processes, no mocks."""

import fcntl
import json
import os
import resource
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

import searchkit
from searchkit.cli.commands import main
from searchkit.articles.sources import INFO_FILE

SEARCHKIT = [sys.executable, "-m", "searchkit"]


def write_articles(folder, count, start=0, word="Marne"):
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(start, start + count):
        (folder / f"{number}.txt").write_text(
            f"Article {number} sur la crue de la {word}.\n\n" + f"Le niveau monte le jour {number}. " * 30,
            "utf-8")


def counts(index_path):
    with searchkit.Index(index_path, create=False) as index:
        reader = index.searcher().reader()
        passages = sum(article.passages.__len__() for article in index.articles())
        return len(index), passages, len(index.article_ids()), reader.doc_count()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    write_articles(folder / "first", 5, start=50_000, word="Seine")
    write_articles(folder / "many", 2500)
    reference = folder / "reference"
    for part in ("first", "many"):
        assert CliRunner().invoke(main, ["ingest", str(folder / part), "--index", str(reference)]).exit_code == 0
    return folder, counts(reference)


def kill_when(process, condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None and not condition():
        time.sleep(0.001)
    process.send_signal(signal.SIGKILL)


def segment_files(index_path):
    return {p.name for p in index_path.glob("*.seg")}


# Kill points: after a delay (while reading and analysing, for the shorter
# ones), and at the moment the new segment's compound file appears (while
# committing: the segment is being assembled, the table of contents not yet
# written).
@pytest.mark.parametrize("kill_at", [0.3, 0.8, 1.5, 2.2, 2.6, "segment"])
def test_killed_ingest_leaves_a_searchable_index_and_a_rerun_completes_it(corpus, tmp_path, kill_at):
    folder, expected = corpus
    index_path = tmp_path / "ix"
    CliRunner().invoke(main, ["ingest", str(folder / "first"), "--index", str(index_path)])
    committed = segment_files(index_path)
    process = subprocess.Popen([*SEARCHKIT, "ingest", str(folder / "many"), "--index", str(index_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if kill_at == "segment":
        kill_when(process, lambda: segment_files(index_path) - committed)
    else:
        time.sleep(kill_at)
        process.send_signal(signal.SIGKILL)
    process.wait()
    with searchkit.Index(index_path, create=False) as index:
        assert len(index.search("Seine", limit=10, per_article=1).hits) == 5
        assert len(index) in (5, 2505)
    rerun = subprocess.run([*SEARCHKIT, "ingest", str(folder / "many"), "--index", str(index_path)],
                           capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert counts(index_path) == expected


def query_loop(index_path, seconds, out):
    """A process that searches again and again; writes what it saw."""
    code = f"""
import json, time, searchkit
seen, errors = [], []
deadline = time.monotonic() + {seconds}
with searchkit.Index({str(index_path)!r}, create=False) as index:
    while time.monotonic() < deadline:
        try:
            seen.append(len(index.rank_articles("Marne", limit=10000)))
        except Exception as error:
            errors.append(repr(error))
json.dump({{"seen": seen, "errors": errors}}, open({str(out)!r}, "w"))
"""
    return subprocess.Popen([sys.executable, "-c", code])


def test_queries_during_an_ingest_see_whole_commits_and_never_fail(corpus, tmp_path):
    folder, _ = corpus
    index_path = tmp_path / "ix"
    write_articles(tmp_path / "before", 100, start=20_000)
    CliRunner().invoke(main, ["ingest", str(tmp_path / "before"), "--index", str(index_path)])
    queriers = [query_loop(index_path, 6, tmp_path / f"q{n}.json") for n in range(3)]
    ingest = subprocess.run([*SEARCHKIT, "ingest", str(folder / "many"), "--index", str(index_path)],
                            capture_output=True, text=True)
    assert ingest.returncode == 0, ingest.stderr
    total = 0
    for n, process in enumerate(queriers):
        process.wait(timeout=60)
        result = json.loads((tmp_path / f"q{n}.json").read_text())
        assert result["errors"] == []
        # Each answer is the state before the ingest or after it, never between.
        assert set(result["seen"]) <= {100, 2600}
        total += len(result["seen"])
    assert total > 30
    print(f"{total} queries answered during the ingest, none failed")


def wait_until_writing(index_path, timeout=60.0):
    """Return once another process holds the index's writer lock (a flock on
    its WRITELOCK file), however loaded the machine: a probe that gets the
    lock lets it go at once, and the ingest it delayed waits (--wait)."""
    lock_file = index_path / "searchkit_WRITELOCK"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lock_file.exists():
            fd = os.open(lock_file, os.O_WRONLY)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(fd, fcntl.LOCK_UN)
            except BlockingIOError:
                return
            finally:
                os.close(fd)
        time.sleep(0.02)
    raise AssertionError(f"no ingest took the lock of {index_path} in {timeout:g} s")


def test_two_ingests_at_once_the_second_waits_and_nothing_is_lost_or_doubled(corpus, tmp_path):
    folder, _ = corpus
    index_path = tmp_path / "ix"
    write_articles(tmp_path / "other", 300, start=10_000, word="Loire")
    first = subprocess.Popen([*SEARCHKIT, "ingest", str(folder / "many"), "--index", str(index_path),
                              "--wait", "120"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_until_writing(index_path)
    second = subprocess.run([*SEARCHKIT, "ingest", str(tmp_path / "other"), "--index", str(index_path),
                             "--wait", "120"], capture_output=True, text=True)
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert second.returncode == 0, second.stderr
    assert "waiting up to 120 s" in second.stderr
    assert counts(index_path)[0] == 2800 == counts(index_path)[2]


def test_a_second_ingest_without_wait_fails_clearly(corpus, tmp_path):
    folder, _ = corpus
    index_path = tmp_path / "ix"
    CliRunner().invoke(main, ["ingest", str(folder / "first"), "--index", str(index_path)])
    first = subprocess.Popen([*SEARCHKIT, "ingest", str(folder / "many"), "--index", str(index_path),
                              "--wait", "120"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until_writing(index_path)
    second = subprocess.run([*SEARCHKIT, "ingest", str(folder / "first"), "--index", str(index_path)],
                            capture_output=True, text=True)
    first.wait(timeout=120)
    assert second.returncode == 1
    assert "another ingest or rebuild is writing" in second.stderr and "--wait" in second.stderr
    assert "Traceback" not in second.stderr
    assert counts(index_path)[0] == 2505


# -- versions -----------------------------------------------------------


def test_an_index_of_another_version_says_to_rebuild_and_rebuild_does(corpus, tmp_path):
    folder, _ = corpus
    index_path = tmp_path / "index"
    index_path.mkdir()
    (index_path / ".gitignore").write_text("*\n")
    CliRunner().invoke(main, ["ingest", str(folder / "first"), "--index", str(index_path)])
    write_articles(tmp_path / "second", 3, word="Garonne")
    CliRunner().invoke(main, ["ingest", str(tmp_path / "second"), "--index", str(index_path)])
    info = json.loads((index_path / INFO_FILE).read_text())
    info["analyzer"] = "fr-0+old"
    (index_path / INFO_FILE).write_text(json.dumps(info))
    query = CliRunner().invoke(main, ["query", "Seine", "--index", str(index_path)])
    assert query.exit_code == 1
    assert "incompatible version" in query.output and "searchkit ingest --rebuild" in query.output
    rebuilt = CliRunner().invoke(main, ["ingest", "--rebuild", "--index", str(index_path)])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "8 added" in rebuilt.output
    assert (index_path / ".gitignore").read_text() == "*\n"
    with searchkit.Index(index_path, create=False) as index:
        assert len(index.search("Garonne", per_article=1).hits) == 3
    assert not (tmp_path / "index.rebuild").exists() and not (tmp_path / "index.old").exists()


def test_the_index_records_its_versions(tmp_path):
    (tmp_path / "a.txt").write_text("La Seine.", "utf-8")
    CliRunner().invoke(main, ["ingest", str(tmp_path / "a.txt"), "--index", str(tmp_path / "ix")])
    info = json.loads((tmp_path / "ix" / INFO_FILE).read_text())
    assert info["searchkit"] == searchkit.__version__
    assert info["analyzer"].startswith("fr-") and "+" in info["analyzer"]  # rules and word lists
    assert info["stemmer"].startswith("snowballstemmer ")
    assert info["roots"] == [str(tmp_path / "a.txt")] and info["articles"] == 1


# -- check --------------------------------------------------------------


def test_check_reports_changed_and_vanished_sources(tmp_path):
    write_articles(tmp_path / "news", 3)
    index_path = str(tmp_path / "ix")
    CliRunner().invoke(main, ["ingest", str(tmp_path / "news"), "--index", index_path])
    ok = CliRunner().invoke(main, ["check", "--index", index_path])
    assert ok.exit_code == 0 and "holds 3 articles" in ok.output
    (tmp_path / "news" / "0.txt").write_text("Autre texte.", "utf-8")
    (tmp_path / "news" / "1.txt").unlink()
    bad = CliRunner().invoke(main, ["check", "--index", index_path])
    assert bad.exit_code == 1
    assert "0.txt: changed since it was ingested (1 article)" in bad.output
    assert "1.txt: vanished since it was ingested (1 article)" in bad.output


# -- hostile environment --------------------------------------------------


def deny_writes_under(folder, monkeypatch):
    """Make writes under ``folder`` fail as in a read-only folder: for a user
    that is the permission bits; root writes anywhere, so its writes are refused
    where files are opened."""
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    if os.geteuid() != 0:
        return
    import builtins

    real_open, real_os_open = builtins.open, os.open
    prefix = str(folder)

    def refuse(path):
        raise PermissionError(13, "Permission denied", str(path))

    def guarded_open(path, mode="r", *args, **kwargs):
        if str(path).startswith(prefix) and any(c in mode for c in "wax+"):
            refuse(path)
        return real_open(path, mode, *args, **kwargs)

    def guarded_os_open(path, flags, *args, **kwargs):
        if str(path).startswith(prefix) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            refuse(path)
        return real_os_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(os, "open", guarded_os_open)


def test_a_read_only_index_answers_queries_and_refuses_ingest_clearly(tmp_path, monkeypatch):
    write_articles(tmp_path / "news", 3)
    index_path = tmp_path / "ix"
    CliRunner().invoke(main, ["ingest", str(tmp_path / "news"), "--index", str(index_path)])
    write_articles(tmp_path / "more", 2, start=100)
    before = sorted(p.name for p in index_path.iterdir())
    try:
        deny_writes_under(index_path, monkeypatch)
        ingest = CliRunner().invoke(main, ["ingest", str(tmp_path / "more"), "--index", str(index_path)])
        assert ingest.exit_code == 1, ingest.output
        assert "index" in ingest.output and "Permission denied" in ingest.output
        assert ingest.exception is None or isinstance(ingest.exception, SystemExit)
        query = CliRunner().invoke(main, ["query", "Marne", "--index", str(index_path), "--format", "json"])
        assert query.exit_code == 0, query.output
        assert len(json.loads(query.output)["hits"]) >= 3
        assert sorted(p.name for p in index_path.iterdir()) == before
    finally:
        monkeypatch.undo()
        for path in [index_path, *index_path.rglob("*")]:
            path.chmod(0o755)


def test_a_full_disk_fails_clearly_and_leaves_the_index_as_it_was(corpus, tmp_path):
    folder, _ = corpus
    index_path = tmp_path / "ix"
    CliRunner().invoke(main, ["ingest", str(folder / "first"), "--index", str(index_path)])
    before = index_files(index_path)

    def small_disk():
        # Writing a file past 300 kB fails with EFBIG, as a full disk fails with ENOSPC.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000))

    full = subprocess.run([*SEARCHKIT, "ingest", str(folder / "many"), "--index", str(index_path)],
                          capture_output=True, text=True, preexec_fn=small_disk)
    assert full.returncode == 1
    assert "could not write the index" in full.stderr and "as it was before" in full.stderr
    assert "Traceback" not in full.stderr
    assert index_files(index_path) == before
    with searchkit.Index(index_path, create=False) as index:
        assert len(index) == 5
        assert len(index.search("Seine", per_article=1).hits) == 5
    again = CliRunner().invoke(main, ["ingest", str(folder / "many"), "--index", str(index_path)])
    assert again.exit_code == 0
    assert counts(index_path)[0] == 2505


def index_files(index_path):
    return {p.name for p in index_path.iterdir() if not p.name.endswith("WRITELOCK")}


def test_an_ingest_that_changes_nothing_or_fails_leaves_no_file_behind(corpus, tmp_path):
    folder, _ = corpus
    index_path = tmp_path / "ix"
    assert CliRunner().invoke(main, ["ingest", str(folder / "first"), "--index", str(index_path)]).exit_code == 0
    before = index_files(index_path)
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "empty.txt").write_text("", "utf-8")
    for _ in range(3):
        again = CliRunner().invoke(main, ["ingest", str(folder / "first"), "--index", str(index_path)])
        assert "5 unchanged" in again.output
        failed = CliRunner().invoke(main, ["ingest", str(tmp_path / "broken"), "--index", str(index_path)])
        assert failed.exit_code == 1
    assert index_files(index_path) == before


def test_a_folder_that_is_not_an_index_and_a_missing_index(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "mine.txt").write_text("precious", "utf-8")
    for command in (["query", "Seine"], ["stats"], ["check"]):
        result = CliRunner().invoke(main, [*command, "--index", str(tmp_path / "notes")])
        assert result.exit_code == 1 and "run `searchkit ingest FOLDER` first" in result.output
        missing = CliRunner().invoke(main, [*command, "--index", str(tmp_path / "none")])
        assert missing.exit_code == 1 and "run `searchkit ingest FOLDER` first" in missing.output
    ingest = CliRunner().invoke(main, ["ingest", str(tmp_path / "notes"), "--index", str(tmp_path / "notes")])
    assert ingest.exit_code == 1 and "holds no searchkit index" in ingest.output
    assert [p.name for p in (tmp_path / "notes").iterdir()] == ["mine.txt"]
    assert not (tmp_path / "none").exists()


def live_children(pid):
    """Processes started by ``pid`` that have not ended (zombies count as ended)."""
    found = []
    for status in os.listdir("/proc"):
        if not status.isdigit():
            continue
        try:
            fields = dict(line.split(":\t", 1) for line in open(f"/proc/{status}/status").read().splitlines()
                          if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid) and not fields.get("State", "").startswith("Z"):
            found.append(int(status))
    return found


def still_running(pids):
    alive = []
    for pid in pids:
        try:
            if not open(f"/proc/{pid}/status").read().split("State:\t", 1)[1].startswith("Z"):
                alive.append(pid)
        except (OSError, IndexError):
            pass
    return alive


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads processes from /proc")
def test_ctrl_c_during_a_parallel_ingest_stops_its_workers_and_leaves_the_index_as_it_was(corpus, tmp_path):
    folder, _ = corpus
    index_path = tmp_path / "ix"
    CliRunner().invoke(main, ["ingest", str(folder / "first"), "--index", str(index_path)])
    process = subprocess.Popen([*SEARCHKIT, "ingest", str(folder / "many"), "--index", str(index_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    workers, deadline = [], time.monotonic() + 60
    while not workers and process.poll() is None and time.monotonic() < deadline:
        workers = live_children(process.pid)
        time.sleep(0.01)
    assert workers, "the ingest of 2500 articles should start worker processes"
    process.send_signal(signal.SIGINT)
    _, errors = process.communicate(timeout=30)
    assert process.returncode != 0 and "Traceback" not in errors
    deadline = time.monotonic() + 5
    while still_running(workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not still_running(workers)
    with searchkit.Index(index_path, create=False) as index:
        assert len(index) == 5
