"""Copies shown once: the articles of a group of copies (an agency dispatch
taken up by several sites, see searchkit.storage.minhash) stand as one, at
the rank of the best ranked of them, which leads; of members ranked equal,
the earliest dated leads. The others are listed as the leader's ``copies``.

The same code serves every index: an embedded index ranks document numbers
(``id_of`` reads the id column), a cluster index ranks article ids."""

from __future__ import annotations

from typing import Any, Callable, Hashable, Iterable, Iterator, Mapping, Sequence, TypeVar

from searchkit.search.results import Copy, Hit
from searchkit.search.session import SearchSession
from searchkit.storage.groups import CopyGroups

Key = TypeVar("Key", bound=Hashable)  # a docnum of an embedded index, an article id in a cluster
Ranked = list[tuple[int, float]]  # (docnum, score), best first
Found = TypeVar("Found")


def leaders_of(groups: CopyGroups, ranked: list[tuple[Key, float]], id_of: Callable[[Key], str]
               ) -> tuple[list[tuple[Key, float]], dict[Key, list[str]]]:
    """``ranked`` with each group of ``groups`` once, at the place of its best
    member; and the ids of the other members of each kept group, by key."""
    if not groups.groups:
        return ranked, {}
    kept: list[tuple[Key, float]] = []
    place: dict[str, int] = {}  # a group's first member -> its place in ``kept``
    for key, score in ranked:
        group = groups.group_of.get(id_of(key))
        if group is None:
            kept.append((key, score))
            continue
        at = place.get(group[0])
        if at is None:
            place[group[0]] = len(kept)
            kept.append((key, score))
        elif score >= kept[at][1] and group.index(id_of(key)) < group.index(id_of(kept[at][0])):
            kept[at] = (key, kept[at][1])  # ranked equal and dated earlier: leads
    copies = {}
    for key, _ in kept:
        article_id = id_of(key)
        if article_id in groups.group_of:
            copies[key] = [member for member in groups.members(article_id) if member != article_id]
    return kept, copies


def leaders(session: SearchSession, ranked: Ranked) -> tuple[Ranked, dict[int, list[str]]]:
    """leaders_of for the documents of an embedded index's session."""
    groups = session.copy_groups()
    if not groups.groups:
        return ranked, {}
    return leaders_of(groups, ranked, session.id_column().__getitem__)


def deepen(rank: Callable[[int], Found], ranked_of: Callable[[Found], list[tuple[Key, float]]],
           lead: Callable[[list[tuple[Key, float]]], tuple[list[tuple[Key, float]], dict[Key, list[str]]]],
           everything: Callable[[], int], limit: int | None
           ) -> tuple[Found, list[tuple[Key, float]], dict[Key, list[str]]]:
    """``rank(depth)`` deep enough that ``limit`` articles are left once
    ``lead`` kept each group of copies once (all ``everything()`` articles
    for None); its leaders and their copies."""
    depth = max(1, everything()) if limit is None else limit
    while True:
        found = rank(depth)
        ranked = ranked_of(found)
        kept, copies = lead(ranked)
        if limit is None or len(kept) >= limit or len(ranked) < depth:
            return found, kept[:limit], copies
        depth *= 2


def deep_enough(rank: Callable[[int], Found], ranked_of: Callable[[Found], Ranked], session: SearchSession,
                limit: int | None) -> tuple[Found, Ranked, dict[int, list[str]]]:
    """deepen on an embedded index's session."""
    return deepen(rank, ranked_of, lambda ranked: leaders(session, ranked), session.searcher.doc_count_all, limit)


def copies_of(stored: Iterable[Mapping[str, Any] | None]) -> list[Copy]:
    """The id, title, date and source of each article ``stored`` (None: gone since)."""
    return [Copy(fields["id"], fields.get("title", ""), fields.get("date"), fields.get("source"))
            for fields in stored if fields is not None]


def copy_details(session: SearchSession, article_ids: list[str]) -> list[Copy]:
    """The id, title, date and source of each article of ``article_ids``."""
    return copies_of(session.searcher.document(id=article_id) for article_id in article_ids)


def with_copies(hits: Iterable[Hit], others: Mapping[str, Sequence[str]],
                details: Callable[[list[str]], list[Copy]]) -> Iterator[Hit]:
    """The hits, each with its ``copies``: the others of its article's group
    (``others``, by article id), their details read once per article."""
    read: dict[str, list[Copy]] = {}
    for hit in hits:
        members = others.get(hit.article_id)
        if members:
            if hit.article_id not in read:
                read[hit.article_id] = details(list(members))
            hit.copies = read[hit.article_id]
        yield hit
