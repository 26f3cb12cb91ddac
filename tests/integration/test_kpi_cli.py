"""``dispatch-geo kpi --from --to``: the same figures on the command line, as CSV, XLSX and JSON;
``dispatch-geo history maintain`` runs on the embedded SQLite database too."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from dispatch_geo.domain.fleet_csv import load_fleet_csv
from dispatch_geo.storage import fleet_repo
from dispatch_geo.storage.engine import make_engine, make_session_factory
from dispatch_geo.storage.migrate import upgrade_to_head
from siaga.cli import app
from tests.integration.storage_fixtures import FLEET_CSV
from tests.support.kpi_incidents import add_known_incidents


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'siaga.db'}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    with make_session_factory(engine).begin() as session:
        fleet_repo.import_fleet(session, fleet=load_fleet_csv(FLEET_CSV), at=datetime(2025, 1, 1, tzinfo=UTC))
        add_known_incidents(session)
    engine.dispose()
    return {"SIAGA_DATABASE_URL": url, "COLUMNS": "200"}


def test_kpi_cli_formats(env: dict[str, str], tmp_path: Path) -> None:
    runner = CliRunner()
    period = ["--from", "2026-11-01", "--to", "2026-11-30"]
    table = runner.invoke(app, ["kpi", *period], env=env)
    assert table.exit_code == 0, table.output
    assert "psc_119" in table.output
    assert "67 % (4/6)" in table.output

    as_csv = runner.invoke(app, ["kpi", *period, "--format", "csv", "--agency", "psc_119"], env=env)
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    amb = next(r for r in rows if r["table"] == "agency" and r["agency"] == "psc_119")
    assert (amb["response_median_s"], amb["response_p90_s"]) == ("592.5", "1170.0")

    as_json = runner.invoke(app, ["kpi", *period, "--format", "json"], env=env)
    assert json.loads(as_json.output)["incidents"] == 8

    target = tmp_path / "kinerja.xlsx"
    as_xlsx = runner.invoke(app, ["kpi", *period, "--format", "xlsx", "--output", str(target)], env=env)
    assert as_xlsx.exit_code == 0, as_xlsx.output
    assert load_workbook(target).sheetnames == ["agency", "kecamatan", "week", "about"]


def test_kpi_cli_names_every_problem(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        app,
        ["kpi", "--from", "2026-11-30", "--to", "2026-11-01", "--agency", "tni", "--format", "xlsx"],
        env=env,
    )
    assert result.exit_code == 2
    for problem in ("--to must not be before --from", "unknown agency 'tni'", "needs --output"):
        assert problem in result.output


def test_history_maintain_on_sqlite(env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["history", "maintain", "--retention-months", "13"], env=env)
    assert result.exit_code == 0, result.output
    assert "partitions created: none" in result.output
    assert "0 fixes deleted" in result.output
