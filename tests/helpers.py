"""What tests of several layers share: the shipped seeds, and running the CLI."""

import json
from pathlib import Path

from click.testing import CliRunner

from searchkit.cli.commands import main

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SEED_ID = "000_de7ecb39300f6164.txt"
ROOT = SEEDS.parent


def ingested(folder, articles):
    """An index in ``folder`` of ``articles`` (dicts of a JSON Lines export), built through the CLI."""
    corpus = folder / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(article, ensure_ascii=False) for article in articles), "utf-8")
    result = run("ingest", corpus, "--index", folder / "ix")
    assert result.exit_code == 0, result.output
    return folder / "ix"


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def one_line(result):
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("searchkit: error: "), result.output
    return lines[0]
