"""A node of the cluster killed while queries run: every query is answered
from the copies on the other node, and the node started again rejoins."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.backends.conftest import LAUNCHER
from tests.helpers import SEED_ID, run


def _get(url):
    with urllib.request.urlopen(url, timeout=60) as answer:
        return json.load(answer)


def test_queries_are_answered_while_a_node_is_killed_and_it_rejoins(launched, address, seeds_copy):
    cluster, folder = launched
    if folder is None:
        pytest.skip("the cluster of SEARCHKIT_TEST_OPENSEARCH is not killed")
    port = int(cluster.rsplit(":", 1)[1])
    both = address.replace(f":{port}/", f":{port},127.0.0.1:{port + 1}/")
    assert run("ingest", seeds_copy, "--index", both).exit_code == 0
    nodes = _get(f"{cluster}/_cat/nodes?format=json&h=name,cluster_manager")
    # With two nodes only the manager votes: the other one is the one a cluster survives losing.
    victim = next(node["name"] for node in nodes if node["cluster_manager"] != "*")
    os.kill(int((folder / f"{victim}.pid").read_text()), signal.SIGKILL)
    try:
        answers = [run("query", "libération de Mossoul", "--format", "json", "--index", both) for _ in range(5)]
        assert [result.exit_code for result in answers] == [0] * 5, answers[-1].output
        assert all(json.loads(result.stdout)["hits"][0]["article_id"] == SEED_ID for result in answers)
    finally:
        started = time.monotonic()
        subprocess.run([sys.executable, str(LAUNCHER), "up", "--nodes", "2", "--port", str(port),
                        "--dir", str(folder)], check=True, capture_output=True)
    survivor = f"http://127.0.0.1:{port + (victim == 'node-0')}"
    health = _get(f"{survivor}/_cluster/health?wait_for_status=green&timeout=60s")
    assert (health["status"], health["number_of_nodes"]) == ("green", 2)
    assert time.monotonic() - started < 90
