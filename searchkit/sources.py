"""Finding article files in folders and reading them into Articles."""

from __future__ import annotations

import gzip
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .articles import Article, iso_date

TEXT_EXTENSIONS = (".txt", ".md")
JSONL_EXTENSIONS = (".jsonl", ".jsonl.gz")
METADATA_FIELDS = ("title", "date", "url", "source", "author")


@dataclass(frozen=True)
class Problem:
    """An input that could not be ingested, and why."""

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class SourceFile:
    """A file found under one of the paths given to ingest."""

    path: Path
    id_base: str  # the path relative to the folder given: the article id

    @property
    def reader(self) -> Callable[["SourceFile"], Iterator[Article | Problem]] | None:
        name = self.path.name.lower()
        for extension, reader in _READERS.items():
            if name.endswith(extension):
                return reader
        return None


def find_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[SourceFile | Problem]:
    """Every file under ``paths`` (folders are walked recursively, in name order).

    Hidden files and folders (".git", ".DS_Store") are passed over.
    """
    for given in paths:
        root = Path(given)
        if root.is_dir():
            for folder, dirs, files in os.walk(root):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        path = Path(folder, name)
                        yield SourceFile(path.absolute(), path.relative_to(root).as_posix())
        elif root.is_file():
            yield SourceFile(root.absolute(), root.name)
        else:
            yield Problem(str(root), "no such file or folder")


def read_source(source: SourceFile) -> Iterator[Article | Problem]:
    """The articles of one file, or the problems that kept them out."""
    reader = source.reader
    if reader is None:
        return
    try:
        yield from reader(source)
    except OSError as error:
        yield Problem(str(source.path), error.strerror or str(error))


def _decode(source: SourceFile, data: bytes) -> str | Problem:
    if b"\x00" in data:
        return Problem(str(source.path), "binary file (holds NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return Problem(str(source.path), f"not UTF-8 text (byte {error.start})")


def _read_text(source: SourceFile) -> Iterator[Article | Problem]:
    data = source.path.read_bytes()
    text = _decode(source, data)
    if isinstance(text, Problem):
        yield text
        return
    if not text.strip():
        yield Problem(str(source.path), "empty file")
        return
    yield Article.from_text(source.id_base, text, path=str(source.path))


def _read_jsonl(source: SourceFile) -> Iterator[Article | Problem]:
    opener = gzip.open if source.path.name.lower().endswith(".gz") else open
    with opener(source.path, "rb") as lines:
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            yield _article_from_json_line(source, number, raw)


def _article_from_json_line(source: SourceFile, number: int, raw: bytes) -> Article | Problem:
    def problem(reason: str) -> Problem:
        return Problem(str(source.path), reason, number)

    try:
        record = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as error:
        return problem(f"invalid JSON ({error})")
    if not isinstance(record, dict):
        return problem("expected a JSON object")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return problem('no "text" field, or it is empty')
    raw_id = record.get("id")
    article_id = str(raw_id) if raw_id not in (None, "") else f"{source.id_base}#{number}"
    metadata = {
        name: str(record[name])
        for name in METADATA_FIELDS
        if record.get(name) not in (None, "")
    }
    if "date" in metadata:
        metadata["date"] = iso_date(metadata["date"])  # type: ignore[assignment]
    return Article.from_text(article_id, text, path=str(source.path), line=number, **metadata)


_READERS: dict[str, Callable[[SourceFile], Iterator[Article | Problem]]] = {
    **{ext: _read_text for ext in TEXT_EXTENSIONS},
    **{ext: _read_jsonl for ext in JSONL_EXTENSIONS},
}
