"""Facets and timelines count every article a query matches: checked against
counts made here by enumerating every article of the index."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from datetime import date

import pytest

from searchkit.analysis.french import analyze, truncated
from searchkit.errors import QueryError
from searchkit.index import Index
from tests.helpers import SEEDS

SOURCES = ("Le Journal", "La Gazette", None)
AUTHORS = ("Jean Martin", "Marie Durand", "Paul Leroy", None)
# Each article holds some of these: "vendangeurs" is of the family of
# "vendanges" (same first letters, not the same stem).
WORDS = ("vendanges", "vendangeurs", "grêle", "récolte", "incendie")


def _article(number: int) -> dict[str, object]:
    words = [word for bit, word in enumerate(WORDS) if (number * 7 + 3) >> bit & 1] or ["orage"]
    article: dict[str, object] = {
        "id": f"synth{number}",
        "title": f"Chronique {number} de la campagne",
        "text": f"Dans la vallée, {' et '.join(words)} occupent le village numéro {number}.",
    }
    if number % 5:  # every fifth undated
        article["date"] = date(2016 + number % 3, 1 + number * 5 % 12, 1 + number * 11 % 28).isoformat()
    source, author = SOURCES[number % 3], AUTHORS[number % 4]
    if source:
        article["source"] = source
    if author:
        article["author"] = author
    return article


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The seeds and 60 small articles of known dates, sources and authors."""
    folder = tmp_path_factory.mktemp("corpus")
    shutil.copytree(SEEDS, folder / "seeds")
    (folder / "synth.jsonl").write_text(
        "".join(json.dumps(_article(n), ensure_ascii=False) + "\n" for n in range(60)), "utf-8")
    path = folder / "index"
    with Index(path) as index:
        index.ingest([folder / "seeds", folder / "synth.jsonl"])
    return folder, path


def _holding(index: Index, text: str) -> set[str]:
    """The ids of the articles holding a word of ``text`` or of its family,
    read from every article's analysed title and text."""
    tokens = list(analyze(text))
    terms, families = {t.term for t in tokens}, {truncated(t.word) for t in tokens}
    return {article.id for article in index.articles()
            if any(t.term in terms or truncated(t.word) in families for t in analyze(f"{article.title}\n{article.text}"))}


def _all_ranked(index: Index, text: str, **filters: str) -> set[str]:
    """The ids of every article the ranked query finds, asked for all of them."""
    return {article_id for article_id, _ in index.rank_articles(text, limit=len(index) + 1, **filters)}


def _week(day: str) -> str:
    year, week, _ = date.fromisoformat(day).isocalendar()
    return f"{year}-W{week:02d}"


def _expected(index: Index, ids: set[str], since: str | None = None):
    """matched, facets as {name: (Counter, missing)}, and dated articles per
    day, counted from every article of the index."""
    articles = [a for a in index.articles() if a.id in ids and (since is None or (a.date or "") >= since)]
    counts = {"month": Counter(a.date[:7] for a in articles if a.date),
              "source": Counter(a.source for a in articles if a.source),
              "author": Counter(a.author for a in articles if a.author)}
    missing = {"month": sum(not a.date for a in articles), "source": sum(not a.source for a in articles),
               "author": sum(not a.author for a in articles)}
    return len(articles), {name: (counts[name], missing[name]) for name in counts}, \
        Counter(a.date for a in articles if a.date)


def _check(result, matched, facets, days, unit: str) -> None:
    assert result.matched == matched
    for name, (counts, missing) in facets.items():
        facet = result.facets[name]
        assert dict(facet.counts) == counts and facet.missing == missing, name
        assert [count for _, count in facet.counts] == sorted(counts.values(), reverse=True)
    period = {"day": lambda d: d, "week": _week, "month": lambda d: d[:7], "year": lambda d: d[:4]}[unit]
    by_period: Counter[str] = Counter()
    for day, count in days.items():
        by_period[period(day)] += count
    timeline = result.timeline
    assert timeline.unit == unit
    assert {p: c for p, c in timeline.periods if c} == by_period
    assert timeline.undated == matched - sum(days.values())
    assert timeline.periods[0][0] == min(by_period) and timeline.periods[-1][0] == max(by_period)
    labels = [p for p, _ in timeline.periods]
    assert labels == sorted(set(labels))  # in order, each period once


ALL = ("month", "source", "author")


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("text", ["vendanges", "grêle récolte", "incendie vendanges orage"])
def test_a_word_query_counts_every_article_holding_a_word_or_its_family(corpus, fast, text):
    _, path = corpus
    with Index(path, create=False, fast_scoring=fast) as index:
        ids = _holding(index, text)
        assert len(ids) > 10  # more than a page of hits
        result = index.search(text, facets=ALL, timeline="month")
        assert len(result.hits) == 10
        _check(result, *_expected(index, ids), unit="month")
        assert ids == _all_ranked(index, text)


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("text", ["vendanges -grêle", "vendanges AND récolte", '"vendanges et grêle"',
                                  "vend*", "récolte OR author:Martin", "source:Gazette incendie"])
def test_the_query_syntax_counts_what_the_searcher_matches(corpus, fast, text):
    _, path = corpus
    with Index(path, create=False, fast_scoring=fast) as index:
        ids = _all_ranked(index, text)
        assert ids
        _check(index.search(text, facets=ALL, timeline="year"), *_expected(index, ids), unit="year")


def test_an_exclusion_leaves_out_every_article_holding_the_word(corpus):
    _, path = corpus
    with Index(path, create=False) as index:
        with_hail = index.search("vendanges grêle", timeline="year").matched
        result = index.search("vendanges -grêle", facets=["source"], timeline="year")
        ids = {a.id for a in index.articles()
               if any(t.term == "vendang" for t in analyze(a.text)) and not any(t.term == "grel" for t in analyze(a.text))}
        assert result.matched == len(ids) < with_hail


@pytest.mark.parametrize("fast", [True, False])
def test_since_and_until_count_only_the_articles_of_their_dates(corpus, fast):
    _, path = corpus
    with Index(path, create=False, fast_scoring=fast) as index:
        ids = _holding(index, "vendanges")
        result = index.search("vendanges", facets=ALL, timeline="day", since="2017")
        matched, facets, days = _expected(index, ids, since="2017-01-01")
        _check(result, matched, facets, days, unit="day")
        assert result.timeline.undated == 0 and facets["month"][1] == 0  # undated ones are not since 2017
        until = index.search("vendanges", timeline=True, since="2017", until="2017-06").timeline
        assert sum(c for _, c in until.periods) == sum(c for d, c in days.items() if d <= "2017-06-30")


@pytest.mark.parametrize("fast", [True, False])
def test_a_removed_article_is_not_counted(corpus, tmp_path, fast):
    _, path = corpus
    copy = tmp_path / "index"
    shutil.copytree(path, copy)
    with Index(copy, create=False, fast_scoring=fast) as index:
        before = index.search("vendanges", facets=ALL, timeline="month")
        gone = sorted(_holding(index, "vendanges"))[0]
        index.remove([gone])
        ids = _holding(index, "vendanges")
        assert gone not in ids
        after = index.search("vendanges", facets=ALL, timeline="month")
        _check(after, *_expected(index, ids), unit="month")
        assert after.matched == before.matched - 1


def test_a_corrected_word_is_counted_as_the_results_were_ranked(corpus):
    _, path = corpus
    with Index(path, create=False) as index:
        result = index.search("incendei", facets=["month"], timeline=True)
        assert result.suggestion == "incendie"
        assert result.matched == len(_all_ranked(index, "incendei")) == len(_holding(index, "incendie"))


def test_the_timeline_unit_fits_the_span(tmp_path):
    days = ["2020-03-30", "2020-04-02", "2020-04-02", "2020-04-10"]
    lines = [{"id": str(n), "title": "Crue", "text": f"La crue monte, jour {n}.", "date": day} for n, day in enumerate(days)]
    lines.append({"id": "undated", "title": "Crue", "text": "La crue encore."})
    (tmp_path / "a.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines), "utf-8")
    with Index(tmp_path / "index") as index:
        index.ingest([tmp_path / "a.jsonl"])
        timeline = index.search("crue", timeline=True).timeline
        assert timeline.unit == "day" and timeline.undated == 1
        assert len(timeline.periods) == 12 and dict(timeline.periods)["2020-04-02"] == 2
        assert dict(timeline.periods)["2020-04-01"] == 0  # an empty day keeps its row
        assert index.search("crue", timeline="week").timeline.periods == [
            ("2020-W14", 3), ("2020-W15", 1)]
        result = index.search("crue", timeline="year")
        assert result.to_dict()["timeline"] == {"unit": "year", "periods": [["2020", 4]], "undated": 1}
        assert result.to_dict()["matched"] == 5 and result.to_dict()["facets"] == {}
        plain = index.search("crue").to_dict()
        assert (plain["matched"], plain["facets"], plain["timeline"]) == (None, None, None)


def test_a_wrong_facet_or_unit_is_refused(corpus):
    _, path = corpus
    with Index(path, create=False) as index:
        with pytest.raises(QueryError, match="no facet 'country': use month, source, author"):
            index.search("vendanges", facets=["month", "country"])
        with pytest.raises(QueryError, match="no timeline unit 'hour'"):
            index.search("vendanges", timeline="hour")
        assert list(index.search("vendanges", facets="Month, source").facets) == ["month", "source"]
