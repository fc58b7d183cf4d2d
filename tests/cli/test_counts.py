"""searchkit query --facets and --timeline: counts of every matching article,
checked against the articles of the index enumerated."""

from __future__ import annotations

import json
from collections import Counter

from searchkit.index import Index
from tests.helpers import one_line, run


def _matching(index_path, text: str, **filters: str):
    with Index(index_path, create=False) as index:
        ids = {article_id for article_id, _ in index.rank_articles(text, limit=len(index) + 1, **filters)}
        return [article for article in index.articles() if article.id in ids]


def test_json_counts_every_matching_article(seeds_index):
    result = run("query", "gouvernement -Grèce", "--index", seeds_index, "--facets", "month,source,author",
                 "--timeline-unit", "month", "--format", "json", "-n", "2")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    articles = _matching(seeds_index, "gouvernement -Grèce")
    assert len(data["hits"]) == 2 < data["matched"] == len(articles)
    assert {value: count for value, count in data["facets"]["source"]["counts"]} == \
        Counter(a.source for a in articles if a.source)
    assert data["facets"]["source"]["missing"] == sum(not a.source for a in articles)
    months = Counter(a.date[:7] for a in articles if a.date)
    assert {month: count for month, count in data["facets"]["month"]["counts"]} == months
    assert data["timeline"]["unit"] == "month"
    assert {period: count for period, count in data["timeline"]["periods"] if count} == months
    assert data["timeline"]["undated"] == sum(not a.date for a in articles)


def test_jsonl_of_a_batch_counts_each_query_with_its_filters(seeds_index, tmp_path):
    batch = tmp_path / "queries.tsv"
    batch.write_text("1\tMossoul\n2\tgouvernement\n", "utf-8")
    result = run("query", "--batch", batch, "--index", seeds_index, "--timeline", "--since", "2016-10",
                 "--format", "jsonl")
    assert result.exit_code == 0, result.output
    for line, text in zip(result.stdout.splitlines(), ["Mossoul", "gouvernement"]):
        data = json.loads(line)
        articles = _matching(seeds_index, text, since="2016-10")
        assert data["matched"] == len(articles) == sum(count for _, count in data["timeline"]["periods"])
        assert data["timeline"]["undated"] == 0 and data["facets"] == {}


def test_text_shows_a_table_and_a_bar_chart_apart_from_piped_hits(seeds_index):
    result = run("query", "gouvernement", "--index", seeds_index, "--facets", "source", "--timeline")
    assert result.exit_code == 0, result.output
    matched = len(_matching(seeds_index, "gouvernement"))
    assert "source:" not in result.stdout and "█" not in result.stdout  # hit lines only
    assert f"source: {matched} articles" in result.stderr
    assert "Wikinews" in result.stderr
    chart = [line for line in result.stderr.splitlines() if line.rstrip().endswith(tuple("█▏▎▍▌▋▊▉"))]
    assert chart and sum(int(line.split()[1]) for line in chart) <= matched


def test_a_wrong_facet_name_or_trec_output_gets_one_line(seeds_index):
    line = one_line(run("query", "Mossoul", "--index", seeds_index, "--facets", "month,pays"))
    assert "no facet 'pays': use month, source, author" in line
    line = one_line(run("query", "Mossoul", "--index", seeds_index, "--timeline", "--format", "trec"))
    assert "not trec" in line
