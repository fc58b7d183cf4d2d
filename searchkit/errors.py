"""Errors a user can act on: each message says what went wrong and what to do."""


class SearchkitError(Exception):
    """Base of searchkit's user-facing errors."""


class IndexNotFound(SearchkitError):
    """No index where one was expected."""


class IndexIncompatible(SearchkitError):
    """The index was built by an incompatible version of searchkit."""


class IndexBusy(SearchkitError):
    """Another process holds the index's write lock."""


class QueryError(SearchkitError, ValueError):
    """A query that cannot be run; the message says why, in one line."""


class ArticleNotFound(SearchkitError, LookupError):
    """No article of the index has this id."""

    def __init__(self, article_id: str) -> None:
        super().__init__(f"no article {article_id!r} in the index")
        self.article_id = article_id

    def __reduce__(self):
        return (type(self), (self.article_id,))


class IndexDamaged(SearchkitError):
    """A file of the index is damaged, missing or cut short."""

    def __init__(self, path: str, file: str, reason: str) -> None:
        super().__init__(
            f"the index at {path} is damaged ({file}: {reason}): "
            f"run `searchkit ingest --rebuild --index {path}`"
        )
        self.path, self.file, self.reason = path, file, reason

    def __reduce__(self):
        return (type(self), (self.path, self.file, self.reason))

class IndexUnsafe(SearchkitError):
    """The index holds pickled data naming a class that no searchkit index
    holds: refused before anything it names runs (see searchkit.storage.safepickle)."""

    def __init__(self, what: str, path: object = None) -> None:
        self.what = what
        self.path = path
        where = "" if path is None else f" at {path}"
        super().__init__(f"the index{where} holds data that is not a searchkit index ({what}): "
                         "refusing to open it")


class ClusterError(SearchkitError):
    """A search cluster refused or could not answer: unreachable, red,
    read-only, credentials refused, a version too old; the message says which."""
