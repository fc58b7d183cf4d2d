"""Bounds that no real news file or query reaches, so that a hostile one costs
bounded memory and time. Each is named in the one-line problem or QueryError
given when it is passed.
"""

from __future__ import annotations

# -- queries -----------------------------------------------------------------
# A pasted abstract is a few dozen words, a pasted article a few hundred.
MAX_QUERY_WORDS = 1_000
# "anticonstitutionnellement" is 25 letters; a URL pasted with --plain 200.
MAX_QUERY_WORD_CHARS = 200
# Parentheses and NOTs inside one another.
MAX_QUERY_NESTING = 32
# The closest-spelling search compares a word with the index's words through
# an automaton whose size grows with the word: no typo suggestion past this.
MAX_SPELLED_WORD_CHARS = 40
# A pasted paragraph holds names found nowhere: past this many, a word's
# absence changes little, and each search of its spelling costs milliseconds.
MAX_SPELLED_WORDS = 4

# -- files ---------------------------------------------------------------------
# A .jsonl.gz inflates to at most this many bytes (OrangeSum's 31,034 articles: 74 MB).
MAX_DECOMPRESSED_BYTES = 2_000_000_000
# One JSON Lines line, one .json file: the longest news article is under 1 MB.
MAX_JSON_LINE_BYTES = 20_000_000
MAX_JSON_FILE_BYTES = 100_000_000
# JSON nested deeper than Python's recursion limit (about 1,000 levels) is
# refused as invalid (news-please nests 3 deep).
# A saved news page is under 5 MB, with some thousands of elements of a few
# attributes each; the parser's time grows with the square of an element's
# attributes.
MAX_HTML_BYTES = 20_000_000
MAX_HTML_ELEMENTS = 200_000
MAX_HTML_ATTRIBUTES = 1_000
# Reading one file (parsing, extracting; not indexing) ends after this long.
MAX_SECONDS_PER_FILE = 120.0


def html_excess(page: bytes | str) -> str | None:
    """Why ``page`` is past the HTML limits, or None: its elements are counted
    by their "<", an element's attributes by the "=" inside its tag (a data:
    URI's padding included, which only overcounts), in one linear pass."""
    lt, gt, eq = ("<", ">", "=") if isinstance(page, str) else (b"<", b">", b"=")
    elements = page.count(lt)  # type: ignore[arg-type]
    if elements > MAX_HTML_ELEMENTS:
        return f"HTML of {elements} elements, over the limit of {MAX_HTML_ELEMENTS}"
    start = page.find(lt)  # type: ignore[arg-type]
    while start >= 0:
        end = page.find(gt, start)  # type: ignore[arg-type]
        if end < 0:
            end = len(page)
        if page.count(eq, start, end) > MAX_HTML_ATTRIBUTES:  # type: ignore[arg-type]
            return f"an HTML element with over {MAX_HTML_ATTRIBUTES} attributes, the limit"
        start = page.find(lt, end)  # type: ignore[arg-type]
    return None
