"""Incremental ingestion: which files changed, what to add, replace or remove.

Every article records the file it came from, with the file's stamp (size,
modification and change times) and the SHA-1 of its bytes. A file whose stamp
is unchanged is skipped without being read; one whose stamp changed but whose
bytes hash the same is skipped after hashing; any other file is read again and
its articles replace those it gave before. The ctime in the stamp changes on
every write, so a file rewritten with the same size and mtime is still seen.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, NamedTuple

from searchkit.articles.article import Article
from searchkit.articles.metatable import Metadata
from searchkit.articles.sources import Problem, SourceFile, display_path, file_digest, read_source
from searchkit.ingest.finding import find_sources
from searchkit.ingest.report import IngestReport
from searchkit.storage.documents import Document

# Makes the document of an article, given its file's signature and its text's digest.
DocumentMaker = Callable[[Article, str, str], Document]


class _Write(NamedTuple):
    """A document given to the writer, until it says it is written."""

    updates: bool  # an article the index held: counted as updated, not added
    replaces: list[int]  # the documents of its old version, deleted once it is written


@dataclass
class FileRecord:
    stamp: str
    digest: str
    ids: set[str] = field(default_factory=set)


@dataclass
class Catalogue:
    """What the index holds, per file and per text, read from its columns."""

    files: dict[str, FileRecord] = field(default_factory=dict)
    paths_by_id: dict[str, str] = field(default_factory=dict)
    ids_by_text: dict[str, str] = field(default_factory=dict)
    # The file each id taken from a path (``id_base``) belongs to.
    paths_by_id_base: dict[str, str] = field(default_factory=dict)
    hashes_by_id: dict[str, str] = field(default_factory=dict)
    # The paths of files that held a text as a duplicate (searchkit.storage.duplicates).
    held_elsewhere: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def read(cls, reader) -> "Catalogue":
        catalogue = cls()
        if reader.doc_count_all() == 0:
            return catalogue
        # Read in order, not looked up document by document: at each ingest,
        # over every article of the index.
        columns = [iter(reader.column_reader(name)) for name in ("id", "path", "file_sig", "text_hash")]
        deletions = reader.has_deletions()
        for docnum, (article_id, path, signature, text_hash) in enumerate(zip(*columns)):
            if deletions and reader.is_deleted(docnum):
                continue
            stamp, _, digest = signature.partition("/")
            record = catalogue.files.setdefault(path, FileRecord(stamp, digest))
            if (record.stamp, record.digest) != (stamp, digest):
                # Some of its articles were kept from an earlier version: read it again.
                record.stamp = record.digest = ""
            record.ids.add(article_id)
            catalogue.paths_by_id[article_id] = path
            catalogue.ids_by_text[text_hash] = article_id
            catalogue.hashes_by_id[article_id] = text_hash
            base = id_base_of(article_id, path)
            if base is not None:
                catalogue.paths_by_id_base[base] = path
        return catalogue

    def duplicates_held(self) -> dict[str, set[str]]:
        """The paths that hold each text of the index as a duplicate, to keep."""
        return {digest: paths for digest, paths in self.held_elsewhere.items() if digest in self.ids_by_text}

    def claim_id_base(self, source: SourceFile) -> str:
        return claim_id_base(self.paths_by_id_base, source)

    def leaves(self, path: str, article_id: str) -> None:
        """The article ``article_id`` is no longer the file at ``path``'s
        (moved to another): a --prune of that file must not forget its text."""
        record = self.files.get(path)
        if record is not None:
            record.ids.discard(article_id)


def id_base_of(article_id: str, path: str) -> str | None:
    """The end of ``path`` an article id was made from (``name.txt`` for
    ``name.txt`` and ``name.mbox`` for ``name.mbox#part2``), if it was."""
    for base in (article_id, article_id.rpartition("#")[0]):
        if base and path.endswith("/" + base):
            return base
    return None


def claim_id_base(taken: dict[str, str], source: SourceFile) -> str:
    """The id base of ``source``: the path relative to the folder given, or,
    when another file of the index already has it in ``taken`` (id base ->
    path; ``a/article.txt`` and ``b/article.txt`` given as ``a`` and ``b``),
    the shortest longer end of the path no file has. Recorded in ``taken``."""
    path = str(source.path)
    parts = source.path.parts
    base = source.id_base
    while taken.get(base, path) != path and os.path.exists(taken[base]):
        count = base.count("/") + 2
        if count >= len(parts):
            break  # the whole path: held by no other file
        base = "/".join(parts[-count:])
    taken[base] = path
    return base


def carries(stored: dict[str, Any], metadata: Metadata) -> bool:
    """Whether an article as stored carries the values its file's table row gives."""
    # A large file's parts add "(2)" to the title of the first.
    return all(stored.get(name) == value for name, value in metadata
               if not (name == "title" and "#part" in stored.get("id", "")))


def stamp_of(stat: os.stat_result) -> str:
    return f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}"


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def is_under(path: str, roots: Iterable[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


class _PreviousIndex:
    """The index as it was before this ingest, read through a reader opened
    when first needed (most ingests change few files, or none)."""

    def __init__(self, writer) -> None:
        self.writer = writer
        self._reader: Any = None

    def _old_reader(self) -> Any:
        if self._reader is None:
            self._reader = self.writer.reader()
        return self._reader

    def holds_as_tabled(self, path: str, metadata: Metadata) -> bool:
        """Whether the articles the index holds from ``path`` carry the
        values its table row gives them (always, without a row)."""
        if not metadata:
            return True
        reader = self._old_reader()
        if ("path", path) not in reader:
            return True
        return all(carries(reader.stored_fields(docnum), metadata)
                   for docnum in reader.postings("path", path).all_ids() if not self.writer.is_deleted(docnum))

    def versions(self, path: str) -> dict[str, list[int]]:
        """The document numbers of each article the index holds from ``path``."""
        reader = self._old_reader()
        found: dict[str, list[int]] = {}
        if ("path", path) in reader:
            ids = reader.column_reader("id")
            for docnum in reader.postings("path", path).all_ids():
                if not self.writer.is_deleted(docnum):
                    found.setdefault(ids[docnum], []).append(docnum)
        return found

    def versions_of(self, article_id: str) -> list[int]:
        """The document numbers of the article ``article_id``."""
        reader = self._old_reader()
        if ("id", article_id) not in reader:
            return []
        return [docnum for docnum in reader.postings("id", article_id).all_ids() if not self.writer.is_deleted(docnum)]

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None


class Ingestion:
    """One ingest run against an open Whoosh writer."""

    def __init__(
        self,
        writer,
        catalogue: Catalogue,
        to_document: DocumentMaker,
        on_problem: Callable[[Problem], None] | None = None,
    ) -> None:
        self.writer = writer
        self.catalogue = catalogue
        self.to_document = to_document
        self.on_problem = on_problem
        self.report = IngestReport()
        self.roots: list[str] = []  # the paths given to ingest that can hold articles
        self.seen_paths: set[str] = set()
        self.seen_ids: dict[str, str] = {}
        self._previous = _PreviousIndex(writer)
        self._writing: dict[str, _Write] = {}  # by article id
        # (id, date, copy signature) of each article written: grouped at commit.
        self.signed: list[tuple[str, str | None, bytes]] = []
        self.gone_texts: set[str] = set()  # the texts of the articles removed

    def problem(self, problem: Problem) -> None:
        self.report.record(problem)
        if self.on_problem is not None:
            self.on_problem(problem)

    def find(self, paths: Iterable[str | os.PathLike[str]], follow_links: bool = False) -> list[SourceFile]:
        return find_sources(paths, follow_links, self.report, self.problem)

    def file(self, source: SourceFile, on_bytes: Callable[[int], None] | None = None) -> None:
        """Index one file if it changed since it was last ingested; a large
        one tells ``on_bytes`` how far it has been read."""
        path = str(source.path)
        source = replace(source, id_base=self.catalogue.claim_id_base(source))
        self.seen_paths.add(path)
        record = self.catalogue.files.get(path)
        try:
            stamp = stamp_of(source.path.stat())
            # A row of the metadata table edited since counts as a change of the file.
            as_tabled = record is None or self._previous.holds_as_tabled(path, source.metadata)
            if record is not None and record.stamp == stamp and as_tabled:
                self.report.unchanged += len(record.ids)
                return
            digest = file_digest(source.path)
        except OSError as error:
            self.problem(Problem(display_path(path), f"cannot read: {error.strerror or error}"))
            return
        if record is not None and record.digest == digest and as_tabled:
            self.report.unchanged += len(record.ids)
            return
        signature = f"{stamp}/{digest}"
        # Each article's new version replaces its old one; the articles gone
        # from the file go only when the whole file was read without a
        # problem: a broken line or an unreadable file keeps what it gave.
        old = self._previous.versions(path) if record is not None else {}
        failures = self.report.failed
        new_ids: set[str] = set()
        for item in read_source(source, on_bytes):
            if isinstance(item, Problem):
                self.problem(item)
                continue
            if self.article(item, signature, old.get(item.id, [])):
                new_ids.add(item.id)
        if self.report.failed == failures:
            for article_id, docnums in old.items():
                if article_id not in new_ids:
                    self._delete(docnums)
                    self._forget(article_id)
                    self.report.removed += 1

    def copied(self, article: Article, signature: str) -> None:
        """An article copied from another index with the ``signature`` of its
        file: a later ingest of that file finds it unchanged. It replaces the
        article of the same id from the same file."""
        held_from = self.catalogue.paths_by_id.get(article.id)
        old = self._previous.versions_of(article.id) if held_from == article.path else []
        if self.article(article, signature, old):
            self.seen_paths.add(article.path)

    def _delete(self, docnums: Iterable[int]) -> None:
        for docnum in docnums:
            self.writer.delete_document(docnum)

    def _forget(self, article_id: str) -> None:
        """The text of ``article_id``, removed or replaced, is no longer held by it."""
        digest = self.catalogue.hashes_by_id.pop(article_id, None)
        if digest is not None and self.catalogue.ids_by_text.get(digest) == article_id:
            del self.catalogue.ids_by_text[digest]
            self.gone_texts.add(digest)

    def close(self) -> None:
        self._previous.close()

    def article(self, article: Article, signature: str, old_version: list[int]) -> bool:
        """Index one article; ``old_version``, its documents from the same
        file, are replaced if it is indexed."""
        where = article.path if article.line is None else f"{article.path}:{article.line}"
        if article.id in self.seen_ids:
            self.problem(Problem(article.path, f"article id {article.id!r} was already read from "
                                               f"{self.seen_ids[article.id]}; kept the first", article.line))
            return False
        other_path = self.catalogue.paths_by_id.get(article.id)
        if other_path is not None and other_path != article.path:
            if os.path.exists(other_path):
                self.problem(Problem(article.path, f"article id {article.id!r} already belongs to "
                                                   f"{other_path}; not indexed", article.line))
                return False
            self.writer.delete_by_term("id", article.id)  # the article moved to another file
            self.catalogue.leaves(other_path, article.id)
        digest = text_hash(article.text)
        if self.catalogue.hashes_by_id.get(article.id, digest) != digest:
            self._forget(article.id)  # its text was edited
        twin = self.catalogue.ids_by_text.get(digest)
        if twin is not None and twin != article.id:
            if not self._moved(twin, article.path):
                self.report.duplicates += 1
                self.catalogue.held_elsewhere.setdefault(digest, set()).add(article.path)
                return False
        # Only an id indexed is taken: a duplicate's id leaves its text to the other file.
        self.seen_ids[article.id] = where
        self.catalogue.ids_by_text[digest] = article.id
        self.catalogue.hashes_by_id[article.id] = digest
        self.catalogue.paths_by_id[article.id] = article.path  # moved: a twin read later is its duplicate
        if other_path is not None:
            self.report.updated += 1
        else:
            self.report.added += 1
        # The old version goes once the new one is written (see ``written``).
        self._writing[article.id] = _Write(other_path is not None, old_version)
        self.writer.add(self.to_document(article, signature, digest))
        return True

    def _moved(self, twin: str, path: str) -> bool:
        """Whether the article ``twin``, whose text a file at ``path`` holds,
        came from a file that has gone: the file was moved or renamed, and
        its article goes with it (else a --prune in the same run would
        remove the text from the index, the new file being its duplicate)."""
        twin_path = self.catalogue.paths_by_id.get(twin)
        if twin_path is None or twin_path == path or twin_path in self.seen_paths or os.path.exists(twin_path):
            return False
        self.writer.delete_by_term("id", twin)
        del self.catalogue.paths_by_id[twin]
        self.catalogue.leaves(twin_path, twin)
        self.report.removed += 1
        return True

    def written(self, document: Document) -> None:
        """A document the writer has indexed: it replaces its old version."""
        write = self._writing.pop(document.fields["id"])  # type: ignore[call-overload]
        self.report.passages += document.fields["passage_count"]  # type: ignore[operator]
        fields = document.fields
        self.signed.append((str(fields["id"]), fields.get("date") or None, fields.get("copy_sig") or b""))  # type: ignore[arg-type]
        self._delete(write.replaces)

    def unwritten(self, document: Document, reason: str) -> None:
        """A document given to the writer that could not be indexed."""
        write = self._writing.pop(document.fields["id"])  # type: ignore[call-overload]
        line: int | None = document.fields.get("line")  # type: ignore[assignment]
        kept = "; its previous version is kept" if write.replaces else ""
        self.problem(Problem(str(document.fields["path"]), f"could not be indexed: {reason}{kept}", line))
        if write.updates:
            self.report.updated -= 1
        else:
            self.report.added -= 1

    def prune(self, roots: Iterable[str]) -> None:
        """Remove the articles of files under ``roots`` that have gone."""
        roots = list(roots)
        for path, record in self.catalogue.files.items():
            if path not in self.seen_paths and is_under(path, roots) and not os.path.exists(path):
                self.writer.delete_by_term("path", path)
                self.report.removed += len(record.ids)
                for article_id in record.ids:
                    self._forget(article_id)

    def remove(self, targets: Iterable[str]) -> None:
        """Remove articles by id, or by the file or folder they came from."""
        for target in targets:
            if target in self.catalogue.paths_by_id:
                self.writer.delete_by_term("id", target)
                self._forget(target)
                self.report.removed += 1
                continue
            absolute = os.path.abspath(target)
            paths = [p for p in self.catalogue.files if is_under(p, [absolute])]
            if not paths:
                self.problem(Problem(target, "no article with this id, and no article from this path"))
            for path in paths:
                self.writer.delete_by_term("path", path)
                self.report.removed += len(self.catalogue.files[path].ids)
                for article_id in self.catalogue.files[path].ids:
                    self._forget(article_id)
