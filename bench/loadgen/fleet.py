"""The simulated fleet of bench/load_bench.py: units seeded in PostGIS, their phones publishing OwnTracks.

Each unit but the lag probe's reports every ``every_s`` seconds (QoS 1), driving slowly (~25 km/h)
back and forth around its own road node, so every fix passes the ingest filters (no jump, no
duplicate, no future time). The publisher runs in a process of its own so its CPU can be measured.
"""

from __future__ import annotations

import json
import math
import time
from datetime import UTC, datetime
from typing import Any

import numpy as np
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from dispatch_geo.domain.units import Agency, Station, Unit, UnitType
from dispatch_geo.domain.values import LonLat
from dispatch_geo.storage import fleet_repo
from dispatch_geo.storage.engine import make_engine, make_session_factory
from dispatch_geo.storage.migrate import upgrade_to_head

MIX = ((UnitType.AMBULANCE, Agency.PSC_119, 0.6), (UnitType.POLICE_CAR, Agency.POLRES, 0.2))
"""Fleet mix: the rest are fire engines (Damkar)."""


def unit_id(i: int) -> str:
    return f"U{i:04d}"


def phone_topic(i: int) -> str:
    return f"owntracks/u{i:04d}/phone"


def base_points(road: Any, units: int) -> list[tuple[float, float]]:
    rng = np.random.default_rng(11)
    nodes = rng.integers(road.n_nodes, size=units)
    return [(float(road.node_lon[n]), float(road.node_lat[n])) for n in nodes]


def seed(url: str, points: list[tuple[float, float]]) -> None:
    """One unit per point (mixed types, each paired with its phone), with a fix of now."""
    upgrade_to_head(url)
    engine = make_engine(url)
    rng = np.random.default_rng(5)
    now = datetime.now(UTC)
    with make_session_factory(engine).begin() as session:
        for agency in (Agency.PSC_119, Agency.POLRES, Agency.DAMKAR):
            station = Station(
                f"pos-{agency.value}", f"Pos {agency}", agency, LonLat(102.05, 0.8), approximate=True
            )
            fleet_repo.create_station(session, station=station)
        for i, (lon, lat) in enumerate(points):
            draw = rng.random()
            unit_type, agency = UnitType.FIRE_ENGINE, Agency.DAMKAR
            if draw < MIX[0][2]:
                unit_type, agency = MIX[0][0], MIX[0][1]
            elif draw < MIX[0][2] + MIX[1][2]:
                unit_type, agency = MIX[1][0], MIX[1][1]
            unit = Unit(unit_id(i), unit_type, agency, f"pos-{agency.value}")
            fleet_repo.create_unit(session, unit=unit, at=now, device_id=f"u{i:04d}/phone")
            fleet_repo.update_unit_position(session, unit_id=unit.id, position=LonLat(lon, lat), fix_time=now)
    engine.dispose()


def publish_fleet(host: str, port: int, points: list[tuple[float, float]], every_s: float, stop: Any) -> None:
    """Publish a fix for units 1.. every ``every_s`` seconds until ``stop`` is set (unit 0: the probe)."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="bench-fleet")
    client.max_inflight_messages_set(1000)
    client.connect(host, port)
    client.loop_start()
    movers = list(enumerate(points))[1:]
    began = time.monotonic()
    sent = 0
    while not stop.is_set():
        round_began = time.monotonic()
        for k, (i, (lon, lat)) in enumerate(movers):
            due = round_began + every_s * k / len(movers)
            delay = due - time.monotonic()
            if delay > 0 and stop.wait(delay):
                break
            phase = math.sin((time.monotonic() - began) / 60.0)  # ±0.0035° over minutes: ~25 km/h
            fix = {
                "_type": "location",
                "lon": round(lon + 0.0035 * phase, 6),
                "lat": lat,
                "tst": int(time.time()),
            }
            client.publish(phone_topic(i), json.dumps(fix), qos=1)
            sent += 1
        rest = every_s - (time.monotonic() - round_began)
        if rest > 0:
            stop.wait(rest)
    client.loop_stop()
    client.disconnect()
