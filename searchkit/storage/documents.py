"""What the index stores of an article: the document written for it, the
passages cut in the workers, and the Article read back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from searchkit.analysis.french import index_tokens, index_tokens_of_spans
from searchkit.articles.article import Article
from searchkit.articles.passages import Span, passages


@dataclass(slots=True)
class Document:
    """An article on its way into the index: what the writer takes and sends,
    pickled, to its worker processes, and hands back once it is written."""

    fields: dict[str, object]  # the values of schema fields
    body_start: int = 0  # where the text starts after its title (see Article.body_start)
    title_repeats: int = 0  # how many times ``body`` holds the title before the text
    # Its passages when they were cut already (an article copied from another
    # index): kept as they are rather than cut again.
    spans: list[Span] | None = None


class Prepared(NamedTuple):
    """What the workers add to a document before indexing it (see cut_passages)."""

    fields: dict[str, object]  # added to the document's fields, and stored
    tokens: dict[str, list[tuple[str, str]]]  # index_tokens() of some fields: not analysed again


def document_of(article: Article, file_signature: str, text_digest: str, *,
                title_weight: int) -> Document:
    """The document of ``article``, its title ``title_weight`` times in its
    body (``Ranking.title_weight`` of the index: see indexed_body)."""
    body, title_repeats = indexed_body(article, title_weight)
    fields: dict[str, object] = {
        "id": article.id,
        "file_sig": file_signature,
        "text_hash": text_digest,
        "title": article.title,
        "body": body,
        "words": body,
        "truncated": body,
        "text": article.text,
        "path": article.path,
    }
    for name in ("date", "source", "author", "url", "line"):
        value = getattr(article, name)
        if value is not None:
            fields[name] = value
    return Document(fields, article.body_start, title_repeats, list(article.passages) or None)


def cut_passages(document: Document, signed: bool = True) -> Prepared:
    """The passage fields of a document, cut in the indexing workers (the
    writer's ``prepare``): cutting is a fifth of the work of indexing.

    ``passage_positions`` holds, for each passage, the positions of its first
    token and past its last in the ``body`` field, so that a query's passages
    are scored from the positions of its terms without analysing the text.
    The text is analysed here, passage by passage and between passages, and
    the body's tokens handed to the writer, so it is analysed once; with
    ``signed``, its signature for the groups of copies is made too.
    """
    text: str = document.fields["text"]  # type: ignore[assignment]
    spans = document.spans or passages(text, document.body_start)
    bounds = [0] + [offset for span in spans for offset in span] + [len(text)]
    segments = index_tokens_of_spans(text, list(zip(bounds[:-1], bounds[1:])))  # gap, passage, ..., gap
    title: str | None = document.fields.get("title")  # type: ignore[assignment]
    repeats = document.title_repeats
    title_tokens = index_tokens(title) if title and repeats else []
    position = len(title_tokens) * repeats
    edges = []
    for segment in segments[:-1]:
        position += len(segment)
        edges.append(position)
    text_tokens = [token for segment in segments for token in segment]
    copy_sig = b""
    if signed:  # a query analysing stored articles again needs no signature
        from searchkit.storage.minhash import signature  # numpy: in the workers, not in a query

        # The text's alone: a headline rewritten leaves a copy a copy.
        copy_sig = signature([term for term, _ in text_tokens])
    return Prepared({"passages": [tuple(span) for span in spans], "passage_count": len(spans),
                     "passage_positions": edges, "copy_sig": copy_sig}, {"body": title_tokens * repeats + text_tokens})


def indexed_body(article: Article, title_weight: int) -> tuple[str, int]:
    """The words of the title, ``title_weight`` times, and of the text, in one
    field; and how many times the title stands before the text.

    Repeating the title is BM25F's field weighting (a field's weight multiplies
    its term frequencies before saturation); scoring title and text as two
    fields and adding the scores ranked worse on every relevance set.
    """
    if not article.title:
        return article.text, 0
    in_text = article.text.lstrip().startswith(article.title[:40])
    repeats = title_weight - 1 if in_text else title_weight
    return "".join(f"{article.title}\n" for _ in range(repeats)) + "\n" + article.text, repeats


def copied_article(stored: dict[str, Any]) -> Article:
    """The article of ``stored`` as another index takes it: its passages as
    they were cut, none where it had none (its headline not cut again)."""
    article = article_from_stored(stored)
    if not article.passages:
        article.body_start = len(article.text)
    return article


def article_from_stored(stored: dict[str, Any]) -> Article:
    return Article(
        id=stored["id"],
        text=stored["text"],
        path=stored.get("path", ""),
        title=stored.get("title", ""),
        date=stored.get("date"),
        url=stored.get("url"),
        source=stored.get("source"),
        author=stored.get("author"),
        line=stored.get("line"),
        passages=[Span(*span) for span in stored.get("passages", [])],
    )
