"""The address of an index in a cluster: ``opensearch+http://HOST:PORT/NAME``
(or ``opensearch+https://``), with more nodes to fall back on after a comma
(``opensearch+http://HOST:PORT,HOST2:PORT2/NAME``). Credentials come from the environment
(SEARCHKIT_OPENSEARCH_USER and SEARCHKIT_OPENSEARCH_PASSWORD), never from the
address: a command line is seen by every user of the machine."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from searchkit.backends import is_cluster_address
from searchkit.errors import SearchkitError

USER_VARIABLE = "SEARCHKIT_OPENSEARCH_USER"
PASSWORD_VARIABLE = "SEARCHKIT_OPENSEARCH_PASSWORD"
# OpenSearch's rules for an index name, less the ones that need quoting.
_NAME_RE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,200}")
_NODE_RE = re.compile(r"(?P<host>[^/:@,]+)(?::(?P<port>\d+))?")
_ADDRESS_RE = re.compile(r"opensearch\+(?P<scheme>https?)://(?P<nodes>[^/@]+)/(?P<name>[^/]*)/?")


@dataclass(frozen=True)
class ClusterAddress:
    scheme: str
    host: str
    port: int
    name: str
    user: str | None = None
    password: str | None = None
    others: tuple[tuple[str, int], ...] = ()  # more nodes of the same cluster

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    @property
    def nodes(self) -> list[tuple[str, int]]:
        return [(self.host, self.port), *self.others]

    def __str__(self) -> str:
        nodes = ",".join(f"{host}:{port}" for host, port in self.nodes)
        return f"opensearch+{self.scheme}://{nodes}/{self.name}"


def parse_address(text: str) -> ClusterAddress:
    """The address ``text`` names, with the credentials of the environment;
    SearchkitError for one that cannot be used."""
    if "@" in text.partition("//")[2].partition("/")[0]:
        raise SearchkitError(f"put no credentials in the index address {text!r}: "
                             f"set {USER_VARIABLE} and {PASSWORD_VARIABLE} instead")
    found = _ADDRESS_RE.fullmatch(text)
    nodes = [_NODE_RE.fullmatch(node) for node in found["nodes"].split(",")] if found else [None]
    if found is None or None in nodes:
        raise SearchkitError(f"cannot read the index address {text!r}: "
                             "write opensearch+http://HOST:PORT/NAME")
    name = found["name"]
    if not _NAME_RE.fullmatch(name):
        raise SearchkitError(f"the index name {name!r} of {text!r} cannot be used: "
                             "lowercase letters, digits, and - _ . after the first")
    user, password = os.environ.get(USER_VARIABLE), os.environ.get(PASSWORD_VARIABLE)
    if (user is None) != (password is None):
        raise SearchkitError(f"set both {USER_VARIABLE} and {PASSWORD_VARIABLE}, or neither")
    hosts = [(node["host"], int(node["port"] or 9200)) for node in nodes if node is not None]
    return ClusterAddress(found["scheme"], hosts[0][0], hosts[0][1], name, user, password, tuple(hosts[1:]))


def same_index(one: str | os.PathLike[str], other: str | os.PathLike[str]) -> bool:
    """Whether ``one`` and ``other`` name the same index: the same folder, or
    the same name in a cluster answering at one of the same nodes."""
    if is_cluster_address(one) != is_cluster_address(other):
        return False
    if not is_cluster_address(one):
        return os.path.realpath(one) == os.path.realpath(other)
    first, second = parse_address(str(one)), parse_address(str(other))
    return first.name == second.name and bool(set(first.nodes) & set(second.nodes))


def refuse_same(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
    """SearchkitError when an index is to be copied into itself."""
    if same_index(source, target):
        raise SearchkitError(f"cannot copy the index {source} into itself: give another --index")
