"""Device apps reporting over HTTP: Traccar Client (OsmAnd protocol) and OwnTracks HTTP mode."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from tests.integration.api_fixtures import auth


def wait_position(client, unit_id: str, timeout_s: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        unit = client.get(f"/api/v1/units/{unit_id}", headers=auth("dispatcher")).json()
        if unit.get("position"):
            return unit
        time.sleep(0.1)
    raise AssertionError(f"unit {unit_id} has no position after {timeout_s} s")


def enrol(client, unit_id: str, device_id: str) -> str:
    """Pair the device with the unit as an admin does; returns the device's secret (shown once)."""
    r = client.post(
        "/api/v1/devices", headers=auth("admin"), json={"unit_id": unit_id, "device_id": device_id}
    )
    assert r.status_code == 201, r.text
    return r.json()["secret"]


def test_traccar_client_get_and_owntracks_http_reach_the_fleet_state(db_url, make_client):
    client = make_client(db_url)
    units = client.get("/api/v1/units", headers=auth("dispatcher")).json()
    amb, dmk = units[0]["id"], units[1]["id"]
    traccar_key = enrol(client, amb, "356938035643809")
    owntracks_secret = enrol(client, dmk, "dmk/phone")
    time.sleep(1.1)  # enrolments are picked up on the next miss, at most once a second
    fix_time = datetime.now(UTC) - timedelta(seconds=30)
    # Traccar Client: GET with query parameters, speed in knots
    r = client.get(
        "/api/v1/devices/traccar",
        params={
            "id": "356938035643809",
            "lat": "0.8001",
            "lon": "102.0501",
            "timestamp": str(int(fix_time.timestamp())),
            "speed": "10.8",
            "bearing": "90",
            "accuracy": "6",
            "key": traccar_key,  # Traccar Client keeps the server URL's query: ...?key=<secret>
        },
    )
    assert r.status_code == 200, r.text
    unit = wait_position(client, amb)
    assert (unit["position"]["lon"], unit["position"]["lat"]) == (102.0501, 0.8001)
    assert unit["last_fix_time"].startswith(fix_time.replace(microsecond=0).isoformat()[:19])
    # OwnTracks HTTP mode: JSON body, identity in X-Limit-U / X-Limit-D, answer is a JSON array
    body = {"_type": "location", "lat": 0.79, "lon": 102.07, "tst": int(fix_time.timestamp()), "acc": 5}
    r = client.post(
        "/api/v1/devices/owntracks",
        json=body,
        headers={"X-Limit-U": "dmk", "X-Limit-D": "phone"},
        auth=("dmk", owntracks_secret),  # OwnTracks HTTP mode: authentication on, user + password
    )
    assert r.status_code == 200
    assert r.json() == []
    wait_position(client, dmk)
    metrics = client.get("/metrics", headers=auth("admin")).text
    assert 'siaga_ingest_accepted_total{source="traccar"} 1.0' in metrics
    assert 'siaga_ingest_accepted_total{source="owntracks"} 1.0' in metrics


def test_unknown_and_malformed_devices_are_refused_counted_and_listed(db_url, make_client):
    client = make_client(db_url)
    r = client.get(
        "/api/v1/devices/traccar",
        params={"id": "stranger", "lat": "0.8", "lon": "102.0", "timestamp": str(int(time.time()))},
    )
    assert r.status_code == 400
    assert "unknown_device" in r.json()["detail"]
    # Malformed messages: without a credential nothing is parsed for the caller (401); from an enrolled
    # device they are refused with the reason (400), and nothing is stored either way.
    r = client.post("/api/v1/devices/traccar", data={"id": "x", "lat": "abc", "lon": "102"})
    assert r.status_code == 401
    secret = enrol(client, "AMB-SIAK-02", "amb2/phone")
    r = client.post(
        "/api/v1/devices/owntracks",
        content=b"{not json",
        headers={"X-Limit-U": "amb2", "X-Limit-D": "phone"},
        auth=("amb2", secret),
    )
    assert r.status_code == 400
    assert "invalid_json" in r.json()["detail"]
    r = client.post("/api/v1/devices/traccar", data={"id": "amb2", "lat": "abc", "lon": "102", "key": secret})
    assert r.status_code == 400
    assert client.get("/api/v1/devices/unknown", headers=auth("dispatcher")).status_code == 403
    listed = client.get("/api/v1/devices/unknown", headers=auth("admin")).json()
    assert [d["device_id"] for d in listed] == ["stranger"]
    assert client.get("/api/v1/health").status_code == 200, "the API keeps serving"
