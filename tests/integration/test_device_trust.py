"""Only a unit's own device moves it: HTTP device endpoints, the REST position route, and the broker.

Each test is one finding of the trust probe (issue 10), run against the real app (SQLite and PostGIS),
a real Mosquitto configured with the password file and ACL that ``dispatch-geo devices
mosquitto-config`` generates from the device table, and the real ingest worker.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from dispatch_geo.storage import device_repo
from dispatch_geo.storage.models import PositionFixRow
from tests.integration.api_fixtures import auth
from tests.integration.test_api_devices import enrol
from tests.integration.test_services import WAIT_S, mqtt_peer
from tests.support.mosquitto import MosquittoFactory

API = "/api/v1"
SHIPPED_CONF = Path(__file__).resolve().parents[2] / "deploy" / "mosquitto" / "siaga.conf"


def fixes_stored(client: TestClient, unit_id: str) -> int:
    with client.app.state.siaga.sessions() as session:  # type: ignore[attr-defined]
        stmt = select(func.count()).select_from(PositionFixRow).where(PositionFixRow.unit_id == unit_id)
        return int(session.scalar(stmt) or 0)


def position(client: TestClient, unit_id: str) -> dict[str, float] | None:
    unit = client.get(f"{API}/units/{unit_id}", headers=auth("dispatcher")).json()
    return unit["position"]


def traccar_params(device: str, lon: float, lat: float, at: datetime, **extra: str) -> dict[str, str]:
    return {"id": device, "lat": str(lat), "lon": str(lon), "timestamp": str(int(at.timestamp())), **extra}


def test_spoofed_http_fixes_are_refused_and_stored_nowhere(db_url: str, make_client) -> None:
    """Finding 1: no credential, or another device's credential → nothing moves, nothing is stored."""
    client = make_client(db_url)
    amb_key = enrol(client, "AMB-SIAK-01", "amb1")
    dmk_key = enrol(client, "DMK-SIAK-01", "dmk1/phone")
    time.sleep(1.1)
    soon = datetime.now(UTC) + timedelta(seconds=290)
    # The probe's exact attack: an enrolled id, a fake spot, a timestamp just inside the future limit.
    bare = client.get(f"{API}/devices/traccar", params=traccar_params("amb1", 101.6, 0.9, soon))
    assert bare.status_code == 401
    assert "credential" in bare.json()["detail"]
    assert bare.headers["www-authenticate"].startswith("Basic")
    other = client.get(f"{API}/devices/traccar", params=traccar_params("amb1", 101.6, 0.9, soon, key=dmk_key))
    assert other.status_code == 403
    assert "dmk1" in other.json()["detail"]
    wrong = client.get(
        f"{API}/devices/traccar", params=traccar_params("amb1", 101.6, 0.9, soon, key="x" * 40)
    )
    assert wrong.status_code == 401
    body = {"_type": "location", "lat": 0.9, "lon": 101.6, "tst": int(soon.timestamp())}
    limit_only = client.post(
        f"{API}/devices/owntracks", json=body, headers={"X-Limit-U": "dmk1", "X-Limit-D": "phone"}
    )
    assert limit_only.status_code == 401
    as_other = client.post(
        f"{API}/devices/owntracks",
        json=body,
        headers={"X-Limit-U": "dmk1", "X-Limit-D": "phone"},
        auth=("amb1", amb_key),
    )
    assert as_other.status_code == 403
    wrong_password = client.post(
        f"{API}/devices/owntracks", json=body, headers={"X-Limit-U": "dmk1"}, auth=("dmk1", amb_key)
    )
    assert wrong_password.status_code == 401
    assert position(client, "AMB-SIAK-01") is None
    assert position(client, "DMK-SIAK-01") is None
    assert fixes_stored(client, "AMB-SIAK-01") == fixes_stored(client, "DMK-SIAK-01") == 0
    # The genuine device, with its own secret, is answered only once its fix is committed (finding 9):
    # the row is in the database the moment the 200 arrives.
    now = datetime.now(UTC) - timedelta(seconds=5)
    genuine = client.get(
        f"{API}/devices/traccar", params=traccar_params("amb1", 102.0501, 0.8001, now, key=amb_key)
    )
    assert genuine.status_code == 200, genuine.text
    assert fixes_stored(client, "AMB-SIAK-01") == 1
    assert position(client, "AMB-SIAK-01") == {"lon": 102.0501, "lat": 0.8001}
    # A rotated secret replaces the old one at once.
    rotated = client.post(f"{API}/devices/amb1/credential", headers=auth("admin"))
    assert rotated.status_code == 200
    old = client.get(
        f"{API}/devices/traccar",
        params=traccar_params("amb1", 102.0502, 0.8001, now + timedelta(seconds=1), key=amb_key),
    )
    assert old.status_code == 401
    new_key = rotated.json()["secret"]
    assert rotated.json()["traccar_client"]["server_url"].endswith(f"?key={new_key}")
    assert client.delete(f"{API}/devices/amb1/credential", headers=auth("admin")).status_code == 204
    revoked = client.get(
        f"{API}/devices/traccar",
        params=traccar_params("amb1", 102.0502, 0.8001, now + timedelta(seconds=2), key=new_key),
    )
    assert revoked.status_code == 401
    listed = {d["login"]: d for d in client.get(f"{API}/devices", headers=auth("admin")).json()}
    assert listed["amb1"]["has_credential"] is False
    assert listed["dmk1"]["device_id"] == "dmk1/phone"
    assert "secret" not in listed["dmk1"]
    assert client.get(f"{API}/devices", headers=auth("dispatcher")).status_code == 403
    units = client.get(f"{API}/units", headers=auth("dispatcher")).json()
    assert all("device_id" not in u for u in units), "device ids are not shown to every token holder"


def test_a_device_reports_only_for_its_own_unit_through_the_filters(db_url: str, make_client) -> None:
    """Findings 4 and 5: PUT /units/{id}/position is scoped to the device's unit and filtered."""
    client = make_client(db_url)
    secret = enrol(client, "AMB-SIAK-03", "amb3")
    device = {"Authorization": f"Bearer {secret}"}  # the device's own credential works as a bearer token
    elsewhere = client.put(
        f"{API}/units/AMB-SIAK-01/position", headers=device, json={"lon": 102.05, "lat": 0.8}
    )
    assert elsewhere.status_code == 403
    assert "AMB-SIAK-03" in elsewhere.json()["detail"]
    demo_device = client.put(
        f"{API}/units/AMB-SIAK-02/position", headers=auth("device"), json={"lon": 102.05, "lat": 0.8}
    )
    assert demo_device.status_code == 403, "the demo device token is bound to AMB-SIAK-01 only"
    for lon, lat, reason in [(0.0, 0.0, "null_island"), (106.8456, -6.2088, "outside_service_area")]:
        refused = client.put(
            f"{API}/units/AMB-SIAK-03/position", headers=device, json={"lon": lon, "lat": lat}
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["reason"] == reason
    assert position(client, "AMB-SIAK-03") is None
    assert fixes_stored(client, "AMB-SIAK-03") == 0
    ok = client.put(f"{API}/units/AMB-SIAK-03/position", headers=device, json={"lon": 102.05, "lat": 0.8})
    assert ok.status_code == 200, ok.text
    assert ok.json()["unit"]["position"] == {"lon": 102.05, "lat": 0.8}
    assert fixes_stored(client, "AMB-SIAK-03") == 1
    # ... and reads only its own unit's assignment, never the incident list.
    own = client.get(f"{API}/device/assignment", headers=device)
    assert own.status_code == 200
    assert own.json()["unit_id"] == "AMB-SIAK-03"
    assert own.json()["incident_id"] is None
    incident = client.post(
        f"{API}/incidents",
        headers=auth("dispatcher"),
        json={
            "incident_type": "medical",
            "priority": 1,
            "lon": 102.06,
            "lat": 0.8,
            "caller_phone": "08123456789",
        },
    ).json()
    assigned = client.post(
        f"{API}/incidents/{incident['id']}/assignments",
        headers=auth("dispatcher"),
        json={"unit_id": "AMB-SIAK-03"},
    )
    assert assigned.status_code == 201, assigned.text
    own = client.get(f"{API}/device/assignment", headers=device).json()
    assert (own["incident_id"], own["incident_type"], own["priority"]) == (incident["id"], "medical", 1)
    assert client.get(f"{API}/device/assignment", headers=auth("dispatcher")).status_code == 403


def test_a_rejected_fix_does_not_suppress_the_valid_fix_with_the_same_time(db_url: str, make_client) -> None:
    """Finding 10: deduplicate only what was accepted."""
    client = make_client(db_url)
    key = enrol(client, "AMB-SIAK-02", "amb2")
    time.sleep(1.1)
    at = datetime.now(UTC) - timedelta(seconds=10)
    null_island = client.get(f"{API}/devices/traccar", params=traccar_params("amb2", 0.0, 0.0, at, key=key))
    assert null_island.status_code == 400
    assert "null_island" in null_island.json()["detail"]
    valid = client.get(f"{API}/devices/traccar", params=traccar_params("amb2", 102.05, 0.8, at, key=key))
    assert valid.status_code == 200, valid.text
    assert fixes_stored(client, "AMB-SIAK-02") == 1
    again = client.get(f"{API}/devices/traccar", params=traccar_params("amb2", 102.05, 0.8, at, key=key))
    assert again.status_code == 400, "a true repeat is still dropped"
    assert "duplicate" in again.json()["detail"]


@pytest.fixture
def siaga_broker(mosquitto_factory: MosquittoFactory, tmp_path: Path):
    """A broker configured as in production: the generated password file and ACL, and the shipped
    ``use_username_as_clientid`` rule. Returns (broker, write_files(session) → regenerate the files)."""
    shipped = [
        line
        for line in SHIPPED_CONF.read_text().splitlines()
        if line.startswith(("use_username_as_clientid", "max_inflight_messages", "set_tcp_nodelay"))
    ]
    assert "use_username_as_clientid true" in shipped
    passwd, acl = tmp_path / "siaga.passwd", tmp_path / "siaga.acl"

    def write_files(session) -> None:
        passwd.write_text(
            device_repo.mosquitto_password_file(
                session, extra={"ingest": device_repo.mosquitto_hash("ingest-secret")}
            )
        )
        acl.write_text(device_repo.mosquitto_acl(ingest_users=["ingest"]))

    return mosquitto_factory, write_files, "\n".join([*shipped, f"password_file {passwd}", f"acl_file {acl}"])


def test_broker_identity_tid_is_a_label_and_client_ids_cannot_be_taken(
    pg_db_url: str,
    make_client,
    siaga_broker,
) -> None:
    """Findings 2, 3 and 11 with the real ingest worker and the generated broker files."""
    from tracking.ingest.mqtt import MqttSettings
    from tracking.ingest.service import IngestService

    factory, write_files, conf = siaga_broker
    client = make_client(pg_db_url)
    a1_secret = enrol(client, "AMB-SIAK-01", "a1")  # a short login, like an OwnTracks tid
    evil_secret = enrol(client, "DMK-SIAK-01", "evil/phone")  # pinned to one app instance
    state = client.app.state.siaga  # type: ignore[attr-defined]
    with state.sessions() as session:
        write_files(session)
    broker = factory(conf, allow_anonymous=False)
    service = IngestService(
        state.sessions,
        MqttSettings(
            host=broker.host,
            port=broker.port,
            client_id="siaga-ingest-1",
            username="ingest",
            password="ingest-secret",
        ),
    )
    service.start()
    try:
        assert service.mqtt.connected.wait(WAIT_S)
        generation = service.mqtt.subscriber.generation
        # Finding 3: a device login asking for the ingest's client id (the documented default, and the
        # username the broker really uses for it) does not push the ingest off the broker.
        for stolen_id in ("siaga-ingest-1", "ingest"):
            with mqtt_peer(broker, stolen_id, username="evil", password=evil_secret):
                time.sleep(1.0)
        assert service.mqtt.connected.is_set()
        assert service.mqtt.subscriber.generation == generation, (
            "the ingest was disconnected and had to reconnect"
        )
        # Finding 2: "evil" may publish only as itself, and a tid naming a1 is only a label.
        at = int(time.time()) - 5
        with mqtt_peer(broker, "evil-phone", username="evil", password=evil_secret) as phone:
            for topic, payload in [
                (
                    "owntracks/evil/tablet",
                    f'{{"_type":"location","lat":0.8,"lon":102.05,"tst":{at},"tid":"a1"}}',
                ),
                ("owntracks/a1/phone", f'{{"_type":"location","lat":0.8,"lon":102.05,"tst":{at + 1}}}'),
            ]:
                phone.client.publish(topic, payload, qos=1).wait_for_publish(WAIT_S)
        with mqtt_peer(broker, "a1-phone", username="a1", password=a1_secret) as phone:
            phone.client.publish(
                "owntracks/a1/phone", f'{{"_type":"location","lat":0.81,"lon":102.06,"tst":{at + 2}}}', qos=1
            ).wait_for_publish(WAIT_S)
        deadline = time.monotonic() + WAIT_S
        while fixes_stored(client, "AMB-SIAK-01") == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # anything else in flight lands too
        assert position(client, "AMB-SIAK-01") == {"lon": 102.06, "lat": 0.81}, "only a1's own fix moved it"
        assert fixes_stored(client, "AMB-SIAK-01") == 1
        assert fixes_stored(client, "DMK-SIAK-01") == 0, "evil/tablet is not the paired evil/phone"
    finally:
        service.stop()
    # Finding 11: the device the MQTT worker did not know is listed for the admin, from the database.
    unknown = client.get(f"{API}/devices/unknown", headers=auth("admin")).json()
    assert [(d["source"], d["device_id"], d["tracker_id"]) for d in unknown] == [
        ("owntracks", "evil/tablet", "a1")
    ]
    assert unknown[0]["messages"] == 1
