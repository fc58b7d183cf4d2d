"""`searchkit similar`: the articles closest to one, in the outputs of `query`."""

import json

from tests.helpers import SEED_ID, one_line, run


def test_similar_prints_other_articles_as_json(seeds_index):
    result = run("similar", SEED_ID, "--index", seeds_index, "--format", "json", "-n", "3")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["query"] == SEED_ID
    assert len(data["hits"]) == 3
    assert SEED_ID not in [hit["article_id"] for hit in data["hits"]]
    assert all(hit["highlights"] or hit["title_highlights"] for hit in data["hits"])


def test_similar_writes_one_json_line_and_piped_lines(seeds_index):
    jsonl = run("similar", SEED_ID, "--index", seeds_index, "--format", "jsonl", "--limit", "2")
    assert jsonl.exit_code == 0, jsonl.output
    assert len(jsonl.output.strip().splitlines()) == 1
    assert len(json.loads(jsonl.output)["hits"]) == 2
    text = run("similar", SEED_ID, "--index", seeds_index, "-n", "2")
    assert text.exit_code == 0, text.output
    lines = [line for line in text.output.splitlines() if line.startswith(("1\t", "2\t"))]
    assert len(lines) == 2 and "[[" in text.output


def test_an_unknown_id_is_one_line(seeds_index):
    line = one_line(run("similar", "nope.txt", "--index", seeds_index))
    assert "no article 'nope.txt'" in line


def test_a_missing_index_is_one_line(tmp_path):
    assert "no index at" in one_line(run("similar", SEED_ID, "--index", tmp_path / "none"))
