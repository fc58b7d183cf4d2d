"""Score a TREC run file against qrels, as ../shared/eval/README.md describes.

    python bench/score_run.py run.trec ../shared/eval/piaf/qrels.tsv
"""

from __future__ import annotations

import sys
from pathlib import Path

from relevance import evaluate, read_qrels


def read_run(path: Path) -> dict[str, list[str]]:
    run: dict[str, list[tuple[int, str]]] = {}
    for line in path.read_text("utf-8").splitlines():
        qid, _, article_id, rank, *_ = line.split()
        run.setdefault(qid, []).append((int(rank), article_id))
    return {qid: [doc for _, doc in sorted(ranked)] for qid, ranked in run.items()}


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    scores = evaluate(read_run(Path(sys.argv[1])), read_qrels(Path(sys.argv[2])))
    print("  ".join(f"{name} {value:.4f}" for name, value in scores.items()))
