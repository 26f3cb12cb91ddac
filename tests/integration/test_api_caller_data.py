"""Caller data by role: dispatchers and admins see who called, planners see the incidents without the
caller's phone number anywhere, a device token reads none of it (issue 10, finding 4)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from dispatch_geo.domain.values import LonLat
from dispatch_geo.storage.fleet_repo import update_unit_position
from dispatch_geo.storage.position_repo import PositionFixRecord, add_position_fixes
from tests.integration.api_fixtures import NEAR_TOWN, SIAK_TOWN, auth

API = "/api/v1"
PHONE = "+62 899-1357-2468"
TRACES = ("1357-2468", "13572468")
"""The phone as written and as bare digits (longer than any coordinate's decimals)."""


def _incident_with_a_caller(client: TestClient) -> int:
    """An incident with a caller's phone, an edit, an assigned unit with a track: every part of the
    incident's story that the read routes show."""
    created = client.post(
        f"{API}/incidents",
        headers=auth("dispatcher"),
        json={
            "incident_type": "medical",
            "priority": 1,
            "lon": NEAR_TOWN[0],
            "lat": NEAR_TOWN[1],
            "caller_phone": PHONE,
            "description": "ibu hamil, pendarahan",
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["caller_phone"] == PHONE
    incident_id: int = created.json()["id"]
    edited = client.patch(f"{API}/incidents/{incident_id}", headers=auth("dispatcher"), json={"priority": 2})
    assert edited.status_code == 200, edited.text
    now = datetime.now(UTC)
    fix = PositionFixRecord("amb-siak-01/phone", now, now, LonLat(*SIAK_TOWN), "owntracks", "AMB-SIAK-01")
    with client.app.state.siaga.sessions.begin() as session:  # type: ignore[attr-defined]
        update_unit_position(session, unit_id="AMB-SIAK-01", position=fix.position, fix_time=now)
        add_position_fixes(session, fixes=[fix])
    assigned = client.post(
        f"{API}/incidents/{incident_id}/assignments",
        headers=auth("dispatcher"),
        json={"unit_id": "AMB-SIAK-01"},
    )
    assert assigned.status_code == 201, assigned.text
    return incident_id


def _reads(incident_id: int) -> list[str]:
    return [
        "/incidents",
        "/incidents?format=geojson",
        "/incidents.geojson",
        f"/incidents/{incident_id}",
        f"/incidents/{incident_id}/timeline",
        f"/incidents/{incident_id}/assignments",
        f"/incidents/{incident_id}/replay.geojson",
        f"/incidents/{incident_id}/replay-map.html",
    ]


def test_planners_see_incidents_but_never_the_callers_phone(client: TestClient) -> None:
    incident_id = _incident_with_a_caller(client)
    for path in _reads(incident_id):
        response = client.get(API + path, headers=auth("planner"))
        assert response.status_code == 200, (path, response.text)
        assert not any(t in response.text for t in TRACES), f"{path} shows the caller's phone to a planner"
    listed = client.get(f"{API}/incidents", headers=auth("planner")).json()
    assert [(i["id"], i["caller_phone"]) for i in listed] == [(incident_id, None)]
    single = client.get(f"{API}/incidents/{incident_id}", headers=auth("planner")).json()
    assert single["caller_phone"] is None
    assert single["description"] == "ibu hamil, pendarahan"  # the incident itself is there
    assert single["assigned_units"] == ["AMB-SIAK-01"]
    timeline = client.get(f"{API}/incidents/{incident_id}/timeline", headers=auth("planner")).json()
    assert [e["kind"] for e in timeline["entries"]][:2] == ["incident_created", "incident_updated"]
    replay = client.get(f"{API}/incidents/{incident_id}/replay.geojson", headers=auth("planner")).json()
    assert {f["properties"]["kind"] for f in replay["features"]} == {"incident", "fix"}


def test_dispatchers_and_admins_see_the_callers_phone(client: TestClient) -> None:
    incident_id = _incident_with_a_caller(client)
    for role in ("dispatcher", "admin"):
        listed = client.get(f"{API}/incidents", headers=auth(role)).json()
        assert [i["caller_phone"] for i in listed] == [PHONE]
        single = client.get(f"{API}/incidents/{incident_id}", headers=auth(role)).json()
        assert single["caller_phone"] == PHONE


def test_the_openapi_document_says_planners_get_no_caller_phone(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    field = document["components"]["schemas"]["IncidentOut"]["properties"]["caller_phone"]
    assert "null for the planner role" in field["description"]
    listing = document["paths"][f"{API}/incidents"]["get"]
    assert "planner role `caller_phone` is null" in listing["description"]


def test_a_device_token_reads_nothing_of_the_operational_picture(client: TestClient) -> None:
    incident_id = _incident_with_a_caller(client)
    paths = [
        *_reads(incident_id),
        "/units",
        "/units.geojson",
        "/units/AMB-SIAK-01",
        "/stations",
        "/coverage/ambulance",
        "/coverage/ambulance/move-up?unit_id=AMB-SIAK-02",
        "/places?q=siak",
        "/map/roads.geojson",
        "/map/boundaries.geojson",
        "/graph",
    ]
    for path in paths:
        response = client.get(API + path, headers=auth("device"))
        assert response.status_code == 403, (path, response.text)
        assert "role device may not" in response.json()["detail"]
        assert not any(t in response.text for t in TRACES)
