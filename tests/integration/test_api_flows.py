"""The dispatch API end to end, on PostGIS and on the SQLite demo database: a traffic accident from
the call to closing, recommendations per requirement, the audit, the timeline, GeoJSON, 404/409."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from dispatch_geo.storage.models import AssignmentRow, RecommendationAuditRow, UnitStatusChangeRow
from tests.integration.api_fixtures import NEAR_TOWN, SIAK_TOWN, auth, new_incident, place_unit

API = "/api/v1"


def _aware(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.utcoffset() == timedelta(0), f"{text} is not UTC"
    return moment


def test_traffic_accident_from_call_to_close(client: TestClient, db_url: str) -> None:
    for unit_id, where in [
        ("AMB-SIAK-01", SIAK_TOWN),
        ("AMB-SIAK-02", (102.0, 0.9)),
        ("POL-SIAK-01", SIAK_TOWN),
    ]:
        place_unit(client, unit_id, where)
    incident_id = new_incident(client, "traffic_accident")
    incident = client.get(f"{API}/incidents/{incident_id}", headers=auth("planner")).json()
    assert incident["kecamatan"]["nama"] == "Mempura"
    assert incident["outstanding"] == ["1 × ambulance", "1 × police_car or police_motorbike"]

    rec = client.post(f"{API}/incidents/{incident_id}/recommendations", headers=auth("dispatcher")).json()
    assert rec["schematic"] is True
    assert "SCHEMATIC" in rec["label"]
    ambulances, police = rec["groups"]
    assert [u["unit_id"] for u in ambulances["ranked"]] == ["AMB-SIAK-01", "AMB-SIAK-02"]
    assert ambulances["ranked"][0]["eta_s"] < ambulances["ranked"][1]["eta_s"]
    assert [u["unit_id"] for u in police["ranked"]] == ["POL-SIAK-01"]
    route = ambulances["ranked"][0]["route"]
    assert route["type"] == "LineString"
    assert all(101 < lon < 103 and 0 < lat < 2 for lon, lat in route["coordinates"])  # [lon, lat]
    reasons = {x["unit_id"]: x["reason"] for x in ambulances["excluded"]}
    assert reasons["AMB-SIAK-03"] == "no_position"

    first = client.post(
        f"{API}/incidents/{incident_id}/assignments",
        headers=auth("dispatcher"),
        json={"unit_id": "AMB-SIAK-01"},
    )
    assert first.status_code == 201, first.text
    assert first.json()["incident_status"] == "dispatched"
    assert first.json()["was_offered"] is True
    again = client.post(
        f"{API}/incidents/{incident_id}/assignments", headers=auth("admin"), json={"unit_id": "AMB-SIAK-01"}
    )
    assert again.status_code == 409
    assert f"already assigned to incident {incident_id}" in again.json()["detail"]
    assert again.json()["details"]["assigned_by"] == "demo-dispatcher"

    # the next recommendation only asks for what is still missing: police
    rec2 = client.post(f"{API}/incidents/{incident_id}/recommendations", headers=auth("dispatcher")).json()
    assert [g["requirement"] for g in rec2["groups"]] == ["1 × police_car or police_motorbike"]

    refused_close = client.post(f"{API}/incidents/{incident_id}/close", headers=auth("dispatcher"))
    assert refused_close.status_code == 409
    assert "allowed from dispatched" in refused_close.json()["detail"]
    for status in ("en_route", "on_scene"):
        moved = client.post(
            f"{API}/units/AMB-SIAK-01/status", headers=auth("dispatcher"), json={"status": status}
        )
        assert moved.status_code == 200, moved.text
    assert moved.json()["incident_status"] == "on_scene"
    bad = client.post(
        f"{API}/units/AMB-SIAK-01/status", headers=auth("dispatcher"), json={"status": "at_hospital"}
    )
    assert bad.status_code == 409
    assert "allowed from on_scene" in bad.json()["detail"]

    closed = client.post(
        f"{API}/incidents/{incident_id}/close", headers=auth("dispatcher"), json={"note": "done"}
    )
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert _aware(closed.json()["closed_at"]) >= _aware(closed.json()["created_at"])
    unit = client.get(f"{API}/units/AMB-SIAK-01", headers=auth("planner")).json()
    assert unit["status"] == "returning"

    timeline = client.get(f"{API}/incidents/{incident_id}/timeline", headers=auth("planner")).json()[
        "entries"
    ]
    kinds = [e["kind"] for e in timeline]
    assert kinds == [
        "incident_created",
        "recommendation",
        "unit_chosen",
        "unit_status",
        "assignment",
        "incident_status",
        "recommendation",
        "unit_status",
        "unit_status",
        "incident_status",
        "unit_status",
        "assignment_released",
        "incident_status",
    ]
    times = [_aware(e["at"]) for e in timeline]
    assert times == sorted(times)
    assert [e["summary"] for e in timeline if e["kind"] == "incident_status"] == [
        "incident new → dispatched",
        "incident dispatched → on_scene",
        "incident on_scene → closed",
    ]

    engine = create_engine(db_url)
    with Session(engine) as session:
        audits = session.scalars(select(RecommendationAuditRow).order_by(RecommendationAuditRow.id)).all()
        changes = session.scalars(
            select(UnitStatusChangeRow).where(UnitStatusChangeRow.unit_id == "AMB-SIAK-01")
        ).all()
        assignments = session.scalars(select(AssignmentRow)).all()
    engine.dispose()
    offered, chosen = audits[0], audits[1]
    assert chosen.chosen_unit_id == "AMB-SIAK-01"
    assert chosen.decided_by == "demo-dispatcher"
    assert [(o["unit_id"], o["eta_s"]) for o in offered.offered] == [
        (u["unit_id"], u["eta_s"]) for g in rec["groups"] for u in g["ranked"]
    ]
    assert chosen.offered == offered.offered
    assert [(c.from_status, c.to_status, c.incident_id) for c in changes] == [
        ("available", "dispatched", incident_id),
        ("dispatched", "en_route", incident_id),
        ("en_route", "on_scene", incident_id),
        ("on_scene", "returning", incident_id),
    ]
    assert all(c.changed_by == "demo-dispatcher" for c in changes)
    assert [a.released_at is not None for a in assignments] == [True]


def test_cancel_stands_units_down_and_frees_them(client: TestClient) -> None:
    incident_id = new_incident(client, "medical")
    assert (
        client.post(
            f"{API}/incidents/{incident_id}/assignments",
            headers=auth("dispatcher"),
            json={"unit_id": "AMB-SIAK-02"},
        ).status_code
        == 201
    )
    cancelled = client.post(f"{API}/incidents/{incident_id}/cancel", headers=auth("dispatcher"))
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert client.get(f"{API}/units/AMB-SIAK-02", headers=auth("planner")).json()["status"] == "available"
    other = new_incident(client, "medical")
    assert (
        client.post(
            f"{API}/incidents/{other}/assignments",
            headers=auth("dispatcher"),
            json={"unit_id": "AMB-SIAK-02"},
        ).status_code
        == 201
    )
    late = client.post(
        f"{API}/incidents/{incident_id}/assignments",
        headers=auth("dispatcher"),
        json={"unit_id": "AMB-SIAK-03"},
    )
    assert late.status_code == 409
    assert "cancelled" in late.json()["detail"]
    again = client.post(f"{API}/incidents/{incident_id}/cancel", headers=auth("dispatcher"))
    assert again.status_code == 409
    assert "final status" in again.json()["detail"]


def test_incident_by_place_name_edit_and_filters(client: TestClient) -> None:
    created = client.post(
        f"{API}/incidents",
        headers=auth("dispatcher"),
        json={
            "incident_type": "fire",
            "priority": "2",
            "place": "kp dalam",
            "caller_phone": "+62 812-7000-112",
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["location_source"] == "place"
    assert body["place_match"]["nama"] == "Kampung Dalam"
    assert body["desa"]["nama"] == "Kampung Dalam"
    assert body["kecamatan"]["nama"] == "Siak"
    assert body["outstanding"] == ["2 × fire_engine"]
    medical = new_incident(client, "medical")

    edited = client.patch(
        f"{API}/incidents/{body['id']}",
        headers=auth("dispatcher"),
        json={"priority": 1, "description": "gudang"},
    )
    assert edited.status_code == 200
    assert edited.json()["priority"] == 1
    listed = client.get(f"{API}/incidents", params={"incident_type": "fire"}, headers=auth("planner")).json()
    assert [i["id"] for i in listed] == [body["id"]]
    both = client.get(
        f"{API}/incidents", params={"status": "new", "priority": [1]}, headers=auth("planner")
    ).json()
    assert {i["id"] for i in both} == {body["id"], medical}
    timeline = client.get(f"{API}/incidents/{body['id']}/timeline", headers=auth("planner")).json()["entries"]
    assert timeline[-1]["kind"] == "incident_updated"
    assert timeline[-1]["detail"]["priority"] == {"old": 2, "new": 1}


def test_geojson_collections_are_rfc7946_with_graph_flags(client: TestClient) -> None:
    place_unit(client, "DMK-SIAK-01", SIAK_TOWN)
    incident_id = new_incident(client, "fire", NEAR_TOWN)
    units = client.get(f"{API}/units.geojson", headers=auth("planner"))
    assert units.headers["content-type"].startswith("application/geo+json")
    same = client.get(f"{API}/units", params={"format": "geojson"}, headers=auth("planner")).json()
    collection = units.json()
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 48

    def without_age(features: list[dict]) -> list[dict]:  # fix age moves on between the two requests
        return [
            {**f, "properties": {k: v for k, v in f["properties"].items() if k != "fix_age_s"}}
            for f in features
        ]

    assert without_age(same["features"]) == without_age(collection["features"])
    assert collection["properties"]["schematic"] is True
    assert "SCHEMATIC" in collection["properties"]["label"]
    placed = next(f for f in collection["features"] if f["id"] == "DMK-SIAK-01")
    assert placed["geometry"] == {"type": "Point", "coordinates": list(SIAK_TOWN)}
    assert placed["properties"]["status"] == "available"
    assert placed["properties"]["stale"] is False
    assert next(f for f in collection["features"] if f["id"] == "DMK-SIAK-02")["geometry"] is None

    incidents = client.get(f"{API}/incidents.geojson", headers=auth("planner")).json()
    assert incidents["properties"]["schematic"] is True
    (feature,) = incidents["features"]
    assert feature["id"] == incident_id
    assert feature["geometry"] == {"type": "Point", "coordinates": list(NEAR_TOWN)}
    assert feature["properties"]["kecamatan"] == "Mempura"


def test_health_graph_openapi_and_not_found(client: TestClient) -> None:
    health = client.get(f"{API}/health")  # no token
    assert health.status_code == 200
    assert health.json()["database"]["ok"] is True
    assert health.json()["schematic"] is True
    graph = client.get(f"{API}/graph", headers=auth("planner")).json()
    assert graph["schematic"] is True
    assert graph["meta"]["n_nodes"] > 0
    assert graph["label"] == graph["meta"]["label"]
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/incidents/{incident_id}/assignments", "/api/v1/units.geojson"} <= set(paths)
    operation_ids = [op["operationId"] for item in paths.values() for op in item.values()]
    assert len(operation_ids) == len(set(operation_ids)), "generated API clients need unique operation ids"
    assert {"get", "post"} <= set(paths["/api/v1/devices/traccar"]), "Traccar Client sends GET or POST"
    for method, path in [
        ("get", "/units/NOPE-01"),
        ("get", "/incidents/999"),
        ("get", "/incidents/999/timeline"),
        ("post", "/incidents/999/recommendations"),
    ]:
        response = getattr(client, method)(API + path, headers=auth("admin"))
        assert response.status_code == 404, path
        assert "does not exist" in response.json()["detail"]
    missing_unit = client.post(
        f"{API}/incidents/{new_incident(client)}/assignments",
        headers=auth("dispatcher"),
        json={"unit_id": "NOPE-1"},
    )
    assert missing_unit.status_code == 404
    assert "NOPE-1" in missing_unit.json()["detail"]


def test_stale_and_late_positions(client: TestClient) -> None:
    now = datetime.now(UTC)
    old = (now - timedelta(minutes=10)).isoformat()
    stale = client.put(
        f"{API}/units/AMB-SIAK-01/position",
        headers=auth("device"),
        json={"lon": 102.05, "lat": 0.8, "fix_time": old},
    )
    assert stale.json()["stored"] is True
    assert stale.json()["unit"]["stale"] is True
    older = (now - timedelta(minutes=20)).isoformat()
    late = client.put(
        f"{API}/units/AMB-SIAK-01/position",
        headers=auth("device"),
        json={"lon": 102.04, "lat": 0.8, "fix_time": older},
    )
    assert late.json()["stored"] is False, late.text
    assert late.json()["unit"]["position"] == {"lon": 102.05, "lat": 0.8}
    incident_id = new_incident(client, "medical")
    group = client.post(f"{API}/incidents/{incident_id}/recommendations", headers=auth("dispatcher")).json()[
        "groups"
    ][0]
    assert group["ranked"] == []
    assert [u["unit_id"] for u in group["stale"]] == ["AMB-SIAK-01"]
    assert group["stale"][0]["stale"] is True
