"""The life of texts that two folders hold: indexed once, and kept while a
file holds them, whatever happens to the file they were indexed from. Run
against the embedded index and against a cluster index."""

import json

import searchkit
from tests.helpers import run


def _texts(index):
    with searchkit.Index(str(index), create=False) as opened:
        return sorted(article.text for article in opened.articles())


def _paths(index):
    with searchkit.Index(str(index), create=False) as opened:
        return {article.path for article in opened.articles()}


def _ingest(index, *paths, prune=False):
    result = run("ingest", *paths, "--index", index, *(["--prune"] if prune else []))
    assert result.exit_code == 0, result.output
    return result.output


def texts_another_folder_holds_stay_when_their_article_goes(tmp_path, index):
    first, second = tmp_path / "first", tmp_path / "second"
    for folder in (first, second):
        folder.mkdir()
        (folder / "crue.txt").write_text("La Seine déborde à Paris.", "utf-8")
        (folder / "dumps.jsonl").write_text(json.dumps({"id": f"{folder.name}-1", "text": "La Loire monte."})
                                            + "\n" + json.dumps({"id": f"{folder.name}-2", "text": "Le Rhône gèle."}),
                                            "utf-8")
    _ingest(index, first)
    second_ingest = _ingest(index, second)
    assert "3 duplicates" in second_ingest, second_ingest
    held = _texts(index)
    assert len(held) == 3
    # Which files hold them is rebuilt too: one renamed since is found under its new name.
    (second / "crue.txt").rename(second / "copie.txt")
    rebuilt = run("ingest", "--rebuild", "--index", index)
    assert rebuilt.exit_code == 0 and "3 duplicates" in rebuilt.output, rebuilt.output
    # Removing the folder the texts were indexed from: the other still holds them.
    removed = run("remove", first, "--index", index)
    assert removed.exit_code == 0, removed.output
    assert removed.output.strip() == ("Removed 3 articles. 3 of their texts, held by another file too, "
                                      "now indexed from it.")
    assert _texts(index) == held
    assert all(path.startswith(str(second)) for path in _paths(index))
    (second / "copie.txt").rename(second / "crue.txt")
    _ingest(index, second, prune=True)
    assert _texts(index) == held
    # A text edited in its file: the other file's copy of the old text comes in.
    (second / "crue.txt").write_text("La Seine est en crue à Paris.", "utf-8")
    (first / "dumps.jsonl").unlink()
    _ingest(index, first)
    _ingest(index, second, prune=True)
    assert "La Seine déborde à Paris." in _texts(index)
    # Gone from every file: gone from the index.
    for path in (first / "crue.txt", second / "dumps.jsonl"):
        path.unlink()
    _ingest(index, first, second, prune=True)
    assert _texts(index) == ["La Seine est en crue à Paris."]
    checked = run("check", "--index", index)
    assert checked.exit_code == 0, checked.output
