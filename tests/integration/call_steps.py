"""Steps of a 112 call through the API, shared by the call-workflow tests (both backends)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.integration.api_fixtures import NEAR_TOWN, auth

API = "/api/v1"


def set_status(client: TestClient, unit_id: str, status: str) -> dict[str, object]:
    response = client.post(
        f"{API}/units/{unit_id}/status", headers=auth("dispatcher"), json={"status": status}
    )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def create(client: TestClient, **fields: object) -> dict[str, Any]:
    body: dict[str, object] = {
        "incident_type": "fire",
        "priority": 1,
        "lon": NEAR_TOWN[0],
        "lat": NEAR_TOWN[1],
    }
    body.update(fields)
    response = client.post(f"{API}/incidents", headers=auth("dispatcher"), json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def timeline(client: TestClient, incident_id: int, role: str = "planner") -> list[dict[str, Any]]:
    response = client.get(f"{API}/incidents/{incident_id}/timeline", headers=auth(role))
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["entries"]
    return entries


def walk(client: TestClient, unit_id: str, statuses: list[str]) -> None:
    """Press the status buttons the API offers, one after the other."""
    for status in statuses:
        unit = client.get(f"{API}/units/{unit_id}", headers=auth("dispatcher")).json()
        assert status in unit["next_statuses"], (unit_id, unit["status"], unit["next_statuses"])
        set_status(client, unit_id, status)
