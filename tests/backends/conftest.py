"""A real OpenSearch cluster for the tests of this folder: two nodes started
by scripts/opensearch for the session, or the one SEARCHKIT_TEST_OPENSEARCH
names (http://HOST:PORT). Without Java and Maven the tests are skipped, with
one line; under CI they fail instead."""

import os
import shutil
import socket
import subprocess
import sys
import uuid

import pytest

from tests.helpers import ROOT

LAUNCHER = ROOT / "scripts" / "opensearch"


def _free_base_port() -> int:
    """A port P with P, P+1, P+100 and P+101 free on 127.0.0.1."""
    for base in range(19200, 19300, 2):
        ports = (base, base + 1, base + 100, base + 101)
        if all(_free(port) for port in ports):
            return base
    raise RuntimeError("no free ports for a test cluster between 19200 and 19401")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture(scope="package")
def launched(tmp_path_factory):
    """(http://HOST:PORT, the folder of its nodes or None for a cluster given)."""
    given = os.environ.get("SEARCHKIT_TEST_OPENSEARCH")
    if given:
        yield given.rstrip("/"), None
        return
    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if missing:
        message = f"cluster tests need {' and '.join(missing)} (Java 17 and Maven start OpenSearch: scripts/opensearch)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("opensearch")
    port = _free_base_port()
    started = subprocess.run([sys.executable, str(LAUNCHER), "up", "--nodes", "2", "--port", str(port),
                              "--dir", str(folder)], capture_output=True, text=True)
    assert started.returncode == 0, started.stdout + started.stderr
    try:
        yield f"http://127.0.0.1:{port}", folder
    finally:
        subprocess.run([sys.executable, str(LAUNCHER), "down", "--dir", str(folder)], capture_output=True)


@pytest.fixture(scope="package")
def cluster(launched):
    """The cluster's http://HOST:PORT."""
    return launched[0]


def _own_index(cluster):
    """The address of an index of its own in the cluster, deleted after."""
    name = f"test-{uuid.uuid4().hex[:10]}"
    yield f"opensearch+{cluster}/{name}"
    from opensearchpy import OpenSearch

    client = OpenSearch(hosts=[cluster])
    for index in client.indices.get(index=f"{name}*", ignore_unavailable=True):
        client.indices.delete(index=index)
    client.close()


@pytest.fixture
def address(cluster):
    """The address of an index of its own in the cluster, deleted after the test."""
    yield from _own_index(cluster)


@pytest.fixture(scope="module")
def seeds_cluster(cluster):
    """The address of a cluster index of the shipped seeds, for the tests of a module that only read it."""
    from tests.helpers import SEEDS, run

    for address in _own_index(cluster):
        ingested = run("ingest", SEEDS, "--index", address)
        assert ingested.exit_code == 0, ingested.output
        yield address
