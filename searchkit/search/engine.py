"""Running a query: Whoosh finds and ranks articles, then the best passages of
each are chosen and highlighted."""

from __future__ import annotations

import calendar
import itertools
import re
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterator

from whoosh import query as wq
from whoosh import scoring

from searchkit.search import spelling
from searchkit.analysis.french import analyze, fold, term_of, truncated
from searchkit.errors import QueryError
from searchkit.ranking.exactwords import WORDS_FIELD, exact_word_rerank, words_held
from searchkit.search.highlight import MatchSpec, PassageMatch, merged_marks, best_passages, find_matches, with_marks
from searchkit.articles.passages import Span
from searchkit.analysis.phrases import exact_occurrences, exact_words, phrases_held, word_spans
from searchkit.articles.sources import HTML_EXTENSIONS
from searchkit.ranking.proximity import PROXIMITY_DEPTH, proximity_rerank, quoted_rerank, read_positions
from searchkit.search.results import Hit, SearchResult
from searchkit.search.session import SearchSession
from searchkit.search.querylang import AllOf, AnyOf, Node, Not, Phrase, Prefix, Words, parse, plain, quoted
from searchkit.ranking.truncation import FAMILY_WEIGHT, WordWithFamily


# The field a user names in a query -> the Whoosh field.
FIELD_NAMES = {"title": "title", "source": "source", "author": "author", "text": "body"}
# "body" holds the title (weighted) and the text: see index._indexed_body.
DEFAULT_FIELDS = (("body", 1.0),)
WEIGHTING = scoring.BM25F(B=0.75, K1=0.9)
# In an OR of words, a word typed with a capital initial, most often a name
# ("Pérou", "Macron", "SNCF"), weighs CAPITAL_WEIGHT times the others: it
# raised MRR@10 on the news titles and the questions (bench/relevance.py).
CAPITAL_WEIGHT = 1.2
MAX_PREFIX_WORDS = 1000


def _live_words(reader, prefix: str) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The words of the index starting with ``prefix``. The word list keeps
    the words of removed articles until their segment is merged: those would
    take places among the MAX_PREFIX_WORDS kept."""
    deletions = reader.has_deletions()
    for word in reader.expand_prefix("words", prefix):
        if not deletions or reader.postings("words", word).is_active():
            yield word.decode("utf-8")


class _Compiler:
    """Turns the syntax tree into a Whoosh query and the matching spec used
    to choose and highlight passages."""

    def __init__(self, searcher, corrections: dict[str, str] | None = None) -> None:  # type: ignore[no-untyped-def]
        self.searcher = searcher
        self.corrections = corrections or {}
        self.terms: dict[str, float] = {}
        self.weights: dict[str, float] = {}
        self.phrases: list[tuple[str, ...]] = []
        self.exact: list[tuple[str, ...]] = []  # each phrase's words as written (searchkit.analysis.phrases)
        self.prefixes: list[str] = []
        # What a title: field matches: marked in the title, not in the text.
        self.title_terms: dict[str, float] = {}
        self.title_phrases: list[tuple[str, ...]] = []
        self.title_exact: list[tuple[str, ...]] = []
        self.title_prefixes: list[str] = []
        # (as typed, folded) for the plain words a spelling suggestion may fix
        self.typed: list[tuple[str, str]] = []
        # The truncated words (searchkit.ranking.truncation) of the plain words and of
        # their corrections -> weight in passages: FAMILY_WEIGHT times their word's idf.
        self.families: dict[str, float] = {}
        # The term of each plain word -> its truncated word.
        self.family_of: dict[str, str] = {}
        # The terms of the plain words typed with a capital initial.
        self.capitalised: set[str] = set()
        # An OR of words in the default field can be scored without Whoosh's matchers.
        self.plain_or = True

    def spec(self) -> MatchSpec:
        return MatchSpec(self.terms, tuple(self.phrases), tuple(self.prefixes), self.weights, exact=tuple(self.exact))

    def title_spec(self, families: dict[str, float]) -> MatchSpec:
        """What to mark in a hit's title: what the query looks for in the
        title field and in the default one (which holds the title)."""
        return MatchSpec({**self.terms, **self.title_terms}, tuple(self.phrases + self.title_phrases),
                         tuple(self.prefixes + self.title_prefixes), self.weights, families,
                         tuple(self.exact + self.title_exact))

    def _fields(self, field_name: str | None) -> tuple[tuple[str, float], ...]:
        return DEFAULT_FIELDS if field_name is None else ((FIELD_NAMES[field_name], 1.0),)

    def _weigh(self, term: str) -> float:
        weight = self.weights.get(term)
        if weight is None:
            # Whoosh's idf takes the log of the document count: not on an empty index.
            empty = self.searcher.doc_count_all() == 0
            weight = self.weights[term] = 1.0 if empty else self.searcher.idf("body", term)
        return weight

    def compile(self, node: Node, positive: bool = True) -> wq.Query | None:
        if isinstance(node, Words):
            self.plain_or &= node.field is None and positive
            tokens = list(analyze(node.text))
            found = [token.term for token in tokens]
            words = [token.word for token in tokens]
            for token in tokens:
                corrected = self.corrections.get(token.word)
                if corrected is not None:
                    found.append(term_of(corrected))
                    words.append(corrected)
            if not found:
                return None
            if positive:
                for term in found:
                    (self.title_terms if node.field == "title" else self.terms)[term] = self._weigh(term)
                if node.field is None:
                    self.typed.extend((node.text[t.start:t.end], t.word) for t in tokens)
                    self.capitalised.update(t.term for t in tokens if node.text[t.start].isupper())
                    for term, word in zip(found, words):
                        self.families.setdefault(truncated(word), FAMILY_WEIGHT * self.terms[term])
                        self.family_of.setdefault(term, truncated(word))
            return _any([
                wq.Term(name, term, boost=boost)
                for term in dict.fromkeys(found)
                for name, boost in self._fields(node.field)
            ])
        if isinstance(node, Phrase):
            found = tuple(token.term for token in analyze(node.text))
            if len(found) <= 1:
                return self.compile(Words(node.text, node.field), positive)
            self.plain_or = False
            if positive:
                in_title = node.field == "title"
                (self.title_phrases if in_title else self.phrases).append(found)
                (self.title_exact if in_title else self.exact).append(exact_words(node.text))
                for term in found:
                    self._weigh(term)
            return _any([
                wq.Phrase(name, list(found), boost=boost)
                for name, boost in self._fields(node.field)
            ])
        if isinstance(node, Prefix):
            self.plain_or = False
            prefix = fold(node.text)
            if not prefix:
                return None
            words = list(itertools.islice(_live_words(self.searcher.reader(), prefix), MAX_PREFIX_WORDS))
            if not words:
                return wq.NullQuery
            stems = list(dict.fromkeys(map(term_of, words)))
            if positive:
                (self.title_prefixes if node.field == "title" else self.prefixes).append(prefix)
                for term in stems:
                    self._weigh(term)
            ranked = _any([
                wq.Term(name, term, boost=boost)
                for term in stems
                for name, boost in self._fields(node.field)
            ])
            # The stems rank; the words decide: "libér*" finds "libérer" but
            # not "libre", which shares no word with the prefix.
            return ranked if node.field else wq.And([wq.Prefix("words", prefix), ranked])
        if isinstance(node, Not):
            return self.compile(node.node, not positive)
        if isinstance(node, (AnyOf, AllOf)):
            self.plain_or &= isinstance(node, AnyOf)
            included, excluded = [], []
            for child in node.nodes:
                negated = isinstance(child, Not)
                compiled = self.compile(child.node if negated else child, positive != negated)
                if compiled is not None:
                    (excluded if negated else included).append(compiled)
            if not included:
                if excluded:
                    raise QueryError("a query needs at least one word that is not excluded")
                return None
            joined = _any(included) if isinstance(node, AnyOf) else wq.And(included)
            return wq.AndNot(joined, _any(excluded)) if excluded else joined
        raise TypeError(f"unknown query node {node!r}")  # a bug, not a user error


def _any(queries: list[wq.Query]) -> wq.Query:
    return queries[0] if len(queries) == 1 else wq.Or(queries)


@dataclass(frozen=True)
class Filters:
    """Restrictions on which articles may match, and their order."""

    since: str | None = None  # ISO date, inclusive
    until: str | None = None
    sort: str = "relevance"  # or "date": newest first

    def apply(self, query: wq.Query) -> wq.Query:
        if self.since is None and self.until is None:
            return query
        return wq.And([query, wq.TermRange("date", self.since, self.until)])


_DATE_RE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def date_bound(text: str, end: bool) -> str:
    """An ISO date from ``2016``, ``2016-05`` or ``2016-05-21``: the first day of
    the period, or its last day when ``end``."""
    m = _DATE_RE.fullmatch(text.strip())
    if not m:
        raise QueryError(f"{text!r} is not a date: write 2016, 2016-05 or 2016-05-21")
    year = int(m.group(1))
    month = int(m.group(2) or (12 if end else 1))
    if not 1 <= month <= 12:
        raise QueryError(f"{text!r} is not a date: the month must be 01 to 12")
    last_day = calendar.monthrange(year, month)[1]
    day = int(m.group(3) or (last_day if end else 1))
    if not 1 <= day <= last_day:
        raise QueryError(f"{text!r} is not a date: that month has no day {day}")
    return f"{year:04d}-{month:02d}-{day:02d}"


def make_filters(since: str | None = None, until: str | None = None, sort: str = "relevance") -> Filters:
    if sort not in ("relevance", "date"):
        raise QueryError(f"cannot sort by {sort!r}: use relevance or date")
    return Filters(
        since=date_bound(since, end=False) if since else None,
        until=date_bound(until, end=True) if until else None,
        sort=sort,
    )


# What the syntax reads in a query: fields, quotes, brackets, exclusions.
_SYNTAX_RE = re.compile(r"\b(?:title|source|author|text):|[\s\"'«»“”()\-’]")


def _nothing_to_search(text: str) -> str:
    """Why a query has no word to search: a bare ``*``, symbols that are not
    indexed (``c++``), or stop words only (``le la``)."""
    if re.search(r"(?<![^\W_])\*", text):
        return "a * ends a word's beginning (libér*): write the letters before it"
    symbols = sorted(set(re.findall(r"[^\w]", _SYNTAX_RE.sub(" ", text))) - {" "})
    if symbols:
        return (f"the query holds no word to search: {' '.join(symbols)} "
                f"{'is' if len(symbols) == 1 else 'are'} not indexed, nor are stop words; "
                "add a word that carries meaning")
    return "the query holds only stop words: add a word that carries meaning"


@dataclass
class CompiledQuery:
    query: wq.Query  # for Whoosh
    spec: MatchSpec  # what to highlight, and term weights
    typed: list[tuple[str, str]]  # plain words (as typed, folded), for spelling
    terms: list[str] | None  # the terms when the query is an OR of words: the fast path
    truncated: dict[str, str]  # then each term's truncated word (searchkit.ranking.truncation)
    boosts: dict[str, float]  # and the weight of each term weighing other than 1
    quoted: list[tuple[str, ...]] = field(default_factory=list)  # and the terms of the passages it quotes
    title_spec: MatchSpec = field(default_factory=MatchSpec)  # what to mark in titles


def compile_query(  # type: ignore[no-untyped-def]
    searcher, text: str, plain_text: bool = False, corrections: dict[str, str] | None = None
) -> CompiledQuery:
    """The query for ``text``; raises QueryError."""
    node = plain(text) if plain_text else parse(text)
    if isinstance(node, Not):
        raise QueryError("a query needs at least one word that is not excluded")
    compiler = _Compiler(searcher, corrections)
    query = compiler.compile(node)
    if query is None:
        raise QueryError(_nothing_to_search(text))
    spec = compiler.spec()
    if not compiler.plain_or:
        return CompiledQuery(query, spec, compiler.typed, None, {}, {}, title_spec=compiler.title_spec({}))
    # Only an OR of words matches words of the same family too: a word
    # required, excluded or in a phrase is matched by its stem alone.
    families = compiler.families if FAMILY_WEIGHT else {}
    family_of = compiler.family_of if FAMILY_WEIGHT else {}
    boosts = {term: CAPITAL_WEIGHT for term in spec.terms if term in compiler.capitalised and CAPITAL_WEIGHT != 1}
    query = _any([
        WordWithFamily("body", term, family_of[term], boost=boosts.get(term, 1.0)) if term in family_of
        else wq.Term("body", term, boost=boosts.get(term, 1.0))
        for term in spec.terms
    ])
    # Quotation marks that are not the syntax's (all of them in plain text,
    # « » and “ ” always) weigh in the ranking (see proximity.quoted_rerank):
    # a passage of two words or more. A phrase of the syntax is not an OR of words.
    phrases = [terms for terms in (tuple(token.term for token in analyze(passage)) for passage in quoted(text))
               if len(terms) > 1]
    # Passages are chosen and marked by these words too.
    return CompiledQuery(query, replace(spec, families=families), compiler.typed, list(spec.terms), family_of,
                         boosts, phrases, compiler.title_spec(families))


def _run(session: SearchSession, compiled: CompiledQuery, limit: int, filters: Filters) -> list[tuple[int, float]]:
    """(docnum, score) of the best articles, by the session's view of the index."""
    searcher = session.searcher
    # An OR of words ranked by relevance is reranked by proximity and by the
    # words as typed, from more candidates than asked: a close match just
    # below the limit can rise.
    terms = compiled.terms if filters.sort == "relevance" else None
    depth = max(limit, PROXIMITY_DEPTH) if terms is not None else limit
    words = [word for _, word in compiled.typed]
    if session.fast_scoring and terms is not None and filters == Filters():
        scorer = session.fast_scorer()
        ranked = scorer.rerank(terms, scorer.top(terms, depth, compiled.truncated, compiled.boosts))
        ranked = exact_word_rerank(words, ranked, scorer.holding, scorer.word_idf)
        return quoted_rerank(compiled.quoted, ranked, scorer.positions, compiled.spec.terms)[:limit]
    query = filters.apply(compiled.query)
    phrases = compiled.title_spec.exact if filters.sort == "relevance" else ()
    if phrases:
        depth = max(limit, PROXIMITY_DEPTH)
    if filters.sort == "date":
        results = searcher.search(query, limit=limit, sortedby="date", reverse=True)
    else:
        results = searcher.search(query, limit=depth)
    ranked = [(hit.docnum, hit.score) for hit in results]
    if phrases:
        ranked = _exact_phrase_rerank(searcher, phrases, ranked)[:limit]
    if terms is not None:
        positions = _positions_read_once(searcher)
        ranked = _proximity_rerank(searcher, terms, ranked, positions)
        ranked = exact_word_rerank(words, ranked, lambda word, docnums: words_held(searcher, word, docnums),
                                   lambda word: searcher.idf(WORDS_FIELD, word))
        ranked = quoted_rerank(compiled.quoted, ranked, positions, compiled.spec.terms)[:limit]
    return ranked


def _exact_phrase_rerank(searcher, phrases: tuple[tuple[str, ...], ...],  # type: ignore[no-untyped-def]
                         ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """Articles holding more of the query's phrases as written first, each
    group in its order: a phrase matches by stems without its stop words
    (recall kept), but the exact phrase is what was asked for."""
    def held(docnum: int) -> int:
        stored = searcher.stored_fields(docnum)
        return phrases_held(f"{stored.get('title', '')}\n{stored.get('text', '')}", phrases)

    if not ranked:
        return ranked
    # Each phrase held adds the best score: scores keep the new order, which
    # the passages of search() are sorted by.
    top = max(score for _, score in ranked)
    reranked = [(docnum, score + held(docnum) * top) for docnum, score in ranked]
    return sorted(reranked, key=lambda item: -item[1])


def _positions_read_once(searcher) -> Callable[[str, list[int]], dict[int, list[int]]]:  # type: ignore[no-untyped-def]
    """``read_positions`` for one query on Whoosh's path: proximity and the
    quoted passages ask for the same terms in the same documents."""
    read: dict[tuple[str, tuple[int, ...]], dict[int, list[int]]] = {}

    def positions(term: str, docnums: list[int]) -> dict[int, list[int]]:
        key = (term, tuple(docnums))
        if key not in read:
            read[key] = read_positions(searcher, term, docnums)
        return read[key]

    return positions


def _proximity_rerank(searcher, terms: list[str], ranked: list[tuple[int, float]],  # type: ignore[no-untyped-def]
                      positions: Callable[[str, list[int]], dict[int, list[int]]]) -> list[tuple[int, float]]:
    """``FastScorer.rerank`` for Whoosh's results: the same scores, from
    positions read without the fast scorer's cache."""
    avgfl = searcher.avg_field_length("body") or 1
    B, K1 = WEIGHTING.B, WEIGHTING.K1

    def norm(docnum: int) -> float:
        return K1 * ((1 - B) + B * (searcher.doc_field_length(docnum, "body") or 0) / avgfl)

    return proximity_rerank(terms, ranked, positions, norm, K1)


def _at_least_one(**counts: int) -> None:
    # Named as the library's arguments: the CLI's options check their own.
    for name, value in counts.items():
        if value < 1:
            raise QueryError(f"{name} must be at least 1, not {value}")


def _ranked_with_corrections(
    session: SearchSession, text: str, plain_text: bool, limit: int, filters: Filters
) -> tuple[CompiledQuery, list[tuple[int, float]], dict[str, str]]:
    """The best articles for ``text``; when few are found and a typed word is
    rare, the query is run again with the closest frequent spellings too
    (returned as the corrections). Every output ranks the same articles."""
    searcher = session.searcher
    compiled = compile_query(searcher, text, plain_text)
    ranked = _run(session, compiled, limit, filters)
    if not compiled.typed:
        return compiled, ranked, {}
    few = len(ranked) < min(spelling.FEW_RESULTS, limit)
    corrections = spelling.corrections(searcher, compiled.typed, rare_only=not few)
    if not corrections:
        return compiled, ranked, {}
    corrected = compile_query(searcher, text, plain_text, corrections)
    reader = searcher.reader()
    held = {word for word in corrections if reader.doc_frequency(WORDS_FIELD, word)}
    if filters.sort == "date" or (few and not held):
        return corrected, _run(session, corrected, limit, filters), corrections
    # A query that finds enough as typed, or a rare word the index holds (one
    # its articles use), keeps its articles in their places; those found only
    # through a correction come after them ("choque" is not "chaque").
    # Putting them together lowered MRR@10 on Wikinews (bench/relevance.py).
    unheld = {word: fix for word, fix in corrections.items() if word not in held}
    first = _run(session, compile_query(searcher, text, plain_text, unheld), limit, filters) \
        if unheld and few else ranked
    return corrected, _after(first, _run(session, corrected, limit, filters))[:limit], corrections


def _after(first: list[tuple[int, float]], then: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """``first``, then the articles of ``then`` it lacks, their scores scaled
    below the last of ``first`` so that scores keep the order."""
    seen = {docnum for docnum, _ in first}
    extra = [(docnum, score) for docnum, score in then if docnum not in seen]
    if not first or not extra:
        return first + extra
    floor = min(score for _, score in first)
    top = max(score for _, score in extra)
    scale = min(1.0, 0.99 * floor / top) if top > 0 else 1.0
    return first + [(docnum, score * scale) for docnum, score in extra]


def rank_articles(
    session: SearchSession, text: str, limit: int = 100, plain_text: bool = False,
    since: str | None = None, until: str | None = None, sort: str = "relevance",
) -> list[tuple[str, float]]:
    """(article id, score) of the best articles, best first, without passages."""
    _at_least_one(limit=limit)
    _, ranked, _ = _ranked_with_corrections(session, text, plain_text, limit,
                                            make_filters(since, until, sort))
    if not ranked:
        return []
    # Ids from their column: the stored fields would load each article's text.
    ids = session.id_column()
    return [(ids[docnum], score) for docnum, score in ranked]


def search(
    session: SearchSession,
    text: str,
    limit: int = 10,
    per_article: int = 2,
    plain_text: bool = False,
    since: str | None = None,
    until: str | None = None,
    sort: str = "relevance",
) -> SearchResult:
    """Up to ``limit`` passages, at most ``per_article`` from one article.

    An article's best passage takes the article's score; its next passages
    score lower in proportion, so they come after better articles. When few
    articles match and a typed word is rare, the closest frequent spelling is
    searched too and given as ``suggestion``.
    """
    _at_least_one(limit=limit, per_article=per_article)
    started = time.perf_counter()
    filters = make_filters(since, until, sort)
    searcher = session.searcher
    compiled, ranked, corrections = _ranked_with_corrections(session, text, plain_text, limit, filters)
    results = [(searcher.stored_fields(docnum), score) for docnum, score in ranked]
    positions = _term_positions(session, compiled.spec, [docnum for docnum, _ in ranked])
    hits = _passage_hits(results, compiled.spec, limit, per_article, by_date=filters.sort == "date",
                         positions=positions, title_spec=compiled.title_spec)
    # A word of removed articles stays in the index's word list until its
    # segment is merged: no suggestion that finds nothing.
    suggestion = spelling.suggestion(text, compiled.typed, corrections, hits) if corrections and hits else None
    return SearchResult(text, hits, time.perf_counter() - started, suggestion)


def article_highlights(session: SearchSession, text: str, query_text: str) -> list[tuple[int, int]]:
    """Offsets of what ``query_text`` matches in a whole article ``text``."""
    spec = compile_query(session.searcher, query_text).spec
    return [(token.start, token.end) for token in find_matches(list(analyze(text)), spec)]


def _term_positions(session: SearchSession, spec: MatchSpec, docnums: list[int]
                    ) -> list[dict[str, list[int]]] | None:
    """For a query of plain terms, the positions of each term in the body
    of each article of ``docnums``, read from the postings (the fast scorer
    holds them already): passages are then scored without analysing text."""
    if not spec.terms or spec.phrases or spec.prefixes or not docnums:
        return None
    searcher = session.searcher
    if session.fast_scoring:
        scorer = session.fast_scorer()
        found = {term: scorer.positions(term, docnums) for term in spec.terms}
    else:
        found = {term: read_positions(searcher, term, docnums) for term in spec.terms}
    return [{term: where.get(docnum, []) for term, where in found.items()} for docnum in docnums]


def _passage_hits(
    results: list[tuple[dict[str, Any], float]], spec: MatchSpec, limit: int, per_article: int, by_date: bool,
    positions: list[dict[str, list[int]]] | None = None, title_spec: MatchSpec | None = None,
) -> list[Hit]:
    chosen: list[tuple[float, int, PassageMatch]] = []  # (score, result number, passage)
    for number, (stored, article_score) in enumerate(results):
        spans = [Span(*span) for span in stored.get("passages", [])]
        edges = stored.get("passage_positions")
        known = (positions[number], edges) if positions is not None and edges is not None \
            and len(edges) == 2 * len(spans) else None
        passages = best_passages(stored["text"], spans, spec, per_article, known, marked=False)
        best = passages[0].score or 1.0
        for passage in passages:
            if by_date:  # Whoosh gives no relevance score to date-sorted results
                score = passage.score
            elif passage.score:
                score = article_score * (0.5 + 0.5 * passage.score / best)
            else:
                score = article_score
            chosen.append((score, number, passage))
    if not by_date:
        chosen.sort(key=lambda item: -item[0])
    hits = []
    # Only the passages shown are marked.
    for rank, (score, number, passage) in enumerate(chosen[:limit], start=1):
        stored = results[number][0]
        body: str = stored["text"]
        start, end = passage.span
        highlights = with_marks(body, passage, spec).highlights or []
        hits.append(Hit(
            rank=rank,
            score=score,
            article_id=stored["id"],
            title=stored.get("title", ""),
            date=stored.get("date"),
            path=stored.get("path", ""),
            passage_index=passage.index,
            start=start,
            end=end,
            text=body[start:end],
            highlights=[(s - start, e - start) for s, e in highlights],
            line=_line_number(body, start, stored.get("line"), stored.get("path", "")),
            title_highlights=title_marks(stored.get("title", ""), title_spec or spec),
            author=stored.get("author"),
            source=stored.get("source"),
            url=stored.get("url"),
        ))
    return hits


def title_marks(title: str, spec: MatchSpec) -> list[tuple[int, int]]:
    """[start, end) offsets of what ``spec`` matches in ``title``."""
    if not title or not spec:
        return []
    exact = exact_occurrences(title, spec.exact) if spec.exact else []
    held = {number for _, _, number in exact}
    if held:
        spec = replace(spec, phrases=tuple(p for n, p in enumerate(spec.phrases) if n not in held))
    marks = [(token.start, token.end) for token in find_matches(list(analyze(title)), spec)]
    return merged_marks(marks + [span for start, end, _ in exact for span in word_spans(title, start, end)])


def _line_number(body: str, start: int, jsonl_line: int | None, path: str) -> int | None:
    # A JSON Lines article sits on one line of its file; the text extracted
    # from an HTML page has lines of its own, not the file's.
    if jsonl_line is not None:
        return jsonl_line
    if path.lower().endswith(HTML_EXTENSIONS):
        return None
    return body.count("\n", 0, start) + 1
