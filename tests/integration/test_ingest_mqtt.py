"""Ingest end to end: a real Mosquitto, real paho clients, a real PostGIS.

Valid fixes interleaved with malformed and hostile payloads; the broker restarted mid-stream; the
database stopped mid-stream. In every case each valid fix must end up in ``position_fixes`` and each
bad message must be counted with its reason while ingest keeps running.
"""

from __future__ import annotations

import json
import os
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch_geo.domain.units import Agency, Station, Unit, UnitType
from dispatch_geo.domain.values import LonLat
from dispatch_geo.storage.engine import make_engine, make_session_factory
from dispatch_geo.storage.fleet_repo import create_station, create_unit, get_unit
from dispatch_geo.storage.migrate import upgrade_to_head
from dispatch_geo.storage.models import PositionFixRow
from tracking.ingest.mqtt import MqttSettings
from tracking.ingest.service import IngestService

SIAK = LonLat(102.05, 0.80)
DEVICES = {"amb-siak-01/phone": "AMB-SIAK-01", "dmk-siak-01/phone": "DMK-SIAK-01"}


def seed(url: str) -> Callable[[], Session]:
    upgrade_to_head(url)
    factory = make_session_factory(make_engine(url))
    now = datetime.now(UTC)
    with factory() as session, session.begin():
        create_station(
            session, station=Station("POS-SIAK", "Pos Siak", Agency.PSC_119, SIAK, approximate=True)
        )
        create_station(
            session, station=Station("DMK-SIAK", "Damkar Siak", Agency.DAMKAR, SIAK, approximate=True)
        )
        create_unit(
            session,
            unit=Unit("AMB-SIAK-01", UnitType.AMBULANCE, Agency.PSC_119, "POS-SIAK"),
            at=now,
            device_id="amb-siak-01/phone",
        )
        create_unit(
            session,
            unit=Unit("DMK-SIAK-01", UnitType.FIRE_ENGINE, Agency.DAMKAR, "DMK-SIAK"),
            at=now,
            device_id="dmk-siak-01/phone",
        )
    return factory


def owntracks(i: int, start: datetime, *, lon0: float = SIAK.lon) -> bytes:
    """The i-th fix of a unit driving east at ~36 km/h, one fix per second, as the Android app sends it."""
    return json.dumps(
        {
            "_type": "location",
            "lat": SIAK.lat,
            "lon": round(lon0 + i * 0.00009, 7),
            "tst": int(start.timestamp()) + i,
            "acc": 8,
            "vel": 36,
            "cog": 90,
            "batt": 80,
            "bs": 1,
            "conn": "m",
            "tid": "01",
            "created_at": int(start.timestamp()) + i,
        }
    ).encode()


HOSTILE: list[tuple[str, bytes]] = [
    ("truncated", b'{"_type":"location","lat":0.8,"lon":102.0'),
    ("wrong_types", b'{"_type":"location","lat":"0.8","lon":102.0,"tst":1}'),
    ("huge", b'{"_type":"location","pad":"' + b"x" * 200_000 + b'"}'),
    ("binary", bytes(range(256)) * 4),
    ("wrong_type_field", b'{"_type":"spaceship","lat":0.8,"lon":102.0,"tst":1}'),
    ("nan", b'{"_type":"location","lat":NaN,"lon":102.0,"tst":1700000000}'),
    ("extreme", b'{"_type":"location","lat":91.5,"lon":502.0,"tst":1700000000}'),
    ("missing", b'{"_type":"location","lon":102.0}'),
    ("empty", b""),
    ("array", b"[1,2,3]"),
]


def publisher(host: str, port: int) -> mqtt.Client:
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=f"phone-{uuid.uuid4().hex[:8]}",
        protocol=mqtt.MQTTv311,
        clean_session=False,
    )
    client.reconnect_delay_set(min_delay=0.2, max_delay=1)
    client.connect(host, port)
    client.loop_start()
    return client


def wait_for(
    predicate: Callable[[], bool], timeout_s: float = 30.0, what: Callable[[], object] = str
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"condition not met within {timeout_s} s: {what()}")


def stored(factory: Callable[[], Session], device: str | None = None) -> int:
    try:
        with factory() as session:
            stmt = select(func.count()).select_from(PositionFixRow)
            if device:
                stmt = stmt.where(PositionFixRow.device_id == device)
            return int(session.scalar(stmt) or 0)
    except Exception:
        return -1


@pytest.fixture(params=["one_process", "receiver_process"])
def ingest_factory(request: pytest.FixtureRequest) -> Iterator[Callable[..., IngestService]]:
    """Ingest workers of both kinds: MQTT in the worker's process, or in a receiver process of its own."""
    services: list[IngestService] = []

    def start(
        factory: Callable[[], Session], host: str, port: int, *, shared_group: str | None = None
    ) -> IngestService:
        client_id = f"ingest-{uuid.uuid4().hex[:6]}"
        settings = MqttSettings(host=host, port=port, client_id=client_id, shared_group=shared_group)
        service = IngestService(factory, settings, receiver_process=request.param == "receiver_process")
        service.start()
        assert service.mqtt.connected.wait(10), "ingest did not connect"
        services.append(service)
        return service

    yield start
    for service in services:
        service.stop()


def test_hostile_payloads_are_counted_and_every_valid_fix_is_stored(pg_url, mosquitto_broker, ingest_factory):
    factory = seed(pg_url)
    service = ingest_factory(factory, mosquitto_broker.host, mosquitto_broker.port)
    phone = publisher(mosquitto_broker.host, mosquitto_broker.port)
    start = datetime.now(UTC) - timedelta(minutes=5)
    sent = 0
    for i in range(60):
        phone.publish("owntracks/amb-siak-01/phone", owntracks(i, start), qos=1).wait_for_publish(5)
        sent += 1
        if i < len(HOSTILE):
            phone.publish("owntracks/amb-siak-01/phone", HOSTILE[i][1], qos=1).wait_for_publish(5)
    phone.publish("owntracks/amb-siak-01/phone", b'{"_type":"lwt","tst":1700000000}', qos=1).wait_for_publish(
        5
    )
    phone.publish("owntracks/unknown/phone", owntracks(0, start), qos=1).wait_for_publish(5)
    phone.publish("owntracks/amb-siak-01/phone", owntracks(3, start), qos=1).wait_for_publish(5)  # redelivery
    wait_for(lambda: stored(factory, "amb-siak-01/phone") == sent)
    time.sleep(0.5)
    phone.loop_stop()
    m = service.metrics
    assert m.value("siaga_ingest_accepted_total", {"source": "owntracks"}) == sent
    rejected = sum(
        m.value("siaga_ingest_rejected_total", {"source": "owntracks", "reason": r})
        for r in (
            "invalid_json",
            "bad_type:lat",
            "too_large",
            "not_utf8",
            "unknown_type",
            "non_finite",
            "missing_field:tst",
            "missing_field:lat",
            "out_of_range",
            "not_an_object",
            "empty",
        )
    )
    assert m.value("siaga_ingest_received_total", {"source": "owntracks"}) == sent + len(HOSTILE) + 3
    assert m.value("siaga_ingest_ignored_total", {"kind": "lwt"}) == 1
    assert m.value("siaga_ingest_rejected_total", {"source": "owntracks", "reason": "unknown_device"}) == 1
    assert m.value("siaga_ingest_rejected_total", {"source": "owntracks", "reason": "duplicate"}) == 1
    total_rejected = m.value("siaga_ingest_received_total", {"source": "owntracks"}) - sent - 1
    assert total_rejected == len(HOSTILE) + 2
    assert rejected >= 1
    assert [d.device_id for d in service.registry.unknown_devices()] == ["unknown/phone"]
    assert m.value("siaga_ingest_errors_total") == 0
    with factory() as session:
        unit = get_unit(session, unit_id="AMB-SIAK-01")
        assert unit.last_fix_time == datetime.fromtimestamp(int(start.timestamp()) + 59, UTC)
    text = m.render().decode()
    assert 'siaga_ingest_rejected_total{reason="unknown_device",source="owntracks"} 1.0' in text


def test_broker_restart_mid_stream_loses_no_qos1_fix(pg_url, mosquitto_broker, ingest_factory):
    factory = seed(pg_url)
    service = ingest_factory(factory, mosquitto_broker.host, mosquitto_broker.port)
    phone = publisher(mosquitto_broker.host, mosquitto_broker.port)
    start = datetime.now(UTC) - timedelta(minutes=10)
    for i in range(100):
        phone.publish("owntracks/dmk-siak-01/phone", owntracks(i, start), qos=1)
        if i == 50:
            mosquitto_broker.restart()
    wait_for(
        lambda: stored(factory, "dmk-siak-01/phone") == 100,
        timeout_s=20,
        what=lambda: (
            stored(factory),
            [ln for ln in service.metrics.render().decode().splitlines() if "_total{" in ln],
        ),
    )
    phone.loop_stop()
    assert service.metrics.value("siaga_ingest_errors_total") == 0


def test_database_outage_is_ridden_out_by_the_buffer(postgis_factory, mosquitto_broker, ingest_factory):
    server = postgis_factory()
    url = server.url_for(server.clone_database())
    factory = seed(url)
    service = ingest_factory(factory, mosquitto_broker.host, mosquitto_broker.port)
    phone = publisher(mosquitto_broker.host, mosquitto_broker.port)
    start = datetime.now(UTC) - timedelta(minutes=15)
    for i in range(40):
        phone.publish("owntracks/amb-siak-01/phone", owntracks(i, start), qos=1).wait_for_publish(5)
    wait_for(lambda: stored(factory) == 40)
    server.stop(mode="immediate")
    for i in range(40, 120):
        phone.publish("owntracks/amb-siak-01/phone", owntracks(i, start), qos=1).wait_for_publish(5)
    wait_for(lambda: service.metrics.value("siaga_ingest_write_errors_total") > 0)
    assert service.writer.depth > 0
    server.start()
    wait_for(lambda: stored(factory) == 120, timeout_s=60)
    phone.loop_stop()
    assert service.metrics.value("siaga_ingest_buffer_dropped_total") == 0
    assert service.metrics.value("siaga_ingest_written_total") == 120


def test_two_workers_on_a_shared_subscription_split_the_load(pg_url, mosquitto_broker, ingest_factory):
    factory = seed(pg_url)
    group = f"g{uuid.uuid4().hex[:6]}"
    workers = [
        ingest_factory(factory, mosquitto_broker.host, mosquitto_broker.port, shared_group=group)
        for _ in range(2)
    ]
    phone = publisher(mosquitto_broker.host, mosquitto_broker.port)
    start = datetime.now(UTC) - timedelta(minutes=20)
    for i in range(200):
        device = "amb-siak-01/phone" if i % 2 else "dmk-siak-01/phone"
        phone.publish(f"owntracks/{device}", owntracks(i // 2, start), qos=1).wait_for_publish(5)
    wait_for(lambda: stored(factory) == 200)
    phone.loop_stop()
    per_worker = [w.metrics.value("siaga_ingest_received_total", {"source": "owntracks"}) for w in workers]
    assert sum(per_worker) == 200, "each message reaches exactly one worker of the group"
    assert all(n > 0 for n in per_worker), f"both workers took a share: {per_worker}"


@pytest.mark.parametrize("ingest_factory", ["receiver_process"], indirect=True)
def test_a_killed_receiver_process_is_restarted_and_loses_no_queued_fix(
    pg_url, mosquitto_broker, ingest_factory
):
    factory = seed(pg_url)
    service = ingest_factory(factory, mosquitto_broker.host, mosquitto_broker.port)
    phone = publisher(mosquitto_broker.host, mosquitto_broker.port)
    start = datetime.now(UTC) - timedelta(minutes=30)
    for i in range(30):
        phone.publish("owntracks/amb-siak-01/phone", owntracks(i, start), qos=1).wait_for_publish(5)
    wait_for(lambda: stored(factory) == 30)
    first_pid = service.mqtt.child_pid
    assert first_pid is not None
    os.kill(first_pid, signal.SIGKILL)
    wait_for(lambda: not service.mqtt.connected.is_set(), timeout_s=10)
    for i in range(30, 60):  # published while no receiver runs: queued for the persistent session
        phone.publish("owntracks/amb-siak-01/phone", owntracks(i, start), qos=1).wait_for_publish(5)
    wait_for(lambda: stored(factory) == 60, timeout_s=30)
    phone.loop_stop()
    assert service.mqtt.child_pid not in (None, first_pid)
    assert service.metrics.value("siaga_ingest_receiver_restarts_total") == 1
    assert service.metrics.value("siaga_ingest_accepted_total", {"source": "owntracks"}) == 60
