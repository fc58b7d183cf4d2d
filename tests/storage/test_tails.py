"""A common term's tail reads back its document numbers and weights."""

import numpy as np
import pytest

from searchkit.storage.tails import MAX_TABLED_WEIGHTS, encode_tail, read_tail


class Postings:
    """A postings file: a posting list's blocks, then its tail."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def get(self, offset: int, length: int) -> bytes:
        return self.data[offset:offset + length]


def _weights(kind: str, count: int, rng) -> list[float] | None:
    if kind == "none":
        return None
    if kind == "frequencies":
        return [float(w) for w in rng.integers(1, 40, count)]
    if kind == "title weighted":
        return [f * 1.5 + t * 3.0 for f, t in zip(rng.integers(1, 30, count), rng.integers(0, 2, count))]
    return list(rng.random(count) * 100)  # more distinct values than a table holds


@pytest.mark.parametrize("kind", ["none", "frequencies", "title weighted", "many"])
def test_the_tail_gives_back_what_was_written(kind):
    rng = np.random.default_rng(4)
    count = 3000
    docnums = np.sort(rng.choice(2**31, count, replace=False)).tolist()
    weights = _weights(kind, count, rng)
    starts = list(range(4, 4 + 24 * -(-count // 128), 24))
    blocks = b"\x00" * 5000  # what Whoosh reads, before the tail
    tail_bytes = encode_tail(docnums, weights, starts, 128)
    postfile = Postings(b"pad" + blocks + tail_bytes)
    tail = read_tail(postfile, 3, len(blocks) + len(tail_bytes), count)
    assert tail is not None
    assert tail.ids.tolist() == docnums
    expected = np.ones(count) if weights is None else np.asarray(weights, dtype=np.float32).astype(np.float64)
    assert tail.weights.tolist() == expected.tolist()
    assert tail.block_starts.tolist() == starts and tail.blocks_end == len(blocks) and tail.block_size == 128
    if kind != "many":  # frequencies take a byte each
        assert len(tail_bytes) < count * 4 + count + 4 * MAX_TABLED_WEIGHTS + len(starts) * 4 + 64


def test_a_posting_list_without_a_tail_or_of_another_count_has_none():
    tail_bytes = encode_tail(list(range(0, 4000, 2)), None, [4], 2000)
    postfile = Postings(b"\x00" * 100 + tail_bytes)
    assert read_tail(postfile, 0, 100 + len(tail_bytes), 1999) is None  # the term info says otherwise
    assert read_tail(Postings(b"\x00" * 500), 0, 500, 2000) is None
