"""The incident history search (issue 12 §4): by period, agency, unit, operator, kecamatan, and its
CSV/XLSX export with the units sent and the links to timeline and replay."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.integration.api_fixtures import auth
from tests.support.kpi_incidents import PERIOD, add_known_incidents

PERIOD_Q = {"from": PERIOD[0].isoformat(), "to": PERIOD[1].isoformat()}


@pytest.fixture
def client(db_url: str, make_client: Callable[..., TestClient]) -> tuple[TestClient, list[int]]:
    made = make_client(db_url)
    with made.app.state.siaga.sessions.begin() as session:  # type: ignore[attr-defined]
        ids = add_known_incidents(session)
    return made, ids


def _ids(client: TestClient, role: str = "dispatcher", **params: object) -> list[int]:
    response = client.get("/api/v1/incidents", params={**PERIOD_Q, **params}, headers=auth(role))
    assert response.status_code == 200, response.text
    return sorted(i["id"] for i in response.json())


def test_search_by_unit_agency_operator_and_place(client: tuple[TestClient, list[int]]) -> None:
    api, ids = client
    fire, hoax = ids[6], ids[7]
    assert _ids(api) == sorted(ids)
    assert _ids(api, unit="DMK-SIAK-01") == [fire]
    assert _ids(api, agency="polres") == [fire]
    assert _ids(api, agency=["damkar", "bpbd"]) == [fire]
    assert _ids(api, unit="AMB-SIAK-02") == [ids[0]]
    assert _ids(api, "planner", kecamatan="14.08.02", status="cancelled") == [hoax]
    assert _ids(api, operator="op", incident_type="fire") == [fire]
    assert _ids(api, operator="someone-else") == []
    response = api.get("/api/v1/incidents", params={"agency": "tni"}, headers=auth("dispatcher"))
    assert response.status_code == 422


def test_export_csv_and_xlsx(client: tuple[TestClient, list[int]]) -> None:
    api, ids = client
    response = api.get("/api/v1/incidents", params={**PERIOD_Q, "format": "csv"}, headers=auth("planner"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = {int(r["id"]): r for r in csv.DictReader(io.StringIO(response.text))}
    assert set(rows) == set(ids)
    first = rows[ids[0]]
    assert first["units"] == "AMB-SIAK-01 AMB-SIAK-02"
    assert (first["status"], first["kecamatan_nama"], first["replay_url"]) == (
        "closed",
        "Siak",
        f"/replay/{ids[0]}",
    )
    assert first["created_at_wib"] == "2026-11-02 08:01:00"
    assert first["caller_phone"] == ""  # planners never see who called

    response = api.get(
        "/api/v1/incidents",
        params={**PERIOD_Q, "format": "xlsx", "unit": "POL-SIAK-01"},
        headers=auth("dispatcher"),
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["incidents"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "id"
    assert [v[0] for v in values[1:]] == [ids[6]]
