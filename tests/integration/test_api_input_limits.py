"""Input the database cannot hold is a 422 naming the field, never a 500 (issue 10, finding 8).

On both backends: a point nowhere near Siak (null island projects to infinity in UTM 47N), ids
outside a BIGINT on every ``{incident_id}`` route of the OpenAPI document, NUL characters in every
text field (PostgreSQL text cannot hold them), and lengths beyond the columns. Nothing is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch_geo.storage.models import AssignmentRow, IncidentRow
from tests.integration.api_fixtures import auth, new_incident

API = "/api/v1"
BIGINT_MAX = 2**63 - 1
INCIDENT = {"incident_type": "medical", "priority": 1, "lon": 102.07, "lat": 0.79}


@pytest.fixture
def client(db_url: str, make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(db_url)


def _count(client: TestClient, row: type[Any]) -> int:
    app: Any = client.app
    with Session(app.state.siaga.engine) as session:
        return int(session.scalar(select(func.count()).select_from(row)) or 0)


def _incident_routes(client: TestClient) -> list[tuple[str, str]]:
    paths: dict[str, dict[str, Any]] = client.get("/openapi.json").json()["paths"]
    return sorted(
        (method, path)
        for path, operations in paths.items()
        if "{incident_id}" in path
        for method in operations
    )


def _call(client: TestClient, method: str, path: str, incident_id: object) -> Any:
    url = path.replace("{incident_id}", str(incident_id))
    bodies: dict[tuple[str, str], Any] = {
        ("post", "assignments"): {"unit_id": "AMB-SIAK-01"},
        ("post", "notes"): {"text": "catatan"},
        ("post", "requirements"): {"unit_types": ["police_car"], "count": 1},
    }
    body = bodies.get((method, path.rsplit("/", 1)[-1]))
    if method == "patch":
        body = {"priority": 2}
    return client.request(method.upper(), url, headers=auth("admin"), json=body)


def test_null_island_is_outside_the_service_area(client: TestClient) -> None:
    response = client.post(
        f"{API}/incidents", headers=auth("dispatcher"), json={**INCIDENT, "lon": 0, "lat": 0}
    )
    assert response.status_code == 422, response.text
    assert "outside the service area" in response.json()["detail"]
    assert _count(client, IncidentRow) == 0


@pytest.mark.parametrize("incident_id", [BIGINT_MAX + 1, 2**64, 10**30, 0, -1])
def test_incident_ids_out_of_range_are_a_422_on_every_incident_route(
    client: TestClient, incident_id: int
) -> None:
    routes = _incident_routes(client)
    assert len(routes) >= 10, routes  # generated from the OpenAPI document: new routes are covered
    for method, path in routes:
        response = _call(client, method, path, incident_id)
        assert response.status_code == 422, (method, path, response.status_code, response.text)
        body = response.json()
        assert [e["field"] for e in body["errors"]] == ["incident_id"], (method, path, body)


def test_the_largest_bigint_id_is_simply_not_found(client: TestClient) -> None:
    for method, path in _incident_routes(client):
        response = _call(client, method, path, BIGINT_MAX)
        assert response.status_code == 404, (method, path, response.status_code, response.text)


def test_incident_id_parameters_declare_their_bounds_in_openapi(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "incident_id":
                    schema = parameter["schema"]
                    assert (schema["minimum"], schema["maximum"]) == (1, BIGINT_MAX), (method, path)


NUL = "call\u0000back"
TEXT_FIELDS: list[tuple[str, str, dict[str, Any], str]] = [
    ("post", "/incidents", {**INCIDENT, "description": NUL}, "description"),
    ("post", "/incidents", {**INCIDENT, "address": NUL}, "address"),
    ("post", "/incidents", {"incident_type": "fire", "priority": 2, "place": "Mi\u0000nas"}, "place"),
    ("post", "/incidents", {**INCIDENT, "caller_phone": "0812\u00003456"}, "caller_phone"),
    ("patch", "/incidents/{id}", {"description": NUL}, "description"),
    ("post", "/incidents/{id}/cancel", {"note": NUL}, "note"),
    ("post", "/incidents/{id}/close", {"note": NUL}, "note"),
    ("post", "/incidents/{id}/assignments", {"unit_id": "AMB-SIAK-01\u0000"}, "unit_id"),
    (
        "post",
        "/units",
        {"id": "AMB-SIAK-09", "unit_type": "ambulance", "station_id": "psc119-siak", "device_id": NUL},
        "device_id",
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "field"), TEXT_FIELDS, ids=[f"{t[1]}:{t[3]}" for t in TEXT_FIELDS]
)
def test_nul_characters_in_text_fields_are_a_422_naming_the_field(
    client: TestClient, method: str, path: str, body: dict[str, Any], field: str
) -> None:
    incident_id = new_incident(client)
    before = client.get(f"{API}/incidents/{incident_id}", headers=auth("admin")).json()
    response = client.request(
        method.upper(), API + path.replace("{id}", str(incident_id)), headers=auth("admin"), json=body
    )
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]], response.json()
    assert _count(client, IncidentRow) == 1
    assert _count(client, AssignmentRow) == 0
    assert client.get(f"{API}/incidents/{incident_id}", headers=auth("admin")).json() == before


@pytest.mark.parametrize(
    ("field", "length"), [("description", 4001), ("address", 501), ("caller_phone", 33), ("place", 121)]
)
def test_text_longer_than_its_column_is_a_422(client: TestClient, field: str, length: int) -> None:
    body = {**INCIDENT, field: "1" * length}
    if field == "place":
        body = {"incident_type": "fire", "priority": 2, "place": "M" * length}
    response = client.post(f"{API}/incidents", headers=auth("dispatcher"), json=body)
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]
    assert _count(client, IncidentRow) == 0


@pytest.mark.parametrize("priority", ["0", "4", str(2**63)])
def test_priority_filters_out_of_range_are_a_422(client: TestClient, priority: str) -> None:
    response = client.get(f"{API}/incidents?priority={priority}", headers=auth("admin"))
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["priority.0"]


@pytest.mark.parametrize(
    ("method", "url", "field"),
    [
        ("GET", "/units/AMB-SIAK-01%00", "unit_id"),
        ("POST", "/units/AMB%00SIAK-01/status", "unit_id"),
        ("GET", "/units/" + "A" * 33, "unit_id"),
        ("GET", "/units?station_id=psc119%00siak", "station_id"),
        ("GET", "/units.geojson?station_id=psc119%00siak", "station_id"),
    ],
)
def test_nul_or_overlong_unit_and_station_ids_in_the_url_are_a_422(
    client: TestClient, method: str, url: str, field: str
) -> None:
    # NUL in a path or query id reached PostgreSQL and ended in a DataError (500)
    body = {"status": "out_of_service"} if url.endswith("/status") else None
    response = client.request(method, API + url, headers=auth("admin"), json=body)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]
    status = client.get(f"{API}/units/AMB-SIAK-01", headers=auth("admin")).json()["status"]
    assert status == "available"
