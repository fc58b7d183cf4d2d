"""A Whoosh segment writer that indexes on every core and writes postings in bulk.

Whoosh's stock writer pushes every posting, one Python call at a time, through
an external sorting pool (pickled to temporary files, merged with heapq) and
then through the codec one posting at a time. That costs about 6 microseconds
a posting, on one core. This writer produces segments in the same format,
readable by the same codec:

- documents are indexed in batches by worker processes (searchkit.writer.inversion):
  each text analysed once for all the fields that index it, stored fields
  encoded; a batch comes back as one run of postings per term, which the
  writer appends to compact in-memory arrays (documents arrive in increasing
  number, so each list stays sorted) while it writes the stored fields;
- at commit, the workers encode the terms' postings into the codec's blocks,
  and the writer lays them out in the postings file and the term table;
- when the postings held in memory pass MAX_POSTINGS, the segment is written
  and a new one started, so memory stays bounded however many documents are
  added. All segments become visible together at commit.

The index it writes reads back identical to the stock writer's
(tests/writer/test_bulkwrite.py compares every term, posting and stored value).
"""

from __future__ import annotations

import os
import zlib
from array import array
from collections import deque
from typing import Callable

from whoosh.codec.whoosh3 import W3Codec
from whoosh.columns import CompressedBytesColumn, PickleColumn, VarBytesColumn
from whoosh.writing import SegmentWriter

from searchkit.storage import integrity
from searchkit.storage.documents import Document
from searchkit.storage.durability import sync_file
from searchkit.writer.inversion import Plan, Prepare, Run, StoredPlan, invert, make_plan
from searchkit.writer.layout import write_segment
from searchkit.writer.merges import merge_with_written
from searchkit.writer.merging import Merged, merged_of
from searchkit.writer.pool import MemoryPool
from searchkit.writer.workers import Workers

BATCH_SIZE = 1500  # documents a worker indexes at a time
MAX_POSTINGS = 15_000_000  # postings held in memory before a segment is written (about 0.5 GiB)


def _usable_cores() -> int:
    # Each worker holds a batch and analysis caches (about 250 MB): past 8,
    # more workers cost memory for little.
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


def _plan_of(schema, perdocwriter, prepare: Prepare | None) -> tuple[Plan, VarBytesColumn.Writer | None]:
    """The workers' plan; they encode stored fields when the segment's stored
    column is the W3 codec's (a zlib-compressed pickle per document), written
    by the column writer returned with it."""
    stored, raw_writer = None, None
    try:
        column = perdocwriter._get_column("_stored")
        raw = column._child
        if (isinstance(column, PickleColumn.Writer) and type(raw) is CompressedBytesColumn.Writer
                and raw._compress is zlib.compress):
            stored = StoredPlan(frozenset(n for n in schema.names() if schema[n].stored), raw._level)
            raw_writer = raw
    except (AttributeError, KeyError):
        pass
    return make_plan(schema, stored, prepare), raw_writer


def _write_fields(perdocwriter, schema, fields: dict[str, object], lengths: dict[str, int], store: bool) -> None:
    """A document's lengths and columns, and its stored fields if ``store``
    (else the workers encoded them)."""
    for fieldname in sorted(fields):
        value = fields[fieldname]
        if value is None:
            continue
        field = schema[fieldname]
        perdocwriter.add_field(fieldname, field, value if field.stored and store else None, lengths.get(fieldname, 0))
        column = field.column_type
        if column:
            perdocwriter.add_column_value(fieldname, column, field.to_column_value(value))


def _keep_lengths(kept: dict[str, array], lengths: dict[str, int], fields: dict[str, object]) -> None:
    """A new document's length in each scorable field, as _write_fields gives it."""
    for name, column in kept.items():
        column.append(lengths.get(name, 0) if fields.get(name) is not None else 0)


def _commit_toc(storage, indexname: str, schema, segments, old_segments, generation: int) -> None:
    """Write the table of contents, the commit point, once the files of the
    new segments are on disk (see searchkit.storage.durability)."""
    for segment in segments:
        if segment not in old_segments:  # written by this writer
            for name in segment.list_files(storage):
                sync_file(storage._fpath(name))
    integrity.commit_toc(storage, indexname, schema, segments, generation)


def _delete_files(storage, segments) -> None:
    for segment in segments:
        for name in segment.list_files(storage):
            try:
                storage.delete_file(name)
            except OSError:
                pass  # an orphan the next commit deletes


class BulkWriter(SegmentWriter):
    """SegmentWriter with parallel indexing, in-memory postings and a bulk flush.

    Use it where ``index.writer()`` would be: ``BulkWriter(ix, timeout=...)``.
    ``add(document)`` takes a Document; ``add_document(**fields)`` as Whoosh's
    writers do. ``prepare``, a module-level function, runs in the workers on
    each document before it is indexed and returns fields to add to it.
    ``on_document`` is called with each document once it is written; ``on_failure``
    with each document that ``prepare`` or the analysis failed on, and the
    reason: it is left out, and the rest indexed. ``workers=1``: no worker.
    """

    pool: MemoryPool  # in place of SegmentWriter's PostingPool
    docnum: int

    def __init__(self, ix, prepare: Prepare | None = None, workers: int | None = None,
                 **kwargs) -> None:
        super().__init__(ix, **kwargs)
        if type(self.codec) is not W3Codec:  # blocks and term tables are written as W3 writes them
            SegmentWriter.cancel(self)
            raise NotImplementedError(f"BulkWriter writes the W3 codec only, not {type(self.codec).__name__}")
        self.pool.cleanup()
        self.prepare = prepare
        self.on_document: Callable[[Document], None] | None = None
        # Called with a document that could not be indexed, and why.
        self.on_failure: Callable[[Document, str], None] | None = None
        self.worker_count = workers if workers is not None else _usable_cores()
        self._pending: list[Document] = []
        self._in_flight: deque[list[Document]] = deque()  # documents given to the workers, in order
        self._workers: Workers | None = None
        self._written_segments: list = []
        self._start_segment_state()
        self._next_docnum = self.docnum  # number of the next document sent to the workers
        self._merged: list[Merged] = []  # segments merged into this one, read when it is written

    # -- adding documents -------------------------------------------------

    def add(self, document: Document) -> None:
        self._check_state()
        if any(name.startswith("_") or name.endswith("_boost") for name in document.fields):
            raise NotImplementedError("BulkWriter takes neither boosts nor Whoosh's _stored_ values")
        self._check_fields(self.schema, list(document.fields))
        self._pending.append(document)
        if len(self._pending) >= BATCH_SIZE:
            self._send_pending(parallel=self.worker_count > 1)

    def add_document(self, **fields) -> None:
        """As Whoosh's writers take documents."""
        self.add(Document(fields))

    def _send_pending(self, parallel: bool) -> None:
        if self._held_postings > MAX_POSTINGS:
            self._receive_all()
            self._start_new_segment()
        documents, self._pending = self._pending, []
        if not documents:
            return
        first = self._next_docnum
        self._next_docnum += len(documents)
        if not parallel:
            self._receive_all()
            self._absorb(documents, invert(self._plan, first, documents))
            return
        if self._workers is None:
            self._workers = Workers(self.worker_count)
        done, run = None, None
        if self._workers.full():
            done, run = self._in_flight.popleft(), self._workers.result()
        # The next batch goes out before the last one is written: the worker
        # is not left idle meanwhile.
        self._workers.submit(invert, self._plan, first, documents)
        self._in_flight.append(documents)
        if done is not None:
            self._absorb(done, run)  # type: ignore[arg-type]

    def _receive_all(self) -> None:
        while self._in_flight:
            self._absorb(self._in_flight.popleft(), self._workers.result())  # type: ignore[union-attr]

    def _absorb(self, documents: list[Document], run: Run) -> None:
        """Write the stored fields and lengths of indexed documents, in order,
        and add their postings to the pool."""
        perdocwriter = self.perdocwriter
        stored_writer = self._stored_writer if run.stored else None
        stored_blobs = run.stored or [None] * len(documents)
        for number, (document, extra, lengths, stored_blob) in enumerate(
                zip(documents, run.extras, run.lengths, stored_blobs)):
            docnum = self.docnum
            self.docnum += 1
            perdocwriter.start_doc(docnum)
            reason = run.failed.get(number)
            if reason is not None:
                # Its number was given out with the batch: written empty, deleted.
                _keep_lengths(self._lengths, {}, {})
                perdocwriter.finish_doc()
                self.newsegment.delete_document(docnum)
                if self.on_failure is not None:
                    self.on_failure(document, reason)
                continue
            document.fields.update(extra)
            _keep_lengths(self._lengths, lengths, document.fields)
            _write_fields(perdocwriter, self.schema, document.fields, lengths, store=stored_writer is None)
            if stored_blob is not None:
                VarBytesColumn.Writer.add(stored_writer, docnum, stored_blob)
            perdocwriter.finish_doc()
            self._added = True
            if self.on_document is not None:
                self.on_document(document)
        self.pool.add_run(run)
        self._held_postings += run.posting_count

    def add_reader(self, reader) -> None:
        """Merge the live documents of ``reader`` into this segment.

        As SegmentWriter.add_reader, but its postings are read a term at a
        time when the segment is written (see searchkit.writer.merging)."""
        self._send_pending(parallel=False)
        self._receive_all()
        self._check_state()
        self._merged.append(merged_of(reader, self.docnum))
        self.docnum += len(self._merged[-1].live)
        self._added = True
        self._next_docnum = self.docnum

    def _start_new_segment(self) -> None:
        """Write the segment so far and go on in a new one (committed with it)."""
        self._written_segments.append(self._finalize_segment())
        codec = self.codec
        self.newsegment = codec.new_segment(self.storage, self.indexname)
        self.perdocwriter = codec.per_document_writer(self.storage, self.newsegment)
        self.fieldwriter = codec.field_writer(self.storage, self.newsegment)
        self.docnum = 0
        self._start_segment_state()

    def _start_segment_state(self) -> None:
        self.pool = MemoryPool()
        self._lengths = {name: array("I") for name in self.schema.scorable_names()}  # of each new document
        self._plan, self._stored_writer = _plan_of(self.schema, self.perdocwriter, self.prepare)
        self._next_docnum = self.docnum
        self._held_postings = 0

    def _merge_segments(self, mergetype, optimize, merge):
        # Whoosh's MERGE_SMALL lets daily commits pile up (see searchkit.writer.merges).
        if mergetype is None and not (optimize or self.optimize) and (self.merge if merge is None else merge):
            kept, self._written_segments = merge_with_written(self, self.segments, self._written_segments)
            return kept
        return super()._merge_segments(mergetype, optimize, merge)

    def commit(self, mergetype=None, optimize=None, merge=None) -> None:
        flush(self)
        final_segments = self._merge_segments(mergetype, optimize, merge)
        final_segments.extend(self._written_segments)
        if self.docnum:
            final_segments.append(self._finalize_segment())
        else:
            self._close_segment()
        self._stop_workers()
        _commit_toc(self.storage, self.indexname, self.schema, final_segments, self.segments, self.generation)
        self._finish()

    def cancel(self) -> None:
        """As SegmentWriter.cancel, but a full disk does not stop it (closing
        the segment flushes buffered writes, which fail again), and the files
        of the segments it began are deleted: an ingest that changes nothing
        cancels, and each would leave its files until the next commit."""
        self._pending = []
        self._in_flight.clear()
        self._stop_workers()
        self._check_state()
        try:
            self._close_segment()
        except (OSError, ValueError):
            # ValueError: a file whose last flush failed (a full disk) is
            # closed already, and closing the segment again writes to it.
            pass
        _delete_files(self.storage, [*self._written_segments, self.newsegment])
        self._finish()

    def _finalize_segment(self):
        segment = super()._finalize_segment()
        # Before the TOC names the segment: a committed segment has its sums.
        integrity.write_segment_sums(self.storage, segment)
        return segment

    def _stop_workers(self) -> None:
        if self._workers is not None:
            self._workers.close()
            self._workers = None

    def _flush_segment(self) -> None:
        merged, self._merged = self._merged, []
        if self._workers is None and self.worker_count > 1 and sum(len(m.live) for m in merged) > BATCH_SIZE:
            self._workers = Workers(self.worker_count)  # a large merge: blocks encoded on every core
        try:
            write_segment(self.storage, self.schema, self.perdocwriter, self.fieldwriter, self.pool,
                          self._lengths if self.codec.length_stats else None, self._workers, merged)
        finally:
            self.perdocwriter.close()
            self.fieldwriter.close()


def flush(writer: BulkWriter) -> None:
    """Index every document added to ``writer`` so far: ``on_document`` has
    been called for each when it returns (before the commit, which writes them)."""
    writer._check_state()
    writer._send_pending(parallel=writer._workers is not None)
    writer._receive_all()
