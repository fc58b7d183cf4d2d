"""The command line: hostile or mistaken arguments get one line, never a traceback."""

from click.testing import CliRunner

from searchkit.cli import main


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def one_line(result):
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("searchkit: error: "), result.output
    return lines[0]


def test_a_bad_option_value_gets_one_line_and_exit_status_1(seeds_index):
    line = one_line(run("query", "Mossoul", "--limit", "zero", "--index", seeds_index))
    assert "--limit" in line and "searchkit query --help" in line


def test_an_unknown_option_or_command_gets_one_line_and_exit_status_1(seeds_index):
    assert "--frobnicate" in one_line(run("stats", "--frobnicate", "--index", seeds_index))
    assert "frobnicate" in one_line(run("frobnicate"))
    assert "--frobnicate" in one_line(run("--frobnicate"))
