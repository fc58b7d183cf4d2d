"""What tests of several layers share: the shipped seeds, and running the CLI."""

from pathlib import Path

from click.testing import CliRunner

from searchkit.cli.commands import main

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SEED_ID = "000_de7ecb39300f6164.txt"
ROOT = SEEDS.parent


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def one_line(result):
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("searchkit: error: "), result.output
    return lines[0]
