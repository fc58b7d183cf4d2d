"""An index folder made by someone else runs nothing when it is opened."""

import importlib
import json
import pickle

import pytest
from click.testing import CliRunner
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

import searchkit
from searchkit.storage.groups import read_groups, write_groups
from searchkit.storage import integrity
from searchkit.storage import safepickle
from searchkit.cli.commands import main
from searchkit.errors import IndexUnsafe, SearchkitError


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


class Payload:
    """Pickles as a call that creates ``marker``: proof that loading ran code."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.fixture
def index(tmp_path):
    articles = tmp_path / "news.jsonl"
    rows = [{"id": f"a{n}", "text": f"Le marché de Mossoul rouvre, jour {n}. Zanzibar reste calme."}
            for n in range(3)]
    articles.write_text("".join(json.dumps(row) + "\n" for row in rows), "utf-8")
    path = tmp_path / "ix"
    assert run("ingest", articles, "--index", path).exit_code == 0
    return path


def sealed(index, toc=None):
    """The index's checksums made right again, as a forger would make them:
    the payload must be refused for what it is, not as damage."""
    storage = FileStorage(str(index))
    if toc is None:
        toc = whoosh_index.TOC.read(storage, "searchkit")
    for segment in toc.segments:
        integrity.write_segment_sums(storage, segment)
    for old in index.glob("*.toc"):
        old.unlink()
    # The groups of copies of the commit it forged, as searchkit writes them.
    previous = max(int(path.name.split(".")[1]) for path in index.glob("copies.*.json"))
    write_groups(index, toc.generation, read_groups(index, previous))
    integrity.commit_toc(storage, "searchkit", toc.schema, toc.segments, toc.generation)


def poison_toc(index, marker):
    """Rewrite the index's table of contents with a payload in its schema."""
    storage = FileStorage(str(index))
    toc = whoosh_index.TOC.read(storage, "searchkit")
    toc.schema.payload = Payload(marker)
    sealed(index, toc)


def refused(result, path):
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert lines == [f"searchkit: error: the index at {path} holds data that is not a searchkit "
                     "index (it names io.open): refusing to open it"], result.output


def test_a_payload_in_the_table_of_contents_is_refused(index, tmp_path):
    marker = tmp_path / "ran"
    poison_toc(index, marker)
    for command in (["query", "Mossoul"], ["show", "a1"], ["stats"], ["check"], ["ingest", tmp_path / "news.jsonl"]):
        refused(run(*command, "--index", index), index)
    assert not marker.exists()


def test_a_payload_in_a_stored_field_is_refused(index, tmp_path):
    marker = tmp_path / "ran"
    ix = whoosh_index.open_dir(str(index), indexname="searchkit")
    with ix.writer() as writer:
        writer.add_document(id="evil", body="Mossoul piège", text="Mossoul piège", url=Payload(marker))
    sealed(index)
    refused(run("show", "evil", "--index", index), index)
    refused(run("query", "piège", "--index", index), index)
    assert not marker.exists()


def test_a_payload_in_a_posting_block_is_refused(index, tmp_path, monkeypatch):
    marker = tmp_path / "ran"
    import whoosh.codec.whoosh3 as w3

    def poisoned_dumps(value, protocol=None):
        if isinstance(value, tuple) and len(value) == 3:  # a block's (ids, weights, values)
            value = (*value, Payload(marker))
        return pickle.dumps(value, protocol)

    ix = whoosh_index.open_dir(str(index), indexname="searchkit")
    monkeypatch.setattr(w3, "dumps", poisoned_dumps)
    with ix.writer() as writer:
        writer.add_document(id="evil", body="Tombouctou", text="Tombouctou", title="Tombouctou")
    monkeypatch.undo()
    sealed(index)
    refused(run("query", "Tombouctou", "--index", index), index)
    refused(run("query", '"Tombouctou"', "--index", index), index)
    assert not marker.exists()


def test_the_library_raises_a_searchkit_error_naming_the_index(index, tmp_path):
    poison_toc(index, tmp_path / "ran")
    with pytest.raises(IndexUnsafe) as caught:
        searchkit.Index(index, create=False)
    assert isinstance(caught.value, SearchkitError)
    assert str(caught.value).startswith(f"the index at {index} holds data")
    assert not (tmp_path / "ran").exists()


def test_every_load_whoosh_makes_on_index_data_is_restricted():
    import searchkit.index  # noqa: F401  (installs the restricted loads)

    assert safepickle.installed()


@pytest.mark.parametrize("name", ["os.system", "posix.system", "builtins.eval", "builtins.exec",
                                  "builtins.getattr", "builtins.__import__", "subprocess.Popen",
                                  "io.open", "pickle.loads", "shutil.rmtree", "importlib.import_module"])
def test_names_that_run_code_are_not_allowed(name):
    module, _, attribute = name.rpartition(".")
    assert (module, attribute) not in safepickle.ALLOWED
    forged = b"\x80\x02c" + module.encode() + b"\n" + attribute.encode() + b"\n)R."
    with pytest.raises(IndexUnsafe):
        safepickle.loads(forged)


def test_every_allowed_name_is_a_class_or_a_constructor_of_plain_values():
    for module, name in sorted(safepickle.ALLOWED):
        target = getattr(importlib.import_module(module), name)
        assert isinstance(target, type) or (module, name) in {
            ("re", "_compile"), ("array", "_array_reconstructor"), ("_codecs", "encode"),
            ("copyreg", "_reconstructor")}, (module, name)


def test_an_index_built_and_read_through_every_path_uses_only_allowed_names(index, tmp_path, monkeypatch):
    named = set()
    find_class = safepickle.RestrictedUnpickler.find_class

    def recording(self, module, name):
        named.add((module, name))
        return find_class(self, module, name)

    monkeypatch.setattr(safepickle.RestrictedUnpickler, "find_class", recording)
    (tmp_path / "more.jsonl").write_text(json.dumps({"text": "Mossoul encore", "url": "u", "line": 3}) + "\n")
    assert run("ingest", tmp_path / "more.jsonl", "--index", index).exit_code == 0
    for command in (["query", "Mossoul"], ["query", '"marché de Mossoul" -Zanzibar'], ["query", "Mosoul"],
                    ["query", "mar*"], ["show", "a1", "--query", "Mossoul"], ["stats"], ["check"]):
        result = run(*command, "--index", index)
        assert result.exit_code == 0, result.output
    assert named and named <= safepickle.ALLOWED


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_restricted_loads_read_what_pickle_writes_at_every_protocol(protocol):
    from array import array

    for value in [(array("I", range(128)), array("f", [1.0] * 128), None), 3, b"", (1,) * 10_000,
                  (1, 2.5, "é", b"y" * 300, {"a": [1]}, {1, 2}, frozenset([3]))]:
        data = pickle.dumps(value, protocol)
        assert safepickle.loads(data) == value
        assert safepickle.loads(memoryview(data)) == value


def test_a_pickle_that_names_nothing_loads_plainly_and_one_that_names_is_checked():
    assert safepickle.loads(pickle.dumps([3, 17, 40], 2)) == [3, 17, 40]
    hidden = pickle.dumps(("abc", Payload("/nonexistent/x")), 2)  # the name sits after plain data
    with pytest.raises(IndexUnsafe, match="io.open"):
        safepickle.loads(hidden)
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        with pytest.raises(IndexUnsafe):
            safepickle.loads(pickle.dumps(Payload("/nonexistent/x"), protocol))
