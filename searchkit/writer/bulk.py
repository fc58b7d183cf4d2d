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
(tests/test_bulkwrite.py compares every term, posting and stored value).
"""

from __future__ import annotations

import os
import zlib
from array import array
from collections import defaultdict, deque
from typing import Callable, Iterable, Iterator

from whoosh.codec.whoosh3 import W3Codec
from whoosh.columns import CompressedBytesColumn, PickleColumn, TranslatingColumnReader, VarBytesColumn
from whoosh.filedb.filetables import _lengths as _ROW_LENGTHS  # key and value sizes of a term table row
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.writing import SegmentWriter

from searchkit.storage import integrity
from searchkit.storage.durability import sync_file
from searchkit.writer.merges import merge_by_level
from searchkit.storage.postings import segment_postings
from searchkit.writer.inversion import Encoded, Plan, Prepare, Run, StoredPlan, TermPostings, encode_terms, invert, make_plan
from searchkit.storage.tails import TAIL_FIELDS
from searchkit.writer.workers import Workers

BATCH_SIZE = 1500  # documents a worker indexes at a time
MAX_POSTINGS = 15_000_000  # postings held in memory before a segment is written (about 0.5 GiB)
ENCODE_CHUNK = 100_000  # postings a worker encodes into blocks at a time


class _PlainPostings:
    """Postings of weight 1.0 without values (existence fields): document numbers."""

    __slots__ = ("docnums",)
    weights = None

    def __init__(self, docnums: array) -> None:
        self.docnums = docnums

    def full(self) -> "_FullPostings":
        count = len(self.docnums)
        return _FullPostings(self.docnums, array("f", [1.0]) * count, b"", array("I", [0]) * count)


class _FullPostings:
    """Postings with weights and encoded values (positions)."""

    __slots__ = ("docnums", "weights", "values", "value_sizes")

    def __init__(self, docnums: array, weights: array, values: bytes, value_sizes: array) -> None:
        self.docnums = docnums
        self.weights = weights
        self.values = bytearray(values)
        self.value_sizes = value_sizes

    def add(self, docnum: int, weight: float, vbytes: bytes) -> None:
        self.docnums.append(docnum)
        self.weights.append(weight)
        self.values += vbytes
        self.value_sizes.append(len(vbytes))

    def extend(self, docnums: array, weights: array, values: bytes, value_sizes: array) -> None:
        self.docnums += docnums
        self.weights += weights
        self.values += values
        self.value_sizes += value_sizes


_Postings = _PlainPostings | _FullPostings


class MemoryPool:
    """Stands in for Whoosh's PostingPool: postings grouped per field and term."""

    def __init__(self) -> None:
        self.fields: dict[str, dict[bytes, _Postings]] = defaultdict(dict)

    def add(self, item: tuple[str, bytes, int, float, bytes]) -> None:
        """One posting, as Whoosh's add_reader() gives them when merging segments."""
        fieldname, tbytes, docnum, weight, vbytes = item
        vbytes = vbytes or b""  # Whoosh gives None for a format without values (Frequencies, Existence)
        terms = self.fields[fieldname]
        postings = terms.get(tbytes)
        if weight == 1.0 and not vbytes:
            if postings is None:
                terms[tbytes] = _PlainPostings(array("I", [docnum]))
                return
            if postings.weights is None:
                postings.docnums.append(docnum)
                return
        if postings is None:
            postings = terms[tbytes] = _FullPostings(array("I"), array("f"), b"", array("I"))
        elif postings.weights is None:
            postings = terms[tbytes] = postings.full()
        postings.add(docnum, weight, vbytes)

    def add_run(self, run: Run) -> None:
        for fieldname, field_postings in run.postings.items():
            for postings_of_terms in field_postings:
                for tbytes, docnums, weights, values, sizes in postings_of_terms.parts():
                    self.extend(fieldname, tbytes, docnums, weights, values, sizes)

    def extend(self, fieldname: str, tbytes: bytes, docnums: array, weights: array | None,
               values: bytes, sizes: array) -> None:
        """Postings of one term, after those it holds; ``weights`` None: all
        1.0, without values."""
        terms = self.fields[fieldname]
        postings = terms.get(tbytes)
        if weights is None:
            if postings is None:
                terms[tbytes] = _PlainPostings(docnums)
                return
            if postings.weights is None:
                postings.docnums += docnums
                return
            count = len(docnums)
            weights, sizes = array("f", [1.0]) * count, array("I", [0]) * count
        if postings is None:
            terms[tbytes] = _FullPostings(docnums, weights, values, sizes)
            return
        if postings.weights is None:
            postings = terms[tbytes] = postings.full()
        postings.extend(docnums, weights, values, sizes)

    def cleanup(self) -> None:
        self.fields.clear()


def _usable_cores() -> int:
    # Each worker holds a batch and analysis caches (about 250 MB): past 8,
    # more workers cost memory for little.
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


class BulkWriter(SegmentWriter):
    """SegmentWriter with parallel indexing, in-memory postings and a bulk flush.

    Use it where ``index.writer()`` would be used: ``BulkWriter(ix, timeout=...)``.
    ``prepare``, a module-level function, runs in the workers on each document
    before it is indexed and returns fields to add to it (work worth sharing
    out). ``on_document`` is called with each document once it is written;
    ``on_failure`` with each document that ``prepare`` or the analysis failed
    on, and the reason: it is left out, and the rest indexed.
    With ``workers=1`` everything runs in this process.
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
        self.pool = MemoryPool()
        self.prepare = prepare
        self.on_document: Callable[[dict], None] | None = None
        # Called with a document that could not be indexed, and why.
        self.on_failure: Callable[[dict, str], None] | None = None
        self.worker_count = workers if workers is not None else _usable_cores()
        self._plan, self._stored_writer = self._make_plan()
        self._pending: list[dict] = []
        self._in_flight: deque[list[dict]] = deque()  # documents given to the workers, in order
        self._workers: Workers | None = None
        self._next_docnum = self.docnum  # number of the next document sent to the workers
        self._held_postings = 0
        self._written_segments: list = []

    def _make_plan(self) -> tuple[Plan, VarBytesColumn.Writer | None]:
        """The workers encode stored fields when the segment's stored column
        is the W3 codec's: a zlib-compressed pickle per document."""
        stored, raw_writer = None, None
        try:
            column = self.perdocwriter._get_column("_stored")
            raw = column._child
            if (isinstance(column, PickleColumn.Writer) and type(raw) is CompressedBytesColumn.Writer
                    and raw._compress is zlib.compress):
                schema = self.schema
                stored = StoredPlan(frozenset(n for n in schema.names() if schema[n].stored), raw._level)
                raw_writer = raw
        except (AttributeError, KeyError):
            pass
        return make_plan(self.schema, stored, self.prepare), raw_writer

    # -- adding documents -------------------------------------------------

    def add_document(self, **fields) -> None:
        self._check_state()
        if any(name.endswith("_boost") for name in fields):
            raise NotImplementedError("BulkWriter does not apply document or field boosts")
        self._check_fields(self.schema, [name for name in fields if not name.startswith("_")])
        self._pending.append(fields)
        if len(self._pending) >= BATCH_SIZE:
            self._send_pending(parallel=self.worker_count > 1)

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

    def _absorb(self, documents: list[dict], run: Run) -> None:
        """Write the stored fields and lengths of indexed documents, in order,
        and add their postings to the pool."""
        schema = self.schema
        perdocwriter = self.perdocwriter
        stored_writer = self._stored_writer if run.stored else None
        stored_blobs = run.stored or [None] * len(documents)
        for number, (document, extra, lengths, stored_blob) in enumerate(
                zip(documents, run.extras, run.lengths, stored_blobs)):
            docnum = self.docnum
            reason = run.failed.get(number)
            if reason is not None:
                # Its number was given out with the batch: written empty, deleted.
                perdocwriter.start_doc(docnum)
                perdocwriter.finish_doc()
                self.newsegment.delete_document(docnum)
                self.docnum += 1
                if self.on_failure is not None:
                    self.on_failure(document, reason)
                continue
            document.update(extra)
            perdocwriter.start_doc(docnum)
            for fieldname in sorted(name for name in document if not name.startswith("_")):
                value = document[fieldname]
                if value is None:
                    continue
                field = schema[fieldname]
                stored = document.get(f"_stored_{fieldname}", value)
                keep = field.stored and stored_writer is None
                perdocwriter.add_field(fieldname, field, stored if keep else None, lengths.get(fieldname, 0))
                column = field.column_type
                if column and stored is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(stored))
            if stored_blob is not None:
                VarBytesColumn.Writer.add(stored_writer, docnum, stored_blob)
            perdocwriter.finish_doc()
            self._added = True
            self.docnum += 1
            if self.on_document is not None:
                self.on_document(document)
        self.pool.add_run(run)
        self._held_postings += run.posting_count

    def add_reader(self, reader) -> None:
        """Merge the live documents of ``reader`` into this segment.

        As SegmentWriter.add_reader, but each document's field lengths are
        counted again from its postings: a segment keeps them only as one
        byte each (Whoosh's lossy encoding of lengths), and adding those
        decoded lengths up made every merge shift the average lengths of
        BM25 away from those of a fresh build."""
        self._send_pending(parallel=False)
        self._receive_all()
        self._check_state()
        base = self.docnum
        live = list(reader.all_doc_ids())
        schema = self.schema
        lengths = {name: [0] * len(live) for name in schema.scorable_names()}
        terms = segment_postings(reader)
        if terms is None:  # not a W3 segment: one posting at a time
            terms = _one_term_at_a_time(reader)
        # Most terms hold a posting or two: lists beat numpy here.
        renumbered: list[int] | None = None  # the new number of each document, -1 if deleted
        if len(live) < reader.doc_count_all():
            renumbered = [-1] * reader.doc_count_all()
            for position, docnum in enumerate(live):
                renumbered[docnum] = base + position
        for fieldname, tbytes, ids, weights, values in terms:
            if fieldname not in schema:
                continue
            if renumbered is None:
                new = [docnum + base for docnum in ids]
            else:
                kept = [(renumbered[d], w, v) for d, w, v in zip(ids, weights, values) if renumbered[d] >= 0]
                if not kept:
                    continue
                new, weights, values = (list(column) for column in zip(*kept))
            field_lengths = lengths.get(fieldname)
            if field_lengths is not None:
                for number, weight in zip(new, weights):
                    field_lengths[number - base] += int(weight)
            docnums = array("I", new)
            if not any(values) and all(weight == 1.0 for weight in weights):
                self.pool.extend(fieldname, tbytes, docnums, None, b"", array("I"))
            else:
                encoded = [value or b"" for value in values]
                self.pool.extend(fieldname, tbytes, docnums, array("f", weights),
                                 b"".join(encoded), array("I", map(len, encoded)))
        self._write_documents_of(reader, live, lengths)
        self._added = True
        self._next_docnum = self.docnum

    def _write_documents_of(self, reader, live: list[int], lengths: dict[str, list[int]]) -> None:
        """The stored fields, lengths and columns of ``reader``'s documents
        ``live``, written as this segment's next documents."""
        schema = self.schema
        perdocwriter = self.perdocwriter
        names = [name for name in schema.names() if name in reader.schema]
        columns = {}
        for name in names:
            column_type = schema[name].column_type
            if column_type and reader.has_column(name):
                column = reader.column_reader(name, column_type)
                if isinstance(column, TranslatingColumnReader):
                    column = column.raw_column()
                columns[name] = column
        for position, docnum in enumerate(live):
            stored = reader.stored_fields(docnum)
            perdocwriter.start_doc(self.docnum)
            for name in names:
                field = schema[name]
                field_lengths = lengths.get(name)
                length = field_lengths[position] if field_lengths is not None else 0
                perdocwriter.add_field(name, field, stored.get(name), length)
                if name in columns:
                    perdocwriter.add_column_value(name, field.column_type, columns[name][docnum])
            perdocwriter.finish_doc()
            self.docnum += 1

    # -- segments -------------------------------------------------------------

    def _start_new_segment(self) -> None:
        """Write the segment so far and go on in a new one (committed with it)."""
        self._written_segments.append(self._finalize_segment())
        codec = self.codec
        self.newsegment = codec.new_segment(self.storage, self.indexname)
        self.perdocwriter = codec.per_document_writer(self.storage, self.newsegment)
        self.fieldwriter = codec.field_writer(self.storage, self.newsegment)
        self.pool = MemoryPool()
        self._plan, self._stored_writer = self._make_plan()
        self.docnum = self._next_docnum = 0
        self._held_postings = 0

    def _merge_segments(self, mergetype, optimize, merge):
        # Whoosh's MERGE_SMALL lets daily commits pile up (see searchkit.writer.merges).
        if mergetype is None and not (optimize or self.optimize) and (self.merge if merge is None else merge):
            mergetype = merge_by_level
        return super()._merge_segments(mergetype, optimize, merge)

    def commit(self, mergetype=None, optimize=None, merge=None) -> None:
        self._check_state()
        self._send_pending(parallel=self._workers is not None)
        self._receive_all()
        final_segments = self._merge_segments(mergetype, optimize, merge)
        final_segments.extend(self._written_segments)
        if self.docnum:
            final_segments.append(self._finalize_segment())
        else:
            self._close_segment()
        self._stop_workers()
        self._commit_toc(final_segments)
        self._finish()

    def _commit_toc(self, segments) -> None:
        """Write the table of contents, the commit point, once the files of
        the new segments are on disk (see searchkit.storage.durability)."""
        storage = self.storage
        for segment in segments:
            if segment not in self.segments:  # written by this writer
                for name in segment.list_files(storage):
                    sync_file(storage._fpath(name))
        integrity.commit_toc(storage, self.indexname, self.schema, segments, self.generation)

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
        for segment in [*self._written_segments, self.newsegment]:
            for name in segment.list_files(self.storage):
                try:
                    self.storage.delete_file(name)
                except OSError:
                    pass  # an orphan the next commit deletes
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

    # -- writing a segment ------------------------------------------------

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        try:
            self._write_postings(lengths)
        finally:
            self.fieldwriter.close()
            if lengths is not None:
                lengths.close()

    def _write_postings(self, lengths) -> None:
        fieldwriter = self.fieldwriter
        fields = self.pool.fields
        for fieldname in sorted(fields):
            terms = fields[fieldname]
            if not terms:
                continue
            fieldobj = self.schema[fieldname]
            field_lengths = None
            if lengths is not None and fieldobj.scorable:
                field_lengths = array("I", (lengths.doc_field_length(d, fieldname) or 0 for d in range(self.docnum)))
            fieldwriter.start_field(fieldname, fieldobj)
            postwriter = fieldwriter._postwriter
            settings = (field_lengths, fieldobj.format.fixed_value_size(),
                        postwriter._blocklimit, postwriter._compression, fieldname in TAIL_FIELDS)
            chunks = _chunks(terms)
            if self._workers is not None:
                encoded = _in_order(self._workers, settings, chunks)
            else:
                encoded = (encode_terms(chunk, *settings) for chunk in chunks)
            _lay_out(fieldwriter, encoded)
            fieldwriter.finish_field()


def _one_term_at_a_time(reader) -> Iterator[tuple[str, bytes, list[int], list[float], list]]:
    """(field, term, ids, weights, values) of every term of any reader."""
    current: tuple[str, bytes] | None = None
    ids: list[int] = []
    weights: list[float] = []
    values: list = []
    for fieldname, tbytes, docnum, weight, vbytes in reader.iter_postings():
        if (fieldname, tbytes) != current:
            if current is not None:
                yield (*current, ids, weights, values)
            current, ids, weights, values = (fieldname, tbytes), [], [], []
        ids.append(docnum)
        weights.append(weight)
        values.append(vbytes)
    if current is not None:
        yield (*current, ids, weights, values)


def _chunks(terms: dict[bytes, _Postings]) -> Iterator[list[TermPostings]]:
    """The terms in order, in lists of about ENCODE_CHUNK postings."""
    chunk: list[TermPostings] = []
    size = 0
    for tbytes in sorted(terms):
        postings = terms[tbytes]
        if postings.weights is None:
            chunk.append((tbytes, postings.docnums, None, b"", ()))
        else:
            chunk.append((tbytes, postings.docnums, postings.weights, postings.values,
                          postings.value_sizes))
        size += len(postings.docnums) + 8
        if size >= ENCODE_CHUNK:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _in_order(workers: Workers, settings: tuple, chunks: Iterable[list[TermPostings]]) -> Iterator[Encoded]:
    """encode_terms over the chunks in the workers, in order."""
    for chunk in chunks:
        if workers.full():
            result = workers.result()
            workers.submit(encode_terms, chunk, *settings)
            yield result
        else:
            workers.submit(encode_terms, chunk, *settings)
    while workers.pending():
        yield workers.result()


def _lay_out(fieldwriter, encoded: Iterable[Encoded]) -> None:
    """Append encoded blocks to the postings file and a row per term to the
    term table (an OrderedHashWriter: rows now, hashes when it closes)."""
    postfile = fieldwriter._postfile
    table = fieldwriter._tindex
    table_file, buckets, positions, hash_key = table.dbfile, table.buckets, table.index, table.hashfn
    key_prefix = pack_ushort(fieldwriter._fieldid)
    key = b""
    for blob, infos in encoded:
        base = postfile.tell()
        postfile.write(blob)
        ends = [start for _, start, _ in infos[1:]] + [len(blob)]
        rows = bytearray()
        rows_base = table_file.tell()
        for (tbytes, start, info), end in zip(infos, ends):
            key = key_prefix + tbytes
            value = info + pack_long(base + start) + pack_int(end - start)
            position = rows_base + len(rows)
            rows += _ROW_LENGTHS.pack(len(key), len(value))
            rows += key
            rows += value
            hashed = hash_key(key)
            buckets[hashed & 255].append((hashed, position))
            positions.append(position)
        table_file.write(rows)
    if key:
        table.lastkey = key
