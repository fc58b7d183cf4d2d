"""The French chain (searchkit.analysis.french) as the Whoosh analyzer of
the index's text fields; the class is pickled into every index's schema."""

from __future__ import annotations

from typing import Iterator

from whoosh.analysis import Analyzer, Token

from searchkit.analysis.french import ANALYZER_VERSION, analyze, truncated


class FrenchAnalyzer(Analyzer):
    """The French chain as a Whoosh analyzer.

    Whoosh pickles the analyzer into the index schema, so this class holds no
    state of its own (the stemmer and caches live in searchkit.analysis.french) and must keep
    its import path. With ``unstemmed`` it gives the folded words instead of
    their stems, with ``truncated`` their ``truncated`` forms.
    """

    def __init__(self, version: str = ANALYZER_VERSION, unstemmed: bool = False, truncated: bool = False) -> None:
        self.version = version
        # The folded words rather than their stems: for prefixes and spelling.
        self.unstemmed = unstemmed
        self.truncated = truncated

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            # Whoosh asks for an untokenized value when it already holds a term.
            token.text = value
            token.original = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar = start_char
                token.endchar = start_char + len(value)
            yield token
            return
        unstemmed, truncate = self.unstemmed, getattr(self, "truncated", False)  # older pickles lack it
        for item in analyze(value):
            token.text = truncated(item.word) if truncate else item.word if unstemmed else item.term
            token.boost = 1.0
            if keeporiginal:
                token.original = value[item.start:item.end]
            if positions:
                token.pos = start_pos + item.position
            if chars:
                token.startchar = start_char + item.start
                token.endchar = start_char + item.end
            yield token
