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
