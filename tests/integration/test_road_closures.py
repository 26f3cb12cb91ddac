"""Road closures through the API: the only bridge closed, recommendations change, lifted, survives restarts.

The test graph is two blocks of streets either side of a river joined by one bridge (near Siak town).
The incident is on the west bank; AMB-SIAK-01 waits on the east bank (330 s over the bridge) and
AMB-SIAK-02 on the west bank (500 s). Closing the bridge leaves AMB-SIAK-01 unable to reach it.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dispatch_geo.dispatch.closures import close_roads, sync_closures
from dispatch_geo.dispatch.context import GeoContext
from dispatch_geo.domain.values import LonLat
from dispatch_geo.graph.cache import save_graph
from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.routing.cch import CchRouter
from dispatch_geo.storage.engine import make_engine, make_session_factory
from dispatch_geo.storage.migrate import upgrade_to_head
from tests.integration.api_fixtures import auth, new_incident, place_unit
from tests.integration.test_devices_cli import cli
from tests.unit.coverage_graphs import make_road

API = "/api/v1"
WEST = {1: (102.00, 0.79), 2: (102.02, 0.79), 3: (102.00, 0.81), 4: (102.02, 0.81), 9: (102.02, 0.80)}
EAST = {5: (102.06, 0.79), 6: (102.08, 0.79), 7: (102.06, 0.81), 8: (102.08, 0.81), 10: (102.06, 0.80)}
INCIDENT = WEST[1]
BRIDGE_MIDDLE = (102.04, 0.80)
EXPIRES = (datetime.now(UTC) + timedelta(days=2)).isoformat()


@pytest.fixture(scope="module")
def siak_grid() -> RoadGraph:
    """The river with one bridge, in place of the grid every API test client runs on."""
    streets = [(1, 2, 150.0), (1, 3, 500.0), (2, 4, 200.0), (3, 4, 500.0), (9, 2, 60.0), (9, 4, 60.0)]
    streets += [(5, 6, 200.0), (5, 7, 200.0), (6, 8, 200.0), (7, 8, 200.0), (10, 5, 60.0), (10, 7, 60.0)]
    streets.append((9, 10, 60.0))  # the bridge
    return make_road({**WEST, **EAST}, streets, schematic=True)


@pytest.fixture
def start(tmp_path, make_client: Callable[..., TestClient]) -> Callable[[], TestClient]:
    """``start()`` → a server on this test's own database; call again to restart it."""
    return lambda: make_client(f"sqlite:///{tmp_path / 'siaga.db'}")


def ambulance_ranking(client: TestClient, incident_id: int) -> tuple[list[str], dict[str, str]]:
    rec = client.post(
        f"{API}/incidents/{incident_id}/recommendations",
        headers=auth("dispatcher"),
        json={"unit_types": ["ambulance"]},
    )
    assert rec.status_code == 200, rec.text
    group = rec.json()["groups"][0]
    return [u["unit_id"] for u in group["ranked"]], {x["unit_id"]: x["reason"] for x in group["excluded"]}


def close(client: TestClient, **where: Any) -> dict[str, Any]:
    response = client.post(
        f"{API}/closures",
        headers=auth("dispatcher"),
        json={"reason": "banjir: jembatan terendam", "expires_at": EXPIRES, **where},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_closing_the_only_bridge_leaves_the_far_unit_unable_to_reach_and_lifting_restores_it(start) -> None:
    client = start()
    place_unit(client, "AMB-SIAK-01", EAST[5])
    place_unit(client, "AMB-SIAK-02", WEST[3])
    incident_id = new_incident(client, lonlat=INCIDENT)
    assert ambulance_ranking(client, incident_id)[0] == ["AMB-SIAK-01", "AMB-SIAK-02"]

    closure = close(client, points=[{"lon": BRIDGE_MIDDLE[0], "lat": BRIDGE_MIDDLE[1]}])
    assert closure["active"] is True
    assert closure["roads"] == 2, "the bridge, both ways"
    assert closure["created_by"]
    assert len(closure["lines"]) == 1
    ranked, excluded = ambulance_ranking(client, incident_id)
    assert ranked == ["AMB-SIAK-02"]
    assert excluded["AMB-SIAK-01"] == "unreachable"

    listed = client.get(f"{API}/closures", headers=auth("planner")).json()["closures"]
    assert [c["id"] for c in listed] == [closure["id"]]

    lifted = client.post(f"{API}/closures/{closure['id']}/lift", headers=auth("admin"))
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["active"] is False
    assert lifted.json()["lifted_by"]
    assert ambulance_ranking(client, incident_id)[0] == ["AMB-SIAK-01", "AMB-SIAK-02"]
    again = client.post(f"{API}/closures/{closure['id']}/lift", headers=auth("admin"))
    assert again.status_code == 409
    assert again.json()["code"] == "closure_already_lifted"
    audit = client.get(f"{API}/closures", headers=auth("dispatcher"), params={"include_inactive": True})
    assert [c["id"] for c in audit.json()["closures"]] == [closure["id"]]
    assert client.get(f"{API}/closures", headers=auth("dispatcher")).json()["closures"] == []


def test_a_flood_area_closes_the_roads_inside_and_survives_a_restart(start) -> None:
    client = start()
    place_unit(client, "AMB-SIAK-01", EAST[5])
    place_unit(client, "AMB-SIAK-02", WEST[3])
    incident_id = new_incident(client, lonlat=INCIDENT)
    x, y = BRIDGE_MIDDLE
    ring = [[x - 0.005, y - 0.005], [x + 0.005, y - 0.005], [x + 0.005, y + 0.005], [x - 0.005, y + 0.005]]
    closure = close(client, area={"type": "Polygon", "coordinates": [[*ring, ring[0]]]})
    assert closure["roads"] == 2
    assert closure["area"]["type"] == "Polygon"

    restarted = start()
    ranked, excluded = ambulance_ranking(restarted, incident_id)
    assert ranked == ["AMB-SIAK-02"], "the closure is restored at start-up"
    assert excluded["AMB-SIAK-01"] == "unreachable"
    restarted.post(f"{API}/closures/{closure['id']}/lift", headers=auth("dispatcher"))
    assert ambulance_ranking(restarted, incident_id)[0] == ["AMB-SIAK-01", "AMB-SIAK-02"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"points": [{"lon": 102.04, "lat": 0.85}]}, "closure_point_off_road"),
        (
            {"points": [{"lon": 102.04, "lat": 0.80}], "expires_at": "2020-01-01T00:00:00+00:00"},
            "closure_expiry_past",
        ),
        ({"points": []}, "closure_points_or_area"),
        (
            {
                "area": {
                    "type": "Polygon",
                    "coordinates": [[[101.5, 1.2], [101.51, 1.2], [101.51, 1.21], [101.5, 1.2]]],
                }
            },
            "closure_area_empty",
        ),
        ({"points": [{"lon": 102.04, "lat": 0.80}], "reason": "   "}, "closure_reason_missing"),
    ],
)
def test_a_bad_closure_is_refused_with_its_code_and_nothing_is_stored(start, body, code) -> None:
    client = start()
    response = client.post(
        f"{API}/closures",
        headers=auth("admin"),
        json={"reason": "banjir", "expires_at": EXPIRES, **body},
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == code
    listed = client.get(f"{API}/closures", headers=auth("admin"), params={"include_inactive": True})
    assert listed.json()["closures"] == []


def test_a_closure_made_from_the_cli_is_respected_by_a_running_server_and_lifted_from_it(
    tmp_path, start, siak_grid: RoadGraph
) -> None:
    real_looking = dataclasses.replace(siak_grid, meta=dataclasses.replace(siak_grid.meta, schematic=False))
    save_graph(real_looking, tmp_path / "var" / "graph" / "osm")
    client = start()  # migrates the database and loads the fleet
    place_unit(client, "AMB-SIAK-01", EAST[5])
    place_unit(client, "AMB-SIAK-02", WEST[3])
    incident_id = new_incident(client, lonlat=INCIDENT)
    env = {
        **os.environ,
        "SIAGA_DATABASE_URL": f"sqlite:///{tmp_path / 'siaga.db'}",
        "SIAGA_VAR_DIR": str(tmp_path / "var"),
        "COLUMNS": "200",
    }
    added = cli(env, "closures", "add", "--reason", "banjir", "--hours", "3", "--point", "102.04,0.80")
    assert added.returncode == 0, added.stderr
    assert "closure 1: 2 road edges closed" in added.stdout
    assert "banjir" in cli(env, "closures", "list").stdout
    ranked, excluded = ambulance_ranking(client, incident_id)
    assert ranked == ["AMB-SIAK-02"], "the running server re-reads the closures before ranking"
    assert excluded["AMB-SIAK-01"] == "unreachable"

    lifted = cli(env, "closures", "lift", "1")
    assert lifted.returncode == 0, lifted.stderr
    assert ambulance_ranking(client, incident_id)[0] == ["AMB-SIAK-01", "AMB-SIAK-02"]
    refused = cli(env, "closures", "add", "--reason", "banjir", "--point", "102.04,0.85")
    assert refused.returncode == 2
    assert "from the nearest road" in refused.stderr


def test_a_closure_ends_by_itself_at_its_expiry(tmp_path, siak_grid: RoadGraph, gazetteer) -> None:
    url = f"sqlite:///{tmp_path / 'expiry.db'}"
    upgrade_to_head(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    geo = GeoContext.build(siak_grid, gazetteer, snap_max_distance_m=250.0, router=CchRouter(siak_grid))
    now = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    with sessions.begin() as session:
        close_roads(
            session,
            geo,
            reason="banjir",
            expires_at=now + timedelta(hours=1),
            points=[LonLat(*BRIDGE_MIDDLE)],
            by="test",
            now=now,
        )
    assert len(geo.router.closed_edges) == 2
    with sessions.begin() as session:
        sync_closures(session, geo, now=now + timedelta(minutes=59))
    assert len(geo.router.closed_edges) == 2
    with sessions.begin() as session:
        sync_closures(session, geo, now=now + timedelta(minutes=61))
    assert geo.router.closed_edges == frozenset(), "expired: the bridge is open again"
    engine.dispose()
