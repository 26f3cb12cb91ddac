"""Every message the API gives carries a stable code and its parameters beside the English text (issue 11),
on PostGIS and on SQLite: error bodies, recommendations, the timeline, auth and place errors."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.integration.api_fixtures import SIAK_TOWN, auth, new_incident, place_unit
from tests.integration.call_steps import timeline

API = "/api/v1"


def test_error_bodies_carry_a_code_and_its_params(client: TestClient) -> None:
    missing = client.get(f"{API}/incidents/987654", headers=auth("dispatcher"))
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    assert missing.json()["params"] == {"what": "incident", "id": 987654}
    no_unit = client.post(
        f"{API}/units/AMB-NOPE-99/status", headers=auth("dispatcher"), json={"status": "en_route"}
    )
    assert no_unit.status_code == 404
    assert no_unit.json()["params"] == {"what": "unit", "id": "AMB-NOPE-99"}

    refused = client.post(
        f"{API}/units/AMB-SIAK-01/status", headers=auth("dispatcher"), json={"status": "on_scene"}
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "invalid_transition"
    assert refused.json()["params"] == {
        "subject": "unit",
        "unit_type": "ambulance",
        "from_status": "available",
        "to_status": "on_scene",
        "allowed": ["dispatched", "out_of_service"],
    }
    direct = client.post(
        f"{API}/units/AMB-SIAK-01/status", headers=auth("dispatcher"), json={"status": "dispatched"}
    )
    assert direct.status_code == 422
    assert direct.json()["code"] == "dispatch_by_assignment"

    place_unit(client, "AMB-SIAK-01", SIAK_TOWN)
    first, second = new_incident(client), new_incident(client)
    ok = client.post(
        f"{API}/incidents/{first}/assignments", headers=auth("dispatcher"), json={"unit_id": "AMB-SIAK-01"}
    )
    assert ok.status_code == 201
    held = client.post(
        f"{API}/incidents/{second}/assignments", headers=auth("admin"), json={"unit_id": "AMB-SIAK-01"}
    )
    assert held.status_code == 409
    assert held.json()["code"] == "unit_already_assigned"
    assert held.json()["params"]["held_by_incident_id"] == first
    assert held.json()["params"]["assigned_by"] == "demo-dispatcher"
    closing = client.post(f"{API}/incidents/{second}/close", headers=auth("dispatcher"))
    assert closing.status_code == 409
    assert closing.json()["params"]["subject"] == "incident"
    assert closing.json()["params"]["allowed"] == ["dispatched", "cancelled"]

    outside = client.post(
        f"{API}/incidents",
        headers=auth("dispatcher"),
        json={"incident_type": "medical", "priority": 1, "lon": 101.0, "lat": 0.5},
    )
    assert outside.status_code == 422
    assert outside.json()["code"] == "outside_service_area"
    assert outside.json()["params"]["distance_m"] > 2000

    invalid = client.post(
        f"{API}/incidents",
        headers=auth("dispatcher"),
        json={"incident_type": "meteor", "priority": 1, "lon": 102.07, "lat": 0.79, "landmark": "x" * 300},
    )
    assert invalid.status_code == 422
    body = invalid.json()
    assert body["code"] == "validation_error"
    assert set(body["params"]["fields"]) == {"incident_type", "landmark"}
    by_field = {e["field"]: e for e in body["errors"]}
    assert by_field["landmark"]["code"] == "string_too_long"
    assert by_field["landmark"]["params"] == {"field": "landmark", "max_length": 200}
    assert by_field["incident_type"]["code"] == "enum"


def test_recommendations_and_timeline_carry_codes_beside_the_english(client: TestClient) -> None:
    place_unit(client, "AMB-SIAK-01", SIAK_TOWN)
    place_unit(client, "AMB-SIAK-02", SIAK_TOWN)
    # the middle of a grid cell: about 2 km from any road
    incident_id = new_incident(client, "traffic_accident", (102.02, 0.80))
    busy = new_incident(client)
    client.post(
        f"{API}/incidents/{busy}/assignments", headers=auth("dispatcher"), json={"unit_id": "AMB-SIAK-02"}
    )
    rec = client.post(
        f"{API}/incidents/{incident_id}/recommendations", headers=auth("dispatcher"), json={"k": 1}
    )
    assert rec.status_code == 200, rec.text
    ambulances, police = rec.json()["groups"]
    assert (ambulances["label_code"], ambulances["params"]) == (
        "requirement",
        {"count": 1, "unit_types": ["ambulance"]},
    )
    assert police["params"] == {"count": 1, "unit_types": ["police_car", "police_motorbike"]}
    assert ambulances["requirement"] == "1 × ambulance"  # the English stays
    assert rec.json()["label_code"] == "graph_schematic"  # siak_grid is a stand-in
    (off_road,) = ambulances["warning_codes"]
    assert off_road["code"] == "incident_off_road"
    assert abs(off_road["params"]["distance_m"] - ambulances["incident_snap_distance_m"]) <= 1
    assert off_road["params"]["distance_m"] > 1000
    assert off_road["text"] == ambulances["warnings"][0]
    excluded = {x["unit_id"]: x for x in ambulances["excluded"]}
    assert excluded["AMB-SIAK-02"]["reason_code"] == "busy"
    assert excluded["AMB-SIAK-02"]["params"] == {"unit_id": "AMB-SIAK-02", "status": "dispatched"}
    assert excluded["AMB-SIAK-03"]["reason_code"] == "no_position"
    assert all(x["reason_code"] == x["reason"] for x in ambulances["excluded"])

    for unit_id in ("AMB-SIAK-01",):
        client.post(
            f"{API}/incidents/{incident_id}/assignments",
            headers=auth("dispatcher"),
            json={"unit_id": unit_id},
        )
    place_unit(client, "POL-SIAK-01", SIAK_TOWN)
    client.post(
        f"{API}/incidents/{incident_id}/assignments",
        headers=auth("dispatcher"),
        json={"unit_id": "POL-SIAK-01"},
    )
    nothing = client.post(f"{API}/incidents/{incident_id}/recommendations", headers=auth("dispatcher")).json()
    assert nothing["groups"] == []
    (note,) = nothing["note_codes"]
    assert note["code"] == "no_outstanding_requirement"
    assert note["params"] == {"incident_id": incident_id, "incident_type": "traffic_accident"}
    assert note["text"] == nothing["notes"][0]

    client.post(
        f"{API}/incidents/{incident_id}/notes", headers=auth("dispatcher"), json={"text": "dua motor"}
    )
    entries = timeline(client, incident_id)
    assert all(e["summary_code"].startswith("timeline.") and e["summary"] for e in entries)
    by_code = {}
    for e in entries:
        by_code.setdefault(e["summary_code"], []).append(e["params"])
    created = by_code["timeline.incident_created"][0]
    assert created["incident_type"] == "traffic_accident"
    assert created["priority"] == 1
    assert {"unit_id": "AMB-SIAK-01", "from_status": "available", "to_status": "dispatched"} in by_code[
        "timeline.unit_status"
    ]
    assert {"unit_id": "POL-SIAK-01"} in by_code["timeline.unit_assigned"]
    assert by_code["timeline.note"] == [{"text": "dua motor"}]
    assert by_code["timeline.recommendation"][0]["offered"][0]["unit_id"] == "AMB-SIAK-01"
    assert by_code["timeline.incident_status"][0] == {
        "from_status": "new",
        "to_status": "dispatched",
        "reason": None,
        "note": "",
    }


def test_auth_errors_and_place_errors_carry_codes(client: TestClient) -> None:
    anonymous = client.get(f"{API}/incidents")
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "unauthorized"
    assert anonymous.headers["WWW-Authenticate"] == "Bearer"
    planner = client.post(f"{API}/incidents/1/notes", headers=auth("planner"), json={"text": "x"})
    assert planner.status_code == 403
    assert planner.json()["code"] == "forbidden"
    assert "dispatcher" in planner.json()["detail"]
    body = {"incident_type": "medical", "priority": 1}
    unknown = client.post(
        f"{API}/incidents", headers=auth("dispatcher"), json={**body, "place_kode": "14.08.99.9999"}
    )
    assert unknown.status_code == 422
    assert (unknown.json()["code"], unknown.json()["params"]["kode"]) == ("unknown_place", "14.08.99.9999")
    nowhere = client.post(f"{API}/incidents", headers=auth("dispatcher"), json={**body, "place": "Qqxqzz"})
    assert nowhere.status_code == 422
    assert nowhere.json()["code"] == "place_not_found"
