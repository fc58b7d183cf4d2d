"""Checksums of the index's files, and the checks that read them.

A segment's files never change once written. When the writer finalizes a
segment it writes ``searchkit_<segid>.sums``: the name, size and CRC32 of each
file of the segment, with a CRC32 of its own. That is before the table of
contents that makes the segment visible, so a committed segment always has
its sums; and the name matches Whoosh's segment pattern
(``TOC._segment_pattern``), so ``clean_files`` keeps and deletes it with its
segment.

The table of contents (``_searchkit_N.toc``) is rewritten at each commit. Its
checksum is a footer appended to Whoosh's temporary TOC just before Whoosh
renames it into place: the TOC and its checksum appear in one rename, with no
moment where one is there without the other, and no second file to keep in
step with the generation. Whoosh reads the TOC up to the end of its pickle and
never sees the footer. The footer also names the segments that have sums, so
that a deleted sums file is told apart from a segment written before sums
existed. ``searchkit.json`` carries a CRC32 of its other fields.

An index written before (no sums, no footer) still opens: its files are "not
verified", which ``searchkit check`` notes without failing.

At open, the size of every file of the current segments is compared with its
sums (a stat each) and the small files, which the length columns are, read
whole: a flipped byte in a length column changes rankings without any error.
``searchkit check`` reads every file whole.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import struct
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

from searchkit.errors import IndexDamaged
from searchkit.articles.sources import SourceFile, find_files

SUMS_EXT = ".sums"
SUMS_HEADER = "searchkit sums 1"
# Files up to this size have their CRC checked at each open, besides their
# size. On an index of 5,041 articles (two segments, 24 files, 41 MB) the
# check at open read 0.57 MB in 0.9 to 1.9 ms with this limit, and 2.2 MB in
# 1.6 to 7 ms with 1 MB (zlib.crc32 runs at 2.4 GB/s; a shared machine). The
# length columns (one byte per document: a flipped byte changes rankings
# silently) and the id column (a flipped byte changes an id) are read
# whatever their size.
CRC_AT_OPEN_MAX = 256 << 10
CRC_AT_OPEN_ENDINGS = ("_len.col", ".id.col")
# The TOC footer: payload (JSON), magic, payload length, CRC32 of all before it.
TOC_MAGIC = b"skcrc32\x01"
_TRAILER = struct.Struct(">8sII")
INFO_CHECKSUM = "checksum"
CHECKSUM_MISMATCH = "checksum mismatch"
_CHUNK = 1 << 20
# New files under the ingested paths that `check` names one by one, at most.
NEW_FILES_SHOWN = 10


class Superseded(Exception):
    """A file of the generation being verified is gone because a newer commit
    replaced it: open the index again."""


@dataclass(frozen=True)
class Damage:
    file: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.reason}"


@dataclass
class FileCheck:
    """What the checksums say about an index folder."""

    damaged: list[Damage] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unverified: bool = False  # some files were written before checksums


def file_crc(path: Path) -> tuple[int, int]:
    """(size, CRC32) of the file at ``path``, read in chunks."""
    crc = size = 0
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
    return size, crc


# -- writing ---------------------------------------------------------------


def sums_name(segment_id: str) -> str:
    return segment_id + SUMS_EXT


def write_segment_sums(storage: Any, segment: Any) -> None:
    """Write the sums file of a finalized ``segment`` (all its files are closed)."""
    lines = [SUMS_HEADER]
    for name in sorted(segment.list_files(storage)):
        if name.endswith(SUMS_EXT):
            continue
        crc = size = 0
        stream = storage.open_file(name)
        try:
            while chunk := stream.read(_CHUNK):
                crc = zlib.crc32(chunk, crc)
                size += len(chunk)
        finally:
            stream.close()
        lines.append(f"{name}\t{size}\t{crc:08x}")
    body = "\n".join(lines) + "\n"
    text = f"{body}end\t{zlib.crc32(body.encode('utf-8')):08x}\n"
    out = storage.create_file(sums_name(segment.segment_id()))
    try:
        out.write(text.encode("utf-8"))
    finally:
        out.close()


def seal_toc(body: bytes, segments_with_sums: Iterable[str]) -> bytes:
    """A TOC's bytes with its checksum footer."""
    payload = json.dumps({"sums": sorted(segments_with_sums)}).encode("utf-8")
    sealed = body + payload + TOC_MAGIC + struct.pack(">I", len(payload))
    return sealed + struct.pack(">I", zlib.crc32(sealed))


class _SealingStorage:
    """The storage ``TOC.write`` is given: it writes a temporary file and
    renames it; the footer is appended in between."""

    def __init__(self, storage: Any, segments_with_sums: list[str]) -> None:
        self._storage = storage
        self._segments_with_sums = segments_with_sums

    def create_file(self, name: str, **kwargs: Any) -> Any:
        return self._storage.create_file(name, **kwargs)

    def rename_file(self, old: str, new: str, safe: bool = False) -> None:
        stream = self._storage.open_file(old)
        try:
            body = stream.read()
        finally:
            stream.close()
        out = self._storage.create_file(old)
        try:
            out.write(seal_toc(body, self._segments_with_sums))
        finally:
            out.close()
        self._storage.rename_file(old, new, safe=safe)


def commit_toc(storage: Any, indexname: str, schema: Any, segments: list, generation: int) -> None:
    """SegmentWriter._commit_toc, with the TOC's checksum footer."""
    from whoosh.index import TOC, clean_files

    from searchkit.storage.durability import SyncedStorage

    with_sums = [s.segment_id() for s in segments if storage.file_exists(sums_name(s.segment_id()))]
    # Synced before and after its rename: the rename is the commit (searchkit.storage.durability).
    TOC(schema, segments, generation).write(_SealingStorage(SyncedStorage(storage.folder), with_sums), indexname)
    clean_files(storage, indexname, generation, segments)


def sealed_info(info: dict[str, Any]) -> dict[str, Any]:
    """``info`` with the CRC32 of its other fields, for searchkit.json."""
    fields = {name: value for name, value in info.items() if name != INFO_CHECKSUM}
    return {**fields, INFO_CHECKSUM: f"{zlib.crc32(_canonical(fields)):08x}"}


def _canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, ensure_ascii=False).encode("utf-8")


# -- reading ---------------------------------------------------------------


def toc_name(indexname: str, generation: int) -> str:
    return f"_{indexname}_{generation}.toc"


def latest_toc(folder: Path, indexname: str) -> tuple[int, str] | None:
    """(generation, name) of the newest TOC in ``folder``, by name only."""
    pattern = re.compile(rf"^_{re.escape(indexname)}_([0-9]+)\.toc$")
    best: tuple[int, str] | None = None
    try:
        names = os.listdir(folder)
    except OSError:
        return None
    for name in names:
        match = pattern.match(name)
        if match and (best is None or int(match.group(1)) > best[0]):
            best = (int(match.group(1)), name)
    return best


def has_segment_files(folder: Path, indexname: str) -> bool:
    prefix = indexname + "_"
    try:
        return any(name.startswith(prefix) and "." in name for name in os.listdir(folder))
    except OSError:
        return False


def is_sealed(folder: Path, indexname: str) -> bool:
    """Whether the newest TOC has a checksum footer: the index was written
    with checksums, and searchkit.json must have one too."""
    latest = latest_toc(folder, indexname)
    if latest is None:
        return False
    try:
        with open(folder / latest[1], "rb") as stream:
            stream.seek(max(0, os.fstat(stream.fileno()).st_size - _TRAILER.size))
            return stream.read(8) == TOC_MAGIC
    except OSError:
        return False


def toc_footer(data: bytes) -> tuple[bool, set[str]] | None:
    """(checksum right, segments with sums) from a TOC's bytes; None when it
    has no footer (written before checksums, or cut short)."""
    if len(data) < _TRAILER.size or data[-_TRAILER.size:-8] != TOC_MAGIC:
        return None
    _, length, crc = _TRAILER.unpack(data[-_TRAILER.size:])
    if zlib.crc32(data[:-4]) != crc or length > len(data) - _TRAILER.size:
        return False, set()
    try:
        payload = json.loads(data[-_TRAILER.size - length:-_TRAILER.size])
        return True, set(payload["sums"])
    except (ValueError, KeyError, TypeError):
        return False, set()


def read_sums(folder: Path, segment_id: str) -> dict[str, tuple[int, int]] | None:
    """name -> (size, CRC32) of the files of a segment; None when it has no
    sums file. Raises DamagedFile when it is damaged."""
    name = sums_name(segment_id)
    try:
        data = (folder / name).read_bytes()
    except FileNotFoundError:
        return None
    return parse_sums(name, data)


def parse_sums(name: str, data: bytes) -> dict[str, tuple[int, int]]:
    try:
        text = data.decode("utf-8")
        body, end, crc = text.rpartition("end\t")
        if not end or not body.startswith(SUMS_HEADER + "\n") or int(crc, 16) != zlib.crc32(body.encode("utf-8")):
            raise ValueError
        files = {}
        for line in body.splitlines()[1:]:
            file_name, size, file_crc_hex = line.split("\t")
            files[file_name] = (int(size), int(file_crc_hex, 16))
        return files
    except ValueError:
        raise DamagedFile(Damage(name, CHECKSUM_MISMATCH if data else "empty")) from None


class DamagedFile(Exception):
    """One damaged file, found by the checks below."""

    def __init__(self, damage: Damage) -> None:
        super().__init__(str(damage))
        self.damage = damage


def _file_damage(folder: Path, name: str, expected: tuple[int, int], whole: bool) -> Damage | None:
    """What is wrong with one file of a segment: its size, or with ``whole``
    its CRC too."""
    path = folder / name
    size, crc = expected
    try:
        actual = os.stat(path).st_size
        if actual != size:
            cut = " (truncated)" if actual < size else ""
            return Damage(name, f"{actual} bytes, {size} written{cut}")
        if whole and file_crc(path)[1] != crc:
            return Damage(name, CHECKSUM_MISMATCH)
    except FileNotFoundError:
        return Damage(name, "missing")
    except OSError as error:
        return Damage(name, f"cannot be read: {error.strerror or error}")
    return None


@dataclass
class OpenVerifier:
    """Checks the files of an index each time a searcher is opened on it,
    remembering what it verified: segments never change, and a TOC is
    verified once per generation."""

    folder: Path
    indexname: str
    verified_toc: int | None = None
    verified_segments: set[str] = field(default_factory=set)
    expected_sums: set[str] = field(default_factory=set)

    def verify(self, generation: int, segment_ids: list[str]) -> None:
        """Raises IndexDamaged, or Superseded when a newer commit removed the files."""
        try:
            self._verify(generation, segment_ids)
        except DamagedFile as found:
            latest = latest_toc(self.folder, self.indexname)
            if found.damage.reason == "missing" and latest is not None and latest[0] != generation:
                raise Superseded() from None
            raise damaged(self.folder, found.damage) from None

    def verify_latest(self) -> None:
        """``verify`` the newest generation, by the segments its TOC's footer
        names, before Whoosh opens any of their files: a deleted file is then
        named at once (Whoosh retries for half a second), and no damaged file
        is parsed."""
        latest = latest_toc(self.folder, self.indexname)
        if latest is None or latest[0] == self.verified_toc:
            return
        try:
            footer = toc_footer((self.folder / latest[1]).read_bytes())
        except OSError:
            return  # gone already, or unreadable: Whoosh's open says which
        if footer is not None and footer[0]:
            self.verify(latest[0], sorted(footer[1]))

    def _verify(self, generation: int, segment_ids: list[str]) -> None:
        if self.verified_toc != generation:
            self.expected_sums = self._verify_toc(generation, segment_ids)
            self.verified_toc = generation
        for segment_id in segment_ids:
            if segment_id in self.verified_segments:
                continue
            sums = read_sums(self.folder, segment_id)
            if sums is None:
                if segment_id in self.expected_sums:
                    raise DamagedFile(Damage(sums_name(segment_id), "missing"))
                continue  # written before checksums: not verified
            for name, expected in sums.items():
                whole = expected[0] <= CRC_AT_OPEN_MAX or name.endswith(CRC_AT_OPEN_ENDINGS)
                problem = _file_damage(self.folder, name, expected, whole)
                if problem is not None:
                    raise DamagedFile(problem)
            self.verified_segments.add(segment_id)

    def _verify_toc(self, generation: int, segment_ids: list[str]) -> set[str]:
        name = toc_name(self.indexname, generation)
        try:
            data = (self.folder / name).read_bytes()
        except FileNotFoundError:
            raise DamagedFile(Damage(name, "missing")) from None
        footer = toc_footer(data)
        if footer is None:
            if not data:
                raise DamagedFile(Damage(name, "empty"))
            if any((self.folder / sums_name(s)).exists() for s in segment_ids):
                raise DamagedFile(Damage(name, "its checksum is missing (cut short or overwritten)"))
            return set()
        right, expected = footer
        if not right:
            raise DamagedFile(Damage(name, CHECKSUM_MISMATCH))
        return expected


def damaged(folder: Path, damage: Damage) -> IndexDamaged:
    return IndexDamaged(str(folder), damage.file, damage.reason)


def info_damage(folder: Path, info_file: str, required: bool) -> Damage | None:
    """What is wrong with searchkit.json, if anything. Without a checksum it
    is one written before checksums, damaged when ``required``."""
    path = folder / info_file
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Damage(info_file, "missing") if required else None
    except OSError as error:
        return Damage(info_file, f"cannot be read: {error.strerror or error}")
    try:
        info = json.loads(data.decode("utf-8"))
        if not isinstance(info, dict):
            raise ValueError
    except ValueError:
        return Damage(info_file, "not valid JSON" if data else "empty")
    if INFO_CHECKSUM not in info:
        return Damage(info_file, "its checksum is missing") if required else None
    if sealed_info(info)[INFO_CHECKSUM] != info[INFO_CHECKSUM]:
        return Damage(info_file, CHECKSUM_MISMATCH)
    return None


# -- searchkit check --------------------------------------------------------


@dataclass
class CheckReport:
    """What ``searchkit check`` found, one line each."""

    damaged: list[str] = field(default_factory=list)  # files, unreadable segments, counts that disagree
    problems: list[str] = field(default_factory=list)  # sources changed or gone, the recorded count
    notes: list[str] = field(default_factory=list)  # information: new files, files not verified

    @property
    def ok(self) -> bool:
        return not (self.damaged or self.problems)


def check_files(folder: Path, indexname: str, info_file: str,
                segment_ids: list[str] | None) -> FileCheck:
    """Every file of the index read whole against its checksum.
    ``segment_ids`` are the current segments, None when the TOC cannot be
    read (then every segment that has sums is checked)."""
    report = FileCheck()
    latest = latest_toc(folder, indexname)
    expected: set[str] = set()
    sealed_toc = False
    if latest is None:
        report.damaged.append(Damage(f"_{indexname}_*.toc", "missing (the table of contents)"))
    else:
        try:
            footer = toc_footer((folder / latest[1]).read_bytes())
        except OSError as error:
            report.damaged.append(Damage(latest[1], f"cannot be read: {error.strerror or error}"))
            footer = (True, set())
        if footer is not None:
            sealed_toc = True
            right, expected = footer
            if not right:
                report.damaged.append(Damage(latest[1], CHECKSUM_MISMATCH))
    if segment_ids is None:
        segment_ids = sorted(name[:-len(SUMS_EXT)] for name in os.listdir(folder) if name.endswith(SUMS_EXT))
    legacy = []
    for segment_id in segment_ids:
        try:
            sums = read_sums(folder, segment_id)
        except DamagedFile as found:
            report.damaged.append(found.damage)
            continue
        if sums is None:
            if segment_id in expected:
                report.damaged.append(Damage(sums_name(segment_id), "missing"))
            else:
                legacy.append(segment_id)
            continue
        if latest is not None and not sealed_toc:
            report.damaged.append(Damage(latest[1], "its checksum is missing (cut short or overwritten)"))
            sealed_toc = True  # said once
        for name, sizes in sums.items():
            problem = _file_damage(folder, name, sizes, whole=True)
            if problem is not None:
                report.damaged.append(problem)
        listed = set(sums) | {sums_name(segment_id)}
        for name in sorted(os.listdir(folder)):
            if name.startswith(segment_id + ".") and name not in listed:
                report.damaged.append(Damage(name, "not a file of its segment when it was written"))
    problem = info_damage(folder, info_file, required=sealed_toc)
    if problem is not None:
        report.damaged.append(problem)
    report.unverified = bool(legacy) or not sealed_toc
    if legacy:
        report.notes.append(f"{len(legacy)} segment{'s' if len(legacy) > 1 else ''} written before "
                            "searchkit kept checksums: not verified (`searchkit ingest --rebuild` adds them)")
    return report


def check_segments(storage: Any, schema: Any, segments: list, generation: int) -> list[Damage]:
    """Open each segment's reader on its own and read its term table,
    columns and stored fields whole; compare the document counts of the
    TOC, the stored fields and the id column."""
    from whoosh.reading import SegmentReader

    found: list[Damage] = []
    for segment in segments:
        segment_id = segment.segment_id()
        try:
            reader = SegmentReader(storage, schema, segment, generation=generation)
        except Exception as error:  # what damaged files raise is not documented: name it
            found.append(Damage(segment_id, f"cannot be opened: {describe(error)}"))
            continue
        try:
            problem = _segment_problem(reader)
        except Exception as error:
            problem = f"cannot be read: {describe(error)}"
        finally:
            reader.close()
        if problem is not None:
            found.append(Damage(segment_id, problem))
    return found


def _segment_problem(reader: Any) -> str | None:
    for _term in reader.all_terms():
        pass
    documents = reader.doc_count_all()
    for name in reader.schema.names():
        if reader.has_column(name):
            column = reader.column_reader(name)
            for docnum in range(documents):
                column[docnum]
    ids = reader.column_reader("id") if documents else None
    stored_ids = column_ids = 0
    for docnum in range(documents):
        if reader.is_deleted(docnum):
            continue
        stored_id = reader.stored_fields(docnum).get("id")
        stored_ids += bool(stored_id)
        if ids is not None and ids[docnum]:
            column_ids += 1
            if stored_id not in (None, ids[docnum]):
                return f"document {docnum}: stored id {stored_id!r}, id column {ids[docnum]!r}"
    if not reader.doc_count() == stored_ids == column_ids:
        return (f"the counts disagree: {reader.doc_count()} documents in the table of contents, "
                f"{stored_ids} stored ids, {column_ids} in the id column")
    return None


def describe(error: BaseException) -> str:
    """A damaged file's error in a few words, whatever its type."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    name = type(error).__name__
    return f"{name}: {text}"[:160] if text else name


def _raised_in_whoosh(error: BaseException) -> bool:
    """Whether ``error`` was raised inside Whoosh, reading its files (a bad
    block's tag is a bare Exception, a bad TOC whoosh.index.IndexError)."""
    traceback = error.__traceback__
    while traceback is not None and traceback.tb_next is not None:
        traceback = traceback.tb_next
    return traceback is not None and f"{os.sep}whoosh{os.sep}" in traceback.tb_frame.f_code.co_filename


# Errors Whoosh raises reading a damaged file.
STORAGE_ERRORS = (zlib.error, pickle.UnpicklingError, struct.error, EOFError, UnicodeDecodeError,
                  OSError, ValueError, IndexError)


def diagnose(folder: Path, indexname: str, info_file: str, error: Exception,
             segment_ids: list[str] | None) -> IndexDamaged | None:
    """The damage behind an error raised while reading the index, found by
    reading every file against its checksum; None when every file is as
    written (the error is then not the files' doing: let it through). On
    files written before checksums, an error of the kinds damaged files raise
    is taken as damage."""
    report = check_files(folder, indexname, info_file, segment_ids)
    if report.damaged:
        return damaged(folder, report.damaged[0])
    if report.unverified and (isinstance(error, STORAGE_ERRORS) or _raised_in_whoosh(error)):
        if isinstance(error, OSError) and error.filename:
            where = os.path.basename(error.filename)
        elif segment_ids is None:
            where = "the table of contents"
        else:
            where = "a file written before checksums"
        return IndexDamaged(str(folder), where, describe(error))
    return None


def new_files(roots: list[str], last_ingest: str | None, indexed: set[str]) -> list[str]:
    """Lines naming the files under ``roots`` changed since the last ingest
    and not in ``indexed``: new ones. Those older than it are files the
    ingest read and did not index (duplicates, unreadable), not news."""
    try:
        since = datetime.fromisoformat(last_ingest).timestamp() if last_ingest else 0.0
    except ValueError:
        since = 0.0
    new = []
    for found in find_files([root for root in roots if os.path.exists(root)]):
        if not isinstance(found, SourceFile) or found.reader is None or str(found.path) in indexed:
            continue
        try:
            stat = found.path.stat()
        except OSError:
            continue
        if max(stat.st_mtime, stat.st_ctime) >= since:
            new.append(str(found.path))
    lines = [f"{path}: new under the ingested paths, not indexed yet" for path in new[:NEW_FILES_SHOWN]]
    if len(new) > NEW_FILES_SHOWN:
        lines.append(f"and {len(new) - NEW_FILES_SHOWN} more new files, not indexed yet")
    return lines
