"""The systemd units in deploy/systemd/ are valid (``systemd-analyze verify``), restart the services
and read their settings from an environment file."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.processes import MissingSystemDependencyError

UNITS = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
INSTALLED = "/opt/siaga/.venv/bin/dispatch-geo"


@pytest.mark.parametrize("name", ["siaga-serve.service", "siaga-ingest.service"])
def test_long_running_units_restart_and_read_an_environment_file(name: str) -> None:
    text = (UNITS / name).read_text(encoding="utf-8")
    assert "EnvironmentFile=/etc/siaga/siaga.env" in text
    assert "Restart=on-failure" in text or "Restart=always" in text
    assert f"ExecStart={INSTALLED} {name.split('-')[1].split('.')[0]}" in text


def test_systemd_analyze_verifies_every_unit(tmp_path: Path) -> None:
    tool = shutil.which("systemd-analyze")
    if tool is None and os.environ.get("CI") == "true":
        raise MissingSystemDependencyError("systemd-analyze", "systemd", [])  # CI provisions it
    if tool is None:
        pytest.skip(
            "systemd-analyze is not installed here (apt install systemd); the unit files are unchecked"
        )
    executable = Path(sys.executable).parent / "dispatch-geo"  # the installed entry point, as in production
    assert executable.exists()
    (tmp_path / "siaga.env").write_text((UNITS / "siaga.env.example").read_text(encoding="utf-8"))
    units = sorted([*UNITS.glob("*.service"), *UNITS.glob("*.timer")])
    assert {u.name for u in units} >= {"siaga-serve.service", "siaga-ingest.service", "siaga-history.timer"}
    for unit in units:
        text = unit.read_text(encoding="utf-8").replace(INSTALLED, str(executable))
        text = text.replace("/etc/siaga/siaga.env", str(tmp_path / "siaga.env"))
        (tmp_path / unit.name).write_text(text, encoding="utf-8")
    result = subprocess.run(
        [tool, "verify", "--man=no", *[str(tmp_path / u.name) for u in units]],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Failed" not in result.stderr, result.stderr
    assert "Unknown" not in result.stderr, result.stderr
