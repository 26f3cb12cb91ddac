"""Console benchmark in a real browser (Debian's Chromium via Playwright).

Prints one JSON object:

- ``time_to_interactive``: from navigation start until the map shows all 500 unit markers, the 100
  open incidents are listed and the main-roads layer is loaded (target ≤ 1.5 s); median of 5 loads;
  baseline in the same run: the same page with no unit positions and no incidents;
- ``fix_to_marker``: from publishing an OwnTracks fix over MQTT (own Mosquitto, the production
  ingest worker) to the unit's marker showing the new position (target p95 ≤ 2 s), 30 fixes;
- ``call``: one whole call as the dispatcher clicks it, on PostGIS with ``--units`` units: click →
  ranked list drawn (target p95 ≤ 300 ms), assign click → row drawn, and in the same run the
  recommendation endpoint alone (target p95 ≤ 50 ms) and in process (``bench/console_call.py``).

Usage: ``python bench/console_bench.py [--units 500] [--incidents 100] [--calls 30] [--only page|call]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import console_call

from dispatch_geo.boundaries import load_boundaries
from dispatch_geo.domain.units import Agency, Station, Unit, UnitType
from dispatch_geo.domain.values import LonLat
from dispatch_geo.gazetteer import Gazetteer
from dispatch_geo.storage import fleet_repo, incident_repo
from dispatch_geo.storage.engine import make_engine, make_session_factory
from dispatch_geo.storage.migrate import upgrade_to_head
from siaga.graphs import resolve_graph
from siaga.settings import Settings
from tests.browser.console_server import CHROMIUM, CHROMIUM_ARGS, running_console
from tests.support.mosquitto import MosquittoBroker, find_mosquitto


def seed(url: str, units: int, incidents: int) -> None:
    upgrade_to_head(url)
    sessions = make_session_factory(make_engine(url))
    rng = np.random.default_rng(5)
    now = datetime.now(UTC)
    with sessions.begin() as session:
        fleet_repo.create_station(
            session, station=Station("POS", "Pos", Agency.PSC_119, LonLat(102.05, 0.80), approximate=True)
        )
        for i in range(units):
            uid = f"U{i:03d}"
            fleet_repo.create_unit(
                session,
                unit=Unit(uid, UnitType.AMBULANCE, Agency.PSC_119, "POS"),
                at=now,
                device_id=f"u{i:03d}/phone",
            )
            lon, lat = 101.2 + rng.random() * 1.5, 0.5 + rng.random() * 0.6
            fleet_repo.update_unit_position(session, unit_id=uid, position=LonLat(lon, lat), fix_time=now)
        for i in range(incidents):
            incident_repo.create_incident(
                session,
                incident_type="medical",
                priority=1 + i % 3,
                created_at=now,
                created_by="bench",
                location=LonLat(101.3 + rng.random() * 1.3, 0.55 + rng.random() * 0.5),
            )


def time_to_interactive(page, url: str, units: int, incidents: int) -> float:
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_function(
        f"() => document.querySelectorAll('[data-unit]').length >= {units}"
        f" && document.querySelectorAll('#incident-list li').length >= {incidents}"
        " && document.querySelectorAll("
        "'.leaflet-overlay-pane path, .leaflet-overlay-pane canvas').length > 0",
        timeout=60_000,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--incidents", type=int, default=100)
    parser.add_argument("--fixes", type=int, default=30)
    parser.add_argument("--calls", type=int, default=30, help="whole calls clicked on PostGIS")
    parser.add_argument("--only", choices=("page", "call"), help="only the page figures, or only the call")
    args = parser.parse_args()
    road, _ = resolve_graph(Settings())
    gazetteer = Gazetteer.from_boundaries(load_boundaries())
    report: dict[str, object] = {"benchmark": "console", "schematic": road.meta.schematic}
    if args.only != "call":
        report.update(page_figures(road, gazetteer, args))
    if args.only != "page":
        report["call"] = console_call.bench_console_call(road, gazetteer, units=500, calls=args.calls)
    print(json.dumps(report, indent=2))


def page_figures(road: Any, gazetteer: Gazetteer, args: argparse.Namespace) -> dict[str, object]:
    """Time to interactive and MQTT fix → marker (SQLite, the page's own figures)."""
    broker = MosquittoBroker(find_mosquitto())
    broker.start()
    report: dict[str, object] = {"units": args.units, "incidents": args.incidents}
    try:
        with tempfile.TemporaryDirectory() as tmp_dir:
            tmp = Path(tmp_dir)
            (tmp / "full").mkdir()
            (tmp / "empty").mkdir()
            seed(f"sqlite:///{tmp / 'full' / 'siaga.db'}", args.units, args.incidents)
            seed(f"sqlite:///{tmp / 'empty' / 'siaga.db'}", 0, 0)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                with running_console(tmp / "empty", road, gazetteer, broker.host, broker.port) as empty:
                    page = browser.new_page(viewport={"width": 1366, "height": 768})
                    base = [time_to_interactive(page, empty.url, 0, 0) for _ in range(5)]
                    page.close()
                with running_console(tmp / "full", road, gazetteer, broker.host, broker.port) as full:
                    page = browser.new_page(viewport={"width": 1366, "height": 768})
                    tti = [time_to_interactive(page, full.url, args.units, args.incidents) for _ in range(5)]
                    phone = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="bench-phone")
                    phone.connect(broker.host, broker.port)
                    phone.loop_start()
                    latencies = []
                    for k in range(args.fixes):
                        i = k % args.units
                        lon = round(101.3 + 0.02 * k, 5)
                        body = {
                            "_type": "location",
                            "lat": 0.7,
                            "lon": lon,
                            "tst": int(time.time()),
                            "acc": 5,
                        }
                        started = time.perf_counter()
                        phone.publish(f"owntracks/u{i:03d}/phone", json.dumps(body), qos=1).wait_for_publish(
                            5
                        )
                        page.wait_for_function(
                            f"() => document.querySelector(\"[data-unit='U{i:03d}']\")"
                            f"?.dataset.lon === '{lon}'",
                            timeout=15_000,
                        )
                        latencies.append(time.perf_counter() - started)
                    phone.loop_stop()
                    page.close()
                browser.close()
    finally:
        broker.destroy()
    lat_ms = np.asarray(latencies) * 1000
    report["time_to_interactive_s"] = {
        "median": round(statistics.median(tti), 3),
        "max": round(max(tti), 3),
        "target": 1.5,
        "baseline_no_unit_positions_median": round(statistics.median(base), 3),
    }
    report["fix_to_marker_ms"] = {
        "n": len(latencies),
        "p50": round(float(np.percentile(lat_ms, 50))),
        "p95": round(float(np.percentile(lat_ms, 95))),
        "max": round(float(lat_ms.max())),
        "target_p95": 2000,
    }
    return report


if __name__ == "__main__":
    main()
