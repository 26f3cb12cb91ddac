"""Coverage over HTTP: the planners' headline figures and the dispatcher's move-up hint."""

from __future__ import annotations

from datetime import UTC, datetime

from dispatch_geo.domain.values import LonLat
from dispatch_geo.storage.fleet_repo import update_unit_position
from tests.integration.api_fixtures import auth


def test_coverage_report_and_move_up_hint(tmp_path, make_client):
    client = make_client(f"sqlite:///{tmp_path / 'siaga.db'}")
    r = client.get("/api/v1/coverage/ambulance", headers=auth("planner"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["schematic"] is True
    assert "SCHEMATIC" in body["label"]
    assert body["posts"] > 0
    assert body["population"] > 0
    assert 0 <= body["covered_population"] <= body["population"]
    assert len(body["kecamatan"]) == 14
    assert body["gaps"], "the coarse test grid leaves villages uncovered"
    assert isinstance(body["covered_population"], int), "people as whole numbers"
    gap = body["gaps"][0]
    assert isinstance(gap["uncovered_population"], int)
    assert gap["centre_time_min"] is None or gap["centre_time_min"] == round(gap["centre_time_s"] / 60, 1)
    assert "nearest_post_name" in gap
    assert client.get("/api/v1/coverage/spaceships", headers=auth("planner")).status_code == 422

    # put two ambulances on the map: one in Siak town, one far away in Kandis
    units = [
        u
        for u in client.get("/api/v1/units", headers=auth("dispatcher")).json()
        if u["unit_type"] == "ambulance"
    ]
    town, far = units[0]["id"], units[-1]["id"]
    with client.app.state.siaga.sessions.begin() as session:
        now = datetime.now(UTC)
        update_unit_position(session, unit_id=town, position=LonLat(102.05, 0.80), fix_time=now)
        update_unit_position(session, unit_id=far, position=LonLat(101.20, 0.95), fix_time=now)
    hint = client.get(f"/api/v1/coverage/ambulance/move-up?unit_id={town}", headers=auth("dispatcher")).json()
    assert hint["available_units"] == 2
    assert hint["population_losing_cover"] > 0
    lost = {v["nama"] for v in hint["villages_losing_cover"]}
    assert "Kampung Dalam" in lost, "Siak town loses its only nearby ambulance"
    r = client.get(f"/api/v1/coverage/ambulance/move-up?unit_id={units[1]['id']}", headers=auth("dispatcher"))
    assert r.status_code == 422, "a unit without a position cannot be moved up"
