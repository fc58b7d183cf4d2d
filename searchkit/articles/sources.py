"""Finding article files in folders and reading them into Articles.

Readers by extension (case-insensitive): .txt and .md (UTF-8 with or without
BOM, UTF-16 with BOM, or Windows-1252 / Latin-1), .html and .htm (the main
text and metadata of a saved news page, through trafilatura), .json (one
article object or a list of them), .jsonl and .jsonl.gz (one object a line).
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import io
import json
import os
import re
import stat
import time
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator

from searchkit import limits
from searchkit.articles.article import Article, iso_date

TEXT_EXTENSIONS = (".txt", ".md")
HTML_EXTENSIONS = (".html", ".htm")
JSON_EXTENSIONS = (".json",)
JSONL_EXTENSIONS = (".jsonl", ".jsonl.gz")
# The fields of a JSON article, each read from the first of its names that
# the record holds: searchkit's own, then those of common scrapers and feeds
# (news-please: maintext, date_publish, authors, source_domain; newspaper3k:
# publish_date; trafilatura: sitename; RSS: link, pubDate).
TEXT_FIELDS = ("text", "maintext", "content", "body", "article")
LEAD_FIELDS = ("abstract", "summary", "description", "chapo", "lead")
METADATA_FIELDS = {
    "title": ("title", "headline"),
    "date": ("date", "date_publish", "publish_date", "published", "published_at", "pubDate", "datePublished"),
    "url": ("url", "link"),
    "source": ("source", "source_domain", "sitename", "site_name", "publisher"),
    "author": ("author", "authors", "byline"),
}
# Metadata that may hold HTML, read as text ("<i>Le Monde</i>", "&amp;").
MARKUP_FIELDS = ("title", "source", "author")
# The record a searchkit index keeps beside its Whoosh segments: a folder
# holding both is an index, passed over when a folder around it is ingested.
INFO_FILE = "searchkit.json"
# A text file larger than this is read in parts, each indexed as an article
# ("name.txt#part2"), so that a huge file never sits whole in memory.
PART_BYTES = 1_000_000
_CHUNK = 1 << 16
_BLOCK = 1 << 16  # JSON Lines are read a block at a time


@dataclass(frozen=True)
class Problem:
    """An input that could not be ingested, and why."""

    path: str
    reason: str
    line: int | None = None
    # A warning names something changed on the way in (the article is still
    # indexed); it does not count as a failure.
    warning: bool = False

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class Notice(Problem):
    """Something of an input read otherwise than it was given (a date that
    cannot be read, lone surrogates replaced): named, but the article is
    ingested."""

    warning: bool = True


NOT_AN_ARTICLE_FORMAT = "not an article format"


@dataclass(frozen=True)
class Passed:
    """A file found and not read: a named pipe, a socket, a device, or (unless
    links are followed) a symbolic link leading out of the paths given."""

    path: str
    outside_link: bool = False


@dataclass(frozen=True)
class SourceFile:
    """A file found under one of the paths given to ingest."""

    path: Path  # absolute
    id_base: str  # the path relative to the folder given: the article id
    # (field, value) pairs of the folder's metadata table (searchkit.articles.metatable):
    # they replace what the file says or what is inferred from it.
    metadata: tuple[tuple[str, str], ...] = ()

    @property
    def reader(self) -> Callable[["SourceFile"], Iterator[Article | Problem]] | None:
        name = self.path.name.lower()
        for extension, reader in _READERS.items():
            if name.endswith(extension):
                return reader
        return None


def display_path(path: str | os.PathLike[str]) -> str:
    """A path fit to print, even when its name is not valid UTF-8."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _valid_name(path: str) -> bool:
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def find_files(
    paths: Iterable[str | os.PathLike[str]], follow_links: bool = False
) -> Iterator[SourceFile | Problem | Passed]:
    """Every file under ``paths``: folders are walked recursively in name order,
    following symbolic links to folders but never round a loop. Hidden files
    and folders (".git", ".DS_Store") and index folders are passed over. A
    symbolic link whose target lies outside ``paths`` is passed (an ingested
    folder must not bring in /etc/shadow) unless ``follow_links``."""
    paths = list(paths)
    inside = None if follow_links else [os.path.realpath(os.path.abspath(p)) for p in paths]
    for given in paths:
        root = Path(os.path.abspath(given))
        if root.is_dir():
            yield from _walk(root, inside)
        elif root.is_file():
            yield _source(root, root.name)
        elif root.is_symlink():
            yield Problem(display_path(root), _link_problem(root))
        elif root.exists():
            yield Problem(display_path(root), f"{_kind(root)}, not a file or folder")
        else:
            yield Problem(display_path(root), "no such file or folder")


def _leads_outside(path: str, inside: list[str] | None) -> bool:
    """Whether the symbolic link ``path`` resolves outside the folders given."""
    if inside is None:
        return False
    real = os.path.realpath(path)
    return not any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in inside)


def _walk(root: Path, inside: list[str] | None = None) -> Iterator[SourceFile | Problem | Passed]:
    visited = {os.path.realpath(root)}
    errors: list[OSError] = []
    for folder, dirs, files in os.walk(root, followlinks=True, onerror=errors.append):
        while errors:
            error = errors.pop()
            yield Problem(display_path(error.filename), f"cannot read folder: {error.strerror}")
        if _is_index(files):
            if folder == str(root):
                yield Problem(display_path(root), "a searchkit index, not a folder of articles")
            dirs[:] = []
            continue
        kept = []
        for name in sorted(dirs):
            if name.startswith("."):
                continue
            path = os.path.join(folder, name)
            if os.path.islink(path) and _leads_outside(path, inside):
                yield Passed(display_path(path), outside_link=True)
                continue
            real = os.path.realpath(path)
            if real in visited:
                yield Problem(display_path(path), "symbolic link loop: folder already read")
                continue
            visited.add(real)
            kept.append(name)
        dirs[:] = kept
        for name in sorted(files):
            if name.startswith("."):
                continue
            file = Path(folder, name)
            if file.is_symlink() and file.exists() and _leads_outside(str(file), inside):
                yield Passed(display_path(file), outside_link=True)
            elif file.is_file():
                yield _source(file, file.relative_to(root).as_posix())
            elif file.is_symlink():
                yield Problem(display_path(file), _link_problem(file))
            else:
                yield Passed(display_path(file))  # a named pipe, a socket, a device


def can_hold_articles(path: str) -> bool:
    """Whether ``path`` is a file, or a folder that is not an index: a path
    worth recording for a later rebuild (a typo or an index is not)."""
    if os.path.isfile(path):
        return True
    try:
        return os.path.isdir(path) and not _is_index(os.listdir(path))
    except OSError:
        return False


def _is_index(files: list[str]) -> bool:
    """Whether a folder holding ``files`` is an index ("searchkit ingest ."
    beside the default ``index/`` must not read the index as articles)."""
    return INFO_FILE in files and any(name.endswith(".toc") for name in files)


def _kind(path: Path) -> str:
    """What a path that is neither a file nor a folder is."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return "unreadable"
    for test, kind in ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return kind
    return "a special file"


def _link_problem(path: Path) -> str:
    target = display_path(os.readlink(path))
    try:
        os.stat(path)
    except OSError as error:
        if error.errno == 40:  # ELOOP
            return "symbolic link loop"
        return f"broken symbolic link (to {target})"
    # The target exists and is neither a file nor a folder.
    return f"symbolic link to {_kind(path)} ({target}), not a file: not read"


def _source(path: Path, id_base: str) -> SourceFile | Problem:
    if not _valid_name(str(path)):
        return Problem(display_path(path), "file name is not valid UTF-8: rename the file")
    return SourceFile(path, id_base)


def file_digest(path: Path) -> str:
    """SHA-1 of a file's bytes, read in chunks."""
    digest = hashlib.sha1()
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def read_source(source: SourceFile, on_bytes: Callable[[int], None] | None = None) -> Iterator[Article | Problem]:
    """The articles of one file, or the problems that kept them out. JSON
    Lines files, the large ones, tell ``on_bytes`` how many of their bytes
    have been read as they go."""
    reader = source.reader
    if reader is None:
        return
    try:
        items = _read_jsonl(source, on_bytes) if reader is _read_jsonl else reader(source)
        for item in items:
            if isinstance(item, Article):
                for name, value in source.metadata:
                    part = item.id.rpartition("#part")[2] if "#part" in item.id else "1"
                    # The parts of a large file after the first are told apart, as without a table.
                    setattr(item, name, f"{value} ({part})" if name == "title" and part != "1" else value)
            yield item
    except OSError as error:
        yield Problem(str(source.path), f"cannot read: {error.strerror or error}")


# -- text -----------------------------------------------------------------

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def detect_encoding(head: bytes, is_utf8: Callable[[], bool]) -> str | None:
    """The encoding of a text from its first bytes: a BOM, else UTF-8 when the
    whole text decodes as such, else Windows-1252 (the superset of Latin-1 that
    legacy French files really use: it has œ, ’ and «). None for binary data."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    if b"\x00" in head:
        return None
    return "utf-8" if is_utf8() else "cp1252"


def decode(data: bytes) -> str | None:
    """Bytes of a text file as text; None when they are not text."""
    def is_utf8() -> bool:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True

    encoding = detect_encoding(data[:_CHUNK], is_utf8)
    if encoding is None or (encoding != "utf-16" and b"\x00" in data):
        return None
    # A byte-order mark names the encoding, but the bytes after it may not all
    # follow it (a file cut short, a stray byte): those become U+FFFD, as in
    # large files, rather than losing the file.
    text = data.decode(encoding, errors="replace")
    if encoding == "cp1252" and "\ufffd" in text:
        # Bytes that Windows-1252 leaves undefined (0x81, 0x8D...) are Latin-1 controls.
        text = data.decode("latin-1")
    return text


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    return controls > len(sample) // 20


def _read_text(source: SourceFile) -> Iterator[Article | Problem]:
    if source.path.stat().st_size > PART_BYTES:
        yield from _read_text_in_parts(source)
        return
    text = decode(source.path.read_bytes())
    if text is not None:
        # Universal newlines, as open() reads text: a file from an old Mac ends
        # its lines with CR alone, which no headline or paragraph rule sees.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    problem = _text_problem(source, text)
    if problem is not None:
        yield problem
        return
    yield _dated(Article.from_text(source.id_base, text, path=str(source.path)), source)  # type: ignore[arg-type]


def _dated(article: Article, source: SourceFile) -> Article:
    """A file article with no date of its own takes the file's modification
    date, as desktop search tools do, so that --since and --sort date see it."""
    if article.date is None:
        stamp = datetime.fromtimestamp(source.path.stat().st_mtime, timezone.utc)
        article.date = stamp.date().isoformat()
    return article


def _text_problem(source: SourceFile, text: str | None) -> Problem | None:
    if text is None or _looks_binary(text):
        return Problem(str(source.path), "binary file, not text")
    if not text.strip():
        return Problem(str(source.path), "empty file")
    return None


def _read_text_in_parts(source: SourceFile) -> Iterator[Article | Problem]:
    """A large text file, decoded chunk by chunk and cut at paragraph ends."""
    with open(source.path, "rb") as stream:
        head = stream.read(_CHUNK)

        def is_utf8() -> bool:
            decoder = codecs.getincrementaldecoder("utf-8")()
            stream.seek(0)
            try:
                while chunk := stream.read(_CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                return False
            return True

        encoding = detect_encoding(head, is_utf8)
        if encoding is None:
            yield Problem(str(source.path), "binary file, not text")
            return
        stream.seek(0)
        # Universal newlines, as in _read_text; a CR LF cut between chunks stays one.
        decoder = io.IncrementalNewlineDecoder(codecs.getincrementaldecoder(encoding)(errors="replace"), translate=True)
        pending, part, title = "", 0, ""
        while True:
            chunk = stream.read(_CHUNK)
            pending += decoder.decode(chunk, final=not chunk)
            if "\x00" in pending:
                yield Problem(str(source.path), "binary file, not text")
                return
            if len(pending) < PART_BYTES and chunk:
                continue
            cut = len(pending) if not chunk else _paragraph_cut(pending)
            text, pending = pending[:cut], pending[cut:]
            if text.strip():
                part += 1
                article = Article.from_text(f"{source.id_base}#part{part}", text, path=str(source.path))
                title = title or article.title
                if part > 1:
                    article.title = f"{title} ({part})"
                yield _dated(article, source)
            if not chunk:
                break
        if part == 0:
            yield Problem(str(source.path), "empty file")


def _paragraph_cut(text: str) -> int:
    """Where to end a part: after the last blank line, else the last line."""
    for separator in ("\n\n", "\n", ". ", " "):
        at = text.rfind(separator, len(text) // 2)
        if at >= 0:
            return at + len(separator)
    return len(text)


# -- HTML -----------------------------------------------------------------


def _read_html(source: SourceFile) -> Iterator[Article | Problem]:
    size = source.path.stat().st_size
    if size > limits.MAX_HTML_BYTES:
        yield Problem(str(source.path), f"HTML page of {size / 1e6:.0f} MB, over the limit of "
                                        f"{limits.MAX_HTML_BYTES / 1e6:.0f} MB: not read")
        return
    import trafilatura  # heavy: loaded only when there is HTML to read

    data = source.path.read_bytes()
    if not data.strip():
        yield Problem(str(source.path), "empty file")
        return
    excess = limits.html_excess(data)
    if excess is not None:
        # lxml's parser slows down with the square of an element's attributes
        # (200,000 of them in 2.3 MB ran past 300 s): such a page is not read.
        yield Problem(str(source.path), f"{excess}: not read")
        return
    # A byte-order mark settles the encoding (trafilatura guesses from the
    # page and misreads a UTF-16 page cut short); without one, the page's own
    # charset is read by trafilatura.
    page: bytes | str | None = decode(data) if data.startswith(tuple(bom for bom, _ in _BOMS)) else data
    if page is None:
        yield Problem(str(source.path), "binary file, not text")
        return
    from trafilatura.settings import Document

    document = trafilatura.bare_extraction(page, with_metadata=True, favor_precision=True)
    text = document.text if isinstance(document, Document) else None
    if not isinstance(document, Document) or not text or not text.strip():
        yield Problem(str(source.path), "no article text found in this page")
        return
    from searchkit.articles.htmlmeta import clean_author, published_date, title_without_site

    # The extractor may take the modification date: the page's publication date comes first.
    stated = published_date(data.decode("utf-8", "replace") if isinstance(page, bytes) else page or "")
    metadata = {
        "title": title_without_site(document.title or "", document.sitename),
        "date": iso_date(stated) or iso_date(document.date),
        "author": clean_author(document.author),
        "url": document.url,
        "source": document.sitename,
    }
    yield _dated(Article.from_text(source.id_base, text, path=str(source.path), **metadata), source)


# -- JSON -----------------------------------------------------------------


def _json_loads(data: bytes | str) -> object:
    """JSON in UTF-8, -16 or -32 as json.loads reads it, or in Windows-1252
    (a legacy export), which text files are read in too. JSON nested deeper
    than Python's recursion limit is a ValueError, as invalid JSON is."""
    try:
        try:
            return json.loads(data)
        except UnicodeDecodeError:
            text = decode(data)  # type: ignore[arg-type]  # only bytes fail to decode
            if text is None:
                raise
            return json.loads(text)
    except RecursionError:
        raise ValueError("nested deeper than the limit of about 1,000 levels") from None


def _read_json(source: SourceFile) -> Iterator[Article | Problem]:
    size = source.path.stat().st_size
    if size > limits.MAX_JSON_FILE_BYTES:
        yield Problem(str(source.path), f"JSON file of {size / 1e6:.0f} MB, over the limit of "
                                        f"{limits.MAX_JSON_FILE_BYTES / 1e6:.0f} MB: not read "
                                        "(write it as JSON Lines, one article a line)")
        return
    try:
        record = _json_loads(source.path.read_bytes())
    except ValueError as error:  # UnicodeDecodeError too
        yield Problem(str(source.path), f"invalid JSON ({_json_error(error)})", getattr(error, "lineno", None))
        return
    records = record if isinstance(record, list) else [record]
    for number, item in enumerate(records, start=1):
        # Articles of a list are told apart by their place in it.
        yield from _with_warnings(_article_from_record(source, item, number if isinstance(record, list) else None, None))


class _ReadingClock:
    """The time spent reading one file, not counting the time its articles
    spend being indexed between two reads (the reader is paused at a yield)."""

    def __init__(self) -> None:
        self.spent = 0.0
        self.started = time.monotonic()

    def over(self) -> bool:
        return self.spent + time.monotonic() - self.started > limits.MAX_SECONDS_PER_FILE

    def pause(self) -> None:
        self.spent += time.monotonic() - self.started

    def resume(self) -> None:
        self.started = time.monotonic()


# A line holding something other than whitespace, found in C: a run of blank
# lines (a gzip of newlines) costs no Python step per line.
_FILLED_LINE: dict[type, re.Pattern] = {bytes: re.compile(rb"[^\S\n]*\S[^\n]*"),
                                        str: re.compile(r"[^\S\n]*\S[^\n]*")}


def _bounded_lines(stream) -> Iterator[tuple[int, bytes | str | None]]:
    """(number, line) of each line of ``stream`` that is not blank, read in
    blocks with at most MAX_JSON_LINE_BYTES of a line in memory: a longer
    line is read through to its end and given as None. An empty line is
    given at the end of each block."""
    limit = limits.MAX_JSON_LINE_BYTES
    number = 1  # of the line being read
    head: list = []  # the start of a line that runs past the block it began in
    head_size, skipping = 0, False  # skipping: the line is over the limit
    while block := stream.read(_BLOCK):
        newline, empty = (b"\n", b"") if isinstance(block, bytes) else ("\n", "")
        first = block.find(newline)
        start = 0
        if first < 0 or head or skipping:
            if first < 0:  # the line goes on past this block
                if not skipping:
                    head.append(block)
                    head_size += len(block)
                    skipping = head_size > limit
                yield number, empty
                continue
            line = None if skipping else empty.join(head) + block[:first]
            if line is None or len(line) > limit:
                yield number, None
            elif line.strip():
                yield number, line
            number += 1
            head, head_size, skipping, start = [], 0, False, first + 1
        cut = block.rfind(newline) + 1  # the lines that end in this block end there
        counted = start
        # A block of blank lines (a gzip of newlines) has none to find: the
        # expression would still try each of its characters.
        filled = _FILLED_LINE[type(block)].finditer(block, start, cut) if not block.isspace() else ()
        for found in filled:
            number += block.count(newline, counted, found.start())
            counted = found.start()
            line = found.group()
            yield number, line if len(line) <= limit else None
        number += block.count(newline, counted, cut)
        if cut < len(block):
            head, head_size = [block[cut:]], len(block) - cut
            skipping = head_size > limit
            if skipping:
                head = []
        yield number, empty  # the end of a block, blank or not: a time to check the limits
    if skipping:
        yield number, None
    elif head:
        line = "".join(head) if isinstance(head[0], str) else b"".join(head)
        if len(line) > limit:
            yield number, None
        elif line.strip():
            yield number, line


def _json_error(error: ValueError) -> str:
    """What is wrong, without json's own "line 1": the line given is the file's."""
    if isinstance(error, json.JSONDecodeError):
        # "Unterminated string starting at" ends with its own "at".
        return f"{error.msg.removesuffix(' at')} at column {error.colno}"
    return str(error)


def _read_jsonl(source: SourceFile, on_bytes: Callable[[int], None] | None = None) -> Iterator[Article | Problem]:
    path = str(source.path)
    compressed = source.path.name.lower().endswith(".gz")
    opener = gzip.open if compressed else open
    clock = _ReadingClock()
    with opener(source.path, "rb") as lines:
        raw_file = getattr(lines, "fileobj", lines)  # a compressed file's bytes on disk
        try:
            rows: Iterable[bytes | str] = lines
            if detect_encoding(lines.peek(4)[:4], lambda: True) == "utf-16":
                # UTF-16 lines do not end at the byte "\n": the file is decoded as it is read.
                rows = io.TextIOWrapper(lines, encoding="utf-16", errors="replace")
            for number, raw in _bounded_lines(rows):
                if raw is not None and not raw:  # the end of a block
                    if on_bytes is not None:
                        on_bytes(raw_file.tell())
                    if compressed and lines.tell() > limits.MAX_DECOMPRESSED_BYTES:
                        yield Problem(path, f"inflates past the limit of {limits.MAX_DECOMPRESSED_BYTES / 1e9:g} GB: "
                                            f"the rest of the file is not read (split it)", number)
                        return
                    if clock.over():
                        yield Problem(path, f"reading took over the limit of {limits.MAX_SECONDS_PER_FILE:g} s: "
                                            "the rest of the file is not read", number)
                        return
                    continue
                if raw is None:
                    yield Problem(path, f"line longer than the limit of {limits.MAX_JSON_LINE_BYTES / 1e6:g} MB: "
                                        "not read", number)
                    continue
                try:
                    record = _json_loads(raw)
                except ValueError as error:
                    yield Problem(path, f"invalid JSON ({_json_error(error)})", number)
                    continue
                clock.pause()
                yield from _with_warnings(_article_from_record(source, record, number, number))
                clock.resume()
        except (EOFError, gzip.BadGzipFile, OSError, zlib.error) as error:
            yield Problem(path, f"cannot read compressed file ({error})")


# Lone surrogates (a JSON "\\ud800") are not text: Python cannot encode them,
# and every query finding the article failed with UnicodeEncodeError.
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _with_warnings(items: Iterable[Article | Problem]) -> Iterator[Article | Problem]:
    """``items``, each article's lone surrogates replaced by U+FFFD, with a warning if it had any."""
    for item in items:
        if isinstance(item, Problem):
            yield item
            continue
        changed = False
        for name in ("id", "text", "title", "date", "url", "source", "author"):
            value = getattr(item, name)
            if isinstance(value, str) and _SURROGATE_RE.search(value):
                setattr(item, name, _SURROGATE_RE.sub("\ufffd", value))
                changed = True
        if changed:
            yield Notice(item.path, "lone surrogate code points (not text) replaced by U+FFFD", item.line)
        yield item


def _article_from_record(
    source: SourceFile, record: object, number: int | None, line: int | None
) -> Iterator[Article | Problem]:
    """``number`` tells apart articles without an id within one file; ``line``
    is the line of a JSON Lines file."""

    def problem(reason: str) -> Problem:
        where = "" if line is not None or number is None else f"item {number}: "
        return Problem(str(source.path), where + reason, line)

    if not isinstance(record, dict):
        yield problem("expected a JSON object")
        return
    # html.parser is loaded when JSON is read, not by every query.
    from searchkit.articles.markup import line_of_markup, text_of_markup

    # Markup in the text (an RSS description, a CMS export) is read as text.
    raw_text = _first_field(record, TEXT_FIELDS, text_only=True) or ""
    excess = limits.html_excess(raw_text) if "<" in raw_text else None
    if excess is not None:
        yield problem(f"{excess}, in its text: not read")
        return
    text = text_of_markup(raw_text)
    if not text.strip():
        yield problem('no "text" field (nor ' + ", ".join(f'"{name}"' for name in TEXT_FIELDS[1:])
                      + "), or it is empty")
        return
    lead = text_of_markup(_first_field(record, LEAD_FIELDS, text_only=True) or "").strip() or None
    if lead is not None and text.lstrip().startswith(lead):
        lead = None  # the text opens with it already
    if lead is not None:
        # The newsroom's lead (chapô) opens the article, as on its page.
        text = f"{lead}\n\n{text}"
    raw_id = record.get("id")
    if raw_id not in (None, ""):
        article_id = str(raw_id)
    else:
        article_id = source.id_base if number is None else f"{source.id_base}#{number}"
    metadata = {}
    for name, names in METADATA_FIELDS.items():
        value = _first_field(record, names)
        if value is not None and name in MARKUP_FIELDS:
            value = line_of_markup(value) or None
        if value is not None:
            metadata[name] = value
    if "date" in metadata:
        given = metadata["date"]
        metadata["date"] = iso_date(given)  # type: ignore[assignment]
        if metadata["date"] is None:
            where = "" if line is not None or number is None else f"item {number}: "
            yield Notice(str(source.path), f"{where}date {given!r} cannot be read (write 2016-10-25); "
                                           "the article is ingested without it", line)
            del metadata["date"]
    article = Article.from_text(article_id, text, path=str(source.path), line=line, **metadata)
    if lead is not None:
        article.body_start = 0  # a short lead is not a headline: its passage is shown
    yield article


def _first_field(record: dict, names: tuple[str, ...], text_only: bool = False) -> str | None:
    """The value of the first of ``names`` that ``record`` holds, not empty, as
    text: a string, else (unless ``text_only``) a number, or a list such as
    news-please's authors, joined with commas."""
    for name in names:
        value = record.get(name)
        if not text_only:
            if isinstance(value, list):
                value = ", ".join(str(item) for item in value if item not in (None, ""))
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                value = str(value)
        if isinstance(value, str) and value.strip():
            return value
    return None


_READERS: dict[str, Callable[[SourceFile], Iterator[Article | Problem]]] = {
    **{ext: _read_text for ext in TEXT_EXTENSIONS},
    **{ext: _read_html for ext in HTML_EXTENSIONS},
    **{ext: _read_json for ext in JSON_EXTENSIONS},
    **{ext: _read_jsonl for ext in JSONL_EXTENSIONS},
}
