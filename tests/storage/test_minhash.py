"""Signatures of texts and the groups of copies they make: copies as other
sites make them of a dispatch are grouped, articles on the same story are not."""

import os
import random
import subprocess
import sys

from searchkit.analysis.french import index_tokens
from searchkit.storage import minhash
from tests.copies import article, copy_of, same_story


def signed(item):
    return item["id"], item["date"], minhash.signature([term for term, _ in index_tokens(item["text"])])


def test_a_copy_is_similar_and_an_article_on_the_same_story_is_not():
    rng = random.Random(3)
    for number in range(20):
        original = article(rng, f"o{number}")
        copy, story, other = copy_of(original, rng, "c"), same_story(original, rng, "s"), article(rng, "x")
        first = signed(original)[2]
        assert minhash.similarity(first, signed(copy)[2]) >= minhash.COPY_SIMILARITY
        assert minhash.similarity(first, signed(story)[2]) < 0.2
        assert minhash.similarity(first, signed(other)[2]) < 0.2


def test_the_signature_is_the_same_in_every_process():
    # Python's hash() changes with each process: an index's signatures must not.
    text = "La crue de la Seine inquiète les riverains du quartier de Bercy depuis mardi soir. " * 8
    code = ("import sys; from searchkit.analysis.french import index_tokens; from searchkit.storage import minhash; "
            "print(minhash.signature([t for t, _ in index_tokens(sys.argv[1])]).hex())")
    made = {subprocess.run([sys.executable, "-c", code, text], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout.strip() for seed in (1, 2)}
    assert made == {minhash.signature([term for term, _ in index_tokens(text)]).hex()}


def test_a_short_text_has_no_signature_and_is_in_no_group():
    short = [("a", "2024-01-01", minhash.signature(["village", "numero", str(n)] * 3)) for n in range(3)]
    assert all(signature == b"" for _, _, signature in short)
    assert minhash.copy_groups(short) == []


def test_copies_are_grouped_under_the_earliest_dated_and_stories_apart_are_not():
    rng = random.Random(5)
    originals = [article(rng, f"o{n}", date=f"2024-03-{10 + n:02d}") for n in range(6)]
    items = list(originals)
    for number, original in enumerate(originals[:4]):
        # The copies come out later, the first of them a day before its original is dated.
        items += [copy_of(original, rng, f"o{number}-c{k}", date=f"2024-04-0{k + 1}") for k in range(3)]
        items.append(same_story(original, rng, f"o{number}-s"))
    earlier = copy_of(originals[4], rng, "early", date="2024-03-01")
    items.append(earlier)
    rng.shuffle(items)
    groups = minhash.copy_groups([signed(item) for item in items])
    expected = [[f"o{n}", *(f"o{n}-c{k}" for k in range(3))] for n in range(4)] + [["early", "o4"]]
    assert sorted(groups) == sorted(expected)


def test_the_groups_do_not_depend_on_the_order_articles_come_in():
    rng = random.Random(8)
    originals = [article(rng, f"o{n}") for n in range(5)]
    items = [signed(item) for item in originals + [copy_of(o, rng, f"{o['id']}-c") for o in originals]]
    first = minhash.copy_groups(items)
    rng.shuffle(items)
    assert minhash.copy_groups(items) == first and len(first) == 5
