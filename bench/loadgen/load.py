"""The load of bench/load_bench.py, run in a process of its own: consoles, dispatchers, a lag probe.

- **Consoles** poll every second as siaga/web/static/js/main.js does. ``delta`` (the console now):
  ``GET /live`` once, then ``GET /live?since=<version>``, each answer decoded and applied to the
  console's copy (:class:`LiveFeed`, as live.js does; the fix ages and stale marks the browser computes
  when it draws are not simulated, as no rendering is); ``live``
  (the console before the deltas): ``GET /live`` every time, sending the ETag of the last answer as
  ``If-None-Match`` (what the browser's cache does); ``per_request``
  (the path before issue 16): ``GET /units.geojson`` and ``GET /incidents?status=new&status=dispatched&
  status=on_scene`` at once, the poll taking as long as the slower. Consoles start spread over the first
  second. The open incident's detail poll is not simulated (idle desks).
- **Dispatchers** run calls back to back: create an incident at a random road node, ask for the
  recommendation, assign the first ranked unit, wait a second, cancel (the unit is available again).
- **Lag probe**: every 2 s one unit's phone publishes a fix at a new point (QoS 1, as OwnTracks does);
  a separate poller reads the same feed as the consoles every 100 ms until the point shows; publish →
  visible lag is that time.

Everything is timed with ``time.perf_counter`` in this process; the answer is plain lists of
milliseconds and counts, for the parent to summarise.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

OPEN = "status=new&status=dispatched&status=on_scene"
HEADERS = {"Authorization": "Bearer demo-dispatcher-token"}


@dataclass
class StepPlan:
    base: str
    mode: str  # "delta", "live" or "per_request"
    consoles: int
    dispatchers: int
    seconds: float
    points: list[tuple[float, float]]
    broker: tuple[str, int]
    probe_topic: str
    probe_unit: str
    probe_origin: tuple[float, float]


@dataclass
class StepLoad:
    poll_ms: list[float] = field(default_factory=list)
    create_ms: list[float] = field(default_factory=list)
    recommend_ms: list[float] = field(default_factory=list)
    assign_ms: list[float] = field(default_factory=list)
    lag_ms: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    poll_bytes: int = 0
    not_modified: int = 0
    missing_open: int = 0
    """Open incidents (per the uncapped list) absent from the consoles' feed at the end of the step
    (-1: the server did not answer the check)."""

    def count(self, status: int) -> None:
        self.requests += 1
        key = str(status)
        self.statuses[key] = self.statuses.get(key, 0) + 1


async def _get(client: httpx.AsyncClient, load: StepLoad, path: str, **kw: Any) -> httpx.Response:
    response = await client.get(path, **kw)
    load.count(response.status_code)
    return response


class LiveFeed:
    """The console's copy of the live picture, as siaga/web/static/js/live.js keeps it."""

    def __init__(self) -> None:
        self.version: str | None = None
        self.units: dict[str, dict[str, Any]] = {}
        self.incidents: list[dict[str, Any]] = []

    def path(self) -> str:
        return "/api/v1/live" if self.version is None else f"/api/v1/live?since={self.version}"

    def continues(self, answer: dict[str, Any]) -> bool:
        if answer["full"]:
            return True
        if self.version is None or not answer["base"]:
            return False
        have, base, new = (v.split(".") for v in (self.version, answer["base"], answer["version"]))
        same = base[0] == have[0] == new[0]
        return same and int(base[1]) <= int(have[1]) <= int(new[1])

    def apply(self, answer: dict[str, Any]) -> bool:
        if not self.continues(answer):
            return False
        if answer["full"]:
            self.units = {}
        reorder = False
        for feature in answer["units"]["features"]:
            reorder = reorder or (not answer["full"] and feature["id"] not in self.units)
            self.units[feature["id"]] = feature
        for unit, lon, lat, fixed in answer["moved"]:
            had = self.units.get(unit)
            if had is None:
                reorder = True
                continue
            point = {"type": "Point", "coordinates": [lon, lat]}
            self.units[unit] = {
                **had,
                "geometry": point,
                "properties": {**had["properties"], "last_fix_time": fixed},
            }
        for gone in answer["removed"]:
            self.units.pop(gone, None)
        if answer["incidents"] is not None:
            self.incidents = answer["incidents"]
        self.version = None if reorder else answer["version"]
        return True


async def poll_once(client: httpx.AsyncClient, plan: StepPlan, load: StepLoad, held: Any) -> Any:
    """One console poll; returns (unit features, incidents) as the console shows them (None on 304/errors).

    ``held``: the console's state between polls (a :class:`LiveFeed` in ``delta`` mode, else a list
    holding the last ETag)."""
    if plan.mode == "delta":
        answer = await _get(client, load, held.path())
        load.poll_bytes += answer.num_bytes_downloaded
        if answer.status_code != 200:
            return None
        body = answer.json()
        if body["full"] is False and not body["units"]["features"] and body["incidents"] is None:
            load.not_modified += 1
        if not held.apply(body):
            return None
        return list(held.units.values()), held.incidents
    if plan.mode == "live":
        # the console before the deltas: the whole picture, uncompressed as that server sent it
        headers = {"Accept-Encoding": "identity", **({"If-None-Match": held[0]} if held else {})}
        answer = await _get(client, load, "/api/v1/live", headers=headers)
        load.poll_bytes += answer.num_bytes_downloaded
        if answer.status_code == 304:
            load.not_modified += 1
            return None
        if answer.status_code != 200:
            return None
        held[:] = [answer.headers.get("ETag", "")]
        body = answer.json()
        return body["units"]["features"], body["incidents"]
    units, incidents = await asyncio.gather(
        _get(client, load, "/api/v1/units.geojson"), _get(client, load, f"/api/v1/incidents?{OPEN}")
    )
    load.poll_bytes += units.num_bytes_downloaded + incidents.num_bytes_downloaded
    if units.status_code != 200 or incidents.status_code != 200:
        return None
    return units.json()["features"], incidents.json()


def new_held(plan: StepPlan) -> Any:
    return LiveFeed() if plan.mode == "delta" else []


async def console(
    client: httpx.AsyncClient, plan: StepPlan, load: StepLoad, end: float, delay: float
) -> None:
    await asyncio.sleep(delay)
    held = new_held(plan)
    while time.perf_counter() < end:
        began = time.perf_counter()
        try:
            await poll_once(client, plan, load, held)
            load.poll_ms.append((time.perf_counter() - began) * 1000)
        except httpx.HTTPError:
            load.count(0)
        await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - began)))


async def _timed(
    client: httpx.AsyncClient, load: StepLoad, samples: list[float], path: str, body: Any
) -> httpx.Response:
    began = time.perf_counter()
    response = await client.post(path, json=body)
    samples.append((time.perf_counter() - began) * 1000)
    load.count(response.status_code)
    return response


async def dispatcher(
    client: httpx.AsyncClient, plan: StepPlan, load: StepLoad, end: float, seed: int
) -> None:
    rng = random.Random(seed)
    await asyncio.sleep(rng.random())
    while time.perf_counter() < end:
        try:
            lon, lat = rng.choice(plan.points)
            new = {
                "incident_type": "traffic_accident",
                "priority": rng.choice((1, 2, 3)),
                "lon": lon,
                "lat": lat,
            }
            created = await _timed(client, load, load.create_ms, "/api/v1/incidents", new)
            if created.status_code != 201:
                await asyncio.sleep(1)
                continue
            incident = created.json()["id"]
            rec = await _timed(
                client, load, load.recommend_ms, f"/api/v1/incidents/{incident}/recommendations", {}
            )
            ranked = [r["unit_id"] for g in rec.json().get("groups", []) for r in g["ranked"]]
            if rec.status_code == 200 and ranked:
                path = f"/api/v1/incidents/{incident}/assignments"
                await _timed(client, load, load.assign_ms, path, {"unit_id": ranked[0]})
            await asyncio.sleep(1.0)
            cancel = await client.post(f"/api/v1/incidents/{incident}/cancel", json={"reason": "other"})
            load.count(cancel.status_code)
        except httpx.HTTPError:
            load.count(0)
            await asyncio.sleep(1)


async def lag_probe(client: httpx.AsyncClient, plan: StepPlan, load: StepLoad, end: float) -> None:
    phone = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"probe-{random.randrange(1 << 30)}")
    phone.connect(*plan.broker)
    phone.loop_start()
    held = new_held(plan)
    step = 0
    try:
        while time.perf_counter() + 3 < end:
            step += 1
            lon = round(plan.probe_origin[0] + 0.0004 * (step % 2), 6)
            lat = plan.probe_origin[1]
            fix = {"_type": "location", "lon": lon, "lat": lat, "tst": int(time.time()), "tid": "PR"}
            began = time.perf_counter()
            phone.publish(plan.probe_topic, json.dumps(fix), qos=1)
            while time.perf_counter() - began < 10:
                try:
                    got = await poll_once(client, plan, load, held)
                except httpx.HTTPError:
                    load.count(0)
                    got = None
                if got is not None:
                    unit = next((f for f in got[0] if f["id"] == plan.probe_unit), None)
                    if unit and unit["geometry"] and abs(unit["geometry"]["coordinates"][0] - lon) < 1e-6:
                        load.lag_ms.append((time.perf_counter() - began) * 1000)
                        break
                await asyncio.sleep(0.1)
            await asyncio.sleep(max(0.0, 2.0 - (time.perf_counter() - began)))
    finally:
        phone.loop_stop()
        phone.disconnect()


async def check_open(client: httpx.AsyncClient, plan: StepPlan, load: StepLoad) -> None:
    """Every open incident (uncapped list) is in what the consoles get."""
    try:
        listed = (await client.get(f"/api/v1/incidents?{OPEN}")).json()
        got = await poll_once(client, plan, load, new_held(plan))
    except httpx.HTTPError:
        load.missing_open = -1  # could not be checked: the server did not answer
        return
    shown = set() if got is None else {i["id"] for i in got[1]}
    load.missing_open = len({i["id"] for i in listed} - shown)


async def run_step(plan: StepPlan) -> StepLoad:
    load = StepLoad()
    limits = httpx.Limits(max_connections=plan.consoles * 2 + plan.dispatchers + 10)
    async with httpx.AsyncClient(base_url=plan.base, headers=HEADERS, timeout=60, limits=limits) as client:
        end = time.perf_counter() + plan.seconds
        tasks = [console(client, plan, load, end, i / max(1, plan.consoles)) for i in range(plan.consoles)]
        tasks += [dispatcher(client, plan, load, end, seed) for seed in range(plan.dispatchers)]
        tasks.append(lag_probe(client, plan, load, end))
        await asyncio.gather(*tasks)
        await check_open(client, plan, load)
    return load


def run_step_process(plan: StepPlan, out: Any, ready: Any) -> None:
    """Entry point of the load process: say ``ready``, run one step, put the :class:`StepLoad` on ``out``."""
    ready.set()
    out.put(asyncio.run(run_step(plan)))
