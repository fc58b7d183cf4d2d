"""A Whoosh segment writer that keeps postings in memory and writes them in bulk.

Whoosh's stock writer pushes every posting, one Python call at a time, through
an external sorting pool (pickled to temporary files, merged with heapq) and
then through the codec one posting at a time, asking each time for the field
length of the document. That costs about 6 microseconds a posting. This writer
produces the same segment files through the same codec:

- postings are grouped per field and term as they are added (documents come
  in increasing number, so each list is already sorted), in compact arrays;
- at commit, each term's list is cut into the codec's blocks and handed to
  its postings writer whole, with field lengths read once per document;
- each article's text is analysed once for all the fields that index it.

The index it writes reads back identical to the stock writer's
(tests/test_bulkwrite.py compares every term, posting and stored value).
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from pickle import dumps
from typing import Iterator

from whoosh.formats import Existence, Positions
from whoosh.system import pack_uint
from whoosh.writing import SegmentWriter

from .analysis import FrenchAnalyzer, index_tokens


class _TermPostings:
    """The postings of one term: document numbers, weights, encoded values."""

    __slots__ = ("docnums", "weights", "values", "ends")

    def __init__(self) -> None:
        self.docnums = array("I")
        self.weights = array("f")
        self.values = bytearray()
        self.ends = array("I")  # end offset of each posting's value in ``values``

    def add(self, docnum: int, weight: float, vbytes: bytes) -> None:
        self.docnums.append(docnum)
        self.weights.append(weight)
        if vbytes:
            self.values += vbytes
        self.ends.append(len(self.values))

    def value_list(self) -> list[bytes]:
        values, ends = self.values, self.ends
        out, start = [], 0
        for end in ends:
            out.append(bytes(values[start:end]))
            start = end
        return out


class MemoryPool:
    """Stands in for Whoosh's PostingPool: postings grouped per field and term."""

    def __init__(self) -> None:
        self.fields: dict[str, dict[bytes, _TermPostings]] = defaultdict(dict)

    def add(self, item: tuple[str, bytes, int, float, bytes]) -> None:
        fieldname, tbytes, docnum, weight, vbytes = item
        terms = self.fields[fieldname]
        postings = terms.get(tbytes)
        if postings is None:
            postings = terms[tbytes] = _TermPostings()
        postings.add(docnum, weight, vbytes)

    def iter_postings(self) -> Iterator[tuple[str, bytes, int, float, bytes]]:
        for fieldname in sorted(self.fields):
            terms = self.fields[fieldname]
            for tbytes in sorted(terms):
                postings = terms[tbytes]
                for docnum, weight, vbytes in zip(postings.docnums, postings.weights, postings.value_list()):
                    yield fieldname, tbytes, docnum, weight, vbytes

    def cleanup(self) -> None:
        self.fields.clear()


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


class BulkWriter(SegmentWriter):
    """SegmentWriter with in-memory postings and a bulk flush.

    Use it where ``index.writer()`` would be used: ``BulkWriter(ix, timeout=...)``.
    """

    def __init__(self, ix, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ix, **kwargs)
        self.pool.cleanup()
        self.pool = MemoryPool()  # type: ignore[assignment]
        self._analysis_cache: tuple[int, list] | None = None

    # -- adding documents -------------------------------------------------

    def add_document(self, **fields) -> None:  # type: ignore[no-untyped-def]
        """As SegmentWriter.add_document, with a fast path for the fields
        that FrenchAnalyzer indexes with a Positions or Existence format."""
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        pool_fields = self.pool.fields  # type: ignore[attr-defined]
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    items = self._index_items(field, value)
                    terms = pool_fields[fieldname]
                    for tbytes, freq, weight, vbytes in items:
                        if field.scorable:
                            length += freq
                        postings = terms.get(tbytes)
                        if postings is None:
                            postings = terms[tbytes] = _TermPostings()
                        postings.add(docnum, weight, vbytes)
                if field.separate_spelling() or field.vector:
                    raise NotImplementedError("BulkWriter does not write spelling or vector fields")
                stored = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(fieldname, field, stored if field.stored else None, length)
                column = field.column_type
                if column and stored is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(stored))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _index_items(self, field, value):  # type: ignore[no-untyped-def]
        analyzer = field.analyzer
        fmt = field.format
        if not (isinstance(analyzer, FrenchAnalyzer) and type(fmt) in (Positions, Existence)
                and isinstance(value, str)):
            return list(field.index(value))
        tokens = self._analysed(value)
        boost = fmt.field_boost
        which = 1 if analyzer.unstemmed else 0  # (term, word) pairs
        if type(fmt) is Existence:
            return [(w.encode("utf-8"), 1, boost, b"") for w in {t[which] for t in tokens}]
        positions: dict[str, list[int]] = {}
        for position, token in enumerate(tokens):
            key = token[which]
            found = positions.get(key)
            if found is None:
                positions[key] = [position]
            else:
                found.append(position)
        return [
            (w.encode("utf-8"), len(poslist), len(poslist) * boost, _encode_positions(poslist))
            for w, poslist in positions.items()
        ]

    def _analysed(self, value: str) -> list[tuple[str, str]]:
        # Several fields may index the same text: analyse it once.
        cached = self._analysis_cache
        if cached is not None and cached[0] is value:
            return cached[1]
        tokens = index_tokens(value)
        self._analysis_cache = (value, tokens)
        return tokens

    def cancel(self) -> None:
        """As SegmentWriter.cancel, but it cannot fail: closing the segment
        flushes buffered writes, which fail again on a full disk. The files of
        the abandoned segment are orphans that the next commit deletes."""
        try:
            super().cancel()
        except OSError:
            self._finish()

    # -- writing the segment ----------------------------------------------

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
        for fieldname in sorted(self.pool.fields):  # type: ignore[attr-defined]
            terms = self.pool.fields[fieldname]  # type: ignore[attr-defined]
            if not terms:
                continue
            fieldobj = self.schema[fieldname]
            if lengths is not None and fieldobj.scorable:
                field_lengths = [lengths.doc_field_length(d, fieldname) or 0 for d in range(doccount)]
            else:
                field_lengths = None
            fieldwriter.start_field(fieldname, fieldobj)
            for tbytes in sorted(terms):
                fieldwriter.start_term(tbytes)
                _write_term(fieldwriter._postwriter, terms[tbytes], field_lengths)
                fieldwriter.finish_term()
            fieldwriter.finish_field()


def _write_term(postwriter, postings: _TermPostings, field_lengths: list[int] | None) -> None:  # type: ignore[no-untyped-def]
    """Fill the postings writer's blocks as add_posting() would, a block at a time."""
    limit = postwriter._blocklimit
    docnums, weights = postings.docnums, postings.weights
    has_values = bool(postings.values)
    values = postings.value_list() if has_values else None
    total = len(docnums)
    for start in range(0, total, limit):
        if start:
            postwriter._write_block()
        end = min(start + limit, total)
        postwriter._ids = docnums[start:end]
        block_weights = weights[start:end]
        postwriter._weights = block_weights
        postwriter._maxweight = max(0, max(block_weights))
        postwriter._values = [v for v in values[start:end] if v] if has_values else []
        if field_lengths is not None:
            block_lengths = [field_lengths[d] for d in postwriter._ids if field_lengths[d]]
            postwriter._minlength = min(block_lengths) if block_lengths else None
            postwriter._maxlength = max(block_lengths, default=0)
        else:
            postwriter._minlength, postwriter._maxlength = None, 0
