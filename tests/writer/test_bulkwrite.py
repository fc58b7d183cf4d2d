"""The bulk writer builds the same index as Whoosh's stock writer."""

import random

import pytest
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from searchkit.storage.documents import Prepared
from searchkit.storage.schema import make_schema
from searchkit.writer.bulk import BulkWriter
from tests.helpers import ROOT

WORDS = ("la libération de Mossoul s’annonce laborieuse coalition internationale anti-Daesh "
         "aujourd’hui Paris ministre français Jean-Yves Le Drian 30 000 djihadistes l’Irak été "
         "œuvre déjà élections gouvernement Grèce passagers passager jeux").split()


def documents(count, seed):
    rng = random.Random(seed)
    for number in range(count):
        # Long texts make posting lists longer than one block (128 postings).
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 400)))
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 8)))
        yield {
            "id": f"doc{number}", "title": title, "body": f"{title}\n\n{text}", "words": f"{title}\n\n{text}",
            "text": text, "path": f"/news/{number % 7}.txt", "date": f"2016-0{1 + number % 9}-1{number % 10}",
            "file_sig": f"sig{number % 7}", "text_hash": f"h{number}", "passages": [(0, len(text))],
            "passage_count": number % 5, **({"source": "AFP Paris"} if number % 3 == 0 else {}),
        }


def dump_segment(reader):
    postings = {}
    for fieldname, text in reader.all_terms():
        matcher = reader.postings(fieldname, text)
        matcher = getattr(matcher, "child", matcher)  # the raw postings, deleted documents too
        items = []
        while matcher.is_active():
            items.append((matcher.id(), matcher.weight(), matcher.value(), matcher.block_min_length(),
                          matcher.block_max_length(), matcher.block_max_weight()))
            matcher.next()
        info = reader.term_info(fieldname, text)
        postings[(fieldname, text)] = (items, info.weight(), info.doc_frequency(),
                                       info.min_length(), info.max_length(), info.max_weight())
    docs = range(reader.doc_count_all())
    stored = [reader.stored_fields(d) for d in docs]
    lengths = {(f, d): reader.doc_field_length(d, f) for d in docs for f in ("title", "body", "source")}
    columns = {name: list(reader.column_reader(name)) for name in ("id", "path", "date", "passage_count")}
    totals = {f: (reader.field_length(f), reader.min_field_length(f), reader.max_field_length(f))
              for f in ("title", "body")}
    deleted = [reader.is_deleted(d) for d in docs]
    return postings, stored, lengths, columns, totals, deleted


def dump(path):
    """Everything a reader can see of an index, segment by segment."""
    ix = whoosh_index.open_dir(path, indexname="searchkit")
    with ix.reader() as reader:
        return [dump_segment(leaf) for leaf, _ in reader.leaf_readers()]


def build(path, writer_class, batches):
    path.mkdir()
    ix = whoosh_index.create_in(path, make_schema(), indexname="searchkit")
    for batch in batches:
        writer = writer_class(ix)
        for document in batch:
            writer.add_document(**document)
        writer.delete_by_term("id", "doc0")  # in the second batch: a committed document
        writer.commit()


@pytest.mark.parametrize("seed", [1, 2])
def test_bulk_writer_index_reads_back_identical_to_the_stock_writer(tmp_path, seed):
    batches = [list(documents(300, seed)), [dict(d, id=f"b{d['id']}") for d in documents(40, seed + 10)]]
    build(tmp_path / "stock", SegmentWriter, batches)
    build(tmp_path / "bulk", BulkWriter, batches)
    stock, bulk = dump(tmp_path / "stock"), dump(tmp_path / "bulk")
    assert len(stock) == len(bulk)
    assert len(stock[0][0]) > 100
    assert any(len(items) > 128 for items, *_ in stock[0][0].values())
    for segment_stock, segment_bulk in zip(stock, bulk):
        for part_stock, part_bulk in zip(segment_stock, segment_bulk):
            assert part_bulk == part_stock


def dump_whole(path):
    """What a reader of the whole index sees, whatever its segments."""
    ix = whoosh_index.open_dir(path, indexname="searchkit")
    with ix.reader() as reader:
        postings = {}
        for fieldname, text in reader.all_terms():
            matcher = reader.postings(fieldname, text)
            items = []
            while matcher.is_active():
                items.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            postings[(fieldname, text)] = (items, reader.doc_frequency(fieldname, text),
                                           reader.frequency(fieldname, text))
        docs = range(reader.doc_count_all())
        stored = [reader.stored_fields(d) for d in docs]
        lengths = [reader.doc_field_length(d, f) for d in docs for f in ("title", "body", "source")]
        return postings, stored, lengths, reader.doc_count()


def test_parallel_analysis_and_segments_cut_by_memory_read_back_identical(tmp_path, monkeypatch):
    """Batches indexed and postings encoded by worker processes, and a segment
    written each time the postings in memory pass the limit, give the index of
    the stock writer."""
    import searchkit.writer.bulk as bulkwrite
    import searchkit.writer.layout as layout

    monkeypatch.setattr(bulkwrite, "BATCH_SIZE", 16)
    monkeypatch.setattr(bulkwrite, "MAX_POSTINGS", 500)
    monkeypatch.setattr(layout, "ENCODE_CHUNK", 50)
    batches = [list(documents(200, 3)), [dict(d, id=f"b{d['id']}") for d in documents(40, 13)]]
    build(tmp_path / "stock", SegmentWriter, batches)
    build(tmp_path / "bulk", lambda ix: BulkWriter(ix, workers=2), batches)
    ix = whoosh_index.open_dir(tmp_path / "bulk", indexname="searchkit")
    with ix.reader() as reader:
        assert len(list(reader.leaf_readers())) > 3
    assert dump_whole(tmp_path / "bulk") == dump_whole(tmp_path / "stock")


def fail_on_doc7(document):
    """A prepare function that fails on one document (run in the workers)."""
    if document.fields["id"] == "doc7":
        raise ValueError("cannot cut this one")
    return Prepared({}, {})


def live_view(path):
    """What a searcher sees of an index, documents named by id."""
    ix = whoosh_index.open_dir(path, indexname="searchkit")
    with ix.reader() as reader:
        ids = {docnum: reader.stored_fields(docnum)["id"] for docnum in reader.all_doc_ids()}
        postings = {}
        for fieldname, text in reader.all_terms():
            matcher = reader.postings(fieldname, text)
            items = []
            while matcher.is_active():
                items.append((ids[matcher.id()], matcher.weight(), matcher.value()))
                matcher.next()
            if items:
                postings[(fieldname, text)] = sorted(items)
        stored = sorted((reader.stored_fields(d) for d in ids), key=lambda fields: fields["id"])
        return postings, stored, reader.doc_count()


def test_a_document_that_fails_in_a_worker_is_left_out_and_the_rest_indexed(tmp_path, monkeypatch):
    import searchkit.writer.bulk as bulkwrite

    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # workers import this module
    monkeypatch.setattr(bulkwrite, "BATCH_SIZE", 16)
    batch = list(documents(60, 5))
    build(tmp_path / "stock", SegmentWriter, [[d for d in batch if d["id"] != "doc7"]])
    failures = []

    def bulk_writer(ix):
        writer = BulkWriter(ix, prepare=fail_on_doc7, workers=2)
        writer.on_failure = lambda document, reason: failures.append((document.fields["id"], reason))
        return writer

    build(tmp_path / "bulk", bulk_writer, [batch])
    assert failures == [("doc7", "ValueError: cannot cut this one")]
    assert live_view(tmp_path / "bulk") == live_view(tmp_path / "stock")


def test_whooshs_stored_override_is_refused_rather_than_dropped(tmp_path):
    """A ``_stored_`` value (Whoosh's writers store it in place of the
    indexed one) would be silently lost: the bulk writer says so."""
    ix = whoosh_index.create_in(str(tmp_path), make_schema(), indexname="searchkit")
    writer = BulkWriter(ix, workers=1)
    with pytest.raises(NotImplementedError, match="_stored_"):
        writer.add_document(id="a", body="Mossoul", _stored_body="autre")
    writer.cancel()
