"""Arrivals noticed by the system (issue 13 §2), on PostGIS with the real Mosquitto: the ambulance's
OwnTracks phone publishes over MQTT, the real ingest worker stores the fixes and, in its housekeeping,
checks the geofences. With SIAGA_GEOFENCE_AUTO_STATUS on, a unit en route that stays at its call is set
on scene by the system (audited as ``geofence``, shown as automatic); off, it is only proposed. A
transporting unit leaving the scene gets one note; at its hospital it becomes at hospital. A status a
person set meanwhile is never overridden."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import paho.mqtt.client as mqtt
from fastapi.testclient import TestClient
from paho.mqtt.enums import CallbackAPIVersion

from dispatch_geo.dispatch.geofence import GeofenceRule
from dispatch_geo.storage import facility_repo
from tests.integration.api_fixtures import NEAR_TOWN, auth, new_incident
from tests.integration.test_api_devices import enrol
from tracking.ingest.mqtt import MqttSettings
from tracking.ingest.service import IngestService

API = "/api/v1"
AMB = "AMB-SIAK-01"
PHONE = {"device": "amb-siak-01/phone"}
"""The ambulance's phone in the running test: each test enrols a phone of its own, so a fix another
test published on the shared broker can never reach this test's database."""
M = 1 / 111_320  # degrees of latitude per metre
HOSPITAL = "rsud-tengku-rafian"


def publish(host: str, port: int, *fixes: tuple[float, float, int]) -> None:
    """The phone reports ``(lon, lat, seconds_ago)`` fixes, oldest first, as OwnTracks does."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="geofence-test-phone")
    client.connect(host, port)
    client.loop_start()
    for lon, lat, ago in fixes:
        payload = {"_type": "location", "lon": lon, "lat": lat, "tst": int(time.time()) - ago}
        client.publish(f"owntracks/{PHONE['device']}", json.dumps(payload), qos=1).wait_for_publish(5)
    client.loop_stop()
    client.disconnect()


@contextmanager
def en_route_ambulance(
    url: str, make_client: Callable[..., TestClient], broker: Any, *, auto_status: bool
) -> Iterator[tuple[TestClient, int]]:
    """The ambulance's phone enrolled, the ingest worker running, the ambulance assigned to a call at
    NEAR_TOWN and en route (the crew would tap it; set over HTTP here)."""
    client = make_client(url)
    PHONE["device"] = f"amb-siak-01/phone-{uuid.uuid4().hex[:8]}"
    enrol(client, AMB, PHONE["device"])
    sessions = client.app.state.siaga.sessions  # type: ignore[attr-defined]
    ingest = IngestService(
        sessions,
        MqttSettings(host=broker.host, port=broker.port, client_id=f"geofence-test-{uuid.uuid4().hex[:8]}"),
        geofence=GeofenceRule(radius_m=150.0, dwell_s=20.0, auto_status=auto_status),
    )
    ingest.start()
    try:
        assert ingest.mqtt.connected.wait(10)
        incident_id = new_incident(client, lonlat=NEAR_TOWN)
        r = client.post(
            f"{API}/incidents/{incident_id}/assignments", headers=auth("dispatcher"), json={"unit_id": AMB}
        )
        assert r.status_code in (200, 201), r.text
        set_status(client, "en_route", "dispatched", incident_id)
        yield client, incident_id
    finally:
        ingest.stop()


def set_status(client: TestClient, status: str, expected: str, incident_id: int, **extra: object) -> None:
    r = client.post(
        f"{API}/units/{AMB}/status",
        headers=auth("dispatcher"),
        json={"status": status, "expected_status": expected, "expected_incident_id": incident_id, **extra},
    )
    assert r.status_code == 200, r.text


def unit_status(client: TestClient) -> str:
    units = client.get(f"{API}/units", headers=auth("dispatcher")).json()
    return str(next(u["status"] for u in units if u["id"] == AMB))


def last_fix(client: TestClient) -> str | None:
    units = client.get(f"{API}/units", headers=auth("dispatcher")).json()
    return next(u["last_fix_time"] for u in units if u["id"] == AMB)  # type: ignore[no-any-return]


def wait_for(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 30
    while not check():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.2)


def timeline(client: TestClient, incident_id: int) -> list[dict[str, Any]]:
    r = client.get(f"{API}/incidents/{incident_id}/timeline", headers=auth("dispatcher"))
    assert r.status_code == 200, r.text
    entries: list[dict[str, Any]] = r.json()["entries"]
    return entries


def stays_at_the_call(broker: Any, ago: int = 0) -> None:
    """Driving up: 400 m out, then within 150 m for 25 s (ending ``ago`` + 15 s ago)."""
    lon, lat = NEAR_TOWN
    publish(
        broker.host,
        broker.port,
        (lon, lat + 400 * M, ago + 60),
        (lon, lat + 90 * M, ago + 40),
        (lon, lat + 30 * M, ago + 15),
    )


def test_with_auto_status_a_unit_staying_at_its_call_is_set_on_scene_by_the_system(
    pg_db_url: str, make_client, mosquitto_broker
) -> None:
    with en_route_ambulance(pg_db_url, make_client, mosquitto_broker, auto_status=True) as (
        client,
        incident_id,
    ):
        lon, lat = NEAR_TOWN
        host, port = mosquitto_broker.host, mosquitto_broker.port
        publish(host, port, (lon, lat + 400 * M, 60), (lon, lat + 90 * M, 40))
        time.sleep(3)  # a few checks: 90 m for 0 s is no arrival yet
        assert unit_status(client) == "en_route"
        publish(host, port, (lon, lat + 30 * M, 15))  # 25 s within 150 m
        wait_for(lambda: unit_status(client) == "on_scene", "on scene set by the geofence")
        auto = [e for e in timeline(client, incident_id) if e["summary_code"] == "timeline.unit_status_auto"]
        assert len(auto) == 1
        assert auto[0]["by"] == "geofence"
        assert auto[0]["params"] == {"unit_id": AMB, "from_status": "en_route", "to_status": "on_scene"}
        incident = client.get(f"{API}/incidents/{incident_id}", headers=auth("dispatcher")).json()
        assert incident["status"] == "on_scene"  # the first unit on scene, as when a person sets it


def test_without_auto_status_the_arrival_is_only_proposed(
    pg_db_url: str, make_client, mosquitto_broker
) -> None:
    with en_route_ambulance(pg_db_url, make_client, mosquitto_broker, auto_status=False) as (
        client,
        incident_id,
    ):
        stays_at_the_call(mosquitto_broker)
        wait_for(
            lambda: bool(client.get(f"{API}/arrival-proposals", headers=auth("dispatcher")).json()),
            "the proposal",
        )
        time.sleep(3)  # a few geofence checks of the worker
        assert unit_status(client) == "en_route"
        assert not [e for e in timeline(client, incident_id) if e["by"] == "geofence"]


def test_a_transporting_unit_leaving_the_scene_is_noted_once_and_at_its_hospital_set_at_hospital(
    pg_db_url: str, make_client, mosquitto_broker
) -> None:
    host, port = mosquitto_broker.host, mosquitto_broker.port
    with en_route_ambulance(pg_db_url, make_client, mosquitto_broker, auto_status=True) as (
        client,
        incident_id,
    ):
        stays_at_the_call(mosquitto_broker, ago=240)
        wait_for(lambda: unit_status(client) == "on_scene", "on scene set by the geofence")
        set_status(client, "transporting", "on_scene", incident_id, destination_facility_id=HOSPITAL)
        sessions = client.app.state.siaga.sessions  # type: ignore[attr-defined]
        with sessions() as session:
            rs = facility_repo.get_facility(session, facility_id=HOSPITAL).location
        lon, lat = NEAR_TOWN
        publish(host, port, (lon, lat + 400 * M, 240))  # driving off with the patient
        notes = lambda: [e for e in timeline(client, incident_id) if e["kind"] == "left_scene"]  # noqa: E731
        wait_for(lambda: len(notes()) == 1, "the note that the unit left the scene")
        publish(host, port, (lon, lat + 900 * M, 230))  # farther still: no second note
        publish(host, port, (rs.lon, rs.lat + 30 * M, 100), (rs.lon, rs.lat + 10 * M, 75))  # 25 s there
        wait_for(lambda: unit_status(client) == "at_hospital", "at hospital set by the geofence")
        assert len(notes()) == 1
        note = notes()[0]
        assert note["summary_code"] == "timeline.left_scene"
        assert note["params"] == {"unit_id": AMB, "radius_m": 150}
        assert note["by"] == "geofence"
        auto = [
            e["params"]["to_status"]
            for e in timeline(client, incident_id)
            if e["by"] == "geofence" and e["kind"] == "unit_status"
        ]
        assert auto == ["on_scene", "at_hospital"]


def test_a_status_a_person_set_meanwhile_is_never_overridden(
    pg_db_url: str, make_client, mosquitto_broker
) -> None:
    with en_route_ambulance(pg_db_url, make_client, mosquitto_broker, auto_status=True) as (
        client,
        incident_id,
    ):
        lon, lat = NEAR_TOWN
        host, port = mosquitto_broker.host, mosquitto_broker.port
        publish(host, port, (lon, lat + 90 * M, 40))
        wait_for(lambda: last_fix(client) is not None, "the first fix stored")
        # the dispatcher hears on the radio that the crew broke down: out of service before any dwell
        set_status(client, "out_of_service", "en_route", incident_id)
        first = last_fix(client)
        publish(host, port, (lon, lat + 30 * M, 15))  # 25 s within 150 m
        wait_for(lambda: last_fix(client) != first, "the second fix stored")
        time.sleep(3)  # a few geofence checks of the worker
        assert unit_status(client) == "out_of_service"
        assert not [e for e in timeline(client, incident_id) if e["by"] == "geofence"]
