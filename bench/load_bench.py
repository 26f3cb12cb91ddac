"""The live picture under a shift's load (issue 16): consoles, dispatchers and a reporting fleet.

Starts PostGIS and Mosquitto (as the tests do), then for each fleet size seeds a database with that
many units, each paired with a phone, and starts the production shape: ``dispatch-geo serve
[--workers N]`` and ``dispatch-geo ingest`` as processes of their own, the fleet's phones publishing
OwnTracks fixes every ``--report-every-s`` seconds (a process of its own), and the load (consoles,
dispatchers, a publish → visible lag probe; bench/loadgen/load.py, a process of its own). For each
console count it runs one step per poll ``mode``:

- ``per_request``: the consoles poll the way they did before issue 16 (``/units.geojson`` and the open
  ``/incidents`` every second, each rebuilt per request): the baseline, measured in the same run;
- ``live``: the consoles poll the whole ``GET /live`` with ``If-None-Match``, uncompressed (the console
  before the deltas; one picture built per change or half second, the same bytes for every console);
- ``delta``: the consoles poll as they do now: ``GET /live`` once, then ``GET /live?since=<version>``
  (only what changed), gzip accepted, each answer applied as live.js does.

After the steps of a fleet size, ``--overload`` (on by default) runs one more step in the last mode at
twice the saturating console count (the fewest that missed a target, else the most run).

Per step: poll / create / recommend / assign p50, p95, p99 (ms); requests/s and answers by status;
publish → visible lag; CPU of each process (% of one core: serve and its workers, ingest, PostgreSQL,
Mosquitto, the fleet publisher, the load generator); open incidents missing from the feed; serve's
memory; the machine's load average. ``ceiling``: the most consoles (of those run) with poll p95 ≤
500 ms and recommendation p95 ≤ 300 ms and no 5xx, per fleet size and mode. ``--soak-minutes`` adds
one long ``delta`` step at the first fleet size and ``--soak-consoles`` with serve's memory at its
start and end.

Usage: ``python bench/load_bench.py [--units 200,1000] [--consoles 5,25,100] [--step-seconds 15]``
The default run takes about ten minutes on two cores. Figures: docs/live.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import os
import queue
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.loadgen.fleet import base_points, phone_topic, publish_fleet, seed, unit_id  # noqa: E402
from bench.loadgen.load import StepLoad, StepPlan, run_step_process  # noqa: E402
from siaga.graphs import resolve_graph  # noqa: E402
from siaga.settings import Settings  # noqa: E402
from tests.support.mosquitto import MosquittoBroker, find_mosquitto  # noqa: E402
from tests.support.postgis import TEMPLATE_DB, PostgisServer, find_postgres_bin  # noqa: E402
from tests.support.processes import free_port, service_argv  # noqa: E402

TARGETS = {"poll_p95_ms": 500, "recommend_p95_ms": 300}


def percentiles(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    ordered = sorted(values)

    def q(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1)

    return {"n": len(ordered), "p50": q(0.50), "p95": q(0.95), "p99": q(0.99)}


class CpuMeter:
    """CPU seconds of named process trees between :meth:`start` and :meth:`stop`, as % of one core."""

    def __init__(self, roots: dict[str, int]) -> None:
        self.roots = roots
        self.began: dict[str, float] = {}
        self.at = 0.0

    @staticmethod
    def _seconds(pid: int) -> float:
        total = 0.0
        with contextlib.suppress(psutil.NoSuchProcess):
            root = psutil.Process(pid)
            mine = root.cpu_times()  # with the children it waited for (PostgreSQL's short-lived backends)
            total += mine.children_user + mine.children_system
            for p in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.NoSuchProcess):
                    t = p.cpu_times()
                    total += t.user + t.system
        return total

    def start(self) -> None:
        self.began = {name: self._seconds(pid) for name, pid in self.roots.items()}
        self.at = time.monotonic()

    def stop(self) -> dict[str, float]:
        wall = time.monotonic() - self.at
        return {
            name: round(100 * (self._seconds(pid) - self.began[name]) / wall, 1)
            for name, pid in self.roots.items()
        }


def rss_mb(pid: int) -> float:
    root = psutil.Process(pid)
    return round(sum(p.memory_info().rss for p in [root, *root.children(recursive=True)]) / 2**20, 1)


@contextlib.contextmanager
def production(url: str, broker: MosquittoBroker, var_dir: Path, workers: int) -> Iterator[dict[str, Any]]:
    """``serve`` and ``ingest`` as processes of their own, on ``url``; yields their base URL and pids."""
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SIAGA_DATABASE_URL": url,
        "SIAGA_VAR_DIR": str(var_dir),
        "SIAGA_HTTP_PORT": str(port),
        "SIAGA_MQTT_PORT": str(broker.port),
        "SIAGA_MQTT_CLIENT_ID": f"bench-ingest-{port}",
        "SIAGA_METRICS_PORT": str(free_port()),
        "SIAGA_STALE_AFTER_S": "86400",
        "SIAGA_AUTH_FAILURE_LIMIT": "0",
    }
    logs = Path(tempfile.mkdtemp(prefix="siaga-load-"))
    cli = [sys.executable, "-c", "from siaga.cli import main; main()"]

    def argv(*args: str) -> list[str]:  # stopped by the kernel if this bench dies
        return service_argv([*cli, *args], run_as=None, death_signal="KILL")

    serve = subprocess.Popen(
        argv("serve", "--workers", str(workers)),
        env=env,
        cwd=ROOT,
        stdout=(logs / "serve.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    ingest = subprocess.Popen(
        argv("ingest"), env=env, cwd=ROOT, stdout=(logs / "ingest.log").open("wb"), stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if serve.poll() is not None or ingest.poll() is not None:
                raise RuntimeError(f"serve or ingest died; logs in {logs}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                    break
            time.sleep(0.3)
        else:
            raise RuntimeError(f"serve did not start; logs in {logs}")
        time.sleep(3)  # ingest connected and subscribed
        yield {"base": base, "serve": serve.pid, "ingest": ingest.pid}
    finally:
        for proc in (serve, ingest):
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def step(plan: StepPlan, pids: dict[str, int], serve_pid: int) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    out, ready = ctx.Queue(), ctx.Event()
    loader = ctx.Process(target=run_step_process, args=(plan, out, ready))
    memory_before = rss_mb(serve_pid)
    load_before = os.getloadavg()[0]
    loader.start()
    ready.wait(120)  # the loader's start-up (imports) is not part of the step
    meter = CpuMeter({**pids, "load_generator": loader.pid or 0})
    meter.start()
    deadline = time.monotonic() + plan.seconds + 600
    while True:  # the load's answer, or its death reported (not a ten-minute hang)
        with contextlib.suppress(queue.Empty):
            load: StepLoad = out.get(timeout=5)
            break
        if not loader.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the load process ended without an answer (exit code {loader.exitcode})")
    cpu = meter.stop()
    loader.join(60)
    seconds = plan.seconds
    server_errors = sum(n for code, n in load.statuses.items() if code.startswith("5") or code == "0")
    return {
        "mode": plan.mode,
        "consoles": plan.consoles,
        "dispatchers": plan.dispatchers,
        "seconds": seconds,
        "poll_ms": percentiles(load.poll_ms),
        "create_ms": percentiles(load.create_ms),
        "recommend_ms": percentiles(load.recommend_ms),
        "assign_ms": percentiles(load.assign_ms),
        "publish_to_visible_ms": percentiles(load.lag_ms),
        "requests_per_s": round(load.requests / seconds, 1),
        "answers": load.statuses,
        "server_errors": server_errors,  # 5xx and requests the client could not complete
        "http_5xx": sum(n for code, n in load.statuses.items() if code.startswith("5")),
        "http_503": load.statuses.get("503", 0),
        "client_errors": load.statuses.get("0", 0),
        "not_modified": load.not_modified,
        "poll_kb_per_s": round(load.poll_bytes / seconds / 1024, 1),
        "serve_cpu_ms_per_request": round(cpu["serve"] * 10 * seconds / max(1, load.requests), 2),
        "open_incidents_missing": load.missing_open,
        "cpu_percent_of_one_core": cpu,
        "serve_rss_mb": {"start": memory_before, "end": rss_mb(serve_pid)},
        "load_average_1min": {"start": round(load_before, 2), "end": round(os.getloadavg()[0], 2)},
    }


def within_targets(s: dict[str, Any]) -> bool:
    poll, rec = s["poll_ms"], s["recommend_ms"]
    return bool(
        poll
        and rec
        and poll["p95"] <= TARGETS["poll_p95_ms"]
        and rec["p95"] <= TARGETS["recommend_p95_ms"]
        and s["server_errors"] == 0
    )


def ceiling(steps: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    for s in steps:
        if s.get("soak") or s.get("overload"):
            continue
        best = found.setdefault(str(s["units"]), {}).setdefault(s["mode"], 0)
        if within_targets(s):
            found[str(s["units"])][s["mode"]] = max(best, s["consoles"])
    return found


def saturating(steps: list[dict[str, Any]], mode: str, consoles: list[int]) -> int:
    """The fewest consoles whose step in ``mode`` missed the targets (else the most run)."""
    missed = [s["consoles"] for s in steps if s["mode"] == mode and not within_targets(s)]
    return min(missed) if missed else max(consoles)


def ints(text: str) -> list[int]:
    return [int(v) for v in text.split(",") if v.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=ints, default=[200, 1000], help="fleet sizes, e.g. 200,1000")
    parser.add_argument("--consoles", type=ints, default=[5, 25, 100], help="console counts per step")
    parser.add_argument(
        "--modes",
        default="per_request,live,delta",
        help="per_request (before issue 16), live (whole picture + ETag, before the deltas), delta (now)",
    )
    parser.add_argument("--step-seconds", type=float, default=15.0)
    parser.add_argument("--dispatchers", type=int, default=5)
    parser.add_argument("--workers", type=int, default=1, help="serve --workers")
    parser.add_argument("--report-every-s", type=float, default=5.0)
    parser.add_argument(
        "--overload",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="one more step per fleet size at twice the saturating console count (the first that missed "
        "the targets in the last mode, else the most run)",
    )
    parser.add_argument("--soak-minutes", type=float, default=0.0, help="e.g. 30 for the soak")
    parser.add_argument("--soak-consoles", type=int, default=10)
    args = parser.parse_args()
    settings = Settings()
    road, _ = resolve_graph(settings)  # built and cached once in var/ (the processes load the cache)
    broker = MosquittoBroker(find_mosquitto())
    broker.start()
    pg = PostgisServer.launch(find_postgres_bin())
    steps: list[dict[str, Any]] = []
    try:
        assert pg._proc is not None
        assert broker._proc is not None
        for n in args.units:
            points = base_points(road, n)
            url = pg.create_database(f"bench_load_{n}", template=TEMPLATE_DB)
            seed(url, points)
            stop = mp.get_context("spawn").Event()
            fleet = mp.get_context("spawn").Process(
                target=publish_fleet, args=(broker.host, broker.port, points, args.report_every_s, stop)
            )
            with production(url, broker, settings.var_dir.resolve(), args.workers) as prod:
                fleet.start()
                pids = {
                    "serve": prod["serve"],
                    "ingest": prod["ingest"],
                    "postgresql": pg._proc.pid,
                    "mosquitto": broker._proc.pid,
                    "fleet_publisher": fleet.pid or 0,
                }
                modes = args.modes.split(",")
                plans = [(m, c, args.step_seconds, {}) for m in modes for c in args.consoles]
                if args.overload:
                    plans.append((modes[-1], 0, args.step_seconds, {"overload": True}))
                if args.soak_minutes > 0 and n == args.units[0]:
                    plans.append(("delta", args.soak_consoles, args.soak_minutes * 60, {"soak": True}))
                for mode, consoles, seconds, mark in plans:
                    if mark.get("overload"):  # twice the saturating load, in the last mode
                        consoles = 2 * saturating([s for s in steps if s["units"] == n], mode, args.consoles)
                    plan = StepPlan(
                        base=prod["base"],
                        mode=mode,
                        consoles=consoles,
                        dispatchers=args.dispatchers,
                        seconds=seconds,
                        points=points[1:],
                        broker=(broker.host, broker.port),
                        probe_topic=phone_topic(0),
                        probe_unit=unit_id(0),
                        probe_origin=points[0],
                    )
                    result = {"units": n, **step(plan, pids, prod["serve"]), **mark}
                    steps.append(result)
                    print(json.dumps(result), file=sys.stderr)
                stop.set()
                fleet.join(30)
    finally:
        broker.destroy()
        pg.destroy()
    report = {
        "benchmark": "load",
        "graph": {"label": road.meta.label, "nodes": road.meta.n_nodes},
        "workers": args.workers,
        "report_every_s": args.report_every_s,
        "machine_cores": os.cpu_count(),
        "targets": TARGETS,
        "steps": steps,
        "ceiling_consoles": ceiling(steps),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
