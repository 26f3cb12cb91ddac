"""Fixtures for the API tests (imported by tests/integration/test_api_*.py).

The app runs on the coarse Siak test grid (``siak_grid``, labelled schematic) and a gazetteer built
once per session. Each test gets its own database: a clone of a PostGIS template migrated once per
session, or a fresh SQLite file. The shipped Siak fleet is imported at start-up (48 units).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dispatch_geo.boundaries import load_boundaries
from dispatch_geo.gazetteer import Gazetteer
from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.storage.migrate import upgrade_to_head
from siaga.api import create_app
from siaga.settings import Settings
from tests.support.postgis import TEMPLATE_DB, PostgisServer

ROLES = ("dispatcher", "planner", "admin", "device", "supervisor")
SIAK_TOWN = (102.05, 0.80)  # Siak Sri Indrapura, where the PSC 119 ambulances are based
NEAR_TOWN = (102.07, 0.79)  # Benteng Hilir, Mempura, across the river


def openapi_document() -> dict[str, Any]:
    """The app's OpenAPI document, the same for every app (building the app opens nothing: the database
    and the graph are opened at start-up)."""
    document: dict[str, Any] = create_app(Settings(database_url="sqlite://")).openapi()
    return document


def auth(role: str) -> dict[str, str]:
    """Header with the development demo token of ``role``."""
    return {"Authorization": f"Bearer demo-{role}-token"}


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return Gazetteer.from_boundaries(load_boundaries(Settings().boundaries_path), outside_buffer_m=2000.0)


@pytest.fixture(scope="session")
def api_migrated_template(postgis_server: PostgisServer) -> str:
    """A PostGIS database migrated to head once per session (cloned by each PostgreSQL test)."""
    # unique: each test module importing this fixture gets its own session-scoped copy of it
    name = f"api_migrated_{uuid.uuid4().hex[:8]}"
    upgrade_to_head(postgis_server.create_database(name, template=TEMPLATE_DB))
    return name


@pytest.fixture
def pg_db_url(postgis_server: PostgisServer, api_migrated_template: str) -> Iterator[str]:
    postgis_server.start()
    name = postgis_server.clone_database(template=api_migrated_template)
    yield postgis_server.url_for(name)
    postgis_server.drop_database(name)


@pytest.fixture(params=[pytest.param("postgresql", marks=pytest.mark.postgis), "sqlite"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database of this test's own, on each backend."""
    if request.param == "postgresql":
        url: str = request.getfixturevalue("pg_db_url")
        return url
    return f"sqlite:///{tmp_path / 'siaga.db'}"


@pytest.fixture
def make_client(siak_grid: RoadGraph, gazetteer: Gazetteer) -> Iterator[Callable[..., TestClient]]:
    """``make_client(database_url, **settings)`` → a started TestClient (stopped after the test)."""
    clients: list[TestClient] = []

    def make(database_url: str, **overrides: object) -> TestClient:
        settings = Settings(database_url=database_url, **overrides)  # type: ignore[arg-type]
        client = TestClient(create_app(settings, road=siak_grid, gazetteer=gazetteer))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(db_url: str, make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(db_url)


def place_unit(client: TestClient, unit_id: str, lonlat: tuple[float, float]) -> None:
    """Report a fresh position for ``unit_id`` (as a dispatcher would, from a radio report)."""
    response = client.put(
        f"/api/v1/units/{unit_id}/position",
        headers=auth("dispatcher"),
        json={"lon": lonlat[0], "lat": lonlat[1]},
    )
    assert response.status_code == 200, response.text


def new_incident(
    client: TestClient, incident_type: str = "medical", lonlat: tuple[float, float] = NEAR_TOWN
) -> int:
    response = client.post(
        "/api/v1/incidents",
        headers=auth("dispatcher"),
        json={"incident_type": incident_type, "priority": 1, "lon": lonlat[0], "lat": lonlat[1]},
    )
    assert response.status_code == 201, response.text
    incident_id: int = response.json()["id"]
    return incident_id
