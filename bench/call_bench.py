"""The recommendation a dispatcher asks for, on PostGIS with a 500-unit fleet (issue 11's figures).

Starts its own PostGIS cluster, seeds ``--units`` units (ambulances, police cars, fire engines) with
fresh positions spread over the regency, serves the real app (uvicorn) on the schematic graph and
prints one JSON object:

- ``recommend_http``: ``POST /incidents/{id}/recommendations`` timed by the client (HTTP + auth +
  database + routing + audit row + JSON), p50/p95/p99 over ``--calls`` incidents (target p95 ≤ 50 ms);
- ``recommend_in_process``: the same service call in the bench process on the same database, no
  HTTP — the baseline measured in the same run, so the HTTP and serialisation share is visible;
- ``recommend_http_all_routes`` (every ranked route, as before routes on demand), ``route_on_demand_http``
  (one more unit's route) and ``candidates_orm`` vs ``candidates_columns`` (the candidate load with full
  ORM rows, as before, vs the column-only query): the baselines of issue 15's changes, same run;
- ``http_load_average_1min`` at the start and end: the machine is shared, the figures are as quiet as it.

The same call clicked in Chromium (click → ranked list drawn) is ``bench/console_bench.py``, which
reuses :func:`running_call_app` and :func:`bench_http` (its baseline).

Usage: ``python bench/call_bench.py [--units 500] [--calls 40]``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dispatch_geo.boundaries import load_boundaries
from dispatch_geo.dispatch import recommend as recommend_service
from dispatch_geo.domain.units import Agency, Station, Unit, UnitType
from dispatch_geo.domain.values import LonLat
from dispatch_geo.gazetteer import Gazetteer
from dispatch_geo.storage import fleet_repo
from dispatch_geo.storage.engine import make_engine, make_session_factory
from dispatch_geo.storage.migrate import upgrade_to_head
from dispatch_geo.storage.unit_snapshots import list_unit_snapshots
from siaga.api import create_app
from siaga.graphs import resolve_graph
from siaga.settings import Settings
from tests.support.postgis import TEMPLATE_DB, PostgisServer, find_postgres_bin

TOKEN = "demo-dispatcher-token"
MIX = ((UnitType.AMBULANCE, Agency.PSC_119, 0.6), (UnitType.POLICE_CAR, Agency.POLRES, 0.2))
"""Fleet mix: the rest are fire engines (Damkar)."""


def percentiles(values_ms: list[float]) -> dict[str, float]:
    ordered = sorted(values_ms)

    def q(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 2)

    return {"n": len(ordered), "p50": round(statistics.median(ordered), 2), "p95": q(0.95), "p99": q(0.99)}


def seed(url: str, road: Any, units: int) -> None:
    """``units`` units at random road nodes of the regency, with fixes of now."""
    upgrade_to_head(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    rng = np.random.default_rng(11)
    now = datetime.now(UTC)
    nodes = rng.integers(road.n_nodes, size=units)
    with sessions.begin() as session:
        for agency in (Agency.PSC_119, Agency.POLRES, Agency.DAMKAR):
            fleet_repo.create_station(
                session,
                station=Station(
                    f"pos-{agency.value.replace('_', '-')}",
                    f"Pos {agency}",
                    agency,
                    LonLat(102.05, 0.8),
                    approximate=True,
                ),
            )
        for i, node in enumerate(nodes):
            draw = rng.random()
            unit_type, agency = UnitType.FIRE_ENGINE, Agency.DAMKAR
            if draw < MIX[0][2]:
                unit_type, agency = MIX[0][0], MIX[0][1]
            elif draw < MIX[0][2] + MIX[1][2]:
                unit_type, agency = MIX[1][0], MIX[1][1]
            uid = f"U{i:04d}"
            fleet_repo.create_unit(
                session, unit=Unit(uid, unit_type, agency, f"pos-{agency.value.replace('_', '-')}"), at=now
            )
            lon, lat = _node(road, int(node))
            fleet_repo.update_unit_position(session, unit_id=uid, position=LonLat(lon, lat), fix_time=now)
    engine.dispose()


def _node(road: Any, node: int) -> tuple[float, float]:
    return float(road.node_lon[node]), float(road.node_lat[node])


def serve(app: Any) -> tuple[uvicorn.Server, threading.Thread, str]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


def incident_points(road: Any, n: int) -> list[tuple[float, float]]:
    rng = np.random.default_rng(7)
    return [_node(road, int(node)) for node in rng.integers(road.n_nodes, size=n)]


def bench_http(base: str, app: Any, points: list[tuple[float, float]]) -> dict[str, Any]:
    """The recommendation timed over HTTP and in process, each with its baseline from the same run.

    Per incident, in alternating order so both see the same machine: ``recommend_http`` (routes on
    demand: the first route of each list) and ``recommend_http_all_routes`` (every ranked unit's route,
    the behaviour before routes on demand); then ``route_on_demand_http`` (the second-ranked unit's
    route, as the console asks for it when the dispatcher selects that row), ``recommend_in_process``
    (no HTTP), and the candidate load alone: ``candidates_columns`` (the column-only query the service
    uses) against ``candidates_orm`` (full ``UnitRow`` objects, the query it replaced).
    """
    headers = {"Authorization": f"Bearer {TOKEN}"}
    timed: dict[str, list[float]] = {
        k: []
        for k in (
            "recommend_http",
            "recommend_http_all_routes",
            "route_on_demand_http",
            "recommend_in_process",
            "candidates_columns",
            "candidates_orm",
        )
    }
    state = app.state.siaga
    wanted = sorted({UnitType.AMBULANCE, UnitType.POLICE_CAR, UnitType.POLICE_MOTORBIKE})
    load_before = os.getloadavg()
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        for i, (lon, lat) in enumerate(points):
            created = client.post(
                "/api/v1/incidents",
                json={"incident_type": "traffic_accident", "priority": 1, "lon": lon, "lat": lat},
            )
            created.raise_for_status()
            incident_id = created.json()["id"]
            url = f"/api/v1/incidents/{incident_id}/recommendations"
            runs = [("recommend_http", {}), ("recommend_http_all_routes", {"routes": "all"})]
            sample: dict[str, float] = {}
            answer: dict[str, Any] = {}
            for name, body in runs if i % 2 == 0 else runs[::-1]:
                start = time.perf_counter()
                response = client.post(url, json=body)
                sample[name] = (time.perf_counter() - start) * 1000
                response.raise_for_status()
                if name == "recommend_http":
                    answer = response.json()
            ranked = answer["groups"][0]["ranked"]
            if len(ranked) > 1:
                start = time.perf_counter()
                client.get(
                    f"/api/v1/incidents/{incident_id}/routes/{ranked[1]['unit_id']}"
                ).raise_for_status()
                sample["route_on_demand_http"] = (time.perf_counter() - start) * 1000
            with state.sessions() as session:
                start = time.perf_counter()
                recommend_service.recommend_for_incident(
                    session, geo=state.geo, incident_id=incident_id, at=datetime.now(UTC), by="bench"
                )
                sample["recommend_in_process"] = (time.perf_counter() - start) * 1000
                session.rollback()
                start = time.perf_counter()
                list_unit_snapshots(session, unit_type=wanted)
                sample["candidates_columns"] = (time.perf_counter() - start) * 1000
                start = time.perf_counter()
                fleet_repo.list_units(session, unit_type=wanted)
                sample["candidates_orm"] = (time.perf_counter() - start) * 1000
                session.rollback()
            if i >= 3:  # warm-up: first connections, caches
                for name, ms in sample.items():
                    timed[name].append(ms)
    figures: dict[str, Any] = {name: percentiles(ms) for name, ms in timed.items() if ms}
    # the machine is shared: its load (1-min average) when the timing began and ended
    load_after = os.getloadavg()
    figures["http_load_average_1min"] = {"start": round(load_before[0], 2), "end": round(load_after[0], 2)}
    figures["cpus"] = os.cpu_count()
    return figures


@contextmanager
def running_call_app(road: Any, gazetteer: Gazetteer, units: int) -> Iterator[tuple[str, Any]]:
    """Its own PostGIS seeded with ``units`` units, the real app served on it: yields (base URL, app)."""
    pg = PostgisServer.launch(find_postgres_bin())
    try:
        url = pg.create_database("bench_call", template=TEMPLATE_DB)
        seed(url, road, units)
        with tempfile.TemporaryDirectory() as tmp:
            app = create_app(
                Settings(
                    database_url=url,
                    var_dir=Path(tmp),
                    stale_after_s=86_400,  # the seeded fixes stay fresh for the whole run
                    fleet_csv_path=None,
                    auth_failure_limit=0,
                    console_demo_token=True,  # the console_bench page works as the demo dispatcher, no login
                ),
                road=road,
                gazetteer=gazetteer,
            )
            server, thread, base = serve(app)
            try:
                yield base, app
            finally:
                server.should_exit = True
                thread.join(timeout=10)
    finally:
        pg.destroy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--calls", type=int, default=40)
    args = parser.parse_args()
    settings = Settings()
    road, _ = resolve_graph(settings)
    gazetteer = Gazetteer.from_boundaries(load_boundaries(settings.boundaries_path), outside_buffer_m=2000.0)
    with running_call_app(road, gazetteer, args.units) as (base, app):
        figures: dict[str, Any] = {
            "bench": "call",
            "graph": {"label": road.meta.label, "nodes": road.meta.n_nodes},
            "database": "postgresql+postgis",
            "units": args.units,
        }
        figures.update(bench_http(base, app, incident_points(road, args.calls)))
        figures["targets"] = {"recommend_http_p95_ms": 50}
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
