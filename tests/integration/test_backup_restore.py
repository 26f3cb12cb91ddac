"""Backup and restore as docs/deployment.md tells the operator: ``pg_dump -Fc`` of a live database
(partitioned position history, incidents with timelines), ``pg_restore`` into a brand-new cluster;
the same rows, the same partitions, the same replay and KPI figures, and the ingest writes on."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, text

from dispatch_geo.domain.fleet_csv import load_fleet_csv
from dispatch_geo.domain.values import LonLat
from dispatch_geo.storage import fleet_repo, kpi_repo, partitions, position_repo
from dispatch_geo.storage.engine import make_engine, make_session_factory
from dispatch_geo.storage.migrate import current_revision, head_revision, upgrade_to_head
from dispatch_geo.storage.position_repo import PositionFixRecord
from tests.integration.storage_fixtures import FLEET_CSV
from tests.support.kpi_incidents import MEDICAL, PERIOD, WEEK1, add_known_incidents
from tests.support.postgis import TEMPLATE_DB, PostgisFactory, PostgisServer

TABLES = ("units", "incidents", "assignments", "unit_status_changes", "incident_events", "position_fixes")


def _seed(engine: Engine) -> None:
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        fleet_repo.import_fleet(session, fleet=load_fleet_csv(FLEET_CSV), at=WEEK1 - timedelta(days=60))
        partitions.create_month(session.connection(), partitions.month_start(WEEK1))
        add_known_incidents(session)
        start = MEDICAL[0][0]  # the first call's ambulance, a fix every 5 s for an hour
        position_repo.add_position_fixes(
            session,
            fixes=[
                PositionFixRecord(
                    device_id="amb-siak-01/phone",
                    unit_id="AMB-SIAK-01",
                    fix_time=start + timedelta(seconds=5 * i),
                    received_at=start + timedelta(seconds=5 * i + 1),
                    position=LonLat(102.05 + i * 1e-5, 0.80),
                    source_protocol="owntracks",
                )
                for i in range(720)
            ],
        )


def _picture(engine: Engine) -> dict[str, object]:
    with engine.connect() as connection:
        counts = {t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}
        months = partitions.list_partitions(connection)
    with make_session_factory(engine)() as session:
        start = MEDICAL[0][0]
        track = position_repo.list_position_fixes(
            session, unit_id="AMB-SIAK-01", since=start, until=start + timedelta(minutes=30)
        )
        report = kpi_repo.kpi_report(session, since=PERIOD[0], until=PERIOD[1])
    amb = next(r for r in report.by_agency if r.agency == "psc_119")
    return {
        "counts": counts,
        "months": months,
        "track": [(f.fix_time, f.position) for f in track],
        "kpi": (amb.intervals["travel"], amb.within_standard),
    }


def _run(*args: str) -> None:
    result = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr


def test_dump_restores_into_a_fresh_cluster(
    postgis_server: PostgisServer, postgis_factory: PostgisFactory, tmp_path: Path
) -> None:
    source_url = postgis_server.create_database("backup_source", template=TEMPLATE_DB)
    upgrade_to_head(source_url)
    source = make_engine(source_url)
    _seed(source)
    before = _picture(source)
    source.dispose()
    assert before["counts"]["position_fixes"] == 720  # type: ignore[index]
    assert len(before["track"]) == 360  # type: ignore[arg-type]

    dump = tmp_path / "siaga.dump"
    bin_dir = postgis_server.bin_dir
    _run(
        str(bin_dir / "pg_dump"),
        "-Fc",
        "-h",
        postgis_server.host,
        "-p",
        str(postgis_server.port),
        "-U",
        "postgres",
        "-f",
        str(dump),
        "backup_source",
    )
    postgis_server.drop_database("backup_source")

    fresh = postgis_factory()  # a new cluster; the dump goes into an empty database (no PostGIS yet)
    with fresh.admin_connect() as connection:
        connection.execute("CREATE DATABASE restored TEMPLATE template0")
    _run(
        str(bin_dir / "pg_restore"),
        "--no-owner",
        "--exit-on-error",
        "-h",
        fresh.host,
        "-p",
        str(fresh.port),
        "-U",
        "postgres",
        "-d",
        "restored",
        str(dump),
    )

    restored = make_engine(fresh.url_for("restored"))
    try:
        assert current_revision(restored) == head_revision()
        after = _picture(restored)
        assert after == before
        with restored.connect() as connection:
            assert partitions.is_partitioned(connection)
        with make_session_factory(restored).begin() as session:  # the ingest writes on after a restore
            now = datetime.now(UTC)
            position_repo.add_position_fixes(
                session,
                fixes=[
                    PositionFixRecord(
                        "amb-siak-01/phone", now, now, LonLat(102.05, 0.8), "owntracks", "AMB-SIAK-01"
                    )
                ],
            )
        with restored.connect() as connection:
            total = connection.execute(text("SELECT count(*) FROM position_fixes")).scalar_one()
        assert total == 721
    finally:
        restored.dispose()
