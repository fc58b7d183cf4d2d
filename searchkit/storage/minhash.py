"""Near copies of an article: a MinHash signature of its text, and the groups
of copies an index's signatures make.

The signature is that of the set of 5-word shingles of the text's analysed
terms (stems, stop words out, accents folded): a new headline, a cut
paragraph, an added sentence or agency line change few shingles, while two
articles on the same story written apart share almost none. Each of the
PERMUTATIONS values is the least of a multiply-shift hash over the shingles;
the share of values two signatures hold in common estimates the Jaccard
similarity of their shingle sets.

Groups: articles are taken in order of date (undated last), then id; each
joins the group of the first earlier leader whose estimated similarity
reaches COPY_SIMILARITY, else leads a group of its own. Candidates are found
by banding (LSH): the signature cut into bands of BAND_ROWS values, two
articles being candidates when a whole band is equal. The groups are a
function of the articles alone, whatever the order they were ingested in:
an index and one built fresh from the same articles hold the same groups.
"""

from __future__ import annotations

import zlib
from typing import Iterable, Sequence

import numpy as np

SHINGLE_WORDS = 5
# A text of fewer analysed terms (about 60 words) is in no group: a brief
# or a template line ("Le village numéro 7") differs from the next by a word
# or two, and its few shingles say too little to call it a copy.
MIN_TERMS = 30
PERMUTATIONS = 120
# 40 bands of 3: a pair at similarity 0.5 is a candidate with p 0.995, at 0.2 with p 0.28.
BAND_ROWS = 3
# On 453 copies made from OrangeSum articles (bench/copies.py: a new headline,
# a paragraph cut, a sentence and an agency line added; 88% of the words kept,
# median), pair precision 0.981 and recall 0.972 at 0.5; 0.45: 0.981, 0.988;
# 0.6: 0.982, 0.866; 0.8: 0.984, 0.163. Cut harder (--cut 0.25: 83% of the
# words kept, median), 0.5: 0.979, 0.947 (0.911 of the copies keeping 80% or
# less); 0.45: 0.978, 0.982 (0.933); 0.4: 0.972, 0.987. Each edit breaks the 4
# shingles that cross it, so a copy keeps far fewer of the shingles than of the words.
COPY_SIMILARITY = 0.45

_MASK32 = np.uint64(0xFFFFFFFF)
_random = np.random.default_rng(20161125)
# Odd multipliers and any offsets of 64 bits: h(x) = (a x + b) mod 2^64, top 32 bits.
_MULTIPLIERS = (_random.integers(0, 2**63, PERMUTATIONS, dtype=np.uint64) << np.uint64(1)) | np.uint64(1)
_OFFSETS = _random.integers(0, 2**63, PERMUTATIONS, dtype=np.uint64)
_term_hashes: dict[str, int] = {}


def _term_hash_array(terms: Sequence[str]) -> np.ndarray:
    """The CRC-32 of each term (stable across processes, unlike hash()),
    looked up in C through a cache the worker keeps."""
    cache = _term_hashes
    for term in set(terms).difference(cache):
        cache[term] = zlib.crc32(term.encode("utf-8", "surrogatepass"))
    return np.array(list(map(cache.__getitem__, terms)), dtype=np.uint64)


def signature(terms: Sequence[str]) -> bytes:
    """The MinHash signature of the shingles of ``terms`` (PERMUTATIONS
    little-endian 32-bit values); empty for a text of fewer than MIN_TERMS."""
    if len(terms) < MIN_TERMS:
        return b""
    hashes = _term_hash_array(terms)
    count = len(hashes) - SHINGLE_WORDS + 1
    shingles = hashes[:count].copy()
    with np.errstate(over="ignore"):
        for offset in range(1, SHINGLE_WORDS):
            shingles = shingles * np.uint64(0x100000001B3) ^ hashes[offset:offset + count]
        shingles = np.unique(shingles)
        values = (shingles[:, None] * _MULTIPLIERS[None, :] + _OFFSETS[None, :]) >> np.uint64(32)
    return values.min(axis=0).astype("<u4").tobytes()


def similarity(first: bytes, second: bytes) -> float:
    """The estimated Jaccard similarity of the shingle sets of two signatures."""
    if not first or len(first) != len(second):
        return 0.0
    a, b = np.frombuffer(first, dtype="<u4"), np.frombuffer(second, dtype="<u4")
    return float(np.count_nonzero(a == b)) / len(a)


def copy_groups(articles: Iterable[tuple[str, str | None, bytes]],
                threshold: float = COPY_SIMILARITY) -> list[list[str]]:
    """The groups of two articles or more among ``articles`` (id, date,
    signature), each in order of date (undated last), then id: its first
    is the leader. Sorted by leader."""
    # The dates of the index's articles are ISO: they sort as text.
    ordered = sorted((item for item in articles if len(item[2]) == 4 * PERMUTATIONS),
                     key=lambda item: (item[1] is None, item[1] or "", item[0]))
    if len(ordered) < 2:
        return []
    matrix = np.frombuffer(b"".join(item[2] for item in ordered), dtype="<u4").reshape(len(ordered), PERMUTATIONS)
    keys = _band_keys(matrix)
    buckets: dict[tuple[int, int], list[int]] = {}  # (band, key) -> the leaders holding it, in order
    leader_of: dict[int, int] = {}
    for number in _colliding(keys):
        row = matrix[number]
        candidates = sorted({leader for band, key in enumerate(keys[number].tolist())
                             for leader in buckets.get((band, key), ())})
        chosen = next((leader for leader in candidates
                       if np.count_nonzero(matrix[leader] == row) >= threshold * PERMUTATIONS), None)
        if chosen is not None:
            leader_of[number] = chosen
            continue
        for band, key in enumerate(keys[number].tolist()):
            buckets.setdefault((band, key), []).append(number)
    members: dict[int, list[str]] = {}
    for number, leader in sorted(leader_of.items()):
        members.setdefault(leader, [ordered[leader][0]]).append(ordered[number][0])
    return [members[leader] for leader in sorted(members)]


def _band_keys(matrix: np.ndarray) -> np.ndarray:
    """One 64-bit key per band of each signature (articles x bands)."""
    bands = matrix.reshape(len(matrix), PERMUTATIONS // BAND_ROWS, BAND_ROWS).astype(np.uint64)
    keys = np.zeros(bands.shape[:2], dtype=np.uint64)
    with np.errstate(over="ignore"):
        for row in range(BAND_ROWS):
            keys = keys * np.uint64(0x100000001B3) ^ bands[:, :, row]
    return keys


def _colliding(keys: np.ndarray) -> list[int]:
    """The articles sharing a band's key with another, in order: the only
    ones that may be in a group, found without a loop over the others."""
    hit = np.zeros(len(keys), dtype=bool)
    for band in range(keys.shape[1]):
        column = keys[:, band]
        order = np.argsort(column, kind="stable")
        same = column[order][1:] == column[order][:-1]
        hit[order[1:][same]] = True
        hit[order[:-1][same]] = True
    return np.flatnonzero(hit).tolist()
