"""searchkit: search folders of French news articles.

    import searchkit

    with searchkit.Index("index") as index:
        index.ingest(["seeds"])
        for hit in index.search("libération de Mossoul").hits:
            print(hit.rank, hit.title, hit.text[:80])
"""

from searchkit.version import __version__  # noqa: E402

from searchkit.analysis.french import analyze, terms  # noqa: E402
from searchkit.articles.article import Article  # noqa: E402
from searchkit.errors import (  # noqa: E402
    ArticleNotFound,
    IndexBusy,
    IndexDamaged,
    IndexIncompatible,
    IndexNotFound,
    QueryError,
    SearchkitError,
)
from searchkit.index import Index  # noqa: E402
from searchkit.ingest.report import IngestReport  # noqa: E402
from searchkit.ranking.settings import Ranking  # noqa: E402
from searchkit.search.results import Hit, SearchResult  # noqa: E402
from searchkit.articles.sources import Problem  # noqa: E402

__all__ = [
    "ArticleNotFound",
    "Article",
    "Hit",
    "Index",
    "IndexBusy",
    "IndexDamaged",
    "IndexIncompatible",
    "IndexNotFound",
    "IngestReport",
    "Problem",
    "QueryError",
    "Ranking",
    "SearchResult",
    "SearchkitError",
    "analyze",
    "terms",
    "__version__",
]
