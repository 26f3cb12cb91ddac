"""Ingest benchmark: Mosquitto → decode → filter → state → PostGIS, against raw paho in the same run.

Starts its own Mosquitto and PostGIS (as the test suite does, on free ports) and prints one JSON
object. Throughput is measured two ways, each against a bare paho QoS 1 subscriber on the same broker
in the same run:

- ``backlog``: the broker holds N queued QoS 1 messages for the consumer's persistent session (it
  was offline while they were published) and the consumer drains them: what a worker does after a
  restart or a burst, and the consumer's own ceiling, since the publisher is not running meanwhile;
- ``live``: the consumer runs while a publisher process sends the burst as fast as paho can. On
  a 2-core machine the Python publisher needs about a core of its own, so here the raw "receive"
  rate is really the publisher's rate, and the consumer shares the other core with Mosquitto and
  PostgreSQL.

For each: ``raw_paho_qos1_per_s`` (a bare paho subscriber, timed first → last message received);
``one_worker_per_s`` (one ``dispatch-geo ingest`` worker as deployed: its MQTT client in a receiver
process of its own), ``one_worker_single_process_per_s`` (the same worker with MQTT in its own
process, as the demo runs it) and ``two_workers_shared_per_s`` (two deployed workers on a shared
subscription) — OwnTracks fixes of 50 enrolled units, timed first → last fix committed to PostGIS
(history and last positions), workers in processes of their own — and their ratios to the raw rate
(targets ≥ 0.6 and ≥ 5,000 fixes/s). Every fix must be stored, or the benchmark fails.

``latency_at_1000_per_s`` (deployed worker) and ``..._single_process``: publish → committed fleet
state (the unit's last position in PostGIS), p50/p95/p99 at a steady 1,000 fixes/s (target p99 ≤
100 ms).

Usage: ``python bench/ingest_bench.py [--messages 50000]``
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dispatch_geo.domain.units import Agency, Station, Unit, UnitType
from dispatch_geo.domain.values import LonLat
from dispatch_geo.storage.engine import make_engine, make_session_factory
from dispatch_geo.storage.fleet_repo import create_station, create_unit
from dispatch_geo.storage.migrate import upgrade_to_head
from dispatch_geo.storage.models import PositionFixRow
from tests.support.mosquitto import MosquittoBroker, find_mosquitto
from tests.support.postgis import PostgisServer, find_postgres_bin
from tracking.ingest.mqtt import MqttSettings
from tracking.ingest.service import IngestService

UNITS = 50
BASE = LonLat(102.05, 0.80)


def payload(i: int, start: int) -> tuple[str, bytes]:
    unit = i % UNITS
    step = i // UNITS
    body = {
        "_type": "location",
        "lat": BASE.lat + unit * 0.001,
        "lon": round(BASE.lon + step * 0.00005, 7),
        "tst": start + step,
        "acc": 8,
        "vel": 20,
        "tid": f"{unit:02d}",
    }
    return f"owntracks/u{unit:02d}/phone", json.dumps(body).encode()


def publish(host: str, port: int, n: int, start: int, rate: float | None, stamps: Any) -> None:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"pub-{uuid.uuid4().hex[:6]}")
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect(host, port)
    client.loop_start()
    begun = time.perf_counter()
    infos = []
    for i in range(n):
        if rate:
            target = begun + i / rate
            delay = target - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            if stamps is not None:
                stamps[i] = time.time()
        topic, body = payload(i, start)
        infos.append(client.publish(topic, body, qos=1))
    for info in infos:
        info.wait_for_publish(60)
    client.loop_stop()
    client.disconnect()


def _subscriber(client_id: str, broker: MosquittoBroker, on_message: Any) -> mqtt.Client:
    """A connected MQTT 5 client with a persistent session (as the ingest worker's)."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    client.on_message = on_message
    properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    properties.SessionExpiryInterval = 3600
    client.connect(broker.host, broker.port, clean_start=False, properties=properties)
    return client


def publish_all(broker: MosquittoBroker, n: int, start: int) -> None:
    """Publish ``n`` fixes from a separate process and wait until the broker has acknowledged all."""
    proc = mp.get_context("spawn").Process(
        target=publish, args=(broker.host, broker.port, n, start, None, None)
    )
    proc.start()
    proc.join()
    if proc.exitcode != 0:
        raise RuntimeError(f"the publisher failed (exit code {proc.exitcode})")


def raw_rate(broker: MosquittoBroker, n: int, *, backlog: bool) -> float:
    """A bare paho QoS 1 subscriber's receive rate, first → last message."""
    received = 0
    first = last = 0.0
    done = threading.Event()

    def on_message(client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        nonlocal received, first, last
        received += 1
        last = time.perf_counter()
        if received == 1:
            first = last
        if received == n:
            done.set()

    client_id = f"raw-{uuid.uuid4().hex[:6]}"
    sub = _subscriber(client_id, broker, on_message)
    sub.subscribe("owntracks/+/+", qos=1)
    sub.loop_start()
    time.sleep(0.5)
    start = int(time.time()) - 3600
    if backlog:
        sub.loop_stop()
        sub.disconnect()
        publish_all(broker, n, start)  # queued for the offline persistent session
        sub = _subscriber(client_id, broker, on_message)
        sub.loop_start()
        done.wait(300)
    else:
        publish_all(broker, n, start)
        done.wait(300)
    sub.loop_stop()
    sub.disconnect()
    if received != n:
        raise RuntimeError(f"the raw subscriber received {received} of {n} messages")
    return (n - 1) / (last - first)


def seeded_database(server: PostgisServer) -> str:
    url = server.url_for(server.clone_database())
    upgrade_to_head(url)
    factory = make_session_factory(make_engine(url))
    now = datetime.now(UTC)
    with factory() as session, session.begin():
        create_station(session, station=Station("POS", "Pos", Agency.PSC_119, BASE, approximate=True))
        for u in range(UNITS):
            create_unit(
                session,
                unit=Unit(f"AMB-{u:02d}", UnitType.AMBULANCE, Agency.PSC_119, "POS"),
                at=now,
                device_id=f"u{u:02d}/phone",
            )
    return url


def count(url: str) -> int:
    with make_session_factory(make_engine(url, pool_size=1))() as session:
        return int(session.scalar(select(func.count()).select_from(PositionFixRow)) or 0)


def worker_process(
    url: str,
    host: str,
    port: int,
    group: str | None,
    client_id: str,
    backlog: bool,
    receiver_process: bool,
    sync: Any,
    tally: Any,
) -> None:
    """One ingest worker in its own process, as deployed (``dispatch-geo ingest``).

    ``tally`` holds (fixes committed, time of the first commit, time of the last commit, fixes in the
    first commit), updated after every commit. With ``backlog`` the worker first subscribes and goes
    away, so the broker queues the burst for its persistent session, then comes back to drain it.
    """
    factory = make_session_factory(make_engine(url, pool_size=4))
    settings = MqttSettings(host=host, port=port, client_id=client_id, shared_group=group)

    def on_commit(records: list[Any]) -> None:
        now = time.time()
        with tally.get_lock():
            if tally[0] == 0:
                tally[1] = now
                tally[3] = len(records)
            tally[0] += len(records)
            tally[2] = now

    def run() -> IngestService:
        service = IngestService(factory, settings, receiver_process=receiver_process)
        service.writer.on_commit = on_commit
        service.start()
        service.mqtt.connected.wait(10)
        return service

    service = run()
    if backlog:
        time.sleep(0.5)  # subscribed; now away while the burst is published
        service.stop()
        sync["subscribed"].set()
        sync["go"].wait()
        service = run()
    else:
        sync["subscribed"].set()
    sync["stop"].wait()
    service.stop()


def end_to_end(
    broker: MosquittoBroker,
    server: PostgisServer,
    n: int,
    *,
    workers: int,
    backlog: bool,
    receiver_process: bool = True,
) -> float:
    """Fixes per second from the first commit to the last, all ``n`` committed, workers in own processes."""
    url = seeded_database(server)
    ctx = mp.get_context("spawn")
    group = f"g{uuid.uuid4().hex[:6]}" if workers > 1 else None
    sync = {"go": ctx.Event(), "stop": ctx.Event()}
    tallies, procs = [], []
    for w in range(workers):
        tally = ctx.Array("d", 4)
        ready = ctx.Event()
        proc = ctx.Process(
            target=worker_process,
            args=(
                url,
                broker.host,
                broker.port,
                group,
                f"ingest-{uuid.uuid4().hex[:6]}-{w}",
                backlog,
                receiver_process,
                {**sync, "subscribed": ready},
                tally,
            ),
        )
        proc.start()
        ready.wait(60)
        procs.append(proc)
        tallies.append(tally)
    time.sleep(0.5)
    start = int(time.time()) - 3 * 3600
    if backlog:
        publish_all(broker, n, start)  # while the workers are away: queued for their sessions
        sync["go"].set()
        pub = None
    else:
        pub = ctx.Process(target=publish, args=(broker.host, broker.port, n, start, None, None))
        pub.start()
    deadline = time.monotonic() + 600
    while sum(t[0] for t in tallies) < n and time.monotonic() < deadline:
        time.sleep(0.05)
    if pub is not None:
        pub.join()
    sync["stop"].set()
    for proc in procs:
        proc.join(30)
    stored = count(url)
    if stored != n:
        raise RuntimeError(f"only {stored} of {n} fixes were stored")
    first = min(t[1] for t in tallies)
    last = max(t[2] for t in tallies)
    first_batch = next(t[3] for t in tallies if t[1] == first)
    return (n - first_batch) / (last - first)


def latency(
    broker: MosquittoBroker, server: PostgisServer, rate: float, seconds: float, *, receiver_process: bool
) -> dict[str, float]:
    url = seeded_database(server)
    factory = make_session_factory(make_engine(url))
    n = int(rate * seconds)
    committed: dict[tuple[str, int], float] = {}

    def on_commit(records: list[Any]) -> None:
        now = time.time()
        for r in records:
            committed[(r.device_id, int(r.fix_time.timestamp()))] = now

    settings = MqttSettings(host=broker.host, port=broker.port, client_id=f"lat-{uuid.uuid4().hex[:6]}")
    service = IngestService(factory, settings, receiver_process=receiver_process)
    service.writer.on_commit = on_commit
    service.start()
    service.mqtt.connected.wait(10)
    time.sleep(0.5)
    start = int(time.time()) - 4 * 3600
    stamps = mp.get_context("spawn").Array("d", n, lock=False)
    proc = mp.get_context("spawn").Process(
        target=publish, args=(broker.host, broker.port, n, start, rate, stamps)
    )
    proc.start()
    proc.join()
    deadline = time.monotonic() + 60
    while len(committed) < n and time.monotonic() < deadline:
        time.sleep(0.05)
    service.stop()
    lag = service.metrics
    receive_to_commit_ms = (
        1000 * lag.value("siaga_ingest_lag_seconds_sum") / max(lag.value("siaga_ingest_lag_seconds_count"), 1)
    )
    lat_ms = []
    for i in range(n):
        unit, step = i % UNITS, i // UNITS
        done = committed.get((f"u{unit:02d}/phone", start + step))
        if done is not None:
            lat_ms.append((done - stamps[i]) * 1000)
    arr = np.asarray(lat_ms)
    return {
        "rate_per_s": rate,
        "fixes": n,
        "committed": len(lat_ms),
        "p50_ms": round(float(np.percentile(arr, 50)), 1),
        "p95_ms": round(float(np.percentile(arr, 95)), 1),
        "p99_ms": round(float(np.percentile(arr, 99)), 1),
        "target_p99_ms": 100,
        "mean_receive_to_commit_ms": round(receive_to_commit_ms, 1),
    }


def throughput(broker: MosquittoBroker, server: PostgisServer, n: int, *, backlog: bool) -> dict[str, Any]:
    raw = raw_rate(broker, n, backlog=backlog)
    single = end_to_end(broker, server, n, workers=1, backlog=backlog, receiver_process=False)
    one = end_to_end(broker, server, n, workers=1, backlog=backlog)
    two = end_to_end(broker, server, n, workers=2, backlog=backlog)
    return {
        "raw_paho_qos1_per_s": round(raw),
        "one_worker_single_process_per_s": round(single),
        "one_worker_single_process_ratio": round(single / raw, 2),
        "one_worker_per_s": round(one),
        "one_worker_ratio_to_raw": round(one / raw, 2),
        "two_workers_shared_per_s": round(two),
        "two_workers_ratio_to_raw": round(two / raw, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--latency-seconds", type=float, default=10.0)
    args = parser.parse_args()
    broker = MosquittoBroker(find_mosquitto())
    broker.start()
    server = PostgisServer.launch(find_postgres_bin())
    try:
        backlog = throughput(broker, server, args.messages, backlog=True)
        live = throughput(broker, server, args.messages, backlog=False)
        lat = latency(broker, server, 1000.0, args.latency_seconds, receiver_process=True)
        lat_single = latency(broker, server, 1000.0, args.latency_seconds, receiver_process=False)
    finally:
        broker.destroy()
        server.destroy()
    report = {
        "benchmark": "ingest",
        "messages": args.messages,
        "backlog": backlog,
        "live": live,
        "targets": {"ratio_to_raw": 0.6, "fixes_per_s": 5000, "latency_p99_ms": 100},
        "latency_at_1000_per_s": lat,
        "latency_at_1000_per_s_single_process": lat_single,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
