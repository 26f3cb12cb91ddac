"""The KPI endpoints as a planner uses them: the figures of the known incidents, the CSV and XLSX a
regency report is made from, the charts, and clear errors for a bad period."""

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
def client(db_url: str, make_client: Callable[..., TestClient]) -> TestClient:
    made = make_client(db_url)
    with made.app.state.siaga.sessions.begin() as session:  # type: ignore[attr-defined]
        add_known_incidents(session)
    return made


def test_planner_reads_the_figures_of_a_period(client: TestClient) -> None:
    response = client.get("/api/v1/kpi", params=PERIOD_Q, headers=auth("planner"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["incidents"], body["simulated"]) == (8, 0)
    amb = next(r for r in body["by_agency"] if r["agency"] == "psc_119")
    assert amb["intervals"]["travel"] == {"count": 6, "median_s": 390.0, "p90_s": 900.0}
    assert amb["intervals"]["response"]["median_s"] == 592.5
    assert amb["standard"] == {"interval": "travel", "limit_s": 480.0}
    assert amb["share_within_standard"] == pytest.approx(4 / 6)
    fire = next(s for s in body["standards"] if s["agency"] == "damkar")
    assert (fire["interval"], fire["limit_s"]) == ("response", 900.0)
    assert next(s for s in body["standards"] if s["agency"] == "bpbd")["limit_s"] is None
    kec = {(r["agency"], r["kecamatan"]["kode"]) for r in body["by_kecamatan"]}
    assert ("psc_119", "14.08.02") in kec
    assert {r["week_start"] for r in body["weekly"] if r["agency"] == "psc_119"} == {
        "2026-11-02",
        "2026-11-09",
    }


def test_csv_and_xlsx_carry_the_same_figures(client: TestClient) -> None:
    response = client.get("/api/v1/kpi.csv", params=PERIOD_Q, headers=auth("admin"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    amb = next(r for r in rows if r["table"] == "agency" and r["agency"] == "psc_119")
    assert (amb["travel_median_s"], amb["travel_p90_s"], amb["share_within_standard"]) == (
        "390.0",
        "900.0",
        "0.6667",
    )

    response = client.get("/api/v1/kpi.xlsx", params=PERIOD_Q, headers=auth("planner"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["agency", "kecamatan", "week", "about"]
    sheet = book["agency"]
    header = [c.value for c in sheet[1]]
    values = [dict(zip(header, [c.value for c in row], strict=True)) for row in sheet.iter_rows(min_row=2)]
    amb_x = next(v for v in values if v["agency"] == "psc_119")
    assert (amb_x["travel_median_s"], amb_x["response_p90_s"], amb_x["within_standard"]) == (390.0, 1170.0, 4)
    about = {row[0].value: row[1].value for row in book["about"].iter_rows()}
    assert about["simulated incidents"] == 0


@pytest.mark.parametrize("kind", ["response", "share", "weekly"])
def test_charts_are_svg(client: TestClient, kind: str) -> None:
    response = client.get(f"/api/v1/kpi/charts/{kind}.svg", params=PERIOD_Q, headers=auth("planner"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in response.text
    assert "PSC 119" in response.text  # the agencies' names are drawn as text


def test_a_bad_period_is_a_clear_error(client: TestClient) -> None:
    backwards = {"from": PERIOD_Q["to"], "to": PERIOD_Q["from"]}
    response = client.get("/api/v1/kpi", params=backwards, headers=auth("planner"))
    assert response.status_code == 422
    assert response.json()["code"] == "empty_time_range"
    too_long = {"from": "2024-01-01T00:00:00+07:00", "to": "2026-01-01T00:00:00+07:00"}
    response = client.get("/api/v1/kpi", params=too_long, headers=auth("planner"))
    assert (response.status_code, response.json()["code"]) == (422, "period_too_long")
    assert response.json()["params"]["max_days"] == 400
    response = client.get("/api/v1/kpi", params={"from": "2026-11-01"}, headers=auth("planner"))
    assert response.status_code == 422
    assert client.get("/api/v1/kpi", params=PERIOD_Q, headers=auth("dispatcher")).status_code == 403


def test_an_empty_period_gives_empty_figures_and_charts(client: TestClient) -> None:
    empty = {"from": "2020-01-01T00:00:00+07:00", "to": "2020-02-01T00:00:00+07:00"}
    body = client.get("/api/v1/kpi", params=empty, headers=auth("planner")).json()
    assert (body["incidents"], body["by_agency"], body["weekly"]) == (0, [], [])
    for kind in ("response", "share", "weekly"):
        response = client.get(f"/api/v1/kpi/charts/{kind}.svg", params=empty, headers=auth("planner"))
        assert response.status_code == 200
        assert "<svg" in response.text
    assert client.get("/api/v1/kpi.xlsx", params=empty, headers=auth("admin")).status_code == 200
