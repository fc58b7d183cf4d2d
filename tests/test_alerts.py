"""Saved searches that alert, as a user lives with them: saved, then run
after each day's ingest, across edits, removals and a rebuild; a query the
analysis no longer accepts reported in one line while the others run."""

import json
import random
import sys
from pathlib import Path

import searchkit
from searchkit.cli.commands import _run_alerts
from tests.copies import article, copy_of
from tests.helpers import run

WORD = "Zanzibar"


def matching(rng, article_id, date="2024-03-10"):
    item = article(rng, article_id, date=date)
    item["text"] = f"Le port de {WORD} est fermé. " + item["text"]
    return item


def write(folder: Path, *articles: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for item in articles:
        (folder / f"{item['id']}.json").write_text(json.dumps(item, ensure_ascii=False), "utf-8")


def saved_search(tmp_path: Path, rng) -> tuple[Path, Path]:
    """A folder of news with one article that does not match, ingested, and a
    search for WORD saved: (the folder, the index)."""
    news, index = tmp_path / "news", tmp_path / "ix"
    write(news, article(rng, "old"))
    assert run("ingest", news, "--index", index).exit_code == 0
    assert run("alert", "add", "port", WORD, "--index", index).exit_code == 0
    return news, index


def stopped_search_named_once(result, new: list[str]) -> None:
    """The saved search "stops", whose query no longer runs, named in one
    error line, exit 1, and the others' ``new`` articles printed all the same."""
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("searchkit: error: ")]
    assert len(errors) == 1 and "saved search stops: its query no longer runs: " in errors[0]
    assert new_ids(result) == new
    assert "Traceback" not in result.output


def new_ids(result):
    """The article ids the text output of `alert run` names, one per line."""
    return [line.rsplit("[", 1)[1].split(" · ")[0].rstrip("]") for line in result.output.splitlines()
            if line.startswith("   ") and "[" in line]


def test_after_two_ingests_each_new_matching_article_is_printed_exactly_once(tmp_path):
    rng = random.Random(1)
    news, index = tmp_path / "news", tmp_path / "ix"
    write(news, article(rng, "old"), matching(rng, "before"))
    assert run("ingest", news, "--index", index).exit_code == 0
    added = run("alert", "add", "port", WORD, "--index", index)
    assert added.exit_code == 0 and "1 article seen already" in added.output
    printed = []
    write(news, matching(rng, "day1-a"), matching(rng, "day1-b"), article(rng, "day1-other"))
    assert run("ingest", news, "--index", index).exit_code == 0
    first = run("alert", "run", "--index", index)
    assert first.exit_code == 0, first.output
    printed += new_ids(first)
    assert sorted(printed) == ["day1-a", "day1-b"]
    again = run("alert", "run", "--index", index)
    assert again.exit_code == 0 and again.output == ""  # nothing new: nothing for cron to mail
    # The second day: a new article, and one of the first day's edited.
    edited = matching(rng, "day1-a")
    write(news, matching(rng, "day2"), edited)
    assert run("ingest", news, "--index", index).exit_code == 0
    second = run("alert", "run", "--index", index, "--format", "json")
    assert second.exit_code == 0
    runs = json.loads(second.output)["alerts"]
    assert [(r["name"], r["error"]) for r in runs] == [("port", None)]
    printed += [match["id"] for match in runs[0]["new"]]
    assert sorted(printed) == ["day1-a", "day1-b", "day2"]  # each once, "before" never


def test_copies_alert_once_and_removals_and_a_rebuild_alert_nothing(tmp_path):
    rng = random.Random(2)
    news, index = saved_search(tmp_path, rng)
    dispatch = matching(rng, "dispatch", date="2024-03-10")
    write(news, dispatch, copy_of(dispatch, rng, "copy", date="2024-03-11"), matching(rng, "other"))
    assert run("ingest", news, "--index", index).exit_code == 0
    first = run("alert", "run", "port", "--index", index)
    assert sorted(new_ids(first)) == ["dispatch", "other"]
    assert "      + 1 copy: " in first.output
    (news / "other.json").unlink()
    assert run("ingest", news, "--index", index, "--prune").exit_code == 0
    assert run("ingest", "--rebuild", "--index", index).exit_code == 0
    assert run("alert", "run", "--index", index).output == ""
    write(news, matching(rng, "after"))
    assert run("ingest", news, "--index", index).exit_code == 0
    assert new_ids(run("alert", "run", "--index", index)) == ["after"]


def test_a_later_copy_of_a_dispatch_alerted_before_is_no_news(tmp_path):
    rng = random.Random(4)
    news, index = saved_search(tmp_path, rng)
    dispatch = matching(rng, "dispatch", date="2024-03-10")
    write(news, dispatch)
    assert run("ingest", news, "--index", index).exit_code == 0
    assert new_ids(run("alert", "run", "--index", index)) == ["dispatch"]
    # The next day another site runs the dispatch, and a new story comes.
    write(news, copy_of(dispatch, rng, "copy", date="2024-03-11"), matching(rng, "story"))
    assert run("ingest", news, "--index", index).exit_code == 0
    assert "copy" in run("query", WORD, "--copies", "--format", "json", "--index", index).output
    assert new_ids(run("alert", "run", "--index", index)) == ["story"]


def test_since_makes_recent_articles_news_to_a_new_saved_search(tmp_path):
    rng = random.Random(3)
    news, index = tmp_path / "news", tmp_path / "ix"
    write(news, matching(rng, "march", "2024-03-02"), matching(rng, "may", "2024-05-20"), matching(rng, "undated", None))
    assert run("ingest", news, "--index", index).exit_code == 0
    assert run("alert", "add", "port", WORD, "--since", "2024-04", "--index", index).exit_code == 0
    assert new_ids(run("alert", "run", "--index", index)) == ["may"]
    bad = run("alert", "add", "other", WORD, "--since", "yesterday", "--index", index)
    assert bad.exit_code == 1 and bad.output.startswith("searchkit: error: ") and bad.output.count("\n") == 1


def test_a_saved_search_that_no_longer_parses_is_named_and_the_others_run(tmp_path):
    rng = random.Random(4)
    news, index = saved_search(tmp_path, rng)
    assert run("alert", "add", "stops", "marché des vins", "--index", index).exit_code == 0
    # As after an analysis whose stop words grew: the saved query holds only stop words now.
    saved = json.loads((index / "alerts.json").read_text("utf-8"))
    saved["saved_searches"][1]["query"] = "les des"
    (index / "alerts.json").write_text(json.dumps(saved), "utf-8")
    write(news, matching(rng, "new"))
    assert run("ingest", news, "--index", index).exit_code == 0
    stopped_search_named_once(run("alert", "run", "--index", index), ["new"])


def test_the_commands_refuse_what_they_cannot_do_in_one_line(tmp_path):
    rng = random.Random(5)
    write(tmp_path / "news", article(rng, "a"))
    index = tmp_path / "ix"
    assert run("ingest", tmp_path / "news", "--index", index).exit_code == 0
    assert run("alert", "add", "x", WORD, "--index", index).exit_code == 0
    for args in (("add", "x", WORD), ("add", "y", '"unclosed'), ("remove", "nope"), ("run", "nope"),
                 ("add", "", WORD)):
        result = run("alert", *args, "--index", index)
        assert result.exit_code == 1 and result.output.count("\n") == 1, (args, result.output)
        assert result.output.startswith("searchkit: error: ")
    listed = run("alert", "list", "--index", index, "--format", "json")
    assert [item["name"] for item in json.loads(listed.output)] == ["x"]
    assert run("alert", "remove", "x", "--index", index).exit_code == 0
    assert run("alert", "list", "--index", index).output == ""
    assert run("alert", "run", "--index", index).exit_code == 0


def test_the_library_and_the_notification_of_watch(tmp_path):
    rng = random.Random(6)
    news = tmp_path / "news"
    write(news, article(rng, "a"))
    told = tmp_path / "told.json"
    # A notification command given its text as one argument, through no shell.
    notifier = [sys.executable, "-c", f"import json, sys; json.dump(sys.argv[1:], open({str(told)!r}, 'w'))"]
    with searchkit.Index(tmp_path / "ix") as index:
        index.ingest([news])
        index.alerts.add("port", WORD)
        assert [search.name for search in index.alerts.list()] == ["port"]
        write(news, matching(rng, "b; $(touch pwned)"))
        index.ingest([news])
        _run_alerts(index, notifier)
        assert json.loads(told.read_text("utf-8")) == [f"port: 1 new: {index.get('b; $(touch pwned)').title}"]
        assert not Path("pwned").exists() and not (tmp_path / "pwned").exists()
        assert [run.new for run in index.alerts.run()] == [[]]
        index.alerts.remove("port")
        assert index.alerts.list() == []


def test_a_save_over_saved_searches_changed_since_they_were_read_is_refused(tmp_path):
    """A run and an add at once (a `watch` and the user): the later save
    would drop what the other wrote. It is refused in one line instead."""
    import pytest

    _, index_path = saved_search(tmp_path, random.Random(4))
    with searchkit.Index(index_path) as one, searchkit.Index(index_path) as other:
        running = one.alerts.store
        saved = running.load()  # a run reads them, then matches articles
        other.alerts.add("crue", "Seine")
        with pytest.raises(searchkit.SearchkitError, match="changed while this command ran"):
            running.save(saved)
        assert [search.name for search in other.alerts.list()] == ["port", "crue"]
        running.save(running.load())  # read again: saved
