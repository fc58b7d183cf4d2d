"""Ingesting into a cluster index: the files found and read as for the
embedded index (searchkit.ingest.finding, searchkit.articles.sources), each
article sent with its analysed terms, incrementally by the files' stamps and
checksums, in bulk requests; the articles the cluster refuses are named."""

from __future__ import annotations

import base64
import os
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable

from searchkit.analysis.french import terms, truncated
from searchkit.articles.article import Article
from searchkit.articles.sources import Problem, display_path, file_digest, read_source
from searchkit.backends.base import FileEntry
from searchkit.backends.cluster import BULK_ARTICLES, SIGNATURE_FIELD, OpenSearchBackend
from searchkit.backends.clusterrecord import read_duplicates, write_duplicates
from searchkit.backends.companion import Companion
from searchkit.ingest.finding import find_sources
from searchkit.ingest.heldtexts import article_with_text, texts_to_restore
from searchkit.articles.metatable import METADATA_COLUMNS
from searchkit.ingest.ingestion import carries, claim_id_base, id_base_of, is_under, stamp_of, text_hash
from searchkit.ingest.report import IngestReport
from searchkit.storage.documents import cut_passages, document_of

ProblemCallback = Callable[[Problem], None]
ProgressCallback = Callable[[int, int], None]


def cluster_document(article: Article, signature: str, digest: str, title_weight: int) -> dict[str, Any]:
    """What the cluster stores and indexes of ``article``: the embedded
    index's document, its analysed fields as space-separated terms."""
    document = document_of(article, signature, digest, title_weight=title_weight)
    prepared = cut_passages(document)
    body = prepared.tokens["body"]
    fields = document.fields
    sent: dict[str, Any] = {name: fields[name] for name in ("id", "path", "file_sig", "text_hash", "title", "text")}
    copy_sig: bytes = prepared.fields["copy_sig"]  # type: ignore[assignment]
    if copy_sig:  # none for a text too short to be called a copy
        sent[SIGNATURE_FIELD] = base64.b64encode(copy_sig).decode("ascii")
    for name in ("date", "source", "author", "url", "line"):
        if fields.get(name) is not None:
            sent[name] = fields[name]
    sent.update({
        "passages": [offset for span in prepared.fields["passages"] for offset in span],  # type: ignore[attr-defined]
        "passage_positions": prepared.fields["passage_positions"],
        "passage_count": prepared.fields["passage_count"],
        "body_length": len(body),
        "body": " ".join(term for term, _ in body),
        "truncated": " ".join(truncated(word) for _, word in body),
        "words": sorted({word for _, word in body}),
        "title_terms": " ".join(terms(article.title or "")),
        "source_terms": " ".join(terms(article.source or "")),
        "author_terms": " ".join(terms(article.author or "")),
    })
    return sent


@dataclass
class _Batch:
    """Articles waiting for a bulk request, and what each one is; the
    articles of moved files to remove first, in one request."""

    removals: list[str] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    updates: set[str] = field(default_factory=set)
    paths: dict[str, str] = field(default_factory=dict)  # id -> file, to name a refused article


def stored_metadata(backend: OpenSearchBackend, files: dict[str, FileEntry], sources: list[Any]
                    ) -> dict[str, dict[str, Any]]:
    """id -> the metadata the cluster holds for each article of a file that a
    table row describes (one request): an edited row updates them."""
    ids = [article_id for source in sources if source.metadata
           for article_id in files.get(str(source.path), FileEntry("", ())).ids]
    return {stored["id"]: stored for stored in backend.stored(ids, ("id", *METADATA_COLUMNS)) if stored}


def _leaves(files: dict[str, FileEntry], path: str, article_id: str) -> None:
    """The article ``article_id`` is no longer the file at ``path``'s (moved
    to another): a --prune of that file must not remove it."""
    entry = files.get(path)
    if entry is not None:
        files[path] = FileEntry(entry.signature, tuple(i for i in entry.ids if i != article_id))


class ClusterIngestion:
    """One ingest (or removal) into the cluster index of ``backend``. Given
    its ``companion``, the paths that held each text as a duplicate are read
    from it and kept there (``save_duplicates``): see searchkit.ingest.heldtexts."""

    def __init__(self, backend: OpenSearchBackend, title_weight: int, on_problem: ProblemCallback | None,
                 companion: Companion | None = None) -> None:
        self.backend = backend
        self.title_weight = title_weight
        self.on_problem = on_problem
        self.report = IngestReport()
        self.files: dict[str, FileEntry] = backend.files()
        self.holders = backend.text_hashes()  # text hash -> id: a text is indexed once
        self.hashes_by_id = {article_id: digest for digest, article_id in self.holders.items()}
        self.companion = companion
        self.held_elsewhere = read_duplicates(backend, companion) if companion is not None else {}
        self._held_before = {digest: set(paths) for digest, paths in self.held_elsewhere.items()}
        self.gone_texts: set[str] = set()  # the texts of the articles removed
        self.paths_by_id = {article_id: path for path, entry in self.files.items() for article_id in entry.ids}
        # The file each id taken from a path belongs to: two folders' a.txt are two articles.
        self.paths_by_id_base = {base: path for article_id, path in self.paths_by_id.items()
                                 if (base := id_base_of(article_id, path)) is not None}
        self.batch = _Batch()
        self.seen_paths: set[str] = set()
        self.seen_ids: dict[str, str] = {}  # id -> where it was read, in this run
        self.tabled: dict[str, dict[str, Any]] = {}  # id -> the metadata stored, of a file a table describes

    def problem(self, problem: Problem) -> None:
        self.report.record(problem)
        if self.on_problem is not None:
            self.on_problem(problem)

    def run(self, roots: list[str], prune: bool, follow_links: bool, on_progress: ProgressCallback | None) -> None:
        sources = find_sources(roots, follow_links, self.report, self.problem)
        self.tabled = stored_metadata(self.backend, self.files, sources)
        sizes = [_size(source.path) for source in sources]
        total, done = sum(sizes), 0
        for source, size in zip(sources, sizes):
            self.file(source)
            done += size
            if on_progress is not None:
                on_progress(done, total)
        self.flush()
        if prune:
            gone = [entry for path, entry in self.files.items() if is_under(path, roots) and path not in self.seen_paths
                    and not os.path.exists(path)]
            self.report.removed += self.remove_ids([article_id for entry in gone for article_id in entry.ids])
        self.restore()

    def file(self, source: Any) -> None:
        """The articles of one file, if it changed since it was ingested."""
        path = str(source.path)
        source = replace(source, id_base=claim_id_base(self.paths_by_id_base, source))
        self.seen_paths.add(path)
        entry = self.files.get(path)
        # A row of the metadata table edited since counts as a change of the file.
        as_tabled = entry is None or all(carries(self.tabled[article_id], source.metadata)
                                         for article_id in entry.ids if article_id in self.tabled)
        try:
            stamp = stamp_of(source.path.stat())
            if entry is not None and entry.signature.partition("/")[0] == stamp and as_tabled:
                self.report.unchanged += len(entry.ids)
                return
            digest = file_digest(source.path)
        except OSError as error:
            self.problem(Problem(display_path(path), f"cannot read: {error.strerror or error}"))
            return
        if entry is not None and entry.signature.partition("/")[2] == digest and as_tabled:
            self.report.unchanged += len(entry.ids)
            return
        signature, failures, new_ids = f"{stamp}/{digest}", self.report.failed, set()
        old_ids = set(entry.ids) if entry is not None else set()
        for item in read_source(source):
            if isinstance(item, Problem):
                self.problem(item)
            elif self.article(item, signature, item.id in old_ids):
                new_ids.add(item.id)
        if entry is not None and self.report.failed == failures:
            self.report.removed += self.remove_ids(old_ids - new_ids)

    def article(self, article: Article, signature: str, update: bool) -> bool:
        if not self._own_id(article):
            return False
        digest = text_hash(article.text)
        if self.hashes_by_id.get(article.id, digest) != digest:
            self._forget(article.id)  # its text was edited
        holder = self.holders.get(digest)
        if holder is not None and holder != article.id and not self._moved(holder, article.path):
            self.report.duplicates += 1
            if article.path:
                self.held_elsewhere.setdefault(digest, set()).add(article.path)
            return False
        self.holders[digest] = article.id
        self.hashes_by_id[article.id] = digest
        self.seen_ids[article.id] = article.path if article.line is None else f"{article.path}:{article.line}"
        if article.path:
            self.paths_by_id[article.id] = article.path
        document = cluster_document(article, signature, digest, self.title_weight)
        self.batch.documents.append(document)
        self.batch.paths[article.id] = display_path(article.path or "")
        if update:
            self.batch.updates.add(article.id)
        if len(self.batch.documents) >= BULK_ARTICLES:
            self.flush()
        return True

    def _moved(self, twin: str, path: str | None) -> bool:
        """Whether the article ``twin``, whose text the file at ``path`` holds,
        came from a file that has gone: the file was moved or renamed, and its
        article goes with it (as in the embedded index)."""
        twin_path = self.paths_by_id.get(twin)
        if twin_path is None or twin_path == path or twin_path in self.seen_paths or os.path.exists(twin_path):
            return False
        self.batch.removals.append(twin)
        self.report.removed += 1
        del self.paths_by_id[twin]
        self.hashes_by_id.pop(twin, None)
        _leaves(self.files, twin_path, twin)
        return True

    def _own_id(self, article: Article) -> bool:
        """Whether the id of ``article`` is its own: not sent already in this
        run, nor held by another file that still exists (an article moved to
        another file takes its id along)."""
        if article.id in self.seen_ids:
            self.problem(Problem(article.path, f"article id {article.id!r} was already read from "
                                               f"{self.seen_ids[article.id]}; kept the first", article.line))
            return False
        other_path = self.paths_by_id.get(article.id)
        if article.path and other_path is not None and other_path != article.path:
            if os.path.exists(other_path):
                self.problem(Problem(article.path, f"article id {article.id!r} already belongs to "
                                                   f"{other_path}; not indexed", article.line))
                return False
            # The article moved to another file: the old one goes, whether or not the new is sent.
            self.batch.removals.append(article.id)
            _leaves(self.files, other_path, article.id)
        return True

    def flush(self) -> None:
        """Send the waiting articles; count those written, name those refused."""
        batch, self.batch = self.batch, _Batch()
        self.backend.remove(batch.removals)  # before the articles: a moved one may keep its id
        if not batch.documents:
            return
        written = self.backend.write(batch.documents)
        for article_id in written.written:
            if article_id in batch.updates:
                self.report.updated += 1
            else:
                self.report.added += 1
        written_ids = set(written.written)
        self.report.passages += sum(document["passage_count"] for document in batch.documents
                                    if document["id"] in written_ids)
        for article_id, reason in written.refused:
            self.problem(Problem(batch.paths.get(article_id, "?"), f"article {article_id} refused by the cluster: {reason}"))

    def remove_ids(self, article_ids: Iterable[str]) -> int:
        """The articles ``article_ids`` removed, their texts to restore; how many were held."""
        article_ids = list(article_ids)
        for article_id in article_ids:
            self._forget(article_id)
        return self.backend.remove(article_ids)

    def _forget(self, article_id: str) -> None:
        """The text of ``article_id``, removed or replaced, is no longer held by it."""
        digest = self.hashes_by_id.pop(article_id, None)
        if digest is not None and self.holders.get(digest) == article_id:
            del self.holders[digest]
            self.gone_texts.add(digest)

    def restore(self, leaving: Iterable[str] = ()) -> None:
        """Each text whose article went, indexed again from a file that held it as a duplicate."""
        for digest, path in texts_to_restore(self.gone_texts, self.held_elsewhere, self.holders.__contains__,
                                             leaving):
            for source in find_sources([path], False, self.report, self.problem):
                found = article_with_text(replace(source, id_base=claim_id_base(self.paths_by_id_base, source)),
                                          digest)
                if found is not None:
                    self.article(*found, update=False)
        self.flush()

    def save_duplicates(self) -> None:
        """The paths that hold each text of the index as a duplicate, kept in the companion."""
        held = {digest: paths for digest, paths in self.held_elsewhere.items() if digest in self.holders and paths}
        if self.companion is not None and held != self._held_before:
            write_duplicates(self.backend, self.companion, held)


def remove(run: ClusterIngestion, targets: Iterable[str]) -> None:
    """Articles by id, or all those of a file or folder, removed in ``run``."""
    held = {article_id for entry in run.files.values() for article_id in entry.ids}
    wanted: set[str] = set()
    for target in targets:
        if target in held:
            wanted.add(target)
            continue
        where = os.path.abspath(target)
        found = {article_id for path, entry in run.files.items() if is_under(path, [where])
                 for article_id in entry.ids}
        if not found:
            run.problem(Problem(target, "no article with this id, and no article from this path"))
        wanted |= found
    run.report.removed += run.remove_ids(sorted(wanted))
    run.restore(leaving=targets)


def ingest(backend: OpenSearchBackend, companion: Companion, title_weight: int,
           paths: Iterable[str | os.PathLike[str]], prune: bool, on_progress: ProgressCallback | None,
           on_problem: ProblemCallback | None, follow_links: bool) -> tuple[IngestReport, list[str]]:
    """The articles under ``paths`` ingested into the cluster index; the report and the roots."""
    started = time.perf_counter()
    roots = [os.path.abspath(path) for path in paths]
    run = ClusterIngestion(backend, title_weight, on_problem, companion)
    run.run(roots, prune, follow_links, on_progress)
    run.save_duplicates()
    run.report.seconds = time.perf_counter() - started
    return run.report, roots


def copy(backend: OpenSearchBackend, title_weight: int, articles: Iterable[tuple[Article, str]],
         on_problem: ProblemCallback | None) -> IngestReport:
    """The ``articles`` of another index, each with the signature of its file,
    sent in bulk requests; an article of the same id is replaced."""
    started = time.perf_counter()
    run = ClusterIngestion(backend, title_weight, on_problem)
    held = {article_id for entry in run.files.values() for article_id in entry.ids}
    for article, signature in articles:
        run.article(article, signature, article.id in held)
    run.flush()
    run.report.seconds = time.perf_counter() - started
    return run.report


def _size(path: Any) -> int:
    try:
        return int(path.stat().st_size)
    except OSError:
        return 0
