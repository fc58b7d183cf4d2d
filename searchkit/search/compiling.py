"""Compiling a query: from its syntax tree to a Whoosh query, and what its
passages are chosen and marked by.

An OR of words in the default field (the fast path) is compiled with the
words of each word's family (searchkit.ranking.truncation) and the weight of
a capital initial, as the ``Ranking`` says; anything else is matched by stems.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace
from typing import Iterator

from whoosh import query as wq

from searchkit.analysis.french import analyze, fold, term_of, truncated
from searchkit.analysis.phrases import exact_words
from searchkit.errors import QueryError
from searchkit.ranking.settings import Ranking
from searchkit.ranking.truncation import WordWithFamily
from searchkit.search.exclusion import Excluding
from searchkit.search.highlight import MatchSpec
from searchkit.search.querylang import AllOf, AnyOf, Node, Not, Phrase, Prefix, Words, parse, plain, quoted


# The field a user names in a query -> the Whoosh field.
FIELD_NAMES = {"title": "title", "source": "source", "author": "author", "text": "body"}
# "body" holds the title (weighted) and the text: see storage.documents.indexed_body.
DEFAULT_FIELDS = (("body", 1.0),)
MAX_PREFIX_WORDS = 1000


def _live_words(reader, prefix: str) -> Iterator[str]:
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

    def __init__(self, searcher, ranking: Ranking,
                 corrections: dict[str, str] | None = None) -> None:
        self.searcher = searcher
        self.ranking = ranking
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
        # their corrections -> weight in passages: family_weight times their word's idf.
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
                        self.families.setdefault(truncated(word), self.ranking.family_weight * self.terms[term])
                        self.family_of.setdefault(term, truncated(word))
            return _any([
                wq.Term(name, term, boost=boost)
                for term in dict.fromkeys(found)
                for name, boost in self._fields(node.field)
            ])
        if isinstance(node, Phrase):
            phrase = tuple(token.term for token in analyze(node.text))
            if len(phrase) <= 1:
                return self.compile(Words(node.text, node.field), positive)
            self.plain_or = False
            if positive:
                in_title = node.field == "title"
                (self.title_phrases if in_title else self.phrases).append(phrase)
                (self.title_exact if in_title else self.exact).append(exact_words(node.text))
                for term in phrase:
                    self._weigh(term)
            return _any([
                wq.Phrase(name, list(phrase), boost=boost)
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
            return self._compile_group(node, positive)
        raise TypeError(f"unknown query node {node!r}")  # a bug, not a user error

    def _compile_group(self, node: AnyOf | AllOf, positive: bool) -> wq.Query | None:
        self.plain_or &= isinstance(node, AnyOf)
        included: list[wq.Query] = []
        excluded: list[wq.Query] = []
        for child in node.nodes:
            negated = isinstance(child, Not)
            compiled = self.compile(child.node if isinstance(child, Not) else child, positive != negated)
            if compiled is not None:
                (excluded if negated else included).append(compiled)
        if not included:
            if excluded:
                raise QueryError("a query needs at least one word that is not excluded")
            return None
        joined = _any(included) if isinstance(node, AnyOf) else wq.And(included)
        return Excluding(joined, _any(excluded)) if excluded else joined


def _any(queries: list[wq.Query]) -> wq.Query:
    return queries[0] if len(queries) == 1 else wq.Or(queries)



# What the syntax reads in a query: fields, quotes, brackets, exclusions.
_SYNTAX_RE = re.compile(r"\b(?:title|source|author|text):|[\s\"'«»“”()\-’]")


def _nothing_to_search(text: str) -> str:
    """Why a query has no word to search: a bare ``*``, symbols that are not
    indexed (``c++``), or stop words only (``le la``)."""
    if re.search(r"(?<![^\W_])\*", text):
        return "a * ends a word's beginning (libér*): write the letters before it"
    symbols = sorted(set(re.findall(r"[^\w]", _SYNTAX_RE.sub(" ", text))) - {" "})
    if not re.search(r"\w", text):  # quotes or dashes alone: « », "", -
        return "the query holds no word to search: write the words to find"
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


def compile_query(
    searcher, ranking: Ranking, text: str, plain_text: bool = False, corrections: dict[str, str] | None = None
) -> CompiledQuery:
    """The query for ``text``, its words weighed as ``ranking`` says; raises QueryError."""
    node = plain(text) if plain_text else parse(text)
    if isinstance(node, Not):
        raise QueryError("a query needs at least one word that is not excluded")
    compiler = _Compiler(searcher, ranking, corrections)
    query = compiler.compile(node)
    if query is None:
        raise QueryError(_nothing_to_search(text))
    spec = compiler.spec()
    if not compiler.plain_or:
        return CompiledQuery(query, spec, compiler.typed, None, {}, {}, title_spec=compiler.title_spec({}))
    # Only an OR of words matches words of the same family too: a word
    # required, excluded or in a phrase is matched by its stem alone.
    family_weight, capital_weight = ranking.family_weight, ranking.capital_weight
    families = compiler.families if family_weight else {}
    family_of = compiler.family_of if family_weight else {}
    boosts = {term: capital_weight for term in spec.terms if term in compiler.capitalised and capital_weight != 1}
    query = _any([
        WordWithFamily("body", term, family_of[term], family_weight, boost=boosts.get(term, 1.0)) if term in family_of
        else wq.Term("body", term, boost=boosts.get(term, 1.0))
        for term in spec.terms
    ])
    # Quotation marks that are not the syntax's (all of them in plain text,
    # « » and “ ” always) weigh in the ranking (see proximity.quoted_rerank):
    # a passage of two words or more. A phrase of the syntax is not an OR of words.
    phrases = [terms for terms in (tuple(token.term for token in analyze(passage)) for passage in quoted(text))
               if len(terms) > 1]
    # Passages are chosen and marked by these words too.
    return CompiledQuery(query, replace(spec, families=families, quoted=tuple(phrases)), compiler.typed,
                         list(spec.terms), family_of, boosts, phrases, compiler.title_spec(families))
