"""Smoke tests of the services every storage and tracking feature stands on.

PostGIS: the spatial operations dispatch relies on (point-in-area, geodesic distance, GiST index),
per-test database isolation, and surviving a server restart. Mosquitto: QoS 1 delivery to a device or
ingest worker that was offline (persistent session), across a broker restart, and per-device
credentials + ACLs.
"""

from __future__ import annotations

import queue
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import paho.mqtt.client as mqtt
import psycopg
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from sqlalchemy import Engine, create_engine, text

from tests.support.mosquitto import MosquittoBroker, MosquittoFactory, find_mosquitto
from tests.support.postgis import PostgisFactory, PostgisServer, find_postgres_bin
from tests.support.processes import MissingSystemDependencyError

WAIT_S = 15.0  # upper bound on waiting for a network event; a healthy run never gets close

# A square around Siak Sri Indrapura (lon/lat, SRID 4326) and two incident locations.
SIAK_TOWN_WKT = "POLYGON((101.98 0.76, 102.10 0.76, 102.10 0.86, 101.98 0.86, 101.98 0.76))"
INSIDE_WKT = "POINT(102.05 0.80)"  # Siak Sri Indrapura
OUTSIDE_WKT = "POINT(101.45 0.51)"  # Pekanbaru


# -- PostGIS -------------------------------------------------------------------------------------


def test_postgis_is_installed_with_geodesic_distance(pg_engine: Engine) -> None:
    with pg_engine.connect() as conn:
        version: str = conn.execute(text("SELECT PostGIS_Version()")).scalar_one()
        one_degree_m: float = conn.execute(
            text(
                "SELECT ST_Distance('SRID=4326;POINT(102 0)'::geography, 'SRID=4326;POINT(102 1)'::geography)"
            )
        ).scalar_one()
    assert version.startswith("3.")
    # One degree of latitude at the equator on the WGS84 spheroid is 110,574 m.
    assert one_degree_m == pytest.approx(110_574, abs=50)


def test_point_in_area_round_trip_and_gist_index(pg_engine: Engine) -> None:
    with pg_engine.begin() as conn:
        conn.execute(text("CREATE TABLE area (name text PRIMARY KEY, geom geometry(Polygon, 4326) NOT NULL)"))
        conn.execute(text("CREATE TABLE incident (id int PRIMARY KEY, geom geometry(Point, 4326) NOT NULL)"))
        conn.execute(
            text("INSERT INTO area VALUES ('Siak', ST_GeomFromText(:wkt, 4326))"), {"wkt": SIAK_TOWN_WKT}
        )
        conn.execute(
            text(
                "INSERT INTO incident VALUES (1, ST_GeomFromText(:a, 4326)), (2, ST_GeomFromText(:b, 4326))"
            ),
            {"a": INSIDE_WKT, "b": OUTSIDE_WKT},
        )
        conn.execute(text("CREATE INDEX area_geom_gist ON area USING gist (geom)"))

    with pg_engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT i.id, ST_Contains(a.geom, i.geom), ST_SRID(i.geom), ST_AsText(i.geom) "
                "FROM incident i CROSS JOIN area a ORDER BY i.id"
            )
        ).all()
        index_method: str = conn.execute(
            text(
                "SELECT am.amname FROM pg_class c JOIN pg_am am ON am.oid = c.relam "
                "WHERE c.relname = 'area_geom_gist'"
            )
        ).scalar_one()
        conn.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(
            conn.execute(
                text(
                    "EXPLAIN SELECT name FROM area "
                    "WHERE ST_Intersects(geom, ST_GeomFromText('POINT(102.05 0.80)', 4326))"
                )
            ).scalars()
        )
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        (1, True, 4326, "POINT(102.05 0.8)"),
        (2, False, 4326, "POINT(101.45 0.51)"),
    ]
    assert index_method == "gist"
    assert "area_geom_gist" in plan


def test_each_test_database_starts_from_the_clean_template(postgis_server: PostgisServer) -> None:
    first = postgis_server.clone_database()
    second = postgis_server.clone_database()
    try:
        engine = create_engine(postgis_server.url_for(first))
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE leftover (id int)"))
        engine.dispose()
        engine = create_engine(postgis_server.url_for(second))
        with engine.connect() as conn:
            leftover: str | None = conn.execute(text("SELECT to_regclass('public.leftover')")).scalar_one()
            version: str = conn.execute(text("SELECT PostGIS_Version()")).scalar_one()
        engine.dispose()
    finally:
        postgis_server.drop_database(first)
        postgis_server.drop_database(second)
    with postgis_server.admin_connect() as admin:
        remaining = admin.execute(
            "SELECT count(*) FROM pg_database WHERE datname IN (%s, %s)", (first, second)
        ).fetchone()
    assert leftover is None
    assert version.startswith("3.")
    assert remaining == (0,)


def test_committed_rows_survive_a_database_crash_and_restart(postgis_factory: PostgisFactory) -> None:
    server = postgis_factory()  # dedicated cluster: stopping it cannot disturb other tests
    engine = create_engine(server.url, pool_pre_ping=True)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE fix (id int PRIMARY KEY, geom geometry(Point, 4326))"))
        conn.execute(text("INSERT INTO fix VALUES (1, ST_GeomFromText(:p, 4326))"), {"p": INSIDE_WKT})

    server.stop(mode="immediate")
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(
            host=server.host, port=server.port, user=server.user, dbname="siaga", connect_timeout=2
        )
    server.start()

    with engine.connect() as conn:  # same URL, same port; the pool reconnects
        stored = conn.execute(text("SELECT id, ST_AsText(geom) FROM fix")).all()
    engine.dispose()
    assert [(r[0], r[1]) for r in stored] == [(1, "POINT(102.05 0.8)")]


# -- Mosquitto -----------------------------------------------------------------------------------


@dataclass
class MqttPeer:
    """A paho client (MQTT 5, callback API v2) with its CONNACK and received messages queued."""

    client: mqtt.Client
    session_present: bool = False
    connacks: queue.Queue[tuple[bool, ReasonCode]] = field(default_factory=queue.Queue)
    messages: queue.Queue[mqtt.MQTTMessage] = field(default_factory=queue.Queue)

    def next_message(self) -> mqtt.MQTTMessage:
        try:
            return self.messages.get(timeout=WAIT_S)
        except queue.Empty:
            raise AssertionError(f"no MQTT message received within {WAIT_S} s") from None


@contextmanager
def mqtt_peer(
    broker: MosquittoBroker,
    client_id: str,
    *,
    persistent: bool = False,
    username: str | None = None,
    password: str | None = None,
    expect_accepted: bool = True,
) -> Iterator[MqttPeer]:
    """Connect, wait for the CONNACK, yield; disconnect cleanly afterwards.

    ``persistent`` asks for a session that outlives the connection (clean_start False, session expiry
    one hour), which is how an ingest worker or a phone keeps its QoS 1 messages while offline.
    """
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    peer = MqttPeer(client)
    if username is not None:
        client.username_pw_set(username, password)
    client.on_connect = lambda _c, _u, flags, reason, _p: peer.connacks.put((flags.session_present, reason))
    client.on_message = lambda _c, _u, message: peer.messages.put(message)
    properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    properties.SessionExpiryInterval = 3600 if persistent else 0
    client.connect(broker.host, broker.port, keepalive=30, clean_start=not persistent, properties=properties)
    client.loop_start()
    try:
        peer.session_present, reason = peer.connacks.get(timeout=WAIT_S)
        assert reason.is_failure != expect_accepted, f"{client_id}: CONNACK {reason}"
        yield peer
    finally:
        client.disconnect()
        client.loop_stop()


def subscribe_qos1(peer: MqttPeer, topic: str) -> None:
    granted: queue.Queue[list[ReasonCode]] = queue.Queue()
    peer.client.on_subscribe = lambda _c, _u, _mid, codes, _p: granted.put(codes)
    peer.client.subscribe(topic, qos=1)
    assert [code.value for code in granted.get(timeout=WAIT_S)] == [1]


def publish_qos1(broker: MosquittoBroker, topic: str, payloads: list[bytes]) -> None:
    """Publish and wait for every PUBACK, i.e. until the broker owns the messages."""
    with mqtt_peer(broker, f"pub-{topic.replace('/', '-')}") as publisher:
        infos = [publisher.client.publish(topic, payload, qos=1) for payload in payloads]
        for info in infos:
            info.wait_for_publish(timeout=WAIT_S)
            assert info.is_published()


def test_offline_subscriber_receives_queued_qos1_messages_on_reconnect(
    mosquitto_broker: MosquittoBroker, mqtt_topic_prefix: str
) -> None:
    topic = f"{mqtt_topic_prefix}/owntracks/budi/phone"
    ingest_id = f"ingest-{mqtt_topic_prefix.rsplit('/', 1)[-1]}"
    with mqtt_peer(mosquitto_broker, ingest_id, persistent=True) as ingest:
        subscribe_qos1(ingest, topic)

    sent = [f'{{"_type":"location","tst":{1_700_000_000 + i}}}'.encode() for i in range(5)]
    publish_qos1(mosquitto_broker, topic, sent)  # the ingest worker is offline meanwhile

    with mqtt_peer(mosquitto_broker, ingest_id, persistent=True) as ingest:
        received = [ingest.next_message() for _ in sent]
    assert ingest.session_present
    assert [m.payload for m in received] == sent
    assert {m.topic for m in received} == {topic}


def test_queued_message_survives_a_broker_restart(mosquitto_factory: MosquittoFactory) -> None:
    broker = mosquitto_factory()
    topic = "owntracks/siti/ambulance-3"
    with mqtt_peer(broker, "ingest-restart", persistent=True) as ingest:
        subscribe_qos1(ingest, topic)
    publish_qos1(broker, topic, [b'{"_type":"location","lat":0.8,"lon":102.05,"tst":1700000000}'])

    broker.stop()  # graceful: Mosquitto writes mosquitto.db
    assert not broker.is_running
    broker.start()  # same port, same persistence directory

    with mqtt_peer(broker, "ingest-restart", persistent=True) as ingest:
        message = ingest.next_message()
    assert message.topic == topic
    assert message.payload == b'{"_type":"location","lat":0.8,"lon":102.05,"tst":1700000000}'
    assert (Path(broker.persistence_dir) / "mosquitto.db").exists()


SHIPPED_ACL = Path(__file__).resolve().parents[2] / "deploy" / "mosquitto" / "siaga.acl"


def test_devices_publish_only_under_their_own_topic(mosquitto_factory: MosquittoFactory) -> None:
    """The production ACL shipped in deploy/mosquitto: device A cannot publish as device B."""
    broker = mosquitto_factory(
        passwords={"dev-001": "secret-1", "ingest": "secret-ingest"},
        acl=SHIPPED_ACL.read_text(),
    )
    with mqtt_peer(broker, "anon", expect_accepted=False):
        pass
    with mqtt_peer(broker, "dev-001", username="dev-001", password="wrong", expect_accepted=False):
        pass

    with mqtt_peer(broker, "ingest", username="ingest", password="secret-ingest") as ingest:
        subscribe_qos1(ingest, "owntracks/#")
        with mqtt_peer(broker, "dev-001", username="dev-001", password="secret-1") as device:
            spoofed = device.client.publish("owntracks/dev-002/phone", b"spoofed", qos=1)
            own = device.client.publish("owntracks/dev-001/phone", b"genuine", qos=1)
            spoofed.wait_for_publish(timeout=WAIT_S)
            own.wait_for_publish(timeout=WAIT_S)
            # Messages from one publisher are delivered in order: had the spoofed one been accepted,
            # it would arrive before the genuine one.
            first = ingest.next_message()
        assert (first.topic, first.payload) == ("owntracks/dev-001/phone", b"genuine")
        assert ingest.messages.empty()


# -- Missing system packages ---------------------------------------------------------------------


def test_missing_binaries_fail_with_install_instructions(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SIAGA_PG_BIN", str(tmp_path))
    monkeypatch.setenv("SIAGA_MOSQUITTO", str(tmp_path / "mosquitto"))
    monkeypatch.setenv("CI", "false")
    with pytest.raises(MissingSystemDependencyError, match="postgresql-15-postgis-3") as pg_missing:
        find_postgres_bin()
    assert "make test" in str(pg_missing.value)

    monkeypatch.setenv("CI", "true")
    with pytest.raises(MissingSystemDependencyError, match="Debian package: mosquitto") as mqtt_missing:
        find_mosquitto()
    assert "ensure-system-deps.sh" in str(mqtt_missing.value)
