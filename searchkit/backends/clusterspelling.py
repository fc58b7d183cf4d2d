"""Did you mean, on a cluster index: the words of the index close to a
typed one found by the cluster's term suggester (same first letter, at most
2 edits), then the one searched chosen by the embedded index's own rule
(searchkit.search.spelling.closest) from their article counts."""

from __future__ import annotations

from searchkit.backends.cluster import OpenSearchBackend
from searchkit.ranking.exactwords import WORDS_FIELD
from searchkit.search.spelling import RARE_WORD_ARTICLES, SPELLING_PREFIX, closest, max_edits, to_correct

# Words the suggester gives for a typed word, at most.
CANDIDATES = 50


def corrections(backend: OpenSearchBackend, typed: list[tuple[str, str]], rare_only: bool) -> dict[str, str]:
    """searchkit.search.spelling.corrections on the cluster."""
    words = list(dict.fromkeys(to_correct(typed)))
    if not words:
        return {}
    _, seen, _ = backend.statistics(WORDS_FIELD, words)
    wanted = [word for word in words if seen[word] < (1 if rare_only else RARE_WORD_ARTICLES)]
    if not wanted:
        return {}
    suggest = {f"w{n}": {"text": word, "term": {
        "field": WORDS_FIELD, "suggest_mode": "always", "prefix_length": SPELLING_PREFIX,
        "max_edits": max_edits(word), "min_word_length": 4, "size": CANDIDATES, "max_term_freq": 0.99,
        "string_distance": "damerau_levenshtein", "sort": "frequency"}} for n, word in enumerate(wanted)}
    answer = backend.search({"size": 0, "suggest": suggest}, "looking for spellings")
    found = {}
    for n, word in enumerate(wanted):
        options = {option["text"] for entry in answer["suggest"][f"w{n}"] for option in entry["options"]}
        if not options:
            continue
        # The suggester's frequencies are per shard: the counts of the whole index decide.
        _, counts, _ = backend.statistics(WORDS_FIELD, sorted(options))
        best = closest(word, seen[word], counts)
        if best is not None:
            found[word] = best
    return found
