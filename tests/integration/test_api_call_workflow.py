# ruff: noqa: F811 - pytest fixtures imported from api_fixtures are redefined as parameters
"""One 112 call carried by the API the console uses (issue 11), on PostGIS and on SQLite: the status
buttons a unit offers (``next_statuses``), the intake fields, notes, close/cancel reasons, added
requirements, the history filters, relocation, and message codes beside every English text."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.integration.api_fixtures import (  # noqa: F401 - fixtures
    NEAR_TOWN,
    SIAK_TOWN,
    api_migrated_template,
    auth,
    client,
    db_url,
    gazetteer,
    make_client,
    new_incident,
    pg_db_url,
    place_unit,
)

API = "/api/v1"


def _status(client: TestClient, unit_id: str, status: str) -> dict[str, object]:
    response = client.post(
        f"{API}/units/{unit_id}/status", headers=auth("dispatcher"), json={"status": status}
    )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_next_statuses_follow_the_table_and_never_offer_dispatched(client: TestClient) -> None:
    unit = client.get(f"{API}/units/AMB-SIAK-01", headers=auth("planner")).json()
    assert unit["status"] == "available"
    assert unit["next_statuses"] == ["out_of_service"]  # dispatched only through an assignment
    police = client.get(f"{API}/units/POL-SIAK-01", headers=auth("dispatcher")).json()
    assert police["next_statuses"] == ["out_of_service"]
    place_unit(client, "POL-SIAK-01", SIAK_TOWN)
    incident_id = new_incident(client, "crime")
    assigned = client.post(
        f"{API}/incidents/{incident_id}/assignments",
        headers=auth("dispatcher"),
        json={"unit_id": "POL-SIAK-01"},
    )
    assert assigned.status_code == 201, assigned.text
    police = client.get(f"{API}/units/POL-SIAK-01", headers=auth("dispatcher")).json()
    assert police["next_statuses"] == ["available", "en_route", "out_of_service"]
    changed = _status(client, "POL-SIAK-01", "en_route")
    assert changed["unit"]["next_statuses"] == ["available", "on_scene", "returning", "out_of_service"]  # type: ignore[index]
    changed = _status(client, "POL-SIAK-01", "on_scene")
    # a police car carries no patient: no transporting / at_hospital
    assert changed["unit"]["next_statuses"] == ["available", "returning", "out_of_service"]  # type: ignore[index]
    listed = {u["id"]: u for u in client.get(f"{API}/units", headers=auth("planner")).json()}
    assert listed["POL-SIAK-01"]["next_statuses"] == ["available", "returning", "out_of_service"]
