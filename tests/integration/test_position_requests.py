"""Positions on demand (issue 13): a stale ambulance is ranked apart; the dispatcher asks the stale
phones for a position; the ambulance's OwnTracks app (simulated, on the real Mosquitto) answers the
``reportLocation`` command with a fix through the real ingest worker; the ranking asked again puts it
among the fresh units. A unit whose device is a bare login (Traccar Client) is skipped, with the reason."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from dispatch_geo.domain.values import LonLat
from dispatch_geo.storage import fleet_repo
from tests.integration.api_fixtures import NEAR_TOWN, auth, new_incident
from tests.integration.test_api_devices import enrol
from tracking.ingest.mqtt import MqttSettings
from tracking.ingest.service import IngestService

API = "/api/v1"


class OwnTracksPhone:
    """The ambulance's phone: answers reportLocation on its cmd topic with a fix of now."""

    def __init__(self, host: str, port: int, topic: str, where: tuple[float, float]) -> None:
        self.answered = threading.Event()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="amb-siak-01-phone")
        self.client.on_message = self._on_message
        self.client.connect(host, port)
        self.client.subscribe(f"{topic}/cmd", qos=1)
        self.topic, self.where = topic, where
        self.client.loop_start()

    def _on_message(self, client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        if json.loads(message.payload).get("action") == "reportLocation":
            fix = {"_type": "location", "lon": self.where[0], "lat": self.where[1], "tst": int(time.time())}
            client.publish(self.topic, json.dumps(fix), qos=1)
            self.answered.set()

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def _ranked(client, incident_id: int) -> tuple[set[str], set[str]]:
    body = client.post(f"{API}/incidents/{incident_id}/recommendations", headers=auth("dispatcher")).json()
    fresh = {u["unit_id"] for g in body["groups"] for u in g["ranked"]}
    stale = {u["unit_id"] for g in body["groups"] for u in g["stale"]}
    return fresh, stale


def test_a_stale_unit_answers_report_location_and_is_ranked_fresh(db_url: str, make_client, mosquitto_broker):
    host, port = mosquitto_broker.host, mosquitto_broker.port
    client = make_client(db_url, mqtt_host=host, mqtt_port=port, mqtt_protocol="3.1.1")
    sessions = client.app.state.siaga.sessions  # type: ignore[attr-defined]
    enrol(client, "AMB-SIAK-01", "amb-siak-01/phone")
    enrol(client, "AMB-SIAK-02", "amb2")  # Traccar Client: no remote commands
    ten_minutes_ago = datetime.fromtimestamp(time.time() - 600, UTC)
    with sessions.begin() as session:
        for unit_id in ("AMB-SIAK-01", "AMB-SIAK-02"):
            fleet_repo.update_unit_position(
                session, unit_id=unit_id, position=LonLat(*NEAR_TOWN), fix_time=ten_minutes_ago
            )
    ingest = IngestService(sessions, MqttSettings(host=host, port=port, client_id="position-requests-test"))
    ingest.start()
    phone = OwnTracksPhone(host, port, "owntracks/amb-siak-01/phone", NEAR_TOWN)
    try:
        assert ingest.mqtt.connected.wait(10)
        incident_id = new_incident(client, lonlat=NEAR_TOWN)
        fresh, stale = _ranked(client, incident_id)
        assert "AMB-SIAK-01" in stale
        assert "AMB-SIAK-01" not in fresh

        asked = client.post(
            f"{API}/units/position-requests", headers=auth("dispatcher"), json={"unit_types": ["ambulance"]}
        )
        assert asked.status_code == 200, asked.text
        body = asked.json()
        assert "AMB-SIAK-01" in body["asked"]
        assert {"unit_id": "AMB-SIAK-02", "reason": "no_remote_commands"} in body["skipped"]
        assert phone.answered.wait(body["wait_s"])
        deadline = time.monotonic() + body["wait_s"]
        while time.monotonic() < deadline:  # the bounded wait a client does before ranking again
            unit = client.get(f"{API}/units/AMB-SIAK-01", headers=auth("dispatcher")).json()
            if unit["stale"] is False:
                break
            time.sleep(0.2)
        fresh, stale = _ranked(client, incident_id)
        assert "AMB-SIAK-01" in fresh
        assert "AMB-SIAK-02" in stale
    finally:
        phone.close()
        ingest.stop()
