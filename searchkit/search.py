"""Running a query: Whoosh finds and ranks articles, then the best passages of
each are chosen and highlighted."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from whoosh import query as wq
from whoosh import scoring

from .analysis import analyze, fold
from .errors import QueryError
from .highlight import MatchSpec, best_passages
from .passages import Span
from .querylang import AllOf, AnyOf, Node, Not, Phrase, Prefix, Words, parse, plain

if TYPE_CHECKING:
    from .index import Index

# The field a user names in a query -> the Whoosh field.
FIELD_NAMES = {"title": "title", "source": "source", "author": "author", "text": "body"}
# "body" holds the title (weighted) and the text: see index._indexed_body.
DEFAULT_FIELDS = (("body", 1.0),)
WEIGHTING = scoring.BM25F(B=0.75, K1=0.9)


@dataclass
class Hit:
    """One passage of one article, as a search result."""

    rank: int
    score: float
    article_id: str
    title: str
    date: str | None
    path: str
    passage_index: int
    start: int  # the passage's place in the article text
    end: int
    text: str
    highlights: list[tuple[int, int]]  # [start, end) offsets into ``text``
    line: int  # line of the file where the passage starts

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["highlights"] = [list(pair) for pair in self.highlights]
        return data


@dataclass
class SearchResult:
    query: str
    hits: list[Hit] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "hits": [hit.to_dict() for hit in self.hits],
            "seconds": round(self.seconds, 4),
        }


class _Compiler:
    """Turns the syntax tree into a Whoosh query and the matching spec used
    to choose and highlight passages."""

    def __init__(self, searcher) -> None:  # type: ignore[no-untyped-def]
        self.searcher = searcher
        self.terms: dict[str, float] = {}
        self.weights: dict[str, float] = {}
        self.phrases: list[tuple[str, ...]] = []
        self.prefixes: list[str] = []

    def spec(self) -> MatchSpec:
        return MatchSpec(self.terms, tuple(self.phrases), tuple(self.prefixes), self.weights)

    def _fields(self, field_name: str | None) -> tuple[tuple[str, float], ...]:
        return DEFAULT_FIELDS if field_name is None else ((FIELD_NAMES[field_name], 1.0),)

    def _weigh(self, term: str) -> float:
        weight = self.weights.get(term)
        if weight is None:
            weight = self.weights[term] = self.searcher.idf("body", term)
        return weight

    def compile(self, node: Node, positive: bool = True) -> wq.Query | None:
        if isinstance(node, Words):
            found = [token.term for token in analyze(node.text)]
            if not found:
                return None
            if positive:
                for term in found:
                    self.terms[term] = self._weigh(term)
            return _any([
                wq.Term(name, term, boost=boost)
                for term in dict.fromkeys(found)
                for name, boost in self._fields(node.field)
            ])
        if isinstance(node, Phrase):
            found = tuple(token.term for token in analyze(node.text))
            if len(found) <= 1:
                return self.compile(Words(node.text, node.field), positive)
            if positive:
                self.phrases.append(found)
                for term in found:
                    self._weigh(term)
            return _any([
                wq.Phrase(name, list(found), boost=boost)
                for name, boost in self._fields(node.field)
            ])
        if isinstance(node, Prefix):
            prefix = fold(node.text)
            if not prefix:
                return None
            if positive:
                self.prefixes.append(prefix)
            return _any([
                wq.Prefix(name, prefix, boost=boost) for name, boost in self._fields(node.field)
            ])
        if isinstance(node, Not):
            return self.compile(node.node, not positive)
        if isinstance(node, (AnyOf, AllOf)):
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


def compile_query(searcher, text: str, plain_text: bool = False) -> tuple[wq.Query, MatchSpec]:  # type: ignore[no-untyped-def]
    """The Whoosh query for ``text`` and what to highlight; raises QueryError."""
    node = plain(text) if plain_text else parse(text)
    if isinstance(node, Not):
        raise QueryError("a query needs at least one word that is not excluded")
    compiler = _Compiler(searcher)
    query = compiler.compile(node)
    if query is None:
        raise QueryError("the query holds only stop words: add a word that carries meaning")
    return query, compiler.spec()


def rank_articles(
    index: "Index", text: str, limit: int = 100, plain_text: bool = False
) -> list[tuple[str, float]]:
    """(article id, score) of the best articles, best first, without passages."""
    searcher = index.searcher()
    query, _ = compile_query(searcher, text, plain_text)
    results = searcher.search(query, limit=limit)
    return [(hit["id"], hit.score) for hit in results]


def search(
    index: "Index",
    text: str,
    limit: int = 10,
    per_article: int = 2,
    plain_text: bool = False,
) -> SearchResult:
    """Up to ``limit`` passages, at most ``per_article`` from one article.

    An article's best passage takes the article's score; its next passages
    score lower in proportion, so they come after better articles.
    """
    if limit < 1 or per_article < 1:
        raise QueryError("--limit and --per-article must be at least 1")
    started = time.perf_counter()
    searcher = index.searcher()
    query, spec = compile_query(searcher, text, plain_text)
    results = searcher.search(query, limit=limit)
    hits: list[Hit] = []
    for order, result in enumerate(results):
        stored = result.fields()
        body: str = stored["text"]
        spans = [Span(*span) for span in stored.get("passages", [])]
        passages = best_passages(body, spans, spec, per_article)
        best = passages[0].score or 1.0
        for passage in passages:
            start, end = passage.span
            hits.append(Hit(
                rank=0,
                score=result.score * (0.5 + 0.5 * passage.score / best) if passage.score else result.score,
                article_id=stored["id"],
                title=stored.get("title", ""),
                date=stored.get("date"),
                path=stored.get("path", ""),
                passage_index=passage.index,
                start=start,
                end=end,
                text=body[start:end],
                highlights=[(s - start, e - start) for s, e in passage.highlights],
                line=_line_number(body, start, stored.get("line")),
            ))
    hits.sort(key=lambda hit: -hit.score)
    del hits[limit:]
    for rank, hit in enumerate(hits, start=1):
        hit.rank = rank
    return SearchResult(text, hits, time.perf_counter() - started)


def _line_number(body: str, start: int, jsonl_line: int | None) -> int:
    # A JSON Lines article sits on one line of its file.
    return jsonl_line if jsonl_line is not None else body.count("\n", 0, start) + 1
