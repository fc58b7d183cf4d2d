"""``searchkit.Index`` for an index in an OpenSearch cluster: what
``Index("opensearch+http://HOST:PORT/NAME")`` opens. Same methods, same
results; the record the embedded index keeps beside it (versions, the paths
ingested) lives in the index mapping's ``_meta``, its groups of copies and
saved searches in a companion index (searchkit.backends.companion)."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from searchkit.analysis.french import fingerprint, stemmer_version
from searchkit.articles.article import Article
from searchkit.articles.sources import can_hold_articles
from searchkit.backends import clusteringest, clustersearch, clustersimilar
from searchkit.backends.clustercheck import check_cluster_index
from searchkit.backends.address import parse_address, refuse_same
from searchkit.backends.cluster import OpenSearchBackend, index_body
from searchkit.backends.clusteralerts import ClusterReader, ClusterSavedSearches
from searchkit.backends.clustercopies import GENERATION, GroupsRead, groups_id, regroup
from searchkit.backends.clusterrecord import duplicates_id, record_roots, record_write, writing
from searchkit.backends.companion import Companion
from searchkit.errors import IndexIncompatible, IndexNotFound, SearchkitError
from searchkit.ingest.report import IngestReport
from searchkit.ranking.settings import Ranking
from searchkit.search.results import HitStream, SearchResult
from searchkit.storage.integrity import CheckReport
from searchkit.storage.documents import article_from_stored, copied_article
from searchkit.storage.groups import CopyGroups
from searchkit.version import __version__

if TYPE_CHECKING:
    from searchkit.search.alerts import Alerts

# A new index: its primaries spread over two nodes, each with a copy on another.
SHARDS = 2
REPLICAS = 1


def _versions() -> dict[str, str]:
    return {"searchkit": __version__, "analyzer": fingerprint(), "stemmer": stemmer_version()}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class ClusterIndex:
    """An index of the cluster named by ``address``; created by the first ingest."""

    def __init__(self, address: str, create: bool = True, fast_scoring: bool = True,
                 ranking: Ranking | None = None, shards: int = SHARDS, replicas: int = REPLICAS) -> None:
        self.address = parse_address(address)
        self.path = str(self.address)
        self.ranking = Ranking() if ranking is None else ranking
        self.shards, self.replicas = shards, replicas
        self.backend = OpenSearchBackend(self.address)
        self.companion = Companion(self.backend, replicas)
        self._groups = GroupsRead()
        self._created = self.backend.exists()
        if not self._created and not create:
            raise self.backend.not_found()
        if self._created:
            self._check_compatible()

    def _check_compatible(self) -> None:
        meta = self.backend.meta()
        differences = [f"{name} {meta.get(name)!r} (this searchkit: {value!r})"
                       for name, value in _versions().items() if name != "searchkit" and meta.get(name) != value]
        if differences:
            raise IndexIncompatible(f"the index {self.path} was built by an incompatible version of searchkit "
                                    f"({'; '.join(differences)}): run `searchkit ingest --rebuild --index {self.path}`")

    def __enter__(self) -> "ClusterIndex":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.backend.close()

    def _body(self, roots: list[str]) -> dict[str, Any]:
        meta = {**_versions(), "roots": sorted(roots)}
        return index_body(self.shards, self.replicas, self.ranking.k1, self.ranking.b, meta)

    # -- writes ---------------------------------------------------------------

    def ingest(self, paths: Iterable[str | os.PathLike[str]], prune: bool = False,
               on_progress: Callable[[int, int], None] | None = None, on_problem: Any = None,
               wait: float = 0.0, on_wait: Callable[[], None] | None = None,
               follow_links: bool = False) -> IngestReport:
        """As Index.ingest; each bulk request is visible once written."""
        roots = [os.path.abspath(path) for path in paths]
        self._record_roots([root for root in roots if can_hold_articles(root)])
        with writing(self.backend, self.companion):
            report, _ = clusteringest.ingest(self.backend, self.companion, self.ranking.title_weight, roots, prune,
                                             on_progress, on_problem, follow_links)
        if report.articles or report.removed:  # `watch` ingests every 2 s
            record_write(self.backend, self.companion, last_ingest=_now())
        return report

    def ingest_from(self, source: Any, on_problem: Any = None, wait: float = 0.0,
                    on_wait: Callable[[], None] | None = None) -> IngestReport:
        """As Index.ingest_from: every article of ``source`` (opened), with
        the stamps of its file, sent in bulk requests."""
        refuse_same(source.path, self.path)
        self._record_roots(list(source.info().get("roots", [])))
        with writing(self.backend, self.companion):
            report = clusteringest.copy(self.backend, self.ranking.title_weight, source.stamped_articles(),
                                        on_problem)
        if report.articles or report.removed:
            record_write(self.backend, self.companion, last_ingest=_now())
        return report

    def _record_roots(self, roots: list[str]) -> None:
        """The index created if need be, and ``roots`` added to the paths it
        records, before their articles: a rebuild must not leave them out."""
        if not self._created:
            self.backend.create(self._body(roots))
            self._created = True
        record_roots(self.backend, roots)

    def remove(self, targets: Iterable[str], on_problem: Any = None, wait: float = 0.0,
               on_wait: Callable[[], None] | None = None) -> IngestReport:
        if not self._created:
            raise self.backend.not_found()
        run = clusteringest.ClusterIngestion(self.backend, self.ranking.title_weight, on_problem, self.companion)
        with writing(self.backend, self.companion):
            clusteringest.remove(run, targets)
            run.save_duplicates()
        if run.report.removed:
            record_write(self.backend, self.companion)
        return run.report

    @classmethod
    def rebuild(cls, address: str, paths: Iterable[str | os.PathLike[str]] = (),
                on_progress: Callable[[int, int], None] | None = None, on_problem: Any = None,
                wait: float = 0.0, on_wait: Callable[[], None] | None = None, follow_links: bool = False,
                ranking: Ranking | None = None) -> tuple["ClusterIndex", IngestReport]:
        """A new index built from every path ingested (and ``paths``), then the
        alias swapped to it in one step: queries see the old one until then."""
        index = cls(address, create=True, ranking=ranking)
        return index, _rebuilt(index, paths, on_progress, on_problem, follow_links)

    def optimize(self, wait: float = 0.0, on_wait: Callable[[], None] | None = None) -> None:
        with self.backend.answering(f"merging the segments of {self.path}"):
            self.backend.client.indices.forcemerge(index=self.backend.name, max_num_segments=1)

    # -- reads ------------------------------------------------------------------

    def _present(self) -> None:
        if not self._created:
            raise IndexNotFound(f"no index {self.address.name!r} in the cluster at {self.address.url}: "
                                "ingest articles first (`searchkit ingest PATH`)")

    def info(self) -> dict[str, object]:
        self._present()
        return self.backend.meta()

    def search(self, text: str, limit: int = 10, per_article: int = 2, plain_text: bool = False,
               since: str | None = None, until: str | None = None, sort: str = "relevance",
               copies: bool = False, **options: Any) -> SearchResult:
        self._present()
        return clustersearch.search(self.backend, self.ranking, text, limit, per_article, plain_text,
                                    since, until, sort, groups=self._grouping(copies), **options)

    def iter_hits(self, text: str, limit: int | None = None, **options: Any) -> HitStream:
        self._present()
        depth = max(1, self.backend.count()) if limit is None else limit
        result = self.search(text, limit=depth, **options)
        return HitStream(text, iter(result.hits), result.suggestion)

    def rank_articles(self, text: str, limit: int | None = 100, plain_text: bool = False,
                      since: str | None = None, until: str | None = None, sort: str = "relevance",
                      copies: bool = False) -> list[tuple[str, float]]:
        self._present()
        return clustersearch.rank_articles(self.backend, self.ranking, text, limit, plain_text, since, until, sort,
                                           self._grouping(copies))

    def _grouping(self, copies: bool) -> CopyGroups | None:
        """The groups a query shows each once; None when it shows ``copies``."""
        return None if copies else self._copy_groups()

    def _copy_groups(self) -> CopyGroups:
        return self._groups.groups(self.backend, self.companion)

    def copy_groups(self) -> list[list[str]]:
        """The groups of copies (article ids, the earliest dated first: searchkit.storage.minhash)."""
        self._present()
        return [list(group) for group in self._copy_groups().groups]

    def highlights(self, article: Article, query_text: str) -> list[tuple[int, int]]:
        return clustersearch.article_highlights(self.backend, self.ranking, article.text, query_text)

    def get(self, article_id: str) -> Article | None:
        self._present()
        stored = self.backend.stored([article_id])[0]
        return None if stored is None else article_from_stored(stored)

    def articles(self) -> Iterator[Article]:
        self._present()
        for stored in self.backend.stored_all():
            yield article_from_stored(stored)

    def stamped_articles(self) -> Iterator[tuple[Article, str]]:
        """As Index.stamped_articles."""
        self._present()
        for stored in self.backend.stored_all():
            yield copied_article(stored), stored.get("file_sig", "")

    def article_ids(self) -> set[str]:
        self._present()
        return {stored["id"] for stored in self.backend.stored_all(("id",))}

    def __len__(self) -> int:
        self._present()
        return self.backend.count()

    def stats(self) -> dict[str, object]:
        self._present()
        meta = self.backend.meta()
        groups = self._copy_groups()
        return {**self.backend.stats(), "copy_groups": len(groups),
                "articles_in_copy_groups": sum(len(group) for group in groups.groups),
                **{name: meta.get(name) for name in (*_versions(), "last_ingest")}}

    def similar(self, article_id: str, limit: int = 10) -> SearchResult:
        self._present()
        return clustersimilar.similar(self.backend, self.ranking, article_id, limit,
                                      self._copy_groups())

    def check(self) -> CheckReport:
        """As Index.check: the cluster's health, the count recorded, the files ingested."""
        self._present()
        return check_cluster_index(self.backend)

    @property
    def alerts(self) -> "Alerts":
        """The saved searches, kept in the cluster (searchkit.backends.clusteralerts)."""
        from searchkit.search.alerts import Alerts

        reader = ClusterReader(self.rank_articles, self._copy_groups, self.backend.stored)
        return Alerts(ClusterSavedSearches(self.companion), reader)


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S%f")


def _rebuilt(index: ClusterIndex, paths: Iterable[str | os.PathLike[str]],
             on_progress: Callable[[int, int], None] | None, on_problem: Any, follow_links: bool) -> IngestReport:
    """ClusterIndex.rebuild: a new index ingested, then the alias swapped to it."""
    backend = index.backend
    old_meta = backend.meta() if index._created else {}
    roots = list(dict.fromkeys([*old_meta.get("roots", []), *(os.path.abspath(path) for path in paths)]))
    if not roots:
        raise SearchkitError(f"nothing to rebuild {index.path} from: give the paths to ingest")
    physical = backend.create(index._body(roots), physical=f"{index.address.name}-{_stamp()}")
    fresh = OpenSearchBackend(replace(index.address, name=physical))
    try:
        report, _ = clusteringest.ingest(fresh, index.companion, index.ranking.title_weight, roots, False,
                                         on_progress, on_problem, follow_links)
        # The new index's groups in place before the alias points at it.
        generation = int(old_meta.get(GENERATION, 0)) + 1
        regroup(fresh, index.companion, physical, generation)
        fresh.set_meta({**_versions(), "roots": sorted(roots), "last_ingest": _now(), "articles": fresh.count(),
                        GENERATION: generation})
    except BaseException:
        backend.delete_indices([physical])
        raise
    finally:
        fresh.close()
    old = backend.swap_alias(physical)
    backend.delete_indices(name for name in old if name != physical)
    index.companion.delete(kept for name in old if name != physical for kept in (groups_id(name), duplicates_id(name)))
    index._created = True
    return report
