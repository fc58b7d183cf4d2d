"""A year of daily ingests into one index, against a fresh build of the same articles.

    python bench/lifecycle.py                 # 365 days of 20 to 100 OrangeSum articles
    python bench/lifecycle.py --days 60       # shorter
    python bench/lifecycle.py --repro 500     # also: 500 one-article ingests (the merge crash)
    python bench/lifecycle.py --days 0 --model 200   # the test suite's state machine, longer
    python bench/lifecycle.py --days 0 --twins 300 --cluster http://127.0.0.1:9200
                                              # an embedded and a cluster index given one life

Each day writes a JSON Lines file of 20 to 100 new articles of
../shared/data/orangesum-dev.jsonl.gz into one folder and ingests the folder
through the library; on some days an article of an earlier day is edited
(its file rewritten), dropped from its file (the ingest removes it) or removed
with Index.remove. Prints the seconds, segment count and size of the index
for days 1, 100, 200, 365 (and the median per 50 days), and query latency
(top 10 with passages, the titles of 300 ingested articles) at those days.
At the end a fresh index is built from the same folder: its query latency is
measured in the same run, and the rankings of the kept index are compared
with it, before and after `optimize` (after: equal, scores included).
Do not time anything else on the machine meanwhile.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import searchkit  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"
DATA = SHARED / "data" / "orangesum-dev.jsonl.gz"
MEASURED_DAYS = (1, 100, 200, 365)


def load_articles() -> list[dict[str, str]]:
    with gzip.open(DATA, "rt", encoding="utf-8") as lines:
        return [{k: v for k, v in json.loads(line).items() if k in ("id", "title", "date", "text")}
                for line in lines]


def write_day(path: Path, articles: list[dict[str, str]]) -> None:
    path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), "utf-8")


def latencies(index: searchkit.Index, queries: list[str]) -> list[float]:
    for query in queries[:20]:  # warm the searcher and the scorer's caches
        index.search(query, limit=10)
    times = []
    for query in queries:
        started = time.perf_counter()
        index.search(query, limit=10)
        times.append(time.perf_counter() - started)
    return times


def p50_p95(times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    return f"p50 {statistics.median(ms):6.1f} ms  p95 {ms[int(0.95 * len(ms))]:6.1f} ms"


def rankings(index: searchkit.Index, queries: list[str]) -> list[list[tuple[str, float]]]:
    return [[(i, round(s, 4)) for i, s in index.rank_articles(q, limit=10)] for q in queries]


def index_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.iterdir() if p.is_file())


def year(days: int, seed: int, place: Path) -> None:
    rng = random.Random(seed)
    pool = load_articles()
    rng.shuffle(pool)
    folder, index_path = place / "days", place / "index"
    folder.mkdir()
    files: dict[str, list[dict[str, str]]] = {}
    queries: list[str] = []
    per_day = []
    print(f"{days} days, seed {seed}; day: seconds, segments, size, articles")
    with searchkit.Index(index_path) as index:
        for day in range(1, days + 1):
            new = [pool.pop() for _ in range(rng.randint(20, 100))]
            name = f"day{day:03d}.jsonl"
            files[name] = new
            write_day(folder / name, new)
            queries.extend(a["title"] for a in rng.sample(new, 1))
            earlier = [n for n in files if n != name]
            if earlier and rng.random() < 0.2:  # an article edited
                day_file = rng.choice(earlier)
                article = rng.choice(files[day_file])
                article["text"] += " Mise à jour : la rédaction a complété cet article."
                write_day(folder / day_file, files[day_file])
            if earlier and rng.random() < 0.1:  # an article dropped from its file
                day_file = rng.choice(earlier)
                if len(files[day_file]) > 1:
                    files[day_file].pop(rng.randrange(len(files[day_file])))
                    write_day(folder / day_file, files[day_file])
            started = time.perf_counter()
            report = index.ingest([folder])
            if earlier and rng.random() < 0.05:  # an article removed by id
                day_file = rng.choice(earlier)
                if len(files[day_file]) > 1:
                    gone = files[day_file].pop(rng.randrange(len(files[day_file])))
                    index.remove([gone["id"]])
                    # Its file keeps it: the next change of the file brings it back;
                    # write_day is not called, so the model agrees with the index.
            seconds = time.perf_counter() - started
            assert report.failed == 0, report.problems[:3]
            segments = len(index._ix._segments())
            per_day.append(seconds)
            if day in MEASURED_DAYS or day == days:
                print(f"day {day:3d}: {seconds:6.2f} s, {segments:2d} segments, "
                      f"{index_size(index_path) / 1e6:6.1f} MB, {len(index)} articles; "
                      f"queries {p50_p95(latencies(index, queries[-300:]))}")
            if day % 50 == 0:
                window = per_day[-50:]
                print(f"  days {day - 49:3d}-{day:3d}: ingest median {statistics.median(window):.2f} s, "
                      f"max {max(window):.2f} s")
        expected = {a["id"] for articles in files.values() for a in articles}
        assert {a.id for a in index.articles()} == expected, "the index lost or kept articles"
        report = index.check()
        print(f"check: {'OK' if report.ok else (report.damaged + report.problems)[:3]}")
        sample = rng.sample(queries, min(300, len(queries)))
        kept_before = rankings(index, sample)
        kept_times = latencies(index, sample)
        # The same articles: an article removed by id is still in its file.
        same = place / "same"
        same.mkdir()
        for name, articles in files.items():
            write_day(same / name, articles)
        with searchkit.Index(place / "fresh") as fresh:
            started = time.perf_counter()
            fresh.ingest([same])
            print(f"fresh build: {time.perf_counter() - started:.1f} s, {len(fresh._ix._segments())} segments")
            fresh_times = latencies(fresh, sample)
            fresh_rankings = rankings(fresh, sample)
            fresh_groups = fresh.copy_groups()
        kept_groups = index.copy_groups()
        print(f"groups of copies: {len(kept_groups)}, "
              f"{'equal to' if kept_groups == fresh_groups else 'NOT equal to'} the fresh build's ({len(fresh_groups)})")
        print(f"queries at the end, kept index: {p50_p95(kept_times)}")
        print(f"queries at the end, fresh build: {p50_p95(fresh_times)}")
        # Before optimize, removed articles still count in the statistics: scores differ a little.
        same_top = sum([i for i, _ in a[:1]] == [i for i, _ in b[:1]] for a, b in zip(kept_before, fresh_rankings))
        print(f"before optimize: same first article as the fresh build for {same_top}/{len(sample)} queries")
        started = time.perf_counter()
        index.optimize()
        print(f"optimize: {time.perf_counter() - started:.1f} s")
        equal = sum(a == b for a, b in zip(rankings(index, sample), fresh_rankings))
        print(f"after optimize: rankings equal to the fresh build's for {equal}/{len(sample)} queries")


def repro(steps: int, place: Path) -> None:
    """The reproduction of the merge crash: one small article per ingest."""
    from click.testing import CliRunner

    from searchkit.cli.commands import main

    folder, index_path = place / "r", place / "ir"
    folder.mkdir()
    runner = CliRunner()
    started = time.perf_counter()
    for step in range(1, steps + 1):
        (folder / f"f{step}.txt").write_text(f"Article {step}\nUn article numéro {step} sur Quimper.\n", "utf-8")
        result = runner.invoke(main, ["ingest", str(folder), "--index", str(index_path)])
        if result.exit_code != 0:
            print(f"step {step} failed: {result.output.strip()[-300:]}")
            return
    with searchkit.Index(index_path) as index:
        print(f"{steps} one-article ingests into one index: all committed in {time.perf_counter() - started:.1f} s; "
              f"{len(index)} articles, {len(index._ix._segments())} segments, check "
              f"{'OK' if index.check().ok else 'FAILED'}")


def _run_longer(machine: type, examples: int, steps: int) -> float:
    """A state machine of the test suite run ``examples`` times for up to
    ``steps`` steps, from new draws only; the seconds it took."""
    from hypothesis import HealthCheck, Phase, settings
    from hypothesis.stateful import run_state_machine_as_test

    started = time.perf_counter()
    run_state_machine_as_test(machine, settings=settings(
        max_examples=examples, stateful_step_count=steps, deadline=None, database=None,
        phases=[Phase.generate], suppress_health_check=list(HealthCheck)))
    return time.perf_counter() - started


def model(examples: int, steps: int) -> None:
    """tests/test_lifecycle.py's state machine, with more runs of more steps."""
    from tests.test_lifecycle import IndexLife

    seconds = _run_longer(IndexLife, examples, steps)
    print(f"state machine: {examples} runs of up to {steps} steps each, every invariant held after "
          f"every step, in {seconds:.0f} s")


def twins(cluster: str, examples: int, steps: int) -> None:
    """tests/backends/test_cluster_life.py's state machine (an embedded and a
    cluster index given the same life), with more runs of more steps."""
    from tests.backends.test_cluster_life import TwoIndexesLife

    class Twins(TwoIndexesLife):
        pass

    Twins.cluster = cluster.rstrip("/")
    seconds = _run_longer(Twins, examples, steps)
    print(f"twins: {examples} lives of up to {steps} steps each, the same articles in both after every step, "
          f"in {seconds:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repro", type=int, default=0, help="steps of the one-article reproduction")
    parser.add_argument("--model", type=int, default=0, help="runs of the state machine of tests/test_lifecycle.py")
    parser.add_argument("--model-steps", type=int, default=60)
    parser.add_argument("--twins", type=int, default=0,
                        help="lives of tests/backends/test_cluster_life.py's state machine (needs --cluster)")
    parser.add_argument("--twins-steps", type=int, default=40)
    parser.add_argument("--cluster", help="http://HOST:PORT of an OpenSearch cluster (scripts/opensearch up)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="searchkit-year-") as place:
        if args.model:
            model(args.model, args.model_steps)
        if args.twins:
            if not args.cluster:
                parser.error("--twins needs --cluster http://HOST:PORT")
            twins(args.cluster, args.twins, args.twins_steps)
        if args.repro:
            repro(args.repro, Path(place))
        if args.days:
            year(args.days, args.seed, Path(place))


if __name__ == "__main__":
    main()
