"""Text from the HTML that scrapers and feeds leave in JSON fields: an RSS
description in ``<p>`` elements, a title in ``<i>``, ``&amp;`` for ``&``.

A value without a tag or a character reference is returned as it is: plain
text with a ``<`` ("moins de <30 ans") is not HTML.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# A tag or a character reference: the sign that a value holds markup.
_MARKUP_RE = re.compile(
    r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);"
)
# Elements that stand on lines of their own: they end a paragraph.
_BLOCK_TAGS = frozenset(
    "address article aside blockquote dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header hr"
    " li main nav ol p pre section table tr ul".split()
)
_BLOCK_TAG_RE = re.compile(r"</?(?:%s|br)\b" % "|".join(sorted(_BLOCK_TAGS, key=len, reverse=True)), re.IGNORECASE)
# Elements whose content is not text.
_SKIPPED_TAGS = frozenset({"script", "style", "template"})


class _TextOfMarkup(HTMLParser):
    """Collects the text of a fragment; with ``blocks``, block elements and
    ``<br>`` become line breaks and the fragment's own whitespace does not."""

    def __init__(self, blocks: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks = blocks
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping += 1
        elif self.blocks and tag == "br":
            self.parts.append("\n")
        elif self.blocks and tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping = max(self.skipping - 1, 0)
        elif self.blocks and tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: object) -> None:
        self.handle_starttag(tag, attrs)  # <br/> once, not twice

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data) if self.blocks else data)


def _has_markup(value: str) -> bool:
    # The substring tests first: they skip a plain text many times faster than the expression.
    return ("<" in value or "&" in value) and _MARKUP_RE.search(value) is not None


def _collect(value: str, blocks: bool) -> str:
    parser = _TextOfMarkup(blocks)
    parser.feed(value)
    parser.close()
    return "".join(parser.parts)


def text_of_markup(value: str) -> str:
    """The text of an article body that may be HTML: paragraphs where its
    block elements were; a text whose only markup is inline (``<i>``,
    ``&amp;``) keeps its own line breaks."""
    if not _has_markup(value):
        return value
    if not _BLOCK_TAG_RE.search(value):
        return _collect(value, blocks=False)
    lines = (line.strip() for line in _collect(value, blocks=True).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def line_of_markup(value: str) -> str:
    """The text of a one-line value that may be HTML (a title, an author), on one line."""
    if not _has_markup(value):
        return value
    return " ".join(_collect(value, blocks=True).split())
