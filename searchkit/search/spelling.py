"""Spelling: a typed word found in no article (or in very few) is searched as
the closest word of the index too, and given back as "did you mean".

Whoosh finds the words within some edits of a typed one by walking a
Levenshtein automaton over the term file, one binary search of the whole file
(every field's terms) per step of the walk: about 900 searches, 0.13 s, for
"Mosoul" in an index of 31,034 articles. The words the walk can reach all
share the typed word's first letter (SPELLING_PREFIX); they lie side by side
in the term file, so they are read here in one piece, kept for the life of the
segment's reader, and measured against the typed word by rapidfuzz's
Levenshtein distance (in C, with a cut-off): the same words as the automaton
(its own walk in Python took 0.02 s a word, most of a long query's time).
"""

from __future__ import annotations

import struct
import weakref
from collections import Counter

from whoosh.codec.whoosh3 import W3TermsReader
from whoosh.filedb.filetables import OrderedHashReader
from whoosh.support.levenshtein import damerau_levenshtein

from searchkit.analysis.french import fold, masculine, singular
from searchkit.ranking.exactwords import WORDS_FIELD
from searchkit.limits import MAX_SPELLED_WORD_CHARS, MAX_SPELLED_WORDS
from searchkit.search.results import Hit

# A typed word found in no article may be a typo; one found in fewer than
# RARE_WORD_ARTICLES too, when the query finds fewer than FEW_RESULTS.
RARE_WORD_ARTICLES = 3
FEW_RESULTS = 3
# Corrections keep the typed word's first letter, as Elasticsearch's term
# suggester does by default (prefix_length 1): typos there are rare, and only
# the words of that letter are read.
SPELLING_PREFIX = 1

_RECORD_HEAD = struct.Struct("!ii")  # key length, value length: OrderedHashReader's records
_FIELD_NUMBER = struct.Struct("!H")  # W3TermsReader's keys: field number, then the term


def corrections(searcher, typed: list[tuple[str, str]], rare_only: bool) -> dict[str, str]:
    """Likely spellings of typed words found nowhere (or, unless ``rare_only``,
    in few articles), the first MAX_SPELLED_WORDS of them: the closest word of the index with the same first letter
    (Damerau-Levenshtein, at most 2 edits, 1 for short words), the most
    frequent among equals, and more frequent than the word typed."""
    reader = searcher.reader()
    found = {}
    searched = 0
    for word in to_correct(typed):
        seen = reader.doc_frequency(WORDS_FIELD, word)
        if seen >= (1 if rare_only else RARE_WORD_ARTICLES):
            continue
        searched += 1
        if searched > MAX_SPELLED_WORDS:
            break
        # Per segment: Whoosh's reader of several segments would compare the
        # word with every word of the index.
        # Not the word's own plural or feminine ("immolations" for "immolation"): searched already.
        base = _base(word)
        candidates = {c for leaf, _ in reader.leaf_readers() for c in words_within(leaf, word, max_edits(word))
                      if _base(c) != base}
        best = closest(word, seen, {c: reader.doc_frequency(WORDS_FIELD, c) for c in candidates})
        if best is not None:
            found[word] = best
    return found


def _base(word: str) -> str:
    return masculine(singular(word))


def to_correct(typed: list[tuple[str, str]]) -> list[str]:
    """The typed (folded) words a spelling may correct."""
    return [word for _, word in typed if word.isalpha() and 4 <= len(word) <= MAX_SPELLED_WORD_CHARS]


def max_edits(word: str) -> int:
    return 1 if len(word) < 6 else 2


def closest(word: str, seen: int, candidates: dict[str, int]) -> str | None:
    """Of ``candidates`` (word -> articles holding it), the one to search for
    ``word`` (found in ``seen`` articles): the fewest edits away, within
    max_edits, then the most frequent, and more frequent than ``word``."""
    best = None
    for candidate in sorted(candidates):
        if candidate == word:
            continue
        distance, frequency = damerau_levenshtein(word, candidate), candidates[candidate]
        key = (distance, -frequency)
        if distance <= max_edits(word) and frequency > seen and (best is None or key < best[0]):
            best = (key, candidate)
    return None if best is None else best[1]


def words_within(leaf, word: str, maxdist: int) -> list[str]:
    """The words of one segment's ``words`` field at most ``maxdist`` edits
    from ``word`` that start with its first SPELLING_PREFIX letters, as
    Whoosh's ``terms_within`` finds them."""
    terms = getattr(leaf, "_terms", None)
    if not (isinstance(terms, W3TermsReader) and isinstance(terms._tindex, OrderedHashReader)):
        return list(leaf.terms_within(WORDS_FIELD, word, maxdist, prefix=SPELLING_PREFIX))
    # Loaded here: most queries correct nothing, and a query from the
    # terminal need not wait for it.
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    words = _words_starting(terms, word[:SPELLING_PREFIX])
    # All share the prefix, so the distance of the words is that of the rest
    # of them, as the automaton (the prefix fixed, edits after it) counts it.
    return [found for found, _, _ in
            process.extract(word, words, scorer=Levenshtein.distance, score_cutoff=maxdist, limit=None)]


# A segment's words by first letters, kept while its reader lives: segments
# never change, and reading the words of one letter takes tens of milliseconds.
_WORDS_READ: weakref.WeakKeyDictionary[W3TermsReader, dict[str, list[str]]] = weakref.WeakKeyDictionary()


def _words_starting(terms: W3TermsReader, prefix: str) -> list[str]:
    """The words of the ``words`` field starting with ``prefix``, in order,
    from one read of the term file (then kept)."""
    read = _WORDS_READ.setdefault(terms, {})
    words = read.get(prefix)
    if words is None:
        words = read[prefix] = _read_words_starting(terms, prefix)
    return words


def _read_words_starting(terms: W3TermsReader, prefix: str) -> list[str]:
    if WORDS_FIELD not in terms._fieldmap:
        return []
    table = terms._tindex
    number = terms._fieldmap[WORDS_FIELD]
    low = _FIELD_NUMBER.pack(number) + prefix.encode("utf-8")
    # Folded words are ASCII letters and digits: the prefix's last letter plus
    # one bounds them (the next field's number when there is no prefix).
    high = low[:-1] + bytes([low[-1] + 1]) if prefix else _FIELD_NUMBER.pack(number + 1)
    start = table.closest_key_pos(low)
    if start is None:
        return []
    end = table.closest_key_pos(high)
    data = table.dbfile.get(start, (table.endofdata if end is None else end) - start)
    words = []
    position = 0
    head = _RECORD_HEAD.size + _FIELD_NUMBER.size
    while position < len(data):
        key_length, value_length = _RECORD_HEAD.unpack_from(data, position)
        words.append(data[position + head:position + _RECORD_HEAD.size + key_length].decode("utf-8"))
        position += _RECORD_HEAD.size + key_length + value_length
    return words


def suggestion(text: str, typed: list[tuple[str, str]], corrections: dict[str, str], hits: list[Hit]) -> str:
    """The query as the user would have typed it with the corrected words,
    each as most of the articles found write it ("Mossoul", not "mossoul";
    "musulmans" even when the best one writes "Musulmans")."""
    forms: dict[str, Counter[str]] = {}
    for hit in hits:
        for surface in dict.fromkeys(hit.text[start:end] for start, end in hit.highlights):  # once a hit
            word = fold(surface)
            if word in corrections.values():
                forms.setdefault(word, Counter())[surface] += 1
    # The most frequent form; of forms as frequent, the one the best hit writes first.
    written = {word: counted.most_common(1)[0][0] for word, counted in forms.items()}
    for surface, word in typed:
        if word in corrections:
            corrected = corrections[word]
            text = text.replace(surface, written.get(corrected, corrected), 1)
    return text
