"""The ``dispatch-geo`` command groups are loaded on first use: every one of them resolves, the help lists
them all, and a quick account command does not pay for importing the API (a 5 s start before)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from siaga.cli import LAZY_COMMANDS, app


@pytest.mark.parametrize("name", sorted(LAZY_COMMANDS))
def test_every_command_group_resolves_and_has_help(name: str) -> None:
    result = CliRunner().invoke(app, [name, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    usage = next(line for line in result.output.splitlines() if "Usage:" in line)
    assert usage.split()[2] == name, usage


def test_the_help_lists_every_command() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    listed = {
        line.split()[1]
        for line in result.output.splitlines()
        if line.startswith("│ ") and len(line.split()) > 2
    }
    assert set(LAZY_COMMANDS) | {"demo", "serve", "ingest", "simulate"} <= listed


def test_an_account_command_does_not_import_the_api() -> None:
    probe = (
        "import sys\n"
        "from siaga.cli import main\n"
        "sys.argv = ['dispatch-geo', 'users', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('siaga.api.app', 'matplotlib', 'geopandas', 'pulp') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert "HEAVY []" in out.stdout, out.stdout
