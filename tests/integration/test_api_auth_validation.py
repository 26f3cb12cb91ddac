"""Who may do what (every write refused to the wrong role), tokens, production refusals, and 422s
that name the problem with nothing written. SQLite demo database (the role rules do not depend on
the backend; the flows run on both)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from dispatch_geo.storage.models import IncidentRow
from siaga.api.app import UnsafeConfigurationError, build_state
from siaga.settings import Settings
from tests.integration.api_fixtures import ROLES, auth

API = "/api/v1"
WRITES: list[tuple[str, str, dict[str, Any] | None, set[str]]] = [
    (
        "post",
        "/incidents",
        {"incident_type": "medical", "priority": 1, "lon": 102.05, "lat": 0.8},
        {"dispatcher", "supervisor", "admin"},
    ),
    ("patch", "/incidents/1", {"priority": 2}, {"dispatcher", "supervisor", "admin"}),
    ("post", "/incidents/1/recommendations", None, {"dispatcher", "supervisor", "admin"}),
    ("post", "/incidents/1/assignments", {"unit_id": "AMB-SIAK-01"}, {"dispatcher", "supervisor", "admin"}),
    ("post", "/incidents/1/cancel", None, {"dispatcher", "supervisor", "admin"}),
    ("post", "/incidents/1/close", None, {"dispatcher", "supervisor", "admin"}),
    (
        "post",
        "/units/POL-SIAK-01/status",
        {"status": "out_of_service"},
        {"dispatcher", "supervisor", "admin"},
    ),
    (
        "post",
        "/units",
        {"id": "AMB-SIAK-09", "unit_type": "ambulance", "station_id": "psc119-siak"},
        {"admin"},
    ),
    (
        "put",
        "/units/AMB-SIAK-01/position",
        {"lon": 102.05, "lat": 0.8},
        {"device", "dispatcher", "supervisor", "admin"},
    ),
]
READS = [
    "/units",
    "/units.geojson",
    "/units/AMB-SIAK-01",
    "/stations",
    "/incidents",
    "/incidents.geojson",
    "/graph",
]


@pytest.fixture
def sqlite_client(tmp_path: Path, make_client: Callable[..., TestClient]) -> TestClient:
    client = make_client(f"sqlite:///{tmp_path / 'siaga.db'}")
    created = client.post(f"{API}/incidents", headers=auth("admin"), json=WRITES[0][2])
    assert created.status_code == 201
    return client


def _incident_count(client: TestClient) -> int:
    engine = create_engine(client.app.state.siaga.settings.database_url)  # type: ignore[attr-defined]
    with Session(engine) as session:
        count = session.scalar(select(func.count()).select_from(IncidentRow)) or 0
    engine.dispose()
    return count


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "path", "body", "allowed"), WRITES, ids=[f"{m} {p}" for m, p, _, _ in WRITES]
)
def test_each_role_is_refused_the_writes_it_may_not_do(
    sqlite_client: TestClient,
    role: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    allowed: set[str],
) -> None:
    kwargs: dict[str, Any] = {"headers": auth(role)}
    if body is not None:
        kwargs["json"] = body
    response = getattr(sqlite_client, method)(API + path, **kwargs)
    if role in allowed:
        assert response.status_code not in {401, 403}, response.text  # past the role check
    else:
        assert response.status_code == 403
        assert f"role {role} may not" in response.json()["detail"]
        assert _incident_count(sqlite_client) == 1  # nothing written
    assert sqlite_client.get(f"{API}/units", headers={"Authorization": "Bearer nope"}).status_code == 401


@pytest.mark.parametrize("path", READS)
def test_reads_need_a_reading_role_and_never_a_device(sqlite_client: TestClient, path: str) -> None:
    assert sqlite_client.get(API + path).status_code == 401
    assert "Bearer" in sqlite_client.get(API + path).headers["www-authenticate"]
    readers = ("dispatcher", "planner", "admin")
    assert {sqlite_client.get(API + path, headers=auth(role)).status_code for role in readers} == {200}
    refused = sqlite_client.get(API + path, headers=auth("device"))
    assert refused.status_code == 403
    assert "role device may not" in refused.json()["detail"]


def test_revoked_and_created_tokens(sqlite_client: TestClient) -> None:
    from datetime import UTC, datetime

    from dispatch_geo.storage import token_repo

    state = sqlite_client.app.state.siaga  # type: ignore[attr-defined]
    with state.sessions.begin() as session:
        _, token = token_repo.create_token(session, name="Meja 1", role="dispatcher", at=datetime.now(UTC))
        token_repo.revoke_token(session, name="demo-dispatcher", at=datetime.now(UTC))
    assert sqlite_client.get(f"{API}/units", headers=auth("dispatcher")).status_code == 401
    mine = {"Authorization": f"Bearer {token}"}
    response = sqlite_client.post(f"{API}/incidents/1/recommendations", headers=mine)
    assert response.status_code == 200
    timeline = sqlite_client.get(f"{API}/incidents/1/timeline", headers=mine).json()["entries"]
    assert timeline[-1]["by"] == "Meja 1"


def test_production_refuses_unsafe_defaults(tmp_path: Path, siak_grid: Any, gazetteer: Any) -> None:
    with pytest.raises(ValidationError, match="SIAGA_SECRET_KEY"):
        Settings(environment="production")
    with pytest.raises(ValidationError, match="demo tokens are refused"):
        Settings(environment="production", secret_key="x" * 40, seed_demo_tokens=True)
    url = f"sqlite:///{tmp_path / 'siaga.db'}"
    build_state(
        Settings(database_url=url), road=siak_grid, gazetteer=gazetteer
    ).engine.dispose()  # seeds demo
    production = Settings(environment="production", secret_key="x" * 40, database_url=url)
    with pytest.raises(UnsafeConfigurationError, match="demo API tokens are active"):
        build_state(production, road=siak_grid, gazetteer=gazetteer)


BAD_INCIDENTS = [
    ({"incident_type": "earthquake"}, "incident_type", "'fire', 'forest_fire'"),
    ({"priority": 4}, "priority", "priority 4 is invalid; expected 1 (most urgent), 2 or 3"),
    ({"priority": True}, "priority", "expected 1 (most urgent), 2 or 3"),
    ({"lon": 181.0}, "lon", "less than or equal to 180"),
    ({"lat": -91.0}, "lat", "greater than or equal to -90"),
    ({"lat": None}, "lat is missing", "give both lon and lat"),
    ({"place": "Minas"}, "not both", "lon and lat or as a place name"),
    ({"caller_phone": "call me"}, "caller_phone", "should match pattern"),
    ({"colour": "red"}, "colour", "Extra inputs are not permitted"),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_INCIDENTS, ids=[b[1] for b in BAD_INCIDENTS])
def test_bad_incident_input_is_a_422_naming_the_problem(
    sqlite_client: TestClient, change: dict[str, Any], field: str, message: str
) -> None:
    body = {**WRITES[0][2], **change}  # type: ignore[dict-item]
    response = sqlite_client.post(f"{API}/incidents", headers=auth("dispatcher"), json=body)
    assert response.status_code == 422
    assert field in response.json()["detail"]
    assert message in response.json()["detail"]
    assert _incident_count(sqlite_client) == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"incident_type": "fire", "priority": 1, "lon": 101.45, "lat": 0.51}, "km outside Kabupaten Siak"),
        ({"incident_type": "fire", "priority": 1, "place": "Zzyzx Qwerty"}, "no desa or kecamatan"),
    ],
)
def test_places_outside_siak_or_unknown_are_refused(
    sqlite_client: TestClient, body: dict[str, Any], message: str
) -> None:
    response = sqlite_client.post(f"{API}/incidents", headers=auth("dispatcher"), json=body)
    assert response.status_code == 422
    assert message in response.json()["detail"]
    assert _incident_count(sqlite_client) == 1


def test_other_bad_inputs(sqlite_client: TestClient) -> None:
    cases = [
        ("get", "/incidents?status=burning", None, "status", "'new', 'dispatched'"),
        ("get", "/units?unit_type=tank", None, "unit_type", "'ambulance'"),
        ("post", "/units/AMB-SIAK-01/status", {"status": "flying"}, "status", "'available'"),
        ("post", "/units/AMB-SIAK-01/status", {"status": "dispatched"}, "dispatched directly", "assign it"),
        ("put", "/units/AMB-SIAK-01/position", {"lon": 102.0, "lat": 95}, "lat", "less than or equal to 90"),
        (
            "put",
            "/units/AMB-SIAK-01/position",
            {"lon": 102, "lat": 0.8, "fix_time": "2025-01-01T08:00:00"},
            "fix_time",
            "timezone",
        ),
        (
            "put",
            "/units/AMB-SIAK-01/position",
            {"lon": 102, "lat": 0.8, "fix_time": "2999-01-01T00:00:00Z"},
            "future_fix",
            "device clock",
        ),
        (
            "post",
            "/units",
            {"id": "amb 1", "unit_type": "ambulance", "station_id": "psc119-siak"},
            "id",
            "pattern",
        ),
        (
            "post",
            "/units",
            {"id": "POL-X-1", "unit_type": "police_car", "station_id": "psc119-siak", "agency": "damkar"},
            "agency damkar",
            "expected one of",
        ),
        (
            "post",
            "/units",
            {"id": "AMB-X-1", "unit_type": "ambulance", "station_id": "nowhere"},
            "station 'nowhere'",
            "does not exist",
        ),
        ("patch", "/incidents/1", {}, "nothing to update", "priority"),
    ]
    for method, path, body, field, message in cases:
        kwargs: dict[str, Any] = {"headers": auth("admin")}
        if body is not None:
            kwargs["json"] = body
        response = getattr(sqlite_client, method)(API + path, **kwargs)
        assert response.status_code == 422, (path, response.text)
        assert field in response.json()["detail"], response.text
        assert message in response.json()["detail"], response.text
    duplicate = sqlite_client.post(
        f"{API}/units",
        headers=auth("admin"),
        json={"id": "AMB-SIAK-01", "unit_type": "ambulance", "station_id": "psc119-siak"},
    )
    assert duplicate.status_code == 409
    assert "AMB-SIAK-01" in duplicate.json()["detail"]
