"""Ingest benchmark: Mosquitto → decode → filter → state → PostGIS, against raw paho in the same run.

Starts its own Mosquitto and PostGIS (as the test suite does, on free ports) and prints one JSON
object:

- ``raw_paho_qos1``: a bare paho subscriber's QoS 1 receive rate for a burst of N messages — the
  ceiling any Python consumer on this broker and machine can reach;
- ``end_to_end``: the same burst as OwnTracks fixes of 50 enrolled units, until every fix is
  committed to PostGIS (history + last positions), as a rate and as a ratio to the raw rate
  (target ≥ 0.6 and ≥ 5,000 fixes/s);
- ``latency_at_1000_per_s``: publish → committed fleet state (the unit's last position in PostGIS),
  p50/p95/p99 at a steady 1,000 fixes/s (target p99 ≤ 100 ms);
- ``two_workers_shared``: the burst through two workers on a shared subscription.

The publisher runs in its own process so it does not share the interpreter lock with the consumer.
Usage: ``python bench/ingest_bench.py [--messages 50000]``
"""

from __future__ import annotations

import argparse
import functools
import json
import multiprocessing as mp
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
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


def raw_rate(broker: MosquittoBroker, n: int) -> float:
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

    sub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="raw-sub", protocol=mqtt.MQTTv5)
    sub.on_message = on_message
    sub.connect(broker.host, broker.port)
    sub.subscribe("owntracks/+/+", qos=1)
    sub.loop_start()
    time.sleep(0.5)
    start = int(time.time()) - 3600
    proc = mp.get_context("spawn").Process(
        target=publish, args=(broker.host, broker.port, n, start, None, None)
    )
    proc.start()
    done.wait(300)
    proc.join()
    sub.loop_stop()
    sub.disconnect()
    return n / (last - first)


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


@functools.cache
def _engine(url: str) -> Any:
    return make_engine(url, pool_size=1)


def count(url: str) -> int:
    with make_session_factory(_engine(url))() as session:
        return int(session.scalar(select(func.count()).select_from(PositionFixRow)) or 0)


def worker_process(url: str, host: str, port: int, group: str | None, ready: Any, stop: Any) -> None:
    """One ingest worker in its own process, as deployed (``dispatch-geo ingest``)."""
    factory = make_session_factory(make_engine(url, pool_size=4))
    settings = MqttSettings(
        host=host, port=port, client_id=f"ingest-{uuid.uuid4().hex[:6]}", shared_group=group
    )
    service = IngestService(factory, settings)
    service.start()
    service.mqtt.connected.wait(10)
    ready.set()
    stop.wait()
    service.stop()


def end_to_end(broker: MosquittoBroker, server: PostgisServer, n: int, workers: int = 1) -> float:
    """Fixes per second from the first publish until all ``n`` are committed, workers in own processes."""
    url = seeded_database(server)
    ctx = mp.get_context("spawn")
    group = f"g{uuid.uuid4().hex[:6]}" if workers > 1 else None
    stop = ctx.Event()
    procs = []
    for _ in range(workers):
        ready = ctx.Event()
        proc = ctx.Process(target=worker_process, args=(url, broker.host, broker.port, group, ready, stop))
        proc.start()
        ready.wait(60)
        procs.append(proc)
    time.sleep(0.5)
    start = int(time.time()) - 3 * 3600
    pub = ctx.Process(target=publish, args=(broker.host, broker.port, n, start, None, None))
    pub.start()
    deadline = time.monotonic() + 600
    # timed like the raw rate: from the first fix stored to the last (the publisher's start-up excluded)
    while count(url) == 0 and time.monotonic() < deadline:
        time.sleep(0.005)
    began = time.perf_counter()
    first = count(url)
    while count(url) < n and time.monotonic() < deadline:
        time.sleep(0.02)
    elapsed = time.perf_counter() - began
    n_timed = n - first
    pub.join()
    stop.set()
    for proc in procs:
        proc.join(30)
    stored = count(url)
    if stored != n:
        raise RuntimeError(f"only {stored} of {n} fixes were stored")
    return n_timed / elapsed


def latency(broker: MosquittoBroker, server: PostgisServer, rate: float, seconds: float) -> dict[str, float]:
    url = seeded_database(server)
    factory = make_session_factory(make_engine(url))
    n = int(rate * seconds)
    committed: dict[tuple[str, int], float] = {}

    def on_commit(records: list[Any]) -> None:
        now = time.time()
        for r in records:
            committed[(r.device_id, int(r.fix_time.timestamp()))] = now

    settings = MqttSettings(host=broker.host, port=broker.port, client_id=f"lat-{uuid.uuid4().hex[:6]}")
    service = IngestService(factory, settings)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--latency-seconds", type=float, default=10.0)
    args = parser.parse_args()
    broker = MosquittoBroker(find_mosquitto())
    broker.start()
    server = PostgisServer.launch(find_postgres_bin())
    try:
        raw = raw_rate(broker, args.messages)
        e2e = end_to_end(broker, server, args.messages)
        two = end_to_end(broker, server, args.messages, workers=2)
        lat = latency(broker, server, 1000.0, args.latency_seconds)
    finally:
        broker.destroy()
        server.destroy()
    report = {
        "benchmark": "ingest",
        "messages": args.messages,
        "raw_paho_qos1_per_s": round(raw),
        "end_to_end_per_s": round(e2e),
        "ratio_to_raw": round(e2e / raw, 2),
        "two_workers_shared_per_s": round(two),
        "targets": {"ratio_to_raw": 0.6, "end_to_end_per_s": 5000},
        "latency_at_1000_per_s": lat,
        "measured_at": (datetime.now(UTC) + timedelta(0)).isoformat(timespec="seconds"),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
