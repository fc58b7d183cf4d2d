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
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable

from searchkit.articles.article import Article
from searchkit.articles.metatable import Metadata, is_table, read_table, table_in
from searchkit.articles.sources import (NOT_AN_ARTICLE_FORMAT, Notice, Passed, Problem, SourceFile, display_path, file_digest,
                      find_files, read_source)


OUTSIDE_LINK = "symbolic link out of the paths given: --follow-links reads them"
NOT_A_FILE = "not a file: a pipe, a socket or a device"


@dataclass
class IngestReport:
    """What an ingest did, article by article."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    duplicates: int = 0  # texts already indexed under another id
    skipped: int = 0  # files of a kind that is not read
    outside_links: int = 0  # of those, symbolic links out of the paths given (see find_files)
    passages: int = 0
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    # (path, reason) of each skipped file, and what was read but not as given
    # (a date that cannot be read): the article is indexed all the same.
    skipped_files: list[tuple[str, str]] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)

    @property
    def articles(self) -> int:
        """Articles written by this ingest."""
        return self.added + self.updated

    @property
    def failed(self) -> int:
        return sum(1 for problem in self.problems if not problem.warning)

    def summary(self) -> str:
        skipped = f"{self.skipped} skipped"
        reasons = Counter(reason for _, reason in self.skipped_files)
        if reasons:
            skipped += " (" + ", ".join(
                f"{counted(count, 'symbolic link')} {OUTSIDE_LINK.removeprefix('symbolic link ')}"
                if reason == OUTSIDE_LINK else reason if count == self.skipped else f"{count} {reason}"
                for reason, count in sorted(reasons.items())
            ) + ")"
        return (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.removed} removed, {counted(self.duplicates, 'duplicate')}, {skipped}, "
            f"{self.failed} failed; {counted(self.passages, 'passage')} in {self.seconds:.1f} s"
        )


def counted(count: int, noun: str) -> str:
    """``1 passage``, ``2 passages``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


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
            base = id_base_of(article_id, path)
            if base is not None:
                catalogue.paths_by_id_base[base] = path
        return catalogue


def id_base_of(article_id: str, path: str) -> str | None:
    """The end of ``path`` an article id was made from (``name.txt`` for
    ``name.txt`` and ``name.mbox`` for ``name.mbox#part2``), if it was."""
    for base in (article_id, article_id.rpartition("#")[0]):
        if base and path.endswith("/" + base):
            return base
    return None


def stamp_of(stat: os.stat_result) -> str:
    return f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}"


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def is_under(path: str, roots: Iterable[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


class Ingestion:
    """One ingest run against an open Whoosh writer."""

    def __init__(
        self,
        writer,
        catalogue: Catalogue,
        to_document: Callable[[Article, str, str], dict[str, object]],
        on_problem: Callable[[Problem], None] | None = None,
    ) -> None:
        self.writer = writer
        self.catalogue = catalogue
        self.to_document = to_document
        self.on_problem = on_problem
        self.report = IngestReport()
        self.roots: list[str] = []  # the paths given to ingest
        self.seen_paths: set[str] = set()
        self.seen_ids: dict[str, str] = {}
        self._reader: Any = None  # of the index as it was, opened when a file changed

    def problem(self, problem: Problem) -> None:
        if isinstance(problem, Notice):
            self.report.notices.append(problem)
        else:
            self.report.problems.append(problem)
        if self.on_problem is not None:
            self.on_problem(problem)

    def find(self, paths: Iterable[str | os.PathLike[str]], follow_links: bool = False) -> list[SourceFile]:
        sources = []
        found_paths: set[str] = set()
        tables: dict[str, dict[str, Metadata]] = {}  # folder -> its table's rows
        for found in find_files(paths, follow_links):
            if isinstance(found, Problem):
                self.problem(found)
            elif isinstance(found, Passed):
                self.report.skipped += 1
                self.report.outside_links += found.outside_link
                self.report.skipped_files.append((display_path(found.path),
                                                  OUTSIDE_LINK if found.outside_link else NOT_A_FILE))
            elif str(found.path) in found_paths:
                continue  # under two of the paths given (a folder and a file in it)
            elif found.reader is None:
                if not is_table(found.path.name):
                    self.report.skipped += 1
                    self.report.skipped_files.append((display_path(found.path), NOT_AN_ARTICLE_FORMAT))
            else:
                found_paths.add(str(found.path))
                folder = str(found.path.parent)
                if folder not in tables:
                    tables[folder] = self._table(found.path.parent)
                metadata = tables[folder].get(str(found.path))
                sources.append(replace(found, metadata=metadata) if metadata else found)
        return sources

    def _table(self, folder: Path) -> dict[str, Metadata]:
        """The rows of ``folder``'s metadata table; its bad rows are problems."""
        table = table_in(folder)
        if table is None:
            return {}
        rows, problems = read_table(table)
        for line, reason in problems:
            self.problem(Problem(display_path(table), reason, line))
        return rows

    def file(self, source: SourceFile, on_bytes: Callable[[int], None] | None = None) -> None:
        """Index one file if it changed since it was last ingested; a large
        one tells ``on_bytes`` how far it has been read."""
        path = str(source.path)
        source = replace(source, id_base=self._id_base(source))
        self.seen_paths.add(path)
        record = self.catalogue.files.get(path)
        try:
            stamp = stamp_of(source.path.stat())
            # A row of the metadata table edited since counts as a change of the file.
            as_tabled = record is None or self._as_tabled(path, source.metadata)
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
        old = self._old_versions(path) if record is not None else {}
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
                    self.report.removed += 1

    def _id_base(self, source: SourceFile) -> str:
        """The path relative to the folder given, or, when another file of the
        index already has it (``a/article.txt`` and ``b/article.txt`` given as
        ``a`` and ``b``), the shortest longer end of the path no file has."""
        path = str(source.path)
        parts = source.path.parts
        base = source.id_base
        taken = self.catalogue.paths_by_id_base
        while taken.get(base, path) != path and os.path.exists(taken[base]):
            count = base.count("/") + 2
            if count >= len(parts):
                break  # the whole path: held by no other file
            base = "/".join(parts[-count:])
        taken[base] = path
        return base

    def _old_reader(self) -> Any:
        """The index as it was before this ingest, opened when first needed."""
        if self._reader is None:
            self._reader = self.writer.reader()
        return self._reader

    def _as_tabled(self, path: str, metadata: Metadata) -> bool:
        """Whether the articles the index holds from ``path`` carry the
        values its table row gives them (always, without a row)."""
        if not metadata:
            return True
        reader = self._old_reader()
        if ("path", path) not in reader:
            return True
        for docnum in reader.postings("path", path).all_ids():
            if not self.writer.is_deleted(docnum):
                stored = reader.stored_fields(docnum)
                # A large file's parts add "(2)" to the title of the first.
                if any(stored.get(name) != value for name, value in metadata
                       if not (name == "title" and "#part" in stored.get("id", ""))):
                    return False
        return True

    def _old_versions(self, path: str) -> dict[str, list[int]]:
        """The document numbers of each article the index holds from ``path``."""
        reader = self._old_reader()
        found: dict[str, list[int]] = {}
        if ("path", path) in reader:
            ids = reader.column_reader("id")
            for docnum in reader.postings("path", path).all_ids():
                if not self.writer.is_deleted(docnum):
                    found.setdefault(ids[docnum], []).append(docnum)
        return found

    def _delete(self, docnums: Iterable[int]) -> None:
        for docnum in docnums:
            self.writer.delete_document(docnum)

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def article(self, article: Article, signature: str, old_version: list[int]) -> bool:
        """Index one article; ``old_version``, its documents from the same
        file, are replaced if it is indexed."""
        where = article.path if article.line is None else f"{article.path}:{article.line}"
        if article.id in self.seen_ids:
            self.problem(Problem(article.path, f"article id {article.id!r} was already read from "
                                               f"{self.seen_ids[article.id]}; kept the first", article.line))
            return False
        self.seen_ids[article.id] = where
        other_path = self.catalogue.paths_by_id.get(article.id)
        if other_path is not None and other_path != article.path:
            if os.path.exists(other_path):
                self.problem(Problem(article.path, f"article id {article.id!r} already belongs to "
                                                   f"{other_path}; not indexed", article.line))
                return False
            self.writer.delete_by_term("id", article.id)  # the article moved to another file
        digest = text_hash(article.text)
        twin = self.catalogue.ids_by_text.get(digest)
        if twin is not None and twin != article.id:
            if not self._moved(twin, article.path):
                self.report.duplicates += 1
                return False
        self.catalogue.ids_by_text[digest] = article.id
        if other_path is not None:
            self.report.updated += 1
        else:
            self.report.added += 1
        # The old version goes once the new one is written (see ``written``).
        self.writer.add_document(**self.to_document(article, signature, digest), _updates=other_path is not None,
                                 _replaces=old_version)
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
        record = self.catalogue.files.get(twin_path)
        if record is not None:
            record.ids.discard(twin)
        self.report.removed += 1
        return True

    def written(self, document: dict[str, object]) -> None:
        """A document the writer has indexed: it replaces its old version."""
        self.report.passages += document["passage_count"]  # type: ignore[operator]
        self._delete(document["_replaces"])  # type: ignore[arg-type]

    def unwritten(self, document: dict[str, object], reason: str) -> None:
        """A document given to the writer that could not be indexed."""
        line: int | None = document.get("line")  # type: ignore[assignment]
        kept = "; its previous version is kept" if document["_replaces"] else ""
        self.problem(Problem(str(document["path"]), f"could not be indexed: {reason}{kept}", line))
        if document["_updates"]:
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

    def remove(self, targets: Iterable[str]) -> None:
        """Remove articles by id, or by the file or folder they came from."""
        for target in targets:
            if target in self.catalogue.paths_by_id:
                self.writer.delete_by_term("id", target)
                self.report.removed += 1
                continue
            absolute = os.path.abspath(target)
            paths = [p for p in self.catalogue.files if is_under(p, [absolute])]
            if not paths:
                self.problem(Problem(target, "no article with this id, and no article from this path"))
            for path in paths:
                self.writer.delete_by_term("path", path)
                self.report.removed += len(self.catalogue.files[path].ids)
