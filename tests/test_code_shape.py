"""The shape of the code: layers that import only downwards, types that check,
and a query path that loads only what a query needs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def _tool(name: str) -> str:
    # The tools installed beside this Python, as the test extra installs them.
    found = Path(sys.executable).with_name(name)
    return str(found) if found.exists() else shutil.which(name) or name


def test_every_layer_imports_only_the_layers_below_it() -> None:
    """The contract in setup.cfg ([importlinter]), function-level imports included."""
    result = _run(_tool("lint-imports"))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "0 broken" in result.stdout


def test_the_package_type_checks_without_unused_ignores() -> None:
    """mypy with the settings in setup.cfg ([mypy]: warn_unused_ignores)."""
    result = _run(sys.executable, "-m", "mypy")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


# What `searchkit query` must not load on an index that exists: the writer and
# its worker processes, the HTML extraction, numpy (the CLI's one query does
# not pay for the fast scorer's start-up), file watching, the web server, the
# cluster client.
NOT_FOR_A_QUERY = ("searchkit.writer", "trafilatura", "lxml", "numpy", "watchfiles",
                   "searchkit.serve", "starlette", "uvicorn", "anyio", "opensearchpy",
                   "searchkit.backends.cluster")

_QUERY_IMPORTS = """
import json, sys
from searchkit.cli.commands import main
try:
    main(["query", "Mossoul", "--index", sys.argv[1]], standalone_mode=False)
finally:
    print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def test_a_query_loads_neither_the_writer_nor_html_extraction(tmp_path: Path) -> None:
    index = tmp_path / "index"
    ingest = _run(sys.executable, "-m", "searchkit", "ingest", str(SEEDS), "--index", str(index))
    assert ingest.returncode == 0, ingest.stderr
    result = _run(sys.executable, "-c", _QUERY_IMPORTS, str(index))
    assert result.returncode == 0, result.stderr
    assert "Mossoul" in result.stdout  # the query ran and found the seed article
    loaded = json.loads(result.stderr.strip().splitlines()[-1])
    assert [name for name in loaded if name.startswith(NOT_FOR_A_QUERY)] == []
    assert "searchkit.search.engine" in loaded  # what a query does need is there


def test_no_function_over_80_lines_and_no_class_over_200() -> None:
    import ast

    too_long = []
    for path in sorted((ROOT / "searchkit").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                start = min([node.lineno] + [decorator.lineno for decorator in node.decorator_list])
                lines = (node.end_lineno or node.lineno) - start + 1
                if lines > (200 if isinstance(node, ast.ClassDef) else 80):
                    too_long.append(f"{path.relative_to(ROOT)}:{node.name} ({lines} lines)")
    assert too_long == []
