"""The groups of copies of each commit of an index, in a file beside it.

Whoosh's table of contents has no room for them, and the group of an article
changes when another article comes or goes, which its stored fields cannot
follow. So each commit's groups are written to ``copies.<generation>.json``,
synced, before the table of contents of that generation is renamed into
place: the rename commits both, and a commit that never came leaves a file
no table of contents names, overwritten by the next. Only groups of two
articles or more are written; an article in none is a group of its own.
The files of the two latest generations are kept: a searcher opened on the
one before the last commit may still read its own.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from searchkit.storage import integrity
from searchkit.storage.durability import write_json
from searchkit.storage.integrity import CHECKSUM_MISMATCH, Damage

_NAME = re.compile(r"copies\.(\d+)\.json(\.tmp)?$")
KEPT_GENERATIONS = 2


def groups_file(folder: Path, generation: int) -> Path:
    return folder / f"copies.{generation}.json"


@dataclass(frozen=True)
class CopyGroups:
    """Groups of copies, each in order of date (then id): its first is the
    article that leads it when nothing else ranks one of the others first."""

    groups: list[list[str]] = field(default_factory=list)
    group_of: dict[str, list[str]] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, groups: Iterable[list[str]]) -> "CopyGroups":
        listed = [list(group) for group in groups]
        return cls(listed, {member: group for group in listed for member in group})

    def members(self, article_id: str) -> list[str]:
        """The articles of ``article_id``'s group, itself included."""
        return self.group_of.get(article_id, [article_id])

    def __len__(self) -> int:
        return len(self.groups)


def write_groups(folder: Path, generation: int, groups: CopyGroups) -> None:
    """The groups of the commit of ``generation``, written before it, with
    their checksum (as searchkit.json's)."""
    write_json(groups_file(folder, generation),
               integrity.sealed_info({"generation": generation, "groups": groups.groups}))


def _load(folder: Path, generation: int, required: bool) -> tuple[list[list[str]] | None, Damage | None]:
    """The groups of the file of ``generation``, or what is wrong with it;
    (None, None) for no file where none is ``required``."""
    name = groups_file(folder, generation).name
    try:
        data = (folder / name).read_bytes()
    except FileNotFoundError:
        return None, Damage(name, "missing") if required else None
    except OSError as error:
        return None, Damage(name, f"cannot be read: {error.strerror or error}")
    try:
        record = json.loads(data.decode("utf-8"))
        groups = record["groups"]
        right = integrity.sealed_info(record)[integrity.INFO_CHECKSUM] == record.get(integrity.INFO_CHECKSUM)
    except (ValueError, KeyError, TypeError):
        return None, Damage(name, "not valid JSON" if data else "empty")
    if not right or record.get("generation") != generation:
        return None, Damage(name, CHECKSUM_MISMATCH)
    return groups, None


def groups_damage(folder: Path, generation: int, required: bool) -> Damage | None:
    """What is wrong with the groups file of ``generation``, if anything;
    ``required`` when the commit holds articles."""
    return _load(folder, generation, required)[1]


def read_groups(folder: Path, generation: int, required: bool = True) -> CopyGroups:
    """The groups of the commit of ``generation``; none for a commit without
    articles (not ``required``). Raises IndexDamaged for a file damaged or missing."""
    groups, damage = _load(folder, generation, required)
    if damage is not None:
        raise integrity.damaged(folder, damage)
    return CopyGroups.of(groups or [])


def groups_of(folder: Path, searcher: Any, ix: Any) -> CopyGroups:
    """The groups of the commit ``searcher`` reads, of the index ``ix`` in ``folder``."""
    reader = searcher.reader()
    generation = reader.generation()
    if generation is None or generation < 0:  # an index without segments
        generation = ix.latest_generation()
    return read_groups(folder, generation, required=reader.doc_count_all() > 0)


def clean_groups(folder: Path, generation: int) -> None:
    """Delete the files of generations before the KEPT_GENERATIONS latest
    (``generation`` the latest), and those of commits that never came."""
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if match and (match.group(2) or not generation - KEPT_GENERATIONS < int(match.group(1)) <= generation):
            try:
                path.unlink()
            except OSError:
                continue  # held open on a system that forbids deleting it: next time
