"""searchkit watch, in a real process: files that appear, change and vanish."""

import signal
import subprocess
import sys
import time

import searchkit


def wait_for(predicate, seconds=15.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def found(index_path, text):
    try:
        with searchkit.Index(index_path, create=False) as index:
            return [hit.article_id for hit in index.search(text).hits]
    except searchkit.IndexNotFound:
        return []


def test_watch_follows_new_changed_and_deleted_files_and_stops_on_ctrl_c(tmp_path):
    news = tmp_path / "news"
    news.mkdir()
    (news / "seine.txt").write_text("La Seine déborde à Paris.", "utf-8")
    index_path = tmp_path / "ix"
    process = subprocess.Popen(
        [sys.executable, "-m", "searchkit", "watch", str(news), "--index", str(index_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: found(index_path, "Seine") == ["seine.txt"])
        (news / "loire.txt").write_text("La Loire est basse à Orléans.", "utf-8")
        assert wait_for(lambda: found(index_path, "Orléans") == ["loire.txt"])
        (news / "seine.txt").write_text("La Marne déborde à Meaux.", "utf-8")
        assert wait_for(lambda: found(index_path, "Meaux") == ["seine.txt"])
        assert found(index_path, "Paris") == []
        (news / "loire.txt").unlink()
        assert wait_for(lambda: found(index_path, "Orléans") == [])
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert err.strip().endswith("Stopped.")


def test_watch_prints_what_saved_searches_find_and_tells_the_notify_command(tmp_path):
    news = tmp_path / "news"
    news.mkdir()
    (news / "seine.txt").write_text("La Seine déborde à Paris.", "utf-8")
    index_path = tmp_path / "ix"
    with searchkit.Index(index_path) as index:
        index.ingest([news])
        index.alerts.add("crue", "crue")
    told = tmp_path / "told.txt"
    # The text comes as one argument, through no shell: quotes and $() are the text's own.
    notify = f"{sys.executable} -c 'import sys; open(sys.argv[2], \"a\").write(sys.argv[3])' - {told}"
    process = subprocess.Popen(
        [sys.executable, "-m", "searchkit", "watch", str(news), "--index", str(index_path), "--notify", notify],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        (news / "crue.txt").write_text("La crue de la Marne $(touch pwned) inonde Meaux.", "utf-8")
        assert wait_for(lambda: told.exists() and told.read_text("utf-8"))
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    assert told.read_text("utf-8") == "crue: 1 new: La crue de la Marne $(touch pwned) inonde Meaux."
    assert "crue: 1 new (crue)" in out and "[crue.txt]" in out
    assert not (tmp_path / "pwned").exists()
