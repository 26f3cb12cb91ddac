"""Assignment → crew page: how long until a crew's phone shows the call a dispatcher just assigned.

Starts its own PostGIS cluster and Mosquitto broker, seeds ``--units`` units (each paired with a
simulated OwnTracks phone that publishes a fix every ``--fix-every`` seconds through the real ingest
worker), serves the real app (uvicorn, schematic graph) and runs ``--crews`` crew pages as the browser
page does them: ``GET /crew/assignment`` every ``crew_poll_interval_s`` with ``If-None-Match``. For
``--calls`` incidents the dispatcher creates an incident and assigns one of the polled units; the
latency runs from just before the dispatcher's ``POST /assignments`` to the first poll answer that
carries the incident (the crew then reports ``available`` to free the unit for the next call).

Prints one JSON object:

- ``assignment_to_crew_page``: p50/p95/p99 ms (target p95 ≤ 2000);
- ``poll_request``: one poll's round trip (the baseline of the same run: the latency is the poll
  interval's wait plus this), and the share of polls answered 304 without a body;
- ``report_location_round_trip``: p50/p95/p99 ms from the dispatcher's ``POST /units/position-requests``
  to each asked (stale, silent) ambulance seen fresh in ``GET /units/{id}``: MQTT command → the phone
  answers with a fix → ingest → database (``--probes`` ambulances per round, ``--rounds`` rounds);
- ``poll_interval_s``, ``units``, ``crews``, ``fixes_per_s``.

Usage: ``python bench/crew_bench.py [--units 200] [--crews 20] [--calls 30]``
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from call_bench import _node, percentiles, seed, serve

from dispatch_geo.boundaries import load_boundaries
from dispatch_geo.gazetteer import Gazetteer
from dispatch_geo.storage import device_repo
from dispatch_geo.storage.engine import make_engine, make_session_factory
from siaga.api import create_app
from siaga.graphs import resolve_graph
from siaga.settings import Settings
from tests.support.mosquitto import MosquittoBroker, find_mosquitto
from tests.support.postgis import TEMPLATE_DB, PostgisServer, find_postgres_bin
from tracking.ingest.mqtt import MqttSettings
from tracking.ingest.service import IngestService

DISPATCHER = {"Authorization": "Bearer demo-dispatcher-token"}


def ambulance_indexes(url: str) -> list[int]:
    """Indexes of the seeded units that are ambulances (``U0003`` → 3)."""
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id FROM units WHERE unit_type = 'ambulance' ORDER BY id")).all()
    engine.dispose()
    return [int(r[0][1:]) for r in rows]


def enrol_all(url: str, units: int) -> dict[str, str]:
    """Pair every unit with a phone ``u0001/phone``…; returns ``{unit_id: secret}``."""
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    secrets = {}
    with sessions.begin() as session:
        for i in range(units):
            uid = f"U{i:04d}"
            _, secret = device_repo.enrol_device(
                session, unit_id=uid, device_id=f"{uid.lower()}/phone", at=datetime.now(UTC), by="bench"
            )
            secrets[uid] = secret
    engine.dispose()
    return secrets


class Phones(threading.Thread):
    """Every unit's OwnTracks app: a fix at its road node every ``every_s`` seconds (QoS 1)."""

    def __init__(
        self,
        broker: MosquittoBroker,
        road: Any,
        units: int,
        every_s: float,
        silent: frozenset[int] = frozenset(),
    ) -> None:
        super().__init__(daemon=True)
        self.silent = silent
        """Units whose phone sends nothing by itself (stale), but answers reportLocation."""
        self.stop = threading.Event()
        self.sent = 0
        rng = np.random.default_rng(11)  # the same draw as call_bench.seed: each unit stays on its node
        self.places = [_node(road, int(n)) for n in rng.integers(road.n_nodes, size=units)]
        self.every_s = every_s
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="crew-bench-phones")
        self.client.on_message = self._answer
        self.client.connect(broker.host, broker.port)
        self.client.subscribe("owntracks/+/phone/cmd", qos=1)
        self.client.loop_start()

    def _answer(self, client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        """An OwnTracks app with remote commands on: reportLocation → a fix of now."""
        if json.loads(message.payload).get("action") != "reportLocation":
            return
        i = int(message.topic.split("/")[1][1:])
        lon, lat = self.places[i]
        payload = {"_type": "location", "lon": lon, "lat": lat, "tst": int(time.time()), "tid": "bn"}
        client.publish(f"owntracks/u{i:04d}/phone", json.dumps(payload), qos=1)

    def run(self) -> None:
        while not self.stop.is_set():
            tst = int(time.time())
            for i, (lon, lat) in enumerate(self.places):
                if i in self.silent:
                    continue
                payload = {"_type": "location", "lon": lon, "lat": lat, "tst": tst, "tid": "bn"}
                self.client.publish(f"owntracks/u{i:04d}/phone", json.dumps(payload), qos=1)
                self.sent += 1
            self.stop.wait(self.every_s)
        self.client.loop_stop()
        self.client.disconnect()


class Crew(threading.Thread):
    """One crew page: polls its assignment with If-None-Match, notes when an incident first shows."""

    def __init__(self, base: str, secret: str, interval_s: float) -> None:
        super().__init__(daemon=True)
        self.http = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {secret}"}, timeout=30)
        self.interval_s = interval_s
        self.stop = threading.Event()
        self.seen: dict[int, float] = {}
        self.round_trips_ms: list[float] = []
        self.not_modified = 0
        self.polls = 0

    def run(self) -> None:
        etag = None
        while not self.stop.is_set():
            start = time.perf_counter()
            answer = self.http.get("/api/v1/crew/assignment", headers={"If-None-Match": etag} if etag else {})
            self.round_trips_ms.append((time.perf_counter() - start) * 1000)
            self.polls += 1
            if answer.status_code == 304:
                self.not_modified += 1
            else:
                answer.raise_for_status()
                etag = answer.headers.get("etag")
                incident = answer.json()["incident"]
                if incident is not None:
                    self.seen.setdefault(incident["incident_id"], time.perf_counter())
            self.stop.wait(max(0.0, self.interval_s - (time.perf_counter() - start)))
        self.http.close()


def run_calls(
    base: str, crews: dict[str, Crew], calls: int, places: list[tuple[float, float]]
) -> list[float]:
    latencies = []
    unit_ids = sorted(crews)
    with httpx.Client(base_url=base, headers=DISPATCHER, timeout=30) as http:
        for i in range(calls):
            unit_id = unit_ids[i % len(unit_ids)]
            lon, lat = places[int(unit_id[1:])]
            created = http.post(
                "/api/v1/incidents", json={"incident_type": "medical", "priority": 1, "lon": lon, "lat": lat}
            )
            created.raise_for_status()
            incident_id = created.json()["id"]
            time.sleep(float(np.random.default_rng(i).random()))  # not in step with the polls
            start = time.perf_counter()
            http.post(
                f"/api/v1/incidents/{incident_id}/assignments", json={"unit_id": unit_id}
            ).raise_for_status()
            crew = crews[unit_id]
            deadline = time.perf_counter() + 30
            while incident_id not in crew.seen and time.perf_counter() < deadline:
                time.sleep(0.005)
            latencies.append((crew.seen[incident_id] - start) * 1000)
            crew.http.post("/api/v1/crew/status", json={"status": "available"}).raise_for_status()
    return latencies


def make_stale(url: str, unit_ids: list[str]) -> None:
    """Age the probe units' last fix by an hour (the writer only ever moves it forward)."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE units SET last_fix_time = last_fix_time - interval '1 hour' WHERE id = ANY(:ids)"),
            {"ids": unit_ids},
        )
    engine.dispose()


def report_location_round_trips(base: str, url: str, probes: list[str], rounds: int) -> list[float]:
    """POST /units/position-requests → each asked unit seen fresh in GET /units/{id}, ms."""
    samples = []
    with httpx.Client(base_url=base, headers=DISPATCHER, timeout=30) as http:
        for _ in range(rounds):
            make_stale(url, probes)
            start = time.perf_counter()
            asked = http.post("/api/v1/units/position-requests", json={"unit_types": ["ambulance"]})
            asked.raise_for_status()
            waiting = set(asked.json()["asked"]) & set(probes)
            deadline = time.perf_counter() + 30
            while waiting and time.perf_counter() < deadline:
                for unit_id in sorted(waiting):
                    if http.get(f"/api/v1/units/{unit_id}").json()["stale"] is False:
                        samples.append((time.perf_counter() - start) * 1000)
                        waiting.discard(unit_id)
                time.sleep(0.01)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--crews", type=int, default=20, help="crew pages polling at once")
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--fix-every", type=float, default=10.0, help="seconds between a phone's fixes")
    parser.add_argument(
        "--probes", type=int, default=5, help="stale ambulances asked for a position per round"
    )
    parser.add_argument("--rounds", type=int, default=6, help="reportLocation rounds")
    args = parser.parse_args()
    settings = Settings()
    road, _ = resolve_graph(settings)
    gazetteer = Gazetteer.from_boundaries(load_boundaries(settings.boundaries_path), outside_buffer_m=2000.0)
    pg = PostgisServer.launch(find_postgres_bin())
    broker = MosquittoBroker(find_mosquitto())
    broker.start()
    try:
        url = pg.create_database("bench_crew", template=TEMPLATE_DB)
        seed(url, road, args.units)
        secrets = enrol_all(url, args.units)
        with tempfile.TemporaryDirectory() as tmp:
            app_settings = Settings(
                database_url=url,
                var_dir=Path(tmp),
                stale_after_s=600,  # the seeded fixes stay fresh for the run; the probes are aged by an hour
                fleet_csv_path=None,
                auth_failure_limit=0,
                mqtt_host=broker.host,
                mqtt_port=broker.port,
                mqtt_protocol="3.1.1",
            )
            app = create_app(app_settings, road=road, gazetteer=gazetteer)
            server, thread, base = serve(app)
            ingest = IngestService(
                app.state.siaga.sessions,
                MqttSettings(host=broker.host, port=broker.port, client_id="crew-bench"),
            )
            ingest.start()
            ambulances = ambulance_indexes(url)
            probes = [f"U{i:04d}" for i in ambulances[-args.probes :]]
            phones = Phones(broker, road, args.units, args.fix_every, frozenset(ambulances[-args.probes :]))
            phones.start()
            interval = app_settings.crew_poll_interval_s
            crew_ids = [uid for uid in sorted(secrets) if uid not in probes][: args.crews]
            crews = {uid: Crew(base, secrets[uid], interval) for uid in crew_ids}
            try:
                for crew in crews.values():
                    crew.start()
                time.sleep(2 * interval)
                latencies = run_calls(base, crews, args.calls, phones.places)
                round_trips = report_location_round_trips(base, url, probes, args.rounds)
            finally:
                for crew in crews.values():
                    crew.stop.set()
                phones.stop.set()
                for crew in crews.values():
                    crew.join(timeout=10)
                phones.join(timeout=10)
                ingest.stop()
                server.should_exit = True
                thread.join(timeout=10)
        polls = sum(c.polls for c in crews.values())
        figures = {
            "bench": "crew",
            "graph": {"label": road.meta.label, "nodes": road.meta.n_nodes},
            "database": "postgresql+postgis",
            "broker": "mosquitto",
            "units": args.units,
            "crews": args.crews,
            "fixes_per_s": round(args.units / args.fix_every, 1),
            "poll_interval_s": interval,
            "assignment_to_crew_page": percentiles(latencies),
            "poll_request": percentiles([ms for c in crews.values() for ms in c.round_trips_ms]),
            "polls_not_modified_share": round(sum(c.not_modified for c in crews.values()) / max(polls, 1), 3),
            "report_location_round_trip": percentiles(round_trips),
            "report_location_probes": len(probes),
            "targets": {"assignment_to_crew_page_p95_ms": 2000, "report_location_round_trip_p95_ms": 10_000},
        }
        print(json.dumps(figures, indent=2))
    finally:
        broker.destroy()
        pg.destroy()


if __name__ == "__main__":
    main()
