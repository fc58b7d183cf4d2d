"""Copies shown once: the articles of a group of copies (an agency dispatch
taken up by several sites, see searchkit.storage.minhash) stand as one, at
the rank of the best ranked of them, which leads; of members ranked equal,
the earliest dated leads. The others are listed as the leader's ``copies``."""

from __future__ import annotations

from typing import Callable, TypeVar

from searchkit.search.results import Copy
from searchkit.search.session import SearchSession

Ranked = list[tuple[int, float]]  # (docnum, score), best first
Found = TypeVar("Found")


def leaders(session: SearchSession, ranked: Ranked) -> tuple[Ranked, dict[int, list[str]]]:
    """``ranked`` with each group of copies once, at the place of its best
    member; and the ids of the other members of each kept group, by docnum."""
    groups = session.copy_groups()
    if not groups.groups:
        return ranked, {}
    ids = session.id_column()
    kept: Ranked = []
    place: dict[str, int] = {}  # a group's first member -> its place in ``kept``
    for docnum, score in ranked:
        group = groups.group_of.get(ids[docnum])
        if group is None:
            kept.append((docnum, score))
            continue
        at = place.get(group[0])
        if at is None:
            place[group[0]] = len(kept)
            kept.append((docnum, score))
        elif score >= kept[at][1] and group.index(ids[docnum]) < group.index(ids[kept[at][0]]):
            kept[at] = (docnum, kept[at][1])  # ranked equal and dated earlier: leads
    copies = {}
    for docnum, _ in kept:
        article_id = ids[docnum]
        if article_id in groups.group_of:
            copies[docnum] = [member for member in groups.members(article_id) if member != article_id]
    return kept, copies


def deep_enough(rank: Callable[[int], Found], ranked_of: Callable[[Found], Ranked], session: SearchSession,
                limit: int | None) -> tuple[Found, Ranked, dict[int, list[str]]]:
    """``rank(depth)`` deep enough that ``limit`` articles are left once each
    group of copies stands once (all of them for None); its leaders and their copies."""
    depth = max(1, session.searcher.doc_count_all()) if limit is None else limit
    while True:
        found = rank(depth)
        ranked = ranked_of(found)
        kept, copies = leaders(session, ranked)
        if limit is None or len(kept) >= limit or len(ranked) < depth:
            return found, kept[:limit], copies
        depth *= 2


def copy_details(session: SearchSession, article_ids: list[str]) -> list[Copy]:
    """The id, title, date and source of each article of ``article_ids``."""
    searcher = session.searcher
    details = []
    for article_id in article_ids:
        stored = searcher.document(id=article_id)
        if stored is not None:
            details.append(Copy(article_id, stored.get("title", ""), stored.get("date"), stored.get("source")))
    return details
