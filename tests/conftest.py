import shutil

import pytest

from tests.helpers import SEEDS


@pytest.fixture(scope="session")
def seeds_index(tmp_path_factory):
    """An index of the shipped seeds/, built once through the CLI."""
    from click.testing import CliRunner

    from searchkit.cli.commands import main

    path = tmp_path_factory.mktemp("seeds") / "index"
    result = CliRunner().invoke(main, ["ingest", str(SEEDS), "--index", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def seeds_copy(tmp_path):
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target
