"""History at a year's scale: the partitioned position history, the KPI and history queries on PostGIS.

Starts its own PostGIS (as the test suite does, on a free port) and prints one JSON object:

- ``load``: N fixes (default 2 M; ``--fixes 20000000`` for a month of 48 units at 5 s) of the 48 units
  of the example fleet, spread over the last 30 days, loaded with ``COPY`` into the monthly
  partitions; rows/s and ``disk_mb_per_million_fixes`` (tables + indexes of every partition);
- ``ingest``: the real writer (:class:`tracking.ingest.writer.BatchWriter`, its one-statement
  PostgreSQL path, batches of 2,000) writing new fixes into that loaded partitioned table, against
  the same writer into an empty unpartitioned ``position_fixes`` (a database at revision 0005) in the
  same run, three interleaved rounds (medians): fixes/s and their ratio (target ≥ 0.9); also the
  writer into an empty partitioned table, to tell the partition routing apart from the larger
  indexes of a loaded table;
- ``replay_ms``: one incident's replay query (its units' tracks for its duration, as
  ``routes_replay`` reads them), p50/p95 over incidents inside the loaded month (target p95 ≤ 100 ms);
- ``kpi_ms``: the Kinerja report (:func:`dispatch_geo.storage.kpi_repo.kpi_report`) for the last month
  and for the last 365 days of ``--incidents`` (default 50,000) incidents with timelines spread over a
  year (targets p95 ≤ 1 s and ≤ 2 s);
- ``history_search_ms``: ``GET /incidents`` filters in process (period + agency, unit, kecamatan,
  text; page of 100), p50/p95 (target p95 ≤ 200 ms).

Usage: ``python bench/history_bench.py [--fixes 2000000] [--incidents 50000]``
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dispatch_geo.domain.fleet_csv import load_fleet_csv
from dispatch_geo.domain.units import Agency
from dispatch_geo.domain.values import LonLat
from dispatch_geo.storage import fleet_repo, incident_repo, kpi_repo, partitions, position_repo
from dispatch_geo.storage.engine import make_engine, make_session_factory
from dispatch_geo.storage.migrate import upgrade_to_head
from dispatch_geo.storage.position_repo import PositionFixRecord
from tests.support.postgis import TEMPLATE_DB, PostgisServer, find_postgres_bin
from tracking.ingest.metrics import IngestMetrics
from tracking.ingest.writer import BatchWriter

FLEET_CSV = Path(__file__).resolve().parent.parent / "data" / "siak_fleet_example.csv"
NOW = datetime.now(UTC).replace(microsecond=0)
KECAMATAN = [(f"14.08.{i:02d}", f"Kecamatan {i:02d}") for i in range(1, 15)]


def _ms(samples: list[float]) -> dict[str, float]:
    values = np.array(samples) * 1000
    return {
        "p50": round(float(np.percentile(values, 50)), 1),
        "p95": round(float(np.percentile(values, 95)), 1),
        "n": len(samples),
    }


def _timed(fn: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def database(server: PostgisServer, name: str, revision: str = "head") -> Engine:
    url = server.create_database(name, template=TEMPLATE_DB)
    upgrade_to_head(url, revision=revision)
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        fleet_repo.import_fleet(session, fleet=load_fleet_csv(FLEET_CSV), at=NOW - timedelta(days=400))
    return engine


def unit_ids(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(text("SELECT id FROM units ORDER BY id")).scalars())


def load_fixes(engine: Engine, units: list[str], n: int) -> dict[str, Any]:
    """COPY ``n`` fixes of ``units`` spread evenly over the last 30 days (UTC month partitions)."""
    with engine.begin() as connection:
        for back in range(2):
            partitions.create_month(connection, partitions.add_months(partitions.month_start(NOW), -back))
        partitions.ensure_partitions(connection, now=NOW)
    per_unit = n // len(units)
    step_s = 30 * 86400 / per_unit
    start = NOW - timedelta(days=30)
    raw = engine.raw_connection()
    started = time.perf_counter()
    try:
        driver = raw.driver_connection
        assert driver is not None
        with (
            driver.cursor() as cur,
            cur.copy(  # type: ignore[attr-defined]
                "COPY position_fixes (device_id, unit_id, fix_time, received_at, position, speed_kph, "
                "source_protocol, flags) FROM STDIN"
            ) as copy,
        ):
            for k in range(per_unit):
                at = start + timedelta(seconds=k * step_s)
                for u, unit in enumerate(units):
                    lon = 101.6 + (u % 8) * 0.1 + (k % 500) * 1e-4
                    point = f"SRID=4326;POINT({lon:.6f} {0.6 + (u // 8) * 0.05:.6f})"
                    copy.write_row((f"{unit.lower()}/phone", unit, at, at, point, 30.0, "owntracks", "[]"))
        raw.commit()
    finally:
        raw.close()
    seconds = time.perf_counter() - started
    with engine.begin() as connection:
        connection.execute(text("ANALYZE position_fixes"))
        size = connection.execute(
            text(
                "SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits "
                "WHERE inhparent = 'position_fixes'::regclass"
            )
        ).scalar_one()
        months = len(partitions.list_partitions(connection))
    loaded = per_unit * len(units)
    return {
        "fixes": loaded,
        "rows_per_s": round(loaded / seconds),
        "partitions": months,
        "disk_mb_per_million_fixes": round(int(size) / 1e6 / (loaded / 1e6), 1),
    }


def ingest_rate(engine: Engine, units: list[str], n: int, round_: int) -> float:
    """Fixes/s of the real writer for ``n`` new fixes (hour ``round_`` after now), batches of 2,000."""
    writer = BatchWriter(make_session_factory(engine), IngestMetrics(), batch_size=2_000)
    start = NOW + timedelta(hours=1 + round_)
    for k in range(n // len(units)):
        at = start + timedelta(seconds=5 * k)
        for u, unit in enumerate(units):
            record = PositionFixRecord(
                f"{unit.lower()}/phone", at, at, LonLat(101.6 + u * 0.01, 0.7), "owntracks", unit, 30.0
            )
            writer.submit(record, latest=True)
    written, started = 0, time.perf_counter()
    while step := writer.flush_once():
        written += step
    seconds = time.perf_counter() - started
    writer.stop()
    return written / seconds


def seed_incidents(engine: Engine, units: list[str], n: int) -> None:
    """``n`` closed incidents over the last 365 days, each with one or two units and their timeline."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO incidents (incident_type, priority, status, location, address, description, "
                "created_at, created_by, closed_at, call_received_at, kecamatan_kode, kecamatan_nama, "
                "desa_nama, landmark, simulated) "
                "SELECT (ARRAY['medical','fire','traffic_accident','crime','flood'])[1 + g % 5], 1 + g % 3, "
                "'closed', ST_SetSRID(ST_MakePoint(101.6 + random() * 0.8, 0.5 + random() * 0.5), 4326), "
                "'Jl. bench ' || g, 'bench', t, 'bench', t + interval '50 minutes', "
                "t - interval '1 second' * (30 + random() * 90), "
                "(CAST(:kode AS text[]))[1 + g % 14], (CAST(:nama AS text[]))[1 + g % 14], "
                "'Desa ' || (g % 131), '', true "
                "FROM generate_series(1, :n) g, "
                "LATERAL (SELECT :now - interval '1 second' * floor(random() * 365 * 86400 + g * 0) AS t) x"
            ),
            {"n": n, "now": NOW, "kode": [k for k, _ in KECAMATAN], "nama": [m for _, m in KECAMATAN]},
        )
        connection.execute(
            text(
                "INSERT INTO assignments (incident_id, unit_id, assigned_at, assigned_by, released_at) "
                "SELECT i.id, (CAST(:units AS text[]))[1 + (i.id * k) % :u], "
                "i.created_at + interval '40 seconds' * k, 'bench', "
                "i.created_at + interval '45 minutes' FROM incidents i, generate_series(1, 2) k "
                "WHERE k = 1 OR i.id % 5 = 0"
            ),
            {"units": units, "u": len(units)},
        )
        for to_status, from_status, offset in (
            ("dispatched", "available", "0"),
            ("en_route", "dispatched", "30 + random() * 120"),
            ("on_scene", "en_route", "300 + random() * 1200"),
        ):
            connection.execute(
                text(
                    "INSERT INTO unit_status_changes (unit_id, from_status, to_status, changed_at, "
                    f"changed_by, incident_id) SELECT a.unit_id, '{from_status}', '{to_status}', "
                    f"a.assigned_at + interval '1 second' * ({offset}), 'bench', a.incident_id "
                    "FROM assignments a"
                )
            )
        connection.execute(text("ANALYZE incidents; ANALYZE assignments; ANALYZE unit_status_changes"))


def replay_samples(engine: Engine, repeat: int) -> list[float]:
    with engine.connect() as connection:
        ids = list(
            connection.execute(
                text("SELECT id FROM incidents WHERE created_at > :since ORDER BY random() LIMIT :n"),
                {"since": NOW - timedelta(days=29), "n": repeat},
            ).scalars()
        )
    sessions = make_session_factory(engine)
    samples = []
    for incident_id in ids:
        with sessions() as session:
            started = time.perf_counter()
            incident = incident_repo.get_incident(session, incident_id=incident_id)
            points = 0
            for a in incident_repo.list_assignments(session, incident_id=incident_id):
                until = (a.released_at or incident.closed_at or NOW) + partitions.REPLAY_AFTER_RELEASE
                points += len(
                    position_repo.list_position_fixes(
                        session,
                        unit_id=a.unit_id,
                        since=a.assigned_at - partitions.REPLAY_BEFORE_ASSIGNMENT,
                        until=until,
                    )
                )
            samples.append(time.perf_counter() - started)
            assert points > 0, f"incident {incident_id} has no track"
    return samples


def kpi_samples(engine: Engine, days: int, repeat: int) -> list[float]:
    sessions = make_session_factory(engine)

    def run() -> None:
        with sessions() as session:
            report = kpi_repo.kpi_report(
                session, since=NOW - timedelta(days=days), until=NOW + timedelta(hours=1)
            )
            assert report.incidents > 0

    run()  # warm
    return _timed(run, repeat)


def history_samples(engine: Engine, units: list[str], repeat: int) -> list[float]:
    sessions = make_session_factory(engine)
    filters: list[dict[str, Any]] = [
        {"agency": [Agency.DAMKAR]},
        {"unit_id": units[3]},
        {"kecamatan_kode": "14.08.05"},
        {"text": "bench 123"},
        {"incident_type": "fire", "priority": 1},
    ]
    samples = []
    for k in range(repeat):
        days = 30 if k % 2 else 365
        with sessions() as session:
            started = time.perf_counter()
            incident_repo.list_incidents(
                session,
                created_since=NOW - timedelta(days=days),
                created_until=NOW,
                limit=100,
                **filters[k % len(filters)],
            )
            samples.append(time.perf_counter() - started)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fixes", type=int, default=2_000_000)
    parser.add_argument("--incidents", type=int, default=50_000)
    parser.add_argument("--ingest-fixes", type=int, default=48_000, help="per round (three rounds)")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    server = PostgisServer.launch(find_postgres_bin())
    try:
        flat = database(server, "unpartitioned", revision="0005")
        empty = database(server, "partitioned_empty")
        part = database(server, "partitioned")
        units = unit_ids(part)
        load = load_fixes(part, units, args.fixes)
        seed_incidents(part, units, args.incidents)
        rates: dict[str, list[float]] = {"flat": [], "empty": [], "part": []}
        for round_ in range(3):  # interleaved, median of three: the machine's load drifts meanwhile
            for key, engine in (("flat", flat), ("empty", empty), ("part", part)):
                rates[key].append(ingest_rate(engine, units, args.ingest_fixes, round_))
        flat_rate, empty_rate, part_rate = (float(np.median(rates[k])) for k in ("flat", "empty", "part"))
        report = {
            "benchmark": "history",
            "load": load,
            "incidents": args.incidents,
            "ingest": {
                "writer_fixes_per_round": args.ingest_fixes,
                "rounds": 3,
                "baseline_unpartitioned_empty_per_s": round(flat_rate),
                "partitioned_empty_per_s": round(empty_rate),
                "partitioned_loaded_per_s": round(part_rate),
                "ratio": round(part_rate / flat_rate, 2),
                "ratio_partitioned_empty": round(empty_rate / flat_rate, 2),
            },
            "replay_ms": _ms(replay_samples(part, args.repeat)),
            "kpi_ms": {
                "month": _ms(kpi_samples(part, 30, max(5, args.repeat // 2))),
                "year": _ms(kpi_samples(part, 365, max(3, args.repeat // 4))),
            },
            "history_search_ms": _ms(history_samples(part, units, args.repeat)),
            "targets": {
                "ingest_ratio": 0.9,
                "replay_p95_ms": 100,
                "kpi_month_p95_ms": 1000,
                "kpi_year_p95_ms": 2000,
                "history_search_p95_ms": 200,
            },
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        for engine in (flat, empty, part):
            engine.dispose()
    finally:
        server.destroy()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
