"""The work of indexing that runs in worker processes: documents to postings,
postings to the blocks of Whoosh's W3 codec.

Both functions here take and return plain data (strings, bytes, arrays) so that
they run the same in the writer's process and in worker processes
(searchkit.writer.workers); searchkit.writer.bulk hands them out.
"""

from __future__ import annotations

import zlib
from array import array
from collections import Counter, defaultdict
from itertools import accumulate
from operator import itemgetter
from pickle import dumps
from typing import Callable, Iterable, Iterator, NamedTuple, Sequence

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.formats import Existence, Positions
from whoosh.system import pack_int, pack_uint
from whoosh.util.numeric import length_to_byte

from searchkit.analysis.analyzer import FrenchAnalyzer
from searchkit.analysis.french import index_tokens, truncated
from searchkit.storage.documents import Document, Prepared
from searchkit.storage.formats import Frequencies
from searchkit.storage.tails import TAIL_MIN_POSTINGS, encode_tail

# Whoosh pickles blocks with protocol 2, where each posting's positions (bytes)
# go through a codecs.encode call; its reader loads any protocol, and with 5 a
# block of 128 postings pickles and loads 7 times faster and 40% smaller.
BLOCK_PICKLE_PROTOCOL = 5
# Blocks smaller than this are not compressed: zlib would save a few bytes at
# a cost of tens of microseconds, and most terms have one short block.
MIN_COMPRESSED_BLOCK = 256

Prepare = Callable[[Document], Prepared]


class FrenchField(NamedTuple):
    """A field indexed with FrenchAnalyzer, with positions, frequencies or existence."""

    name: str
    form: int  # which form of a token it indexes: STEM, WORD or TRUNCATED
    format: int  # POSITIONS, FREQUENCY or EXISTENCE
    scorable: bool


STEM, WORD, TRUNCATED = range(3)
POSITIONS, FREQUENCY, EXISTENCE = range(3)
_FORMATS = {Positions: POSITIONS, Frequencies: FREQUENCY, Existence: EXISTENCE}


class StoredPlan(NamedTuple):
    """How a segment's stored fields are encoded (see W3PerDocWriter.finish_doc)."""

    names: frozenset[str]  # the stored fields of the schema
    level: int  # zlib level of the stored column


class Plan(NamedTuple):
    """What the workers need to know of the schema."""

    french: tuple[FrenchField, ...]
    others: dict  # name -> field object: other indexed fields, indexed by Whoosh
    stored: StoredPlan | None  # None: the writer stores fields itself
    prepare: Prepare | None  # run on each document before it is indexed


def make_plan(schema, stored: StoredPlan | None, prepare: Prepare | None) -> Plan:
    french, others = [], {}
    for name in schema.names():
        field = schema[name]
        if not field.indexed:
            continue
        if field.separate_spelling() or field.vector:
            raise NotImplementedError("BulkWriter does not write spelling or vector fields")
        fmt = field.format
        if isinstance(field.analyzer, FrenchAnalyzer) and type(fmt) in _FORMATS and fmt.field_boost == 1.0:
            analyzer = field.analyzer
            form = TRUNCATED if getattr(analyzer, "truncated", False) else WORD if analyzer.unstemmed else STEM
            if form != TRUNCATED or type(fmt) is Frequencies:  # else Whoosh's own indexing, below
                french.append(FrenchField(name, form, _FORMATS[type(fmt)], field.scorable))
                continue
        others[name] = field
    return Plan(tuple(french), others, stored, prepare)


# -- documents to postings ---------------------------------------------------

class Postings(NamedTuple):
    """The postings of many terms, end to end: term i has ``counts[i]``
    postings, and (in a field with values) the values of a posting take
    ``value_sizes`` bytes of ``values``."""

    terms: list[bytes]
    counts: array  # "I"
    docnums: array  # "I"
    weights: array | None  # "f"; None: every weight is 1.0 and there are no values
    values: bytes
    value_sizes: array  # "I"

    def parts(self) -> Iterator[tuple[bytes, array, array | None, bytes, array]]:
        """(term, document numbers, weights, values, value sizes) of each term."""
        docnums, weights, values, sizes = self.docnums, self.weights, self.values, self.value_sizes
        start = value_start = 0
        for term, count in zip(self.terms, self.counts):
            end = start + count
            if weights is None:
                yield term, docnums[start:end], None, b"", sizes
            else:
                part_sizes = sizes[start:end]
                value_end = value_start + sum(part_sizes)
                yield term, docnums[start:end], weights[start:end], values[value_start:value_end], part_sizes
                value_start = value_end
            start = end


# A term's postings while a batch is inverted: document numbers, weights,
# value bytes and the size of each posting's value.
_Entry = tuple[list[int], list[float], bytearray, list[int]]


def _plain_postings(table: dict[bytes, list[int]]) -> Postings:
    docnums = array("I")
    for found in table.values():
        docnums.extend(found)
    return Postings(list(table), array("I", map(len, table.values())), docnums, None, b"", array("I"))


def _full_postings(table: dict[bytes, _Entry]) -> Postings:
    docnums, weights, values, sizes = array("I"), array("f"), bytearray(), array("I")
    for d, w, v, n in table.values():
        docnums.extend(d)
        weights.extend(w)
        values += v
        sizes.extend(n)
    counts = array("I", (len(entry[0]) for entry in table.values()))
    return Postings(list(table), counts, docnums, weights, bytes(values), sizes)


class Run(NamedTuple):
    """A batch of documents, indexed."""

    extras: list[dict[str, object]]  # fields added by the plan's prepare function, per document
    stored: list[bytes | None]  # per document: its stored fields, pickled and compressed
    lengths: list[dict[str, int]]  # per document: the length of each indexed field
    postings: dict[str, list[Postings]]  # per field
    posting_count: int  # postings in all
    failed: dict[int, str]  # number in the batch -> why the document could not be indexed


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


def _encode_stored(fields: dict[str, object], plan: StoredPlan) -> bytes | None:
    stored = {name: fields[name] for name in sorted(fields) if name in plan.names and fields[name] is not None}
    return zlib.compress(dumps(stored, 2), plan.level) if stored else None


class _Analysed(NamedTuple):
    """What indexing a document needs, computed before any of it is added."""

    extra: dict[str, object]  # the fields prepare added
    stored: bytes | None
    french: list[tuple[FrenchField, list[tuple[str, str]]]]  # (field, index_tokens of its value)
    others: list[tuple[str, list]]  # (field name, what the field's index() gives)


def _analyse(plan: Plan, document: Document) -> _Analysed | str:
    """A document analysed, or why it could not be."""
    try:
        fields = document.fields
        extra: dict[str, object] = {}
        analysed: dict[int, list[tuple[str, str]]] = {}  # a text indexed by several fields
        if plan.prepare is not None:
            extra, tokens_of = plan.prepare(document)
            fields = {**fields, **extra}
            for name, given in tokens_of.items():  # analysed by prepare already
                analysed[id(fields[name])] = given
        stored = _encode_stored(fields, plan.stored) if plan.stored is not None else None
        french = []
        for field in plan.french:
            value = fields.get(field.name)
            if value is not None:
                found = analysed.get(id(value))
                if found is None:
                    found = analysed[id(value)] = index_tokens(value)  # type: ignore[arg-type]
                french.append((field, found))
        others = [(name, list(field.index(fields[name])))
                  for name, field in plan.others.items() if fields.get(name) is not None]
    except Exception as error:  # a fault on one article must not lose its batch
        return f"{type(error).__name__}: {error}"
    return _Analysed(extra, stored, french, others)


def _new_entry() -> _Entry:
    return ([], [], bytearray(), [])


def _add_existence(table: dict[str, list[int]], docnum: int, terms: set[str]) -> int:
    for term in terms:
        found = table.get(term)
        if found is None:
            table[term] = [docnum]
        else:
            found.append(docnum)
    return len(terms)


def _add_frequencies(table: dict[str, _Entry], docnum: int, frequencies: Counter[str]) -> int:
    for term, frequency in frequencies.items():
        entry = table.get(term)
        if entry is None:
            entry = table[term] = _new_entry()
        entry[0].append(docnum)
        entry[1].append(frequency)
        entry[3].append(0)
    return len(frequencies)


def _add_positions(table: dict[str, _Entry], docnum: int, terms: Iterable[str]) -> int:
    positions: defaultdict[str, list[int]] = defaultdict(list)
    for position, term in enumerate(terms):
        positions[term].append(position)
    for term, poslist in positions.items():
        entry = table.get(term)
        if entry is None:
            entry = table[term] = _new_entry()
        encoded = _encode_positions(poslist)
        entry[0].append(docnum)
        entry[1].append(len(poslist))
        entry[2].extend(encoded)
        entry[3].append(len(encoded))
    return len(positions)


def _add_french(tables: "_Tables", docnum: int, field: FrenchField, tokens: list[tuple[str, str]]) -> int:
    """Add one French field's tokens (stem, surface form); the postings added."""
    name, form, fmt, _ = field
    which = 0 if form == STEM else 1
    terms = map(itemgetter(which), tokens)
    if fmt == EXISTENCE:
        return _add_existence(tables.existence[name], docnum, set(terms))
    if fmt == FREQUENCY:
        frequencies = Counter(terms)
        if form == TRUNCATED:  # per distinct word, not per token
            merged: Counter[str] = Counter()
            for word, frequency in frequencies.items():
                merged[truncated(word)] += frequency
            frequencies = merged
        return _add_frequencies(tables.full[name], docnum, frequencies)
    return _add_positions(tables.full[name], docnum, terms)


def _add_other(table: dict[bytes, _Entry], docnum: int, indexed: list, scorable: bool) -> int:
    """Add what a Whoosh field's index() gave; the field's length."""
    length = 0
    for tbytes, freq, weight, vbytes in indexed:
        if scorable:
            length += freq
        entry = table.get(tbytes)
        if entry is None:
            entry = table[tbytes] = _new_entry()
        entry[0].append(docnum)
        entry[1].append(weight)
        entry[2].extend(vbytes)
        entry[3].append(len(vbytes))
    return length


class _Tables(NamedTuple):
    """A batch's terms -> postings, per field, while it is inverted."""

    existence: dict[str, dict[str, list[int]]]  # French fields that only say a term is there
    full: dict[str, dict[str, _Entry]]  # the other French fields
    others: dict[str, dict[bytes, _Entry]]  # Whoosh's own fields

    @classmethod
    def of(cls, plan: Plan) -> "_Tables":
        return cls({f.name: {} for f in plan.french if f.format == EXISTENCE},
                   {f.name: {} for f in plan.french if f.format != EXISTENCE},
                   {name: {} for name in plan.others})

    def postings(self) -> dict[str, list[Postings]]:
        postings: dict[str, list[Postings]] = {}
        for name, plain in self.existence.items():
            postings[name] = [_plain_postings({t.encode("utf-8"): d for t, d in plain.items()})]
        for name, full in self.full.items():
            postings[name] = [_full_postings({t.encode("utf-8"): entry for t, entry in full.items()})]
        for name, table in self.others.items():
            # Identifiers and numbers: weight 1.0 and no values, except in custom schemas.
            plain_table = {t: entry[0] for t, entry in table.items()
                           if not entry[2] and all(w == 1.0 for w in entry[1])}
            postings[name] = [_plain_postings(plain_table),
                              _full_postings({t: e for t, e in table.items() if t not in plain_table})]
        return postings


def invert(plan: Plan, first: int, documents: list[Document]) -> Run:
    """Index a batch of documents numbered from ``first``: each term's
    postings in document order, field lengths, encoded stored fields. A
    document that cannot be analysed is left out, with the reason (its
    number stays taken), and the rest of the batch is indexed."""
    # All analysed first, then all inverted: interleaving the two made
    # indexing 10% slower (their tables evict each other from the CPU caches).
    batch = [_analyse(plan, document) for document in documents]
    extras: list[dict[str, object]] = []
    stored: list[bytes | None] = []
    lengths: list[dict[str, int]] = []
    failed: dict[int, str] = {}
    tables = _Tables.of(plan)
    count = 0
    for number, analysed in enumerate(batch):
        docnum = first + number
        if isinstance(analysed, str):
            failed[number] = analysed
            extras.append({})
            if plan.stored is not None:
                stored.append(None)
            lengths.append({})
            continue
        extras.append(analysed.extra)
        if plan.stored is not None:
            stored.append(analysed.stored)
        doc_lengths = {}
        for field, tokens in analysed.french:
            doc_lengths[field.name] = len(tokens) if field.scorable else 0
            count += _add_french(tables, docnum, field, tokens)
        for name, indexed in analysed.others:
            doc_lengths[name] = _add_other(tables.others[name], docnum, indexed, plan.others[name].scorable)
            count += len(indexed)
        lengths.append(doc_lengths)
    return Run(extras, stored, lengths, tables.postings(), count, failed)


# -- postings to blocks -------------------------------------------------------

# (term, document numbers, weights or None when all are 1.0, values, value sizes)
TermPostings = tuple[bytes, Sequence[int], "Sequence[float] | None", "bytes | bytearray", Sequence[int]]
_TERM_INFO = W3TermInfo._struct


class Encoded(NamedTuple):
    """The blocks of consecutive terms, as the postings file holds them."""

    blob: bytes
    terms: list[tuple[bytes, int, bytes]]  # (term, start in blob, term info without extent)


def _compress(data: bytes, level: int) -> bytes:
    # A block is a few kilobytes: a 4 KiB window and a small hash table do as
    # well as zlib.compress's defaults, without allocating 256 KiB a block.
    compressor = zlib.compressobj(level, zlib.DEFLATED, 12, 4)
    return compressor.compress(data) + compressor.flush()


def encode_terms(terms: list[TermPostings], field_lengths: Sequence[int] | None, fixed_size: int | None,
                 block_limit: int, compression: int, with_tails: bool = False) -> Encoded:
    """Encode each term's postings as W3PostingsWriter would from
    add_posting() calls, without a Python call per posting. The blocks read
    back the same; they differ in bytes only where a small block is left
    uncompressed (its header says so). ``with_tails``: common terms get a
    frequency tail after their last block (see searchkit.storage.tails)."""
    out = bytearray()
    infos = []
    for tbytes, docnums, weights, values, value_sizes in terms:
        if weights is not None and fixed_size != 0:
            ends = list(accumulate(value_sizes))
            value_list = [values[end - size:end] for size, end in zip(value_sizes, ends)]
        else:
            value_list = None
        total = len(docnums)
        start_offset = len(out)
        out += WHOOSH3_HEADER_MAGIC
        total_weight = 0.0
        max_weight = 0.0
        min_length: int | None = None
        max_length = 0
        block_starts = []
        for start in range(0, total, block_limit):
            block_starts.append(len(out) - start_offset)
            end = min(start + block_limit, total)
            ids = docnums[start:end]
            if len(ids) == 1:
                mini_ids: tuple = (ids[0],)
            else:
                mini_ids = (ids[0], *[b - a for a, b in zip(ids, ids[1:])])
            if weights is None:
                block_max_weight = 1.0
                total_weight += float(len(ids))
                mini_weights: float | tuple[float, ...] | None = None
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
                mini_values: tuple[bytes | bytearray, ...] | bytes | None = tuple(value_list[start:end]) if value_list is not None else ()
            elif fixed_size == 0:
                mini_values = None
            else:
                mini_values = b"".join(value_list[start:end]) if value_list is not None else b""
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
            data = dumps((mini_ids, mini_weights, mini_values), BLOCK_PICKLE_PROTOCOL)
            level = compression if len(data) >= MIN_COMPRESSED_BLOCK else 0
            if level:
                data = _compress(data, level)
            info = dumps((len(ids), ids[-1], block_max_weight, level,
                          length_to_byte(block_min), length_to_byte(block_max)), 2)
            size = len(info) + len(data)
            out += pack_int(-size if end == total else size)
            out += info
            out += data
        if with_tails and total >= TAIL_MIN_POSTINGS:
            out += encode_tail(docnums, weights, block_starts, block_limit)
        infos.append((tbytes, start_offset, _TERM_INFO.pack(
            False, total_weight, total, 0 if min_length is None else length_to_byte(min_length),
            length_to_byte(max_length), max_weight, docnums[0], docnums[-1],
        )))
    return Encoded(bytes(out), infos)
