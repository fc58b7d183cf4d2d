"""Saved searches that alert: a query kept under a name in the index folder
(alerts.json), and, at each run, the articles it matches that it had not
matched before.

What is new is known by the articles each saved search has seen: the ids it
matched at its last run (or when it was saved). An article is new to it when
it matches now, its id was not among them, and it is no copy of one of them
(searchkit.storage.minhash: another site's take of a dispatch). So an article edited later
does not alert again, a rebuild (which keeps the ids) alerts nothing, and a
removed article is forgotten; one that stops matching and matches again
later alerts again, as it is news to that search again. Ids rather than a
sequence number of ingests: they survive a rebuild, which builds every
article anew, without a number kept per article.

Where the saved searches are kept (``SavedSearchStore``: a file of the
index folder, a document of a cluster) and how an index answers them
(``AlertReader``) are all that differs from one index to another.
"""

from __future__ import annotations

import builtins
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Protocol, Sequence, TypeVar

from searchkit.errors import QueryError, SearchkitError
from searchkit.search import engine
from searchkit.search.copies import copies_of
from searchkit.search.filters import make_filters
from searchkit.search.results import Copy
from searchkit.search.session import SearchSession
from searchkit.storage.durability import write_json
from searchkit.storage.groups import CopyGroups

ALERTS_FILE = "alerts.json"
MAX_NAME = 100
T = TypeVar("T")
Reading = Callable[[Callable[[], T]], T]  # an operation run as a read of the index (OpenedIndex.read)


@dataclass
class SavedSearch:
    name: str
    query: str
    since: str | None = None  # articles dated before it were not news when it was saved
    saved: str = ""  # when, UTC
    last_run: str | None = None
    seen: list[str] = field(default_factory=list)  # the ids it matched at its last run

    def to_dict(self, seen: bool = True) -> dict[str, Any]:
        data = asdict(self)
        if not seen:
            data["seen"] = len(self.seen)
        return data


@dataclass
class Match:
    """An article new to a saved search, with the new articles that are its copies."""

    id: str
    title: str
    date: str | None
    source: str | None
    url: str | None
    path: str
    copies: list[Copy] = field(default_factory=list)


@dataclass
class AlertRun:
    """What one saved search found new, or why its query cannot run."""

    name: str
    query: str
    new: list[Match] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class SavedSearchStore(Protocol):
    """Where an index keeps its saved searches."""

    def load(self) -> dict[str, SavedSearch]:
        """The saved searches by name, in the order saved; none if never saved."""

    def save(self, saved: dict[str, SavedSearch]) -> None:
        """Keep ``saved`` in place of what ``load`` read."""


class AlertReader(Protocol):
    """What the saved searches read of an index."""

    def matching(self, query: str, since: str | None = None) -> builtins.list[str]:
        """The ids of every article ``query`` matches, each copy apart (QueryError for one that cannot run)."""

    def copy_groups(self) -> CopyGroups:
        """The index's groups of copies."""

    def stored(self, article_ids: Sequence[str]) -> builtins.list[dict[str, Any] | None]:
        """The stored fields of each article of ``article_ids`` (None: gone)."""


class Alerts:
    """The saved searches of an index, kept in ``store``, run on ``reader``."""

    def __init__(self, store: SavedSearchStore, reader: AlertReader) -> None:
        self.store = store
        self.reader = reader

    def list(self) -> builtins.list[SavedSearch]:  # named as the CLI's command
        return list(self.store.load().values())

    def add(self, name: str, query: str, since: str | None = None) -> SavedSearch:
        """Save ``query`` as ``name``: what it matches now is not news, but for
        the articles dated ``since`` or later, which its first run gives."""
        _check_name(name)
        saved = self.store.load()
        if name in saved:
            raise SearchkitError(f"there is already a saved search named {name!r}: remove it first")
        make_filters(since, None, "relevance")  # a bad date refused before anything is saved
        matching = self.reader.matching(query)  # a query that cannot run is refused likewise
        recent = set(self.reader.matching(query, since)) if since else set()
        search = SavedSearch(name, query, since, _now(), None, sorted(set(matching) - recent))
        saved[name] = search
        self.store.save(saved)
        return search

    def remove(self, name: str) -> None:
        saved = self.store.load()
        if saved.pop(name, None) is None:
            raise SearchkitError(f"no saved search named {name!r}")
        self.store.save(saved)

    def run(self, name: str | None = None, record: bool = True) -> builtins.list[AlertRun]:
        """Each saved search (or the one named) with the articles it matches
        that it had not seen, grouped by copies, newest first; the run is
        recorded unless not ``record``. A query that no longer runs (the
        analysis changed) is reported in its run; the others still run."""
        saved = self.store.load()
        if name is not None and name not in saved:
            raise SearchkitError(f"no saved search named {name!r}")
        runs: builtins.list[AlertRun] = []
        now = _now()
        for search in saved.values():
            if name is not None and search.name != name:
                continue
            try:
                matching = self.reader.matching(search.query)
            except QueryError as error:
                runs.append(AlertRun(search.name, search.query, error=f"its query no longer runs: {error}"))
                continue
            seen = set(search.seen)
            runs.append(AlertRun(search.name, search.query,
                                 self._matches([i for i in matching if i not in seen], seen)))
            search.seen, search.last_run = sorted(matching), now
        if record:
            self.store.save(saved)
        return runs

    def _matches(self, new: builtins.list[str], seen: set[str]) -> builtins.list[Match]:
        """The articles of ``new``, a group of copies once (led by its
        earliest), the newest first; a copy of an article ``seen`` already is
        no news: another site's take of a dispatch alerted before."""
        if not new:
            return []
        groups = self.reader.copy_groups()
        fresh: set[str] = {i for i in new if seen.isdisjoint(groups.members(i))}
        matches: builtins.list[Match] = []
        for article_id in sorted(fresh, key=lambda i: (groups.members(i).index(i), i)):
            if article_id not in fresh:
                continue  # listed with its group's leader
            others = [member for member in groups.members(article_id) if member in fresh and member != article_id]
            fresh.difference_update([article_id, *others])
            stored = self.reader.stored([article_id])[0] or {}
            matches.append(Match(article_id, stored.get("title", ""), stored.get("date"), stored.get("source"),
                                 stored.get("url"), stored.get("path", ""), copies_of(self.reader.stored(others))))
        matches.sort(key=lambda match: (match.date is not None, match.date or "", match.id), reverse=True)
        return matches


def saved_from(data: Any) -> dict[str, SavedSearch]:
    """The saved searches of ``data`` as ``saved_data`` writes them; KeyError
    or TypeError for data not written so."""
    return {item["name"]: SavedSearch(**item) for item in data["saved_searches"]}


def saved_data(saved: dict[str, SavedSearch]) -> dict[str, Any]:
    return {"saved_searches": [search.to_dict() for search in saved.values()]}


class SavedSearchFile:
    """The saved searches of an index in a folder: ``alerts.json`` in it.
    A save over a file another command changed since this one loaded it
    (a `watch` running them while the user adds one) is refused in one
    line, as on a cluster, rather than losing what the other wrote."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / ALERTS_FILE
        self._read: bytes | None = None  # the file as last loaded or saved; None: there was none

    def load(self) -> dict[str, SavedSearch]:
        try:
            self._read = self.path.read_bytes()
            data = json.loads(self._read.decode("utf-8"))
        except FileNotFoundError:
            self._read = None
            return {}
        except (OSError, ValueError) as error:
            raise SearchkitError(f"the saved searches in {self.path} cannot be read ({error}): "
                                 "mend or delete the file") from None
        try:
            return saved_from(data)
        except (KeyError, TypeError) as error:
            raise SearchkitError(f"the saved searches in {self.path} are not as searchkit writes them "
                                 f"({error!r}): mend or delete the file") from None

    def save(self, saved: dict[str, SavedSearch]) -> None:
        from whoosh.filedb.filestore import FileStorage

        try:
            lock = FileStorage(str(self.path.parent)).lock(f".{ALERTS_FILE}.lock")
            lock.acquire(blocking=True)
            try:
                if self._current() != self._read:
                    raise SearchkitError(f"the saved searches in {self.path} changed while this command ran "
                                         "(another command wrote them): run the command again")
                write_json(self.path, saved_data(saved))
                self._read = self._current()
            finally:
                lock.release()
        except OSError as error:
            raise SearchkitError(f"cannot write {self.path}: {error.strerror or error}") from None

    def _current(self) -> bytes | None:
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return None


class SessionReader:
    """An embedded index as the saved searches read it: ``session`` gives
    the search session of its latest commit, ``read`` runs an operation as a
    read of the index (damage named in one line)."""

    def __init__(self, session: Callable[[], SearchSession], read: Reading) -> None:
        self._session = session
        self._read = read

    def matching(self, query: str, since: str | None = None) -> builtins.list[str]:
        return [article_id for article_id, _ in self._read(lambda: engine.rank_articles(
            self._session(), query, limit=None, since=since, copies=True))]

    def copy_groups(self) -> CopyGroups:
        return self._read(lambda: self._session().copy_groups())

    def stored(self, article_ids: Sequence[str]) -> builtins.list[dict[str, Any] | None]:
        def read() -> builtins.list[dict[str, Any] | None]:
            searcher = self._session().searcher
            return [searcher.document(id=article_id) for article_id in article_ids]

        return self._read(read)


def _check_name(name: str) -> None:
    if not name.strip() or len(name) > MAX_NAME or any(not ch.isprintable() for ch in name):
        raise SearchkitError(f"a saved search needs a name of 1 to {MAX_NAME} printable characters, "
                             f"not {name!r}")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def matches_text(runs: Iterable[AlertRun]) -> str:
    """The new articles of ``runs`` in a few words each, for a notification."""
    lines = []
    for run in runs:
        if run.new:
            titles = "; ".join(match.title or match.id for match in run.new[:3])
            more = f" and {len(run.new) - 3} more" if len(run.new) > 3 else ""
            lines.append(f"{run.name}: {len(run.new)} new: {titles}{more}")
    return "\n".join(lines)
