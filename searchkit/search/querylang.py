"""The query language: parsing user text into a small syntax tree.

    words          ranked "should" matching: more matching words rank higher
    "a phrase"     the words in this order
    -word, NOT w   exclude
    a AND b        both; a OR b: either (the default between words)
    ( ... )        grouping
    title:word     one field (title, source, author, text)
    libér*         words starting with "libér" (accents and case ignored)

Malformed input raises QueryError with a one-line message, never anything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

from searchkit.errors import QueryError
from searchkit.limits import MAX_QUERY_NESTING, MAX_QUERY_WORD_CHARS, MAX_QUERY_WORDS

FIELDS = ("title", "source", "author", "text")
OPERATORS = ("AND", "OR", "NOT")


@dataclass(frozen=True)
class Words:
    text: str
    field: str | None = None


@dataclass(frozen=True)
class Phrase:
    text: str
    field: str | None = None


@dataclass(frozen=True)
class Prefix:
    text: str
    field: str | None = None


@dataclass(frozen=True)
class Not:
    node: "Node"


@dataclass(frozen=True)
class AllOf:
    nodes: tuple["Node", ...]


@dataclass(frozen=True)
class AnyOf:
    nodes: tuple["Node", ...]


Node = Union[Words, Phrase, Prefix, Not, AllOf, AnyOf]

_LEX_RE = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<quote>"[^"]*"?)
  | (?P<minus>-(?=[^\s\-]))
  | (?P<field>(?:%s):(?=[^\s:]))
  | (?P<word>[^\s()"]+)
    """ % "|".join(FIELDS),
    re.VERBOSE | re.IGNORECASE,
)


@dataclass(frozen=True)
class _Lexeme:
    kind: str
    text: str


def _lex(text: str) -> list[_Lexeme]:
    lexemes = []
    for m in _LEX_RE.finditer(text):
        kind, value = m.lastgroup or "", m.group()
        if kind == "space":
            continue
        if kind == "quote":
            if len(value) < 2 or not value.endswith('"'):
                raise QueryError('unbalanced quote: a phrase opened with " is never closed')
            value = value[1:-1]
        elif kind == "field":
            value = value[:-1].lower()
        elif kind == "word" and value.lower().rstrip(":") in FIELDS and value.endswith(":"):
            raise QueryError(f"{value} must be followed by a word or a quoted phrase")
        elif kind == "word" and value in OPERATORS:
            kind = value
        elif kind == "word" and value.endswith("*") and len(value.rstrip("*")) > 0:
            kind, value = "prefix", value.rstrip("*")
        lexemes.append(_Lexeme(kind, value))
    return lexemes


class _Parser:
    def __init__(self, lexemes: list[_Lexeme]) -> None:
        self.lexemes = lexemes
        self.i = 0
        self.depth = 0  # parentheses and NOTs open around the current lexeme

    def deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_QUERY_NESTING:
            raise QueryError(f"the query nests parentheses or NOTs more than {MAX_QUERY_NESTING} deep")

    def peek(self) -> _Lexeme | None:
        return self.lexemes[self.i] if self.i < len(self.lexemes) else None

    def take(self) -> _Lexeme:
        lexeme = self.lexemes[self.i]
        self.i += 1
        return lexeme

    def parse(self) -> Node:
        node = self.any()
        extra = self.peek()
        if extra is not None:
            if extra.kind == "rparen":
                raise QueryError("unbalanced parenthesis: ) without (")
            raise QueryError(f"unexpected {extra.text!r}")
        return node

    def any(self) -> Node:
        nodes = [self.all()]
        while (lexeme := self.peek()) is not None and lexeme.kind != "rparen":
            if lexeme.kind == "OR":
                self.take()
                if (after := self.peek()) is None or after.kind in ("rparen", "OR", "AND"):
                    raise QueryError("OR needs something on each side")
            nodes.append(self.all())
        return nodes[0] if len(nodes) == 1 else AnyOf(tuple(nodes))

    def all(self) -> Node:
        nodes = [self.unary()]
        while (lexeme := self.peek()) is not None and lexeme.kind == "AND":
            self.take()
            nodes.append(self.unary(after="AND"))
        return nodes[0] if len(nodes) == 1 else AllOf(tuple(nodes))

    def unary(self, after: str | None = None, single: bool = False) -> Node:
        lexeme = self.peek()
        if lexeme is None:
            raise QueryError(f"{after} needs something after it" if after else "the query is empty")
        if lexeme.kind in ("NOT", "minus"):
            self.take()
            self.deeper()
            # Only the next word is excluded: "-Raqqa Mossoul" still looks for Mossoul.
            node: Node = Not(self.unary(after=lexeme.text, single=True))
            self.depth -= 1
            return node
        if lexeme.kind == "field":
            self.take()
            nxt = self.peek()
            if nxt is None or nxt.kind not in ("word", "quote", "prefix"):
                raise QueryError(f"{lexeme.text}: must be followed by a word or a quoted phrase")
            return self.primary(field=lexeme.text)
        return self.primary(single=single)

    def primary(self, field: str | None = None, single: bool = False) -> Node:
        lexeme = self.take()
        if lexeme.kind == "lparen":
            if (after := self.peek()) is not None and after.kind == "rparen":
                raise QueryError("empty parentheses")
            self.deeper()
            node = self.any()
            if self.peek() is None:
                raise QueryError("unbalanced parenthesis: ( is never closed")
            self.take()
            self.depth -= 1
            return node
        if lexeme.kind == "quote":
            return Phrase(lexeme.text, field)
        if lexeme.kind == "prefix":
            return Prefix(lexeme.text, field)
        if lexeme.kind == "word":
            text = lexeme.text
            # Consecutive plain words are analysed together, so that "30 000"
            # stays one number.
            while not (field or single) and (nxt := self.peek()) is not None and nxt.kind == "word":
                text += " " + self.take().text
            return Words(text, field)
        if lexeme.kind == "rparen":
            raise QueryError("unbalanced parenthesis: ) without (")
        raise QueryError(f"{lexeme.text} needs something on each side")


_WORDS_RE = re.compile(r'[^\s()"]+')


def check_size(text: str) -> None:
    """QueryError for a query past the bounds of searchkit.limits: each query
    word costs time, and a very long word more than its length."""
    words = _WORDS_RE.findall(text)
    if len(words) > MAX_QUERY_WORDS:
        raise QueryError(f"the query has {len(words)} words; at most {MAX_QUERY_WORDS} are read")
    longest = max(words, key=len, default="")
    if len(longest) > MAX_QUERY_WORD_CHARS:
        raise QueryError(f"a word of the query has {len(longest)} characters; "
                         f"at most {MAX_QUERY_WORD_CHARS} are read")


def parse(text: str) -> Node:
    """Parse a query; raises QueryError on malformed input."""
    if "\x00" in text:
        raise QueryError("the query holds a NUL character")
    check_size(text)
    lexemes = _lex(text)
    if not lexemes:
        raise QueryError("the query is empty")
    return _Parser(lexemes).parse()


def plain(text: str) -> Node:
    """A query of plain words, with no operators: for text pasted as is."""
    check_size(text)
    return Words(text)


# Quotation marks of French text: straight, French and English.
_QUOTED_RE = re.compile(r'"([^"]+)"|«([^»]+)»|“([^”]+)”')


def quoted(text: str) -> list[str]:
    """The passages between quotation marks of a query ("Guyane :
    « situation extrêmement préoccupante »" -> the last three words)."""
    passages = (next(part for part in m.groups() if part).strip() for m in _QUOTED_RE.finditer(text))
    return [passage for passage in passages if passage]
