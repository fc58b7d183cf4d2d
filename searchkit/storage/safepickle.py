"""Loading the pickles of an index without running what they say.

Whoosh keeps an index's schema and segment list (the ``.toc`` file), its
stored fields, the blocks of its postings and its column headers as pickles,
and an ordinary pickle can call any function on load: an index folder made by
someone else would run its code on the first ``searchkit query``. Every pickle
Whoosh and searchkit read from an index goes through ``RestrictedUnpickler``,
which builds only the classes an index legitimately holds (``ALLOWED``) and
refuses anything else with ``IndexUnsafe``.

Whoosh binds ``pickle.loads`` and ``pickle.load`` to module-level names when
it is imported, so ``install`` rebinds those names, in one place, when
searchkit's index module is imported (before any index is opened). The
writer's temporary sort files (``whoosh.externalsort``, ``whoosh.multiproc``)
are written and read by the same process and are left alone; Whoosh's
whoosh2 codec no longer imports (it names what whoosh.reading lacks), and
its plaintext codec is not in ``ALLOWED``, so no index can bring it in (and
importing it cost every query 50 ms).
"""

from __future__ import annotations

import _compat_pickle
import importlib
import io
import pickle
import re
import struct
import types
from typing import IO, Any

from searchkit.errors import IndexUnsafe

# (module, name) of every global an index's pickles may name: Whoosh's schema,
# fields, formats, analysis chain, columns, codec and segment classes,
# searchkit's three pickled classes, and the plain builtins among them. A
# name not listed is refused, even a harmless one: add it here with a test.
ALLOWED: frozenset[tuple[str, str]] = frozenset({
    # searchkit's own, pickled into the schema by import path
    ("searchkit.analysis.analyzer", "FrenchAnalyzer"),
    ("searchkit.storage.formats", "Frequencies"),
    ("searchkit.storage.schema", "TextColumn"),
    # the schema and its fields
    ("whoosh.fields", "Schema"),
    ("whoosh.fields", "FieldType"),
    ("whoosh.fields", "ID"),
    ("whoosh.fields", "IDLIST"),
    ("whoosh.fields", "STORED"),
    ("whoosh.fields", "TEXT"),
    ("whoosh.fields", "KEYWORD"),
    ("whoosh.fields", "NUMERIC"),
    ("whoosh.fields", "DATETIME"),
    ("whoosh.fields", "BOOLEAN"),
    ("whoosh.fields", "NGRAM"),
    ("whoosh.fields", "NGRAMWORDS"),
    ("whoosh.fields", "COLUMN"),
    ("whoosh.fields", "SpellField"),
    # posting formats
    ("whoosh.formats", "Format"),
    ("whoosh.formats", "Existence"),
    ("whoosh.formats", "Frequency"),
    ("whoosh.formats", "Positions"),
    ("whoosh.formats", "Characters"),
    ("whoosh.formats", "PositionBoosts"),
    ("whoosh.formats", "CharacterBoosts"),
    # columns
    ("whoosh.columns", "VarBytesColumn"),
    ("whoosh.columns", "FixedBytesColumn"),
    ("whoosh.columns", "RefBytesColumn"),
    ("whoosh.columns", "NumericColumn"),
    ("whoosh.columns", "BitColumn"),
    ("whoosh.columns", "CompressedBytesColumn"),
    ("whoosh.columns", "StructColumn"),
    ("whoosh.columns", "PickleColumn"),
    # Whoosh's default analysis chain (ID and STORED fields carry one)
    ("whoosh.analysis.analyzers", "CompositeAnalyzer"),
    ("whoosh.analysis.tokenizers", "IDTokenizer"),
    ("whoosh.analysis.tokenizers", "RegexTokenizer"),
    ("whoosh.analysis.filters", "LowercaseFilter"),
    ("whoosh.analysis.filters", "StripFilter"),
    ("whoosh.analysis.morph", "StemFilter"),
    ("whoosh.analysis.filters", "StopFilter"),
    ("whoosh.analysis.ngrams", "NgramFilter"),
    ("whoosh.analysis.ngrams", "NgramTokenizer"),
    # the codec and its segments, in the table of contents
    ("whoosh.codec.whoosh3", "W3Codec"),
    ("whoosh.codec.whoosh3", "W3Segment"),
    ("whoosh.codec.whoosh3", "W3TermInfo"),
    ("whoosh.codec.base", "Segment"),
    ("whoosh.idsets", "BitSet"),
    ("whoosh.idsets", "OnDiskBitSet"),
    ("whoosh.idsets", "SortedIntSet"),
    # values: the regular expressions of tokenizers, arrays of ids and weights
    ("re", "_compile"),
    ("collections", "defaultdict"),
    ("array", "array"),
    ("array", "_array_reconstructor"),
    ("_codecs", "encode"),
    ("copyreg", "_reconstructor"),
    ("builtins", "object"),
    ("builtins", "set"),
    ("builtins", "frozenset"),
    ("builtins", "bytearray"),
    ("builtins", "bytes"),
    ("builtins", "dict"),
    ("builtins", "list"),
    ("builtins", "tuple"),
    ("builtins", "int"),
    ("builtins", "float"),
    ("builtins", "str"),
    ("builtins", "bool"),
    ("builtins", "complex"),
})


# Allowed globals already imported, by the names pickles give them.
_RESOLVED: dict[tuple[str, str], Any] = {}


class RestrictedUnpickler(pickle.Unpickler):
    """``pickle.Unpickler`` that builds only the globals of ``ALLOWED``.

    find_class is called only for a global the pickle names, so a block of
    postings (tuples of numbers and bytes) loads at the C unpickler's speed.
    """

    def find_class(self, module: str, name: str) -> Any:
        named = (module, name)
        found = _RESOLVED.get(named)
        if found is not None:
            return found
        # Protocols 0 to 2 name builtins by their Python 2 modules (__builtin__, copy_reg).
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        elif module in _compat_pickle.IMPORT_MAPPING:
            module = _compat_pickle.IMPORT_MAPPING[module]
        if (module, name) not in ALLOWED:
            raise IndexUnsafe(f"it names {module}.{name}")
        found = _RESOLVED[named] = getattr(importlib.import_module(module), name)
        return found


# The only opcodes that bring a callable onto the unpickler's stack (GLOBAL,
# INST, STACK_GLOBAL, and EXT1/2/4 of the copyreg registry): without any of
# these bytes, anywhere, a pickle cannot build anything but plain values.
_names_nothing = re.compile(rb"[ci\x82\x83\x84\x93]").search
_plain_loads = pickle.loads
# The opening of a protocol 4 frame holding a whole pickle: PROTO 4, FRAME, length.
_FRAME = struct.Struct("<3sQ")


def loads(data: bytes | bytearray | memoryview, **_options: Any) -> Any:
    """``pickle.loads``, restricted to ``ALLOWED``.

    An unpickler reading a file reads it opcode by opcode unless the pickle
    is framed (protocol 4 and later): Whoosh's protocol 2 blocks loaded three
    times slower than with pickle.loads. Wrapped in one frame, they are read
    in one go, as fast as pickle.loads.
    """
    if type(data) is not bytes:
        data = bytes(data)
    if _names_nothing(data) is None:
        # Nothing in it can name a global: plain data, as most blocks and
        # positions are, loads at pickle.loads's speed.
        return _plain_loads(data)
    if data[:1] == b"\x80" and data[1:2] >= b"\x04":  # framed already
        return RestrictedUnpickler(io.BytesIO(data)).load()
    return RestrictedUnpickler(io.BytesIO(_FRAME.pack(b"\x80\x04\x95", len(data)) + data)).load()


def load(file: IO[bytes], **_options: Any) -> Any:
    """``pickle.load``, restricted to ``ALLOWED``."""
    return RestrictedUnpickler(file).load()


class _RestrictedRenamingUnpickler(RestrictedUnpickler):
    """Whoosh's RenamingUnpickler (old tables of contents), restricted."""

    def __init__(self, f: IO[bytes], objmap: dict[str, str], shortcuts: Any = None) -> None:
        super().__init__(f)
        if shortcuts:
            objmap = {key % shortcuts: value % shortcuts for key, value in objmap.items()}
        self._objmap = objmap

    def find_class(self, module: str, name: str) -> Any:
        fullname = self._objmap.get(f"{module}.{name}", f"{module}.{name}")
        module, _, name = fullname.rpartition(".")
        return super().find_class(module, name)


# A stand-in for the ``pickle`` module where Whoosh calls ``pickle.loads``.
_PICKLE_FOR_WHOOSH = types.SimpleNamespace(
    loads=loads, load=load, dumps=pickle.dumps, dump=pickle.dump,
    PicklingError=pickle.PicklingError, UnpicklingError=pickle.UnpicklingError,
    HIGHEST_PROTOCOL=pickle.HIGHEST_PROTOCOL,
)


def install() -> None:
    """Route every pickle load Whoosh makes on index data through
    ``RestrictedUnpickler``. Idempotent."""
    import whoosh.codec.whoosh3
    import whoosh.columns
    import whoosh.filedb.fileindex
    import whoosh.filedb.structfile
    import whoosh.formats
    import whoosh.index
    import whoosh.legacy

    whoosh.index.pickle = _PICKLE_FOR_WHOOSH  # the schema in the table of contents
    whoosh.filedb.fileindex.pickle = _PICKLE_FOR_WHOOSH  # the same, in the older TOC reader
    whoosh.filedb.structfile.load_pickle = load  # segments, block infos, column headers, compound dirs
    whoosh.columns.loads = loads  # stored fields (PickleColumn)
    whoosh.codec.whoosh3.loads = loads  # posting blocks, inlined postings
    whoosh.formats.loads = loads  # positions and characters of postings
    whoosh.legacy.RenamingUnpickler = _RestrictedRenamingUnpickler


def installed() -> bool:
    """Whether Whoosh's loads are the restricted ones (a test pins it)."""
    import whoosh.codec.whoosh3
    import whoosh.columns
    import whoosh.filedb.structfile
    import whoosh.formats
    import whoosh.index

    return (whoosh.index.pickle is _PICKLE_FOR_WHOOSH and whoosh.filedb.structfile.load_pickle is load
            and whoosh.columns.loads is loads and whoosh.codec.whoosh3.loads is loads
            and whoosh.formats.loads is loads)
