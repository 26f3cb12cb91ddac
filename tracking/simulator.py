"""Simulated vehicles driving on the road graph and reporting like the OwnTracks app.

Each unit drives shortest-time routes between random places (or to an incident and back to its
post), at its edges' speeds with some variation, and reports OwnTracks ``location`` messages:
GPS noise of a few metres, occasional reporting gaps during which the "phone" queues its fixes,
then a late flush of the queue (old ``tst`` values arriving together), as real phones do after a
network gap (REFERENCE.md §1). The core is deterministic for a seed and does no I/O;
:func:`run_publisher` sends the messages to an MQTT broker.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from scipy.sparse.csgraph import dijkstra

from dispatch_geo.domain.values import LonLat
from dispatch_geo.graph.roadgraph import RoadGraph

log = logging.getLogger(__name__)

M_PER_DEG = 111_320.0


@dataclass
class SimUnit:
    """One simulated vehicle: where it is on its current route and what its phone has queued."""

    device: str  # OwnTracks "<user>/<device>"
    route: list[int] = field(default_factory=list)  # edge indices still to drive
    edge_pos_m: float = 0.0
    node: int = 0
    speed_factor: float = 1.0
    gap_until: datetime | None = None
    queued: list[bytes] = field(default_factory=list)
    battery_pct: float = 80.0
    silent_until: datetime | None = None


@dataclass(frozen=True)
class SimConfig:
    report_interval_s: float = 5.0
    gps_noise_m: float = 6.0
    gap_probability: float = 0.01
    """Chance per report that the phone loses its network for ``gap_s``."""
    gap_s: float = 60.0
    speed_variation: float = 0.15
    silent_probability: float = 0.0
    """Chance per report that the app is killed (Android battery optimisation): nothing for ``silent_s``,
    and what it would have sent is lost, unlike a network gap."""
    silent_s: float = 900.0
    low_battery_share: float = 0.0
    """Share of phones that start at 30 % and drain 0.2 % per report (down to 3 %)."""


class FleetSimulator:
    """Deterministic fleet movement on a :class:`RoadGraph` (no clock of its own: call :meth:`step`)."""

    def __init__(
        self,
        road: RoadGraph,
        devices: list[str],
        *,
        homes: list[LonLat] | None = None,
        home_radius_m: float = 8000.0,
        seed: int = 112,
        config: SimConfig | None = None,
    ) -> None:
        self.road = road
        self.config = config or SimConfig()
        self.rng = np.random.default_rng(seed)
        self._matrix = road.weight_matrix("travel_time_s")
        self.units = [SimUnit(device=d, node=int(self.rng.integers(road.n_nodes))) for d in devices]
        self._areas: list[np.ndarray | None] = [None] * len(devices)
        if homes is not None:
            scale = np.cos(np.radians(road.node_lat))
            for i, home in enumerate(homes):
                d_m = np.hypot((road.node_lon - home.lon) * scale, road.node_lat - home.lat) * M_PER_DEG
                self.units[i].node = int(np.argmin(d_m))
                self._areas[i] = np.flatnonzero(d_m <= home_radius_m)
        for unit in self.units:
            unit.speed_factor = float(1.0 + self.rng.uniform(-1, 1) * self.config.speed_variation)
            if self.rng.random() < self.config.low_battery_share:
                unit.battery_pct = 30.0
        self._lock = threading.Lock()
        self._commands: dict[int, LonLat | None] = {}
        self._held: set[int] = set()

    # -- missions (the demo's crews send their vehicle somewhere; None: patrol near the post again) --

    def command(self, index: int, to: LonLat | None) -> None:
        """Drive unit ``index`` to ``to`` and stay there (None: patrol again); applied at the next step."""
        with self._lock:
            self._commands[index] = to

    def arrived(self, index: int) -> bool:
        """Whether unit ``index`` has no command pending and has driven its whole route."""
        with self._lock:
            return index not in self._commands and not self.units[index].route

    def _apply_commands(self) -> None:
        with self._lock:
            commands, self._commands = self._commands, {}
        for index, to in commands.items():
            if to is None:
                self._held.discard(index)
                continue
            road = self.road
            scale = math.cos(math.radians(to.lat))
            d = np.hypot((road.node_lon - to.lon) * scale, road.node_lat - to.lat)
            self._held.add(index)
            self.send_to(self.units[index], int(np.argmin(d)))

    def send_to(self, unit: SimUnit, target_node: int) -> None:
        """Route ``unit`` from where it is to ``target_node`` (shortest travel time)."""
        _, pred = dijkstra(self._matrix, indices=unit.node, return_predecessors=True)
        nodes = [target_node]
        while nodes[-1] != unit.node and pred[nodes[-1]] >= 0:
            nodes.append(int(pred[nodes[-1]]))
        nodes.reverse()
        unit.route = [self._edge(a, b) for a, b in itertools.pairwise(nodes)]
        unit.edge_pos_m = 0.0

    def _edge(self, a: int, b: int) -> int:
        road = self.road
        edges = np.arange(road.indptr[a], road.indptr[a + 1])
        edges = edges[road.head[edges] == b]
        return int(edges[np.argmin(road.travel_time_s[edges])])

    def step(self, now: datetime, dt_s: float) -> Iterator[tuple[str, bytes]]:
        """Advance every unit by ``dt_s`` and yield ``(topic, payload)`` messages due at ``now``."""
        self._apply_commands()
        for i, (unit, area) in enumerate(zip(self.units, self._areas, strict=True)):
            if not unit.route and i not in self._held:
                if area is not None and area.size:
                    self.send_to(unit, int(area[int(self.rng.integers(area.size))]))
                else:
                    self.send_to(unit, int(self.rng.integers(self.road.n_nodes)))
            self._drive(unit, dt_s)
            yield from self._report(unit, now)

    def _drive(self, unit: SimUnit, dt_s: float) -> None:
        road = self.road
        remaining = dt_s
        while unit.route and remaining > 0:
            e = unit.route[0]
            speed_ms = float(road.speed_kph[e]) / 3.6 * unit.speed_factor
            left_m = float(road.length_m[e]) - unit.edge_pos_m
            if left_m > speed_ms * remaining:
                unit.edge_pos_m += speed_ms * remaining
                return
            remaining -= left_m / speed_ms
            unit.node = int(road.head[e])
            unit.route.pop(0)
            unit.edge_pos_m = 0.0

    def position(self, unit: SimUnit) -> tuple[float, float, float]:
        """``(lon, lat, course_deg)`` of the unit now."""
        road = self.road
        if not unit.route:
            return float(road.node_lon[unit.node]), float(road.node_lat[unit.node]), 0.0
        e = unit.route[0]
        coords = road.edge_coords(e)
        scale = math.cos(math.radians(float(coords[:, 1].mean())))
        steps = np.hypot(np.diff(coords[:, 0]) * scale, np.diff(coords[:, 1])) * M_PER_DEG
        cum = np.concatenate([[0.0], np.cumsum(steps)])
        frac = unit.edge_pos_m / float(road.length_m[e]) if road.length_m[e] > 0 else 0.0
        at = frac * cum[-1]
        lon = float(np.interp(at, cum, coords[:, 0]))
        lat = float(np.interp(at, cum, coords[:, 1]))
        i = min(int(np.searchsorted(cum, at, side="right")) - 1, len(coords) - 2)
        dx = (coords[i + 1, 0] - coords[i, 0]) * scale
        dy = coords[i + 1, 1] - coords[i, 1]
        return lon, lat, (math.degrees(math.atan2(dx, dy)) + 360) % 360

    def _report(self, unit: SimUnit, now: datetime) -> Iterator[tuple[str, bytes]]:
        cfg = self.config
        lon, lat, cog = self.position(unit)
        noise = self.rng.normal(0, cfg.gps_noise_m, 2) / M_PER_DEG
        moving = bool(unit.route)
        speed = float(self.road.speed_kph[unit.route[0]]) * unit.speed_factor if moving else 0.0
        message: dict[str, object] = {
            "_type": "location",
            "lat": round(lat + float(noise[1]), 6),
            "lon": round(lon + float(noise[0]), 6),
            "tst": int(now.timestamp()),
            "created_at": int(now.timestamp()),
            "acc": int(abs(self.rng.normal(cfg.gps_noise_m, 2))) + 3,
            "batt": round(unit.battery_pct),
            "bs": 2,
            "conn": "m",
            "tid": unit.device[-2:],
        }
        if moving:
            message["vel"] = round(speed)
            message["cog"] = round(cog)
        payload = json.dumps(message).encode()
        topic = f"owntracks/{unit.device}"
        if unit.battery_pct < 80.0:
            unit.battery_pct = max(3.0, unit.battery_pct - 0.2)
        if unit.silent_until is None and self.rng.random() < cfg.silent_probability:
            unit.silent_until = now + timedelta(seconds=cfg.silent_s)
        if unit.silent_until is not None:
            if now < unit.silent_until:
                return  # the app is not running: nothing queued, nothing sent
            unit.silent_until = None
        if unit.gap_until is None and self.rng.random() < cfg.gap_probability:
            unit.gap_until = now + timedelta(seconds=cfg.gap_s)
        if unit.gap_until is not None:
            unit.queued.append(payload)
            if now < unit.gap_until:
                return
            unit.gap_until = None
            queued, unit.queued = unit.queued, []
            yield from ((topic, p) for p in queued)  # the late flush, oldest first
            return
        yield topic, payload


def run_publisher(
    simulator: FleetSimulator,
    *,
    host: str,
    port: int,
    speedup: float = 1.0,
    duration_s: float | None = None,
    client_id: str = "siaga-simulator",
    should_stop: Callable[[], bool] = lambda: False,
    protocol: MQTTProtocolVersion = MQTTProtocolVersion.MQTTv311,
) -> int:
    """Publish the simulation to a broker in (accelerated) real time; returns the number of messages."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=protocol)
    client.connect(host, port)
    client.loop_start()
    sent = 0
    interval = simulator.config.report_interval_s
    started = time.monotonic()
    try:
        while not should_stop() and (duration_s is None or time.monotonic() - started < duration_s):
            tick = time.monotonic()
            # vehicles move `speedup` times faster; fix times stay on the wall clock (never "future")
            for topic, payload in simulator.step(datetime.now(UTC), interval * speedup):
                client.publish(topic, payload, qos=1)
                sent += 1
            time.sleep(max(interval - (time.monotonic() - tick), 0.0))
    finally:
        client.loop_stop()
        client.disconnect()
    log.info("simulator published %d messages", sent)
    return sent
