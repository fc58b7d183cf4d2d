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

# -- files ---------------------------------------------------------------------
# A .jsonl.gz inflates to at most this many bytes (OrangeSum's 31k articles: 75 MB).
MAX_DECOMPRESSED_BYTES = 2_000_000_000
# One JSON Lines line, one .json file: the longest news article is under 1 MB.
MAX_JSON_LINE_BYTES = 20_000_000
MAX_JSON_FILE_BYTES = 200_000_000
# Arrays and objects inside one another in a JSON record (news-please: 3).
MAX_JSON_NESTING = 64
# A saved news page is under 5 MB, with some thousands of elements.
MAX_HTML_BYTES = 20_000_000
MAX_HTML_ELEMENTS = 200_000
# Reading one file (parsing, extracting; not indexing) ends after this long.
MAX_SECONDS_PER_FILE = 120.0
