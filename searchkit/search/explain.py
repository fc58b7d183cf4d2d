"""Why an article matched: each part of its score, in a reader's words.

An article's score is the sum of what Whoosh's BM25 gives each leaf of the
query it was found by (a word's stem with its family, a phrase, a field, a
prefix), plus the bonuses of the reranks (proximity, words as typed, quoted
passages, phrases as written); an article found only through a spelling
correction has that sum scaled below those found as typed. Each part lists
the forms of the query word found in the article and how they match it: as
written, case or accents folded, elided (``l’``), a number written another
way (``30 000``), the same stem, a word of the same family, a prefix, a typo
correction.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Iterator, Mapping

from whoosh import query as wq

from searchkit.analysis.french import AnalyzedToken, analyze, fold, term_of, truncated
from searchkit.ranking.truncation import WordWithFamily
from searchkit.search.compiling import CompiledQuery
from searchkit.search.results import Explanation, Form, Part

# What stands before an apostrophe that the analysis drops: "l’", "qu’", "jusqu’".
_ELIDED_RE = re.compile(r"(?i)(?<![^\W\d_])(?:l|m|t|qu|n|s|j|d|c|jusqu|quoiqu|lorsqu|puisqu)['’]$")
# The field a leaf searches -> the name a user gives it (searchkit.search.compiling.FIELD_NAMES).
_USER_FIELDS = {"title": "title", "source": "source", "author": "author"}


def _leaves(query: wq.Query) -> Iterator[wq.Query]:
    """The leaves of ``query`` that add to a matching article's score: an
    excluded part (``-word``) adds nothing."""
    if isinstance(query, wq.AndNot):
        yield from _leaves(query.a)
    elif isinstance(query, (wq.And, wq.Or)):
        for child in query.subqueries:
            yield from _leaves(child)
    elif query is not wq.NullQuery:
        yield query


def leaf_scores(searcher, query: wq.Query, docnums: list[int]) -> list[tuple[wq.Query, dict[int, float]]]:
    """Each scoring leaf of ``query`` with what it gives each of ``docnums``
    it matches: Whoosh sums its children's scores in an And and an Or, so
    these add up to the article's BM25 score."""
    wanted = sorted(set(docnums))
    found = []
    for leaf in _leaves(query):
        scores: dict[int, float] = {}
        matcher = leaf.matcher(searcher, searcher.context())
        for docnum in wanted:
            if not matcher.is_active():
                break
            if matcher.id() < docnum:
                matcher.skip_to(docnum)
            if matcher.is_active() and matcher.id() == docnum:
                scores[docnum] = matcher.score()
        found.append((leaf, scores))
    return found


def _how(surface: str, asked: list[str]) -> str:
    """How ``surface``, a word of the article, matches one of the words ``asked``."""
    if surface in asked:
        return "as written"
    if surface.lower() in (word.lower() for word in asked):
        return "case folded"
    digits = re.sub(r"\D", "", surface)
    if digits and any(digits == re.sub(r"\D", "", word) for word in asked):
        return "number form"
    if fold(surface) in (fold(word) for word in asked):
        return "accents folded"
    return "same stem"


def _elided(text: str, token: AnalyzedToken) -> str:
    found = _ELIDED_RE.search(text, max(0, token.start - 8), token.start)
    return found.group(0) if found else ""


class _Article:
    """The analysed fields of one stored article, read once per explanation."""

    def __init__(self, stored: Mapping[str, Any]) -> None:
        self.fields = {name: str(stored.get(name) or "") for name in ("title", "text", "source", "author")}
        self.tokens = {name: list(analyze(text)) for name, text in self.fields.items()}

    def forms(self, fields: tuple[str, ...], wanted, describe) -> list[Form]:
        """The forms of the tokens of ``fields`` that ``wanted(token)``
        accepts, each with ``describe(surface)`` and its count, most frequent first."""
        counts: Counter[tuple[str, str]] = Counter()
        for name in fields:
            text = self.fields[name]
            for token in self.tokens[name]:
                if wanted(token):
                    surface = text[token.start:token.end]
                    elided = _elided(text, token)
                    how = describe(surface)
                    counts[(elided + surface, f"elided ({elided}), {how}" if elided else how)] += 1
        return [Form(text, how, count) for (text, how), count in counts.most_common()]

    def phrase_forms(self, fields: tuple[str, ...], terms: tuple[str, ...], asked: str) -> list[Form]:
        """The places where the stems of a phrase stand in order."""
        counts: Counter[tuple[str, str]] = Counter()
        for name in fields:
            text, tokens = self.fields[name], self.tokens[name]
            for i in range(len(tokens) - len(terms) + 1):
                window = tokens[i:i + len(terms)]
                if all(token.term == term for token, term in zip(window, terms)) and \
                        window[-1].position - window[0].position == len(terms) - 1:
                    surface = text[window[0].start:window[-1].end]
                    how = "as written" if fold(surface) == fold(asked) else "same stems in order"
                    counts[(surface, how)] += 1
        return [Form(text, how, count) for (text, how), count in counts.most_common()]


def _asked_words(compiled: CompiledQuery, corrections: Mapping[str, str], term: str, text: str
                 ) -> tuple[list[str], str | None]:
    """The words of the query ``text`` whose term is ``term``; else the typed
    word whose correction it is, with that correction."""
    typed = [text[token.start:token.end] for token in analyze(text) if token.term == term]
    if typed:
        return list(dict.fromkeys(typed)), None
    for as_typed, word in compiled.typed:
        fix = corrections.get(word)
        if fix and term_of(fix) == term:
            return [fix], as_typed
    return [term], None


def _term_part(leaf: wq.Term, score: float, article: _Article, compiled: CompiledQuery,
               corrections: Mapping[str, str], text: str) -> Part:
    term = leaf.text
    field = _USER_FIELDS.get(leaf.fieldname)
    fields = (field,) if field else ("title", "text")
    prefixes = [prefix for prefix in compiled.spec.prefixes + compiled.title_spec.prefixes
                if term.startswith(prefix) or prefix.startswith(term)] if term not in compiled.spec.terms else []
    if prefixes and not field:
        prefix = prefixes[0]
        forms = article.forms(fields, lambda token: token.term == term and token.word.startswith(prefix),
                              lambda surface: f"prefix {prefix}*")
        return Part(f"{prefix}*", term, score, forms)
    asked, typo = _asked_words(compiled, corrections, term, text)
    family = leaf.family if isinstance(leaf, WordWithFamily) else None

    def wanted(token: AnalyzedToken) -> bool:
        return token.term == term or (family is not None and truncated(token.word) == family)

    def describe(surface: str) -> str:
        if family is not None and term_of(fold(surface)) != term:
            return "family word"
        return f"typo correction of {typo}" if typo else _how(surface, asked)

    label = " ".join(asked) if typo is None else typo
    return Part(f"{field}:{label}" if field else label, term, score, article.forms(fields, wanted, describe),
                correction=asked[0] if typo else None)


def _part(leaf: wq.Query, score: float, article: _Article, compiled: CompiledQuery,
          corrections: Mapping[str, str], text: str) -> Part:
    if isinstance(leaf, wq.Term):
        return _term_part(leaf, score, article, compiled, corrections, text)
    field = _USER_FIELDS.get(getattr(leaf, "fieldname", ""))
    fields = (field,) if field else ("title", "text")
    if isinstance(leaf, wq.Phrase):
        terms = tuple(leaf.words)
        asked = next((" ".join(words) for words in compiled.spec.exact + compiled.title_spec.exact
                      if tuple(term_of(fold(w)) for w in words) == terms), " ".join(terms))
        label = f'"{asked}"'
        return Part(f"{field}:{label}" if field else label, " ".join(terms), score,
                    article.phrase_forms(fields, terms, asked))
    if isinstance(leaf, wq.Prefix) and leaf.fieldname == "words":
        prefix = leaf.text
        forms = article.forms(("title", "text"), lambda token: token.word.startswith(prefix),
                              lambda surface: f"prefix {prefix}*")
        return Part(f"{prefix}* (a word starting so)", prefix, score, forms)
    return Part(str(leaf), "", score, [])


def explain(searcher, text: str, stored: Mapping[str, Any], docnum: int, query: wq.Query, compiled: CompiledQuery,
            bonuses: Mapping[str, Mapping[int, float]] | None, scale: float,
            corrections: Mapping[str, str]) -> Explanation:
    """Why the article ``docnum`` (its ``stored`` fields) matched the query
    ``text``, as the Whoosh ``query`` it was ranked by (compiled as ``compiled``)."""
    scored = [(leaf, scores[docnum]) for leaf, scores in leaf_scores(searcher, query, [docnum]) if scores.get(docnum)]
    bonus = {name: found[docnum] for name, found in (bonuses or {}).items() if found.get(docnum)}
    return explained(text, stored, scored, compiled, bonus, scale, corrections)


def leaves(query: wq.Query) -> list[wq.Query]:
    """The leaves of ``query`` that add to an article's score."""
    return list(_leaves(query))


def explained(text: str, stored: Mapping[str, Any], scored: list[tuple[wq.Query, float]], compiled: CompiledQuery,
              bonus: Mapping[str, float], scale: float, corrections: Mapping[str, str]) -> Explanation:
    """The explanation of an article (its ``stored`` fields) from what each
    leaf of the query gave it (``scored``) and the reranks' ``bonus``: an
    index in a cluster scores them its own way, then explains as this one."""
    article = _Article(stored)
    parts = [_part(leaf, score, article, compiled, corrections, text) for leaf, score in scored if score]
    total = (sum(part.score for part in parts) + sum(bonus.values())) * scale
    return Explanation(total, parts, dict(bonus), scale)
