"""A Whoosh segment writer that analyses on every core and writes postings in bulk.

Whoosh's stock writer pushes every posting, one Python call at a time, through
an external sorting pool (pickled to temporary files, merged with heapq) and
then through the codec one posting at a time. That costs about 6 microseconds
a posting, on one core. This writer produces segments in the same format,
readable by the same codec:

- documents are analysed and inverted in batches by worker processes, each
  text once for all the fields that index it; a batch comes back as one
  posting run per term, which the writer appends to compact in-memory arrays
  (documents arrive in increasing number, so each list stays sorted);
- at commit, each term's postings are cut into the codec's blocks and written
  straight to the postings file and term table, with field lengths read once;
- when the postings held in memory pass MAX_POSTINGS, the segment is written
  and a new one started, so memory stays bounded whatever the batch size. All
  segments become visible together at commit.

The index it writes reads back identical to the stock writer's
(tests/test_bulkwrite.py compares every term, posting and stored value).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
import zlib
from array import array
from collections import defaultdict, deque
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import accumulate
from pickle import dumps
from typing import Callable, Iterator, NamedTuple

from whoosh.columns import CompressedBytesColumn, PickleColumn, VarBytesColumn
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.filedb.filetables import _lengths as _ROW_LENGTHS  # key and value lengths of a term table row
from whoosh.formats import Existence, Positions
from whoosh.system import pack_int, pack_long, pack_uint, pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from .analysis import FrenchAnalyzer, index_tokens

BATCH_SIZE = 500  # documents a worker analyses at a time
MAX_POSTINGS = 15_000_000  # postings held in memory before a segment is written (~0.4 GiB)
# Blocks smaller than this are not compressed: zlib would save a few bytes at
# a cost of tens of microseconds, and most terms have one short block.
MIN_COMPRESSED_BLOCK = 256

Prepare = Callable[[dict], dict]


class FieldPlan(NamedTuple):
    """A field the workers index: FrenchAnalyzer, positions or existence."""

    name: str
    unstemmed: bool  # folded words rather than stems
    existence: bool  # one weightless posting per document
    scorable: bool


class _PlainPostings:
    """Postings of weight 1.0 without values (existence fields): document numbers."""

    __slots__ = ("docnums",)
    weights = None

    def __init__(self, docnums: bytes = b"") -> None:
        self.docnums = array("I", docnums)

    def full(self) -> "_FullPostings":
        count = len(self.docnums)
        return _FullPostings(self.docnums, array("f", [1.0]) * count, b"", array("I", [0]) * count)


class _FullPostings:
    """Postings with weights and encoded values (positions)."""

    __slots__ = ("docnums", "weights", "values", "value_lengths")

    def __init__(self, docnums: bytes | array = b"", weights: bytes | array = b"", values: bytes = b"",
                 value_lengths: bytes | array = b"") -> None:
        self.docnums = array("I", docnums)
        self.weights = array("f", weights)
        self.values = bytearray(values)
        self.value_lengths = array("I", value_lengths)

    def add(self, docnum: int, weight: float, vbytes: bytes) -> None:
        self.docnums.append(docnum)
        self.weights.append(weight)
        self.values += vbytes
        self.value_lengths.append(len(vbytes))

    def extend(self, docnums: bytes, weights: bytes, values: bytes, value_lengths: bytes) -> None:
        self.docnums.frombytes(docnums)
        self.weights.frombytes(weights)
        self.values += values
        self.value_lengths.frombytes(value_lengths)

    def value_list(self) -> list[bytes]:
        values = self.values
        ends = list(accumulate(self.value_lengths))
        return [bytes(values[end - size:end]) for size, end in zip(self.value_lengths, ends)]


_Postings = _PlainPostings | _FullPostings


class MemoryPool:
    """Stands in for Whoosh's PostingPool: postings grouped per field and term."""

    def __init__(self) -> None:
        self.fields: dict[str, dict[bytes, _Postings]] = defaultdict(dict)

    def add(self, item: tuple[str, bytes, int, float, bytes]) -> None:
        fieldname, tbytes, docnum, weight, vbytes = item
        add_posting(self.fields[fieldname], tbytes, docnum, weight, vbytes)

    def iter_postings(self) -> Iterator[tuple[str, bytes, int, float, bytes]]:
        for fieldname in sorted(self.fields):
            terms = self.fields[fieldname]
            for tbytes in sorted(terms):
                postings = terms[tbytes]
                if postings.weights is None:
                    for docnum in postings.docnums:
                        yield fieldname, tbytes, docnum, 1.0, b""
                    continue
                for docnum, weight, vbytes in zip(postings.docnums, postings.weights, postings.value_list()):
                    yield fieldname, tbytes, docnum, weight, vbytes

    def cleanup(self) -> None:
        self.fields.clear()


def add_posting(terms: dict[bytes, _Postings], tbytes: bytes, docnum: int, weight: float, vbytes: bytes) -> None:
    postings = terms.get(tbytes)
    if weight == 1.0 and not vbytes:
        if postings is None:
            terms[tbytes] = _PlainPostings(array("I", [docnum]).tobytes())
            return
        if postings.weights is None:
            postings.docnums.append(docnum)
            return
    if postings is None:
        postings = terms[tbytes] = _FullPostings()
    elif postings.weights is None:
        postings = terms[tbytes] = postings.full()
    postings.add(docnum, weight, vbytes)  # type: ignore[union-attr]


# -- analysis and inversion (in the workers) ---------------------------------

_SINGLE_POSITIONS: dict[int, bytes] = {}


def _encode_positions(positions: list[int]) -> bytes:
    """Exactly whoosh.formats.Positions.encode; most terms occur once in an
    article, so the encodings of single positions are kept."""
    if len(positions) == 1:
        encoded = _SINGLE_POSITIONS.get(positions[0])
        if encoded is None:
            encoded = _SINGLE_POSITIONS[positions[0]] = pack_uint(1) + dumps(positions, 2)
        return encoded
    deltas = [positions[0]] + [b - a for a, b in zip(positions, positions[1:])]
    return pack_uint(len(deltas)) + dumps(deltas, 2)


class _Run(NamedTuple):
    """What a worker gives back for a batch of documents."""

    extras: list[dict]  # fields added by the prepare function, per document
    stored: list[bytes | None]  # per document: its stored fields, pickled and compressed
    lengths: list[dict[str, int]]  # per document: length of each planned field
    plain: dict[str, dict[bytes, bytes]]  # existence fields: term -> document numbers
    full: dict[str, dict[bytes, tuple[bytes, bytes, bytes, bytes]]]  # positions fields
    postings: int


class StoredPlan(NamedTuple):
    """How the segment's stored fields are encoded (see W3PerDocWriter.finish_doc)."""

    names: frozenset[str]  # the stored fields of the schema
    level: int  # zlib level of the stored column


def _encode_stored(document: dict, plan: StoredPlan) -> bytes | None:
    stored = {
        name: document.get(f"_stored_{name}", document[name])
        for name in sorted(document)
        if name in plan.names and document[name] is not None
    }
    return zlib.compress(dumps(stored, 2), plan.level) if stored else None


def invert(plans: tuple[FieldPlan, ...], stored_plan: StoredPlan | None, prepare: Prepare | None,
           first: int, documents: list[dict]) -> _Run:
    """Analyse a batch of documents numbered from ``first`` into posting
    runs, and encode their stored fields."""
    extras = [prepare(document) for document in documents] if prepare else [{} for _ in documents]
    stored: list[bytes | None] = []
    if stored_plan is not None:
        for document, extra in zip(documents, extras):
            stored.append(_encode_stored({**document, **extra}, stored_plan))
    plain_tables: dict[str, dict[str, list[int]]] = {p.name: {} for p in plans if p.existence}
    full_tables: dict[str, dict[str, tuple[list, list, bytearray, list]]] = {
        p.name: {} for p in plans if not p.existence}
    lengths = []
    count = 0
    for docnum, document in enumerate(documents, start=first):
        analysed: dict[int, list[tuple[str, str]]] = {}  # a text indexed by several fields
        doc_lengths = {}
        for name, unstemmed, existence, scorable in plans:
            value = document.get(name)
            if type(value) is not str:
                continue
            tokens = analysed.get(id(value))
            if tokens is None:
                tokens = analysed[id(value)] = index_tokens(value)
            which = 1 if unstemmed else 0
            doc_lengths[name] = len(tokens) if scorable else 0
            if existence:
                table = plain_tables[name]
                distinct = {token[which] for token in tokens}
                count += len(distinct)
                for term in distinct:
                    found = table.get(term)
                    if found is None:
                        table[term] = [docnum]
                    else:
                        found.append(docnum)
                continue
            positions: defaultdict[str, list[int]] = defaultdict(list)
            for position, token in enumerate(tokens):
                positions[token[which]].append(position)
            count += len(positions)
            full = full_tables[name]
            for term, poslist in positions.items():
                entry = full.get(term)
                if entry is None:
                    entry = full[term] = ([], [], bytearray(), [])
                encoded = _encode_positions(poslist)
                entry[0].append(docnum)
                entry[1].append(len(poslist))
                entry[2].extend(encoded)
                entry[3].append(len(encoded))
        lengths.append(doc_lengths)
    plain = {
        name: {term.encode("utf-8"): array("I", docnums).tobytes() for term, docnums in table.items()}
        for name, table in plain_tables.items()
    }
    full = {
        name: {
            term.encode("utf-8"): (array("I", d).tobytes(), array("f", w).tobytes(), bytes(v),
                                   array("I", n).tobytes())
            for term, (d, w, v, n) in table.items()
        }
        for name, table in full_tables.items()
    }
    return _Run(extras, stored, lengths, plain, full, count)


def _invert_job(job: tuple) -> _Run:
    return invert(*job)


def _worker_start() -> None:
    # Ctrl-C is the writer's to handle. A worker whose writer was killed must
    # not linger: its parent (the writer, or the fork server that exits with
    # the writer) goes away.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _pool_context():  # type: ignore[no-untyped-def]
    # Not "fork": a forked worker would inherit the index's write lock.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def plan_fields(schema) -> tuple[FieldPlan, ...]:  # type: ignore[no-untyped-def]
    """The fields the workers can index: FrenchAnalyzer with positions or existence."""
    plans = []
    for name in schema.names():
        field = schema[name]
        fmt = field.format
        if (field.indexed and isinstance(field.analyzer, FrenchAnalyzer)
                and type(fmt) in (Positions, Existence) and fmt.field_boost == 1.0
                and not field.separate_spelling() and not field.vector):
            plans.append(FieldPlan(name, field.analyzer.unstemmed, type(fmt) is Existence, field.scorable))
    return tuple(plans)


# -- the writer ---------------------------------------------------------------


class BulkWriter(SegmentWriter):
    """SegmentWriter with parallel analysis, in-memory postings and a bulk flush.

    Use it where ``index.writer()`` would be used: ``BulkWriter(ix, timeout=...)``.
    ``prepare``, a module-level function, runs in the workers on each document
    before analysis and returns fields to add to it (work worth sharing out).
    ``on_document`` is called with each document once it is written.
    """

    def __init__(self, ix, prepare: Prepare | None = None, workers: int | None = None,
                 **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ix, **kwargs)
        self.pool.cleanup()
        self.pool = MemoryPool()  # type: ignore[assignment]
        self.prepare = prepare
        self.on_document: Callable[[dict], None] | None = None
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self._plans = plan_fields(self.schema)
        self._stored_plan, self._stored_writer = self._plan_stored()
        self._pending: list[dict] = []
        self._in_flight: deque[tuple[list[dict], Future]] = deque()
        self._executor: ProcessPoolExecutor | None = None
        self._next_docnum = self.docnum  # number of the next document sent to analysis
        self._held_postings = 0
        self._written_segments: list = []

    # -- adding documents -------------------------------------------------

    def add_document(self, **fields) -> None:  # type: ignore[no-untyped-def]
        self._check_state()
        self._check_fields(self.schema, [name for name in fields if not name.startswith("_")])
        self._pending.append(fields)
        if len(self._pending) >= BATCH_SIZE:
            self._send_pending(parallel=self.workers > 1)

    def _send_pending(self, parallel: bool) -> None:
        if self._held_postings > MAX_POSTINGS:
            self._receive_all()
            self._start_new_segment()
        documents, self._pending = self._pending, []
        if not documents:
            return
        job = (self._plans, self._stored_plan, self.prepare, self._next_docnum, documents)
        self._next_docnum += len(documents)
        if not parallel:
            self._receive_all()
            self._absorb(documents, invert(*job))
            return
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=_pool_context(), initializer=_worker_start)
        self._in_flight.append((documents, self._executor.submit(_invert_job, job)))
        while len(self._in_flight) > 2 * self.workers:
            self._receive_one()

    def _plan_stored(self):  # type: ignore[no-untyped-def]
        """Stored fields are encoded by the workers when the codec's stored
        column is the W3 one: a zlib-compressed pickle per document."""
        try:
            column = self.perdocwriter._get_column("_stored")
            raw = column._child
            if not (isinstance(column, PickleColumn.Writer) and type(raw) is CompressedBytesColumn.Writer
                    and raw._compress is zlib.compress):
                return None, None
        except (AttributeError, KeyError):
            return None, None
        names = frozenset(name for name in self.schema.names() if self.schema[name].stored)
        return StoredPlan(names, raw._level), raw

    def _receive_one(self) -> None:
        documents, future = self._in_flight.popleft()
        self._absorb(documents, future.result())

    def _receive_all(self) -> None:
        while self._in_flight:
            self._receive_one()

    def _absorb(self, documents: list[dict], run: _Run) -> None:
        """Write the stored fields and lengths of analysed documents, in
        order, and append their postings to the pool."""
        schema = self.schema
        perdocwriter = self.perdocwriter
        pool_fields = self.pool.fields  # type: ignore[attr-defined]
        stored_writer = self._stored_writer if run.stored else None
        stored_blobs = run.stored or [None] * len(documents)
        for document, extra, lengths, stored_blob in zip(documents, run.extras, run.lengths, stored_blobs):
            document.update(extra)
            docnum = self.docnum
            perdocwriter.start_doc(docnum)
            try:
                for fieldname in sorted(name for name in document if not name.startswith("_")):
                    value = document[fieldname]
                    if value is None:
                        continue
                    field = schema[fieldname]
                    length = lengths.get(fieldname)
                    if length is None:
                        length = 0
                        if field.indexed:
                            terms = pool_fields[fieldname]
                            for tbytes, freq, weight, vbytes in field.index(value):
                                if field.scorable:
                                    length += freq
                                add_posting(terms, tbytes, docnum, weight, vbytes)
                                self._held_postings += 1
                    stored = document.get(f"_stored_{fieldname}", value)
                    keep = field.stored and stored_writer is None
                    perdocwriter.add_field(fieldname, field, stored if keep else None, length)
                    column = field.column_type
                    if column and stored is not None:
                        perdocwriter.add_column_value(fieldname, column, field.to_column_value(stored))
            except Exception:
                perdocwriter.cancel_doc()
                raise
            if stored_blob is not None:
                VarBytesColumn.Writer.add(stored_writer, docnum, stored_blob)
            perdocwriter.finish_doc()
            self._added = True
            self.docnum += 1
            if self.on_document is not None:
                self.on_document(document)
        for fieldname, run_terms in run.plain.items():
            terms = pool_fields[fieldname]
            for tbytes, docnums in run_terms.items():
                postings = terms.get(tbytes)
                if postings is None:
                    terms[tbytes] = _PlainPostings(docnums)
                elif postings.weights is None:
                    postings.docnums.frombytes(docnums)
                else:
                    count = len(docnums) // 4
                    postings.extend(docnums, (array("f", [1.0]) * count).tobytes(), b"",
                                    bytes(4 * count))  # type: ignore[union-attr]
        for fieldname, full_terms in run.full.items():
            terms = pool_fields[fieldname]
            for tbytes, parts in full_terms.items():
                postings = terms.get(tbytes)
                if postings is None:
                    terms[tbytes] = _FullPostings(*parts)
                else:
                    if postings.weights is None:
                        postings = terms[tbytes] = postings.full()
                    postings.extend(*parts)  # type: ignore[union-attr]
        self._held_postings += run.postings

    def add_reader(self, reader) -> None:  # type: ignore[no-untyped-def]
        self._send_pending(parallel=False)
        self._receive_all()
        super().add_reader(reader)
        self._next_docnum = self.docnum

    # -- segments -------------------------------------------------------------

    def _start_new_segment(self) -> None:
        """Write the segment so far and go on in a new one (committed with it)."""
        self._written_segments.append(self._finalize_segment())
        codec = self.codec
        self.newsegment = codec.new_segment(self.storage, self.indexname)
        self.perdocwriter = codec.per_document_writer(self.storage, self.newsegment)
        self.fieldwriter = codec.field_writer(self.storage, self.newsegment)
        self.pool = MemoryPool()  # type: ignore[assignment]
        self._stored_plan, self._stored_writer = self._plan_stored()
        self.docnum = self._next_docnum = 0
        self._held_postings = 0

    def commit(self, mergetype=None, optimize=None, merge=None) -> None:  # type: ignore[no-untyped-def]
        self._check_state()
        self._send_pending(parallel=False)
        self._receive_all()
        self._stop_workers()
        final_segments = self._merge_segments(mergetype, optimize, merge)
        final_segments.extend(self._written_segments)
        if self.docnum:
            final_segments.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(final_segments)
        self._finish()

    def cancel(self) -> None:
        """As SegmentWriter.cancel, but it cannot fail: closing the segment
        flushes buffered writes, which fail again on a full disk. The files of
        abandoned segments are orphans that the next commit deletes."""
        self._pending = []
        self._in_flight.clear()
        self._stop_workers(wait=False)
        try:
            super().cancel()
        except OSError:
            self._finish()

    def _stop_workers(self, wait: bool = True) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=wait, cancel_futures=True)
            self._executor = None

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

    def _write_postings(self, lengths) -> None:  # type: ignore[no-untyped-def]
        fieldwriter = self.fieldwriter
        doccount = self.docnum
        fields = self.pool.fields  # type: ignore[attr-defined]
        for fieldname in sorted(fields):
            terms = fields[fieldname]
            if not terms:
                continue
            fieldobj = self.schema[fieldname]
            if lengths is not None and fieldobj.scorable:
                field_lengths = [lengths.doc_field_length(d, fieldname) or 0 for d in range(doccount)]
            else:
                field_lengths = None
            fieldwriter.start_field(fieldname, fieldobj)
            _write_field(fieldwriter, fieldobj.format.fixed_value_size(), terms, field_lengths)
            fieldwriter.finish_field()


_TERM_INFO = W3TermInfo._struct
_WRITE_CHUNK = 4 << 20


def _compress(data: bytes, level: int) -> bytes:
    # A block is a few kilobytes: a 4 KiB window and a small hash table do as
    # well as zlib.compress's defaults, without allocating 256 KiB a block.
    compressor = zlib.compressobj(level, zlib.DEFLATED, 12, 4)
    return compressor.compress(data) + compressor.flush()


def _write_field(fieldwriter, fixed_size: int | None, terms: dict[bytes, _Postings],
                 field_lengths: list[int] | None) -> None:  # type: ignore[no-untyped-def]
    """Write each term's blocks and term info as W3FieldWriter would from
    add_posting() calls, without a Python call per posting: blocks and term
    table rows are built in memory and written a few megabytes at a time."""
    postwriter = fieldwriter._postwriter
    limit, compression = postwriter._blocklimit, postwriter._compression
    postfile = fieldwriter._postfile
    table = fieldwriter._tindex  # an OrderedHashWriter: rows, then hashes at close
    table_file, buckets, positions, hash_key = table.dbfile, table.buckets, table.index, table.hashfn
    key_prefix = pack_ushort(fieldwriter._fieldid)
    out, rows = bytearray(), bytearray()
    out_base, rows_base = postfile.tell(), table_file.tell()
    key = b""
    for tbytes in sorted(terms):
        postings = terms[tbytes]
        docnums, weights = postings.docnums, postings.weights
        values = postings.value_list() if weights is not None and fixed_size != 0 else None
        total = len(docnums)
        start_offset = out_base + len(out)
        out += WHOOSH3_HEADER_MAGIC
        total_weight = 0.0
        max_weight = 0
        min_length: int | None = None
        max_length = 0
        for start in range(0, total, limit):
            end = min(start + limit, total)
            ids = docnums[start:end]
            if len(ids) == 1:
                mini_ids: tuple = (ids[0],)
            else:
                mini_ids = (ids[0], *[b - a for a, b in zip(ids, ids[1:])])
            if weights is None:
                block_max_weight = 1.0
                total_weight += float(len(ids))
                mini_weights = None
            else:
                block_weights = weights[start:end]
                block_max_weight = max(block_weights)
                total_weight += sum(block_weights)
                first_weight = block_weights[0]
                if all(w == first_weight for w in block_weights):
                    mini_weights = None if first_weight == 1.0 else first_weight
                else:
                    mini_weights = tuple(block_weights)
            if fixed_size is None:
                mini_values = tuple(values[start:end]) if values is not None else ()
            elif fixed_size == 0:
                mini_values = None
            else:
                mini_values = b"".join(values[start:end]) if values is not None else b""
            if field_lengths is not None:
                block_lengths = [field_lengths[d] for d in ids if field_lengths[d]]
                block_min = min(block_lengths) if block_lengths else None
                block_max = max(block_lengths, default=0)
            else:
                block_min, block_max = None, 0
            if block_min is not None and (min_length is None or block_min < min_length):
                min_length = block_min
            max_length = max(max_length, block_max)
            max_weight = max(max_weight, block_max_weight)
            data = dumps((mini_ids, mini_weights, mini_values), 2)
            level = compression if len(data) >= MIN_COMPRESSED_BLOCK else 0
            if level:
                data = _compress(data, level)
            info = dumps((len(ids), ids[-1], block_max_weight, level,
                          length_to_byte(block_min), length_to_byte(block_max)), 2)
            size = len(info) + len(data)
            out += pack_int(-size if end == total else size)
            out += info
            out += data
        term_info = _TERM_INFO.pack(
            False, total_weight, total, 0 if min_length is None else length_to_byte(min_length),
            length_to_byte(max_length), max_weight, docnums[0], docnums[-1],
        ) + pack_long(start_offset) + pack_int(out_base + len(out) - start_offset)
        key = key_prefix + tbytes
        position = rows_base + len(rows)
        rows += _ROW_LENGTHS.pack(len(key), len(term_info))
        rows += key
        rows += term_info
        hashed = hash_key(key)
        buckets[hashed & 255].append((hashed, position))
        positions.append(position)
        if len(out) > _WRITE_CHUNK:
            postfile.write(out)
            out_base, out = out_base + len(out), bytearray()
        if len(rows) > _WRITE_CHUNK:
            table_file.write(rows)
            rows_base, rows = rows_base + len(rows), bytearray()
    postfile.write(out)
    table_file.write(rows)
    if key:
        table.lastkey = key
