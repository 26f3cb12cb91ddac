"""The crew side over HTTP (issue 13): the unit's device reads its assignment (route, ETA, navigation
links, hospitals, ETag/304) and reports its status through the console's rules; an arrival far from
the place is refused until confirmed and then flagged in the incident's timeline. Both backends."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.integration.api_fixtures import NEAR_TOWN, SIAK_TOWN, auth, new_incident, place_unit
from tests.integration.test_api_devices import enrol

API = "/api/v1"


def _crew(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _assign(client: TestClient, incident_id: int, unit_id: str) -> None:
    r = client.post(
        f"{API}/incidents/{incident_id}/assignments", headers=auth("dispatcher"), json={"unit_id": unit_id}
    )
    assert r.status_code in (200, 201), r.text


def _status(client: TestClient, secret: str, status: str, **extra: object) -> dict[str, object]:
    r = client.post(f"{API}/crew/status", headers=_crew(secret), json={"status": status, **extra})
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    return body


def test_the_crew_reads_its_assignment_and_reports_each_step(db_url: str, make_client) -> None:
    client = make_client(db_url)
    secret = enrol(client, "AMB-SIAK-01", "amb-siak-01/phone")
    place_unit(client, "AMB-SIAK-01", SIAK_TOWN)

    idle = client.get(f"{API}/crew/assignment", headers=_crew(secret))
    assert idle.status_code == 200, idle.text
    assert idle.json()["incident"] is None
    assert idle.json()["login"] == "amb-siak-01"
    etag = idle.headers["etag"]
    again = client.get(f"{API}/crew/assignment", headers={**_crew(secret), "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""

    incident_id = new_incident(client, lonlat=NEAR_TOWN)
    _assign(client, incident_id, "AMB-SIAK-01")
    changed = client.get(f"{API}/crew/assignment", headers={**_crew(secret), "If-None-Match": etag})
    assert changed.status_code == 200
    view = changed.json()
    assert view["incident"]["incident_id"] == incident_id
    assert view["incident"]["priority"] == 1
    assert view["unit_status"] == "dispatched"
    assert view["next_statuses"] == ["en_route", "available"]
    assert view["target"]["kind"] == "incident"
    assert view["target"]["navigation"]["geo"].startswith(f"geo:{NEAR_TOWN[1]:.6f},{NEAR_TOWN[0]:.6f}")
    assert view["route"]["eta_min"] > 0
    assert view["route"]["geometry"]["type"] == "LineString"

    _status(client, secret, "en_route", expected_status="dispatched", expected_incident_id=incident_id)
    place_unit(client, "AMB-SIAK-01", NEAR_TOWN)
    on_scene = _status(client, secret, "on_scene")
    assert on_scene["next_statuses"] == ["transporting", "returning", "available"]
    hospitals = on_scene["hospitals"]
    assert [h["id"] for h in hospitals][:1] == ["rsud-tengku-rafian"]
    going = _status(client, secret, "transporting", destination_facility_id="rsud-tengku-rafian")
    assert going["target"]["kind"] == "facility"
    assert going["target"]["id"] == "rsud-tengku-rafian"

    # the console sees the crew's steps, attributed to the unit
    timeline = client.get(f"{API}/incidents/{incident_id}/timeline", headers=auth("dispatcher")).json()
    steps = [e for e in timeline["entries"] if e["kind"] == "unit_status"]
    assert [e["params"]["to_status"] for e in steps] == ["dispatched", "en_route", "on_scene", "transporting"]
    assert {e["by"] for e in steps[1:]} == {"crew:AMB-SIAK-01"}

    # a stale view: the crew cannot release the unit after it changed meanwhile
    stale = {"status": "available", "expected_status": "on_scene"}
    late = client.post(f"{API}/crew/status", headers=_crew(secret), json=stale)
    assert late.status_code == 409
    assert late.json()["code"] == "unit_status_changed"


def test_an_arrival_far_from_the_place_needs_a_confirmation_and_is_flagged(db_url: str, make_client) -> None:
    client = make_client(db_url)
    secret = enrol(client, "AMB-SIAK-01", "amb-siak-01")
    place_unit(client, "AMB-SIAK-01", SIAK_TOWN)
    incident_id = new_incident(client, lonlat=NEAR_TOWN)
    _assign(client, incident_id, "AMB-SIAK-01")
    _status(client, secret, "en_route")

    far = client.post(f"{API}/crew/status", headers=_crew(secret), json={"status": "on_scene"})
    assert far.status_code == 409, far.text
    assert far.json()["code"] == "arrival_far"
    assert far.json()["params"]["distance_m"] > 1000
    assert client.get(f"{API}/units/AMB-SIAK-01", headers=auth("dispatcher")).json()["status"] == "en_route"

    _status(client, secret, "on_scene", confirm_far=True)
    timeline = client.get(f"{API}/incidents/{incident_id}/timeline", headers=auth("dispatcher")).json()
    flagged = [e for e in timeline["entries"] if e["kind"] == "arrival_far"]
    assert len(flagged) == 1
    assert flagged[0]["summary_code"] == "timeline.arrival_far"
    assert flagged[0]["params"]["unit_id"] == "AMB-SIAK-01"


def test_only_a_unit_bound_device_has_a_crew_page(db_url: str, make_client) -> None:
    client = make_client(db_url)
    assert client.get(f"{API}/crew/assignment").status_code == 401
    assert client.get(f"{API}/crew/assignment", headers=auth("dispatcher")).status_code == 403
    bound = client.get(f"{API}/crew/assignment", headers=auth("device"))  # the demo device token
    assert bound.status_code == 200
    bad = client.post(f"{API}/crew/status", headers=auth("device"), json={"status": "dispatched"})
    assert bad.status_code == 422
    assert bad.json()["code"] == "dispatch_by_assignment"
    page = client.get("/crew")
    assert page.status_code == 200
    assert "/static/js/crew.js" in page.text
