"""Where an index's articles live: the embedded Whoosh index in a folder (the
default, searchkit.index itself), or an OpenSearch cluster named by an address
``opensearch+http://HOST:PORT/NAME`` (searchkit.backends.cluster). The query
language, the French analysis, passages and marks stay searchkit's own."""

CLUSTER_SCHEMES = ("opensearch+http://", "opensearch+https://")


def is_cluster_address(where: object) -> bool:
    """Whether ``where`` names an index in a cluster rather than a folder."""
    return isinstance(where, str) and where.startswith(CLUSTER_SCHEMES)
