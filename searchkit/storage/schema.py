"""The schema of an index: its fields, and the column type it pickles."""

from __future__ import annotations

from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.fields import COLUMN, ID, STORED, TEXT, FieldType, Schema
from whoosh.formats import Existence

from searchkit.analysis.analyzer import FrenchAnalyzer
from searchkit.storage.formats import Frequencies

INDEX_NAME = "searchkit"


class TextColumn(COLUMN):
    """A text value per document, kept in a column and not indexed."""

    def __init__(self) -> None:
        super().__init__(VarBytesColumn())

    def to_bytes(self, value: str) -> bytes:
        return value.encode("utf-8")

    def from_bytes(self, value: bytes) -> str:
        return value.decode("utf-8")


def make_schema() -> Schema:
    analyzer = FrenchAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        title=TEXT(analyzer=analyzer, stored=True),
        # The words of the title and the text; the text itself is stored apart.
        body=TEXT(analyzer=analyzer),
        text=STORED,
        # Every folded word once per article: prefix queries and spelling
        # suggestions work on words, not stems ("libér*" must not find "librairie").
        words=FieldType(Existence(), analyzer=FrenchAnalyzer(unstemmed=True), scorable=False),
        # The words of ``body`` cut to their first letters, with frequencies:
        # a second, looser match beside the stems (see searchkit.analysis.french.truncated).
        truncated=FieldType(Frequencies(), analyzer=FrenchAnalyzer(truncated=True), scorable=True),
        source=TEXT(analyzer=analyzer, stored=True),
        author=TEXT(analyzer=analyzer, stored=True),
        date=ID(stored=True, sortable=True),
        path=ID(stored=True, sortable=True),
        # "size:mtime_ns:ctime_ns/sha1" of the file, and the SHA-1 of the text:
        # what incremental ingestion compares (see searchkit.ingest.ingestion). Columns
        # only: never searched, and unique terms cost the most to index.
        file_sig=TextColumn(),
        text_hash=TextColumn(),
        # The MinHash signature of the text, which groups its copies
        # (searchkit.storage.minhash): a column, read whole at each commit.
        copy_sig=COLUMN(VarBytesColumn()),
        url=STORED,
        line=STORED,
        passages=STORED,
        passage_positions=STORED,  # see _cut_passages
        passage_count=COLUMN(NumericColumn("I")),
    )
