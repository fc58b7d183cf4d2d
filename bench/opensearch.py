"""The embedded index and an OpenSearch cluster side by side, in one run.

    python bench/opensearch.py                        # starts 2 nodes with scripts/opensearch
    python bench/opensearch.py --cluster http://127.0.0.1:9200
    python bench/opensearch.py --failover             # also kill a node during a query loop

For each set of ../shared/eval (orangesum-title-dev is the 31k-article set):
ingest its corpus into a fresh embedded index and a fresh cluster index (2
shards, 1 replica), run its queries through `Index.rank_articles` (plain
words, 100 deep) on both, and print the ingest throughput, query p50/p95,
MRR@10 of both and the mean overlap of their top 10 articles.

--failover: queries in a loop on the cluster index while the node that is not
the cluster manager is killed (SIGKILL) after 2 s; every query's answer or
error is counted, then the node is started again and the time until the
cluster is green again is measured.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import searchkit  # noqa: E402
from relevance import EVAL_DIR, evaluate, ranked_run, read_qrels, read_queries  # noqa: E402
from searchkit import QueryError, SearchkitError  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LAUNCHER = ROOT / "scripts" / "opensearch"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def side_by_side(set_dir: Path, cluster: str) -> None:
    queries = read_queries(set_dir / "queries.tsv")
    qrels = read_qrels(set_dir / "qrels.tsv")
    corpus = set_dir / "corpus.jsonl.gz"
    address = f"opensearch+{cluster}/bench-{set_dir.name.lower()}"
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, where in (("embedded", str(Path(tmp) / "index")), ("cluster", address)):
            with searchkit.Index(where) as index:
                report = index.ingest([corpus])
                run, times, _ = ranked_run(index, queries)
            figures[name] = (report, run, times)
    print(f"\n## {set_dir.name}: {figures['embedded'][0].articles} articles, {len(queries)} queries")
    for name, (report, run, times) in figures.items():
        scores = evaluate(run, qrels)
        print(f"{name:9} ingest {report.seconds:6.1f} s ({report.articles / report.seconds:6.0f} articles/s)  "
              f"query p50 {statistics.median(times) * 1000:6.1f} ms  p95 {_percentile(times, 0.95) * 1000:6.1f} ms  "
              f"MRR@10 {scores['MRR@10']:.4f}")
    embedded, clustered = figures["embedded"][1], figures["cluster"][1]
    overlaps = [len(set(embedded[qid][:10]) & set(clustered[qid][:10])) / max(1, min(10, len(embedded[qid])))
                for qid in embedded if embedded[qid]]
    same_first = sum(1 for qid in embedded if embedded[qid][:1] == clustered.get(qid, [])[:1])
    print(f"top-10 overlap {statistics.mean(overlaps):.3f}, same first article {same_first}/{len(embedded)}")
    _delete(cluster, address.rsplit("/", 1)[1])
    sys.stdout.flush()


def _delete(cluster: str, name: str) -> None:
    request = urllib.request.Request(f"{cluster}/{name}*", method="DELETE")
    urllib.request.urlopen(request).read()


def _get(cluster: str, path: str) -> object:
    with urllib.request.urlopen(f"{cluster}{path}", timeout=30) as answer:
        return json.load(answer)


def failover(cluster: str, folder: Path, set_dir: Path) -> None:
    """Kill the node that is not the cluster manager in the middle of a query loop."""
    queries = [text for _, text in read_queries(set_dir / "queries.tsv")][:400]
    port = int(cluster.rsplit(":", 1)[1])
    address = f"opensearch+http://127.0.0.1:{port},127.0.0.1:{port + 1}/bench-failover"
    with searchkit.Index(address) as index:
        index.ingest([set_dir / "corpus.jsonl.gz"])
        nodes = _get(cluster, "/_cat/nodes?format=json&h=name,cluster_manager")
        victim = next(node["name"] for node in nodes if node["cluster_manager"] != "*")  # type: ignore[union-attr]
        pid = int((folder / f"{victim}.pid").read_text())
        answered, errors, empty, started, killed = 0, [], 0, time.monotonic(), None
        for text in queries:
            if killed is None and time.monotonic() - started > 2:
                os.kill(pid, signal.SIGKILL)
                killed = answered + len(errors)
            try:
                empty += not index.rank_articles(text, limit=10, plain_text=True)
                answered += 1
            except SearchkitError as error:
                errors.append(str(error))
            except QueryError:
                answered += 1
        seconds = time.monotonic() - started
    print(f"\n## failover: {victim} killed after query {killed} of {len(queries)}; "
          f"{answered} answered ({empty} with no article), {len(errors)} errors in {seconds:.1f} s")
    for error in sorted(set(errors))[:3]:
        print(f"   error: {error}")
    survivor = f"http://127.0.0.1:{port + (victim == 'node-0')}"
    health = _get(survivor, "/_cluster/health")
    print(f"cluster after the kill: {health['status']}, {health['number_of_nodes']} nodes")  # type: ignore[index]
    restart = time.monotonic()
    subprocess.run([sys.executable, str(LAUNCHER), "up", "--nodes", "2", "--port", cluster.rsplit(":", 1)[1],
                    "--dir", str(folder)], check=True, capture_output=True)
    _get(survivor, "/_cluster/health?wait_for_status=green&timeout=120s")
    print(f"{victim} started again; the cluster green after {time.monotonic() - restart:.1f} s")
    _delete(cluster, "bench-failover")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path, help="set folders (default: all in ../shared/eval)")
    parser.add_argument("--cluster", help="http://HOST:PORT of a running cluster (default: start 2 nodes)")
    parser.add_argument("--failover", action="store_true", help="also the failover run (needs nodes it started)")
    args = parser.parse_args()
    sets = args.sets or sorted(p for p in EVAL_DIR.iterdir() if (p / "qrels.tsv").exists())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "cluster"
        cluster = args.cluster
        if cluster is None:
            subprocess.run([sys.executable, str(LAUNCHER), "up", "--nodes", "2", "--port", "19600", "--heap", "1g",
                            "--dir", str(folder)], check=True)
            cluster = "http://127.0.0.1:19600"
        try:
            for set_dir in sets:
                side_by_side(set_dir, cluster)
            if args.failover and args.cluster is None:
                failover(cluster, folder, sets[-1])
        finally:
            if args.cluster is None:
                subprocess.run([sys.executable, str(LAUNCHER), "down", "--dir", str(folder)], check=False)


if __name__ == "__main__":
    main()
