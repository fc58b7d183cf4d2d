"""Time and peak memory of `searchkit query --limit all` exports, on
../shared/data/orangesum-dev.jsonl.gz.

    python bench/export.py                        # builds an index in a temporary folder first
    python bench/export.py --index /tmp/orangesum  # an index of it built already

Prints, for a broad query, the wall time, the peak resident memory and the
size of `--format csv` (and jsonl, trec) with --limit 100, 1000 and all, each
in a new process; then the same every-match search built as one list in
memory (`Index.search(limit=10**6)`), the alternative streaming avoids.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "orangesum-dev.jsonl.gz"
QUERY = "France président gouvernement"
SEARCHKIT = [sys.executable, "-m", "searchkit"]
AS_A_LIST = """
import sys, searchkit
with searchkit.Index(sys.argv[1], fast_scoring=False) as index:
    sys.stdout.write(str(len(index.search(sys.argv[2], limit=10**6).hits)))
"""


def measured(command: list[str]) -> tuple[float, float, int, int]:
    """Seconds, peak resident MB, bytes and lines written of ``command``."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, stdout=out)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"failed: {' '.join(command)}")
        out.seek(0)
        data = out.read()
    return seconds, usage.ru_maxrss / 1024, len(data), data.count(b"\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="an index of the corpus (else built in a temporary folder)")
    parser.add_argument("--query", default=QUERY)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        index = args.index
        if index is None:
            index = Path(scratch) / "index"
            subprocess.run([*SEARCHKIT, "ingest", str(DATA), "--index", str(index)], check=True)
        print(f"query {args.query!r} on {index}")
        print(f"{'format':<6} {'limit':>6} {'seconds':>8} {'peak MB':>8} {'MB out':>7} {'lines':>7}")
        for output_format in ("csv", "jsonl", "trec"):
            for limit in ("100", "1000", "all"):
                seconds, peak, size, lines = measured([*SEARCHKIT, "query", args.query, "--index", str(index),
                                                       "--format", output_format, "--limit", limit])
                print(f"{output_format:<6} {limit:>6} {seconds:8.2f} {peak:8.1f} {size / 1e6:7.1f} {lines:7d}")
        seconds, peak, _, _ = measured([sys.executable, "-c", AS_A_LIST, str(index), args.query])
        print(f"every match as one list (Index.search): {seconds:.2f} s, peak {peak:.1f} MB")


if __name__ == "__main__":
    main()
