"""searchkit: search folders of French news articles.

    import searchkit

    with searchkit.Index("index") as index:
        index.ingest(["seeds"])
        for hit in index.search("libération de Mossoul").hits:
            print(hit.rank, hit.title, hit.text[:80])
"""

__version__ = "0.1.0"

from .analysis import analyze, terms  # noqa: E402
from .articles import Article  # noqa: E402
from .errors import (  # noqa: E402
    IndexBusy,
    IndexDamaged,
    IndexIncompatible,
    IndexNotFound,
    QueryError,
    SearchkitError,
)
from .index import Index  # noqa: E402
from .ingest import IngestReport  # noqa: E402
from .search import Hit, SearchResult  # noqa: E402
from .sources import Problem  # noqa: E402

__all__ = [
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
    "SearchResult",
    "SearchkitError",
    "analyze",
    "terms",
    "__version__",
]
