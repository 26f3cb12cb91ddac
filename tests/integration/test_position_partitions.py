# ruff: noqa: F811 - the engine fixture imported from storage_fixtures is redefined as a parameter
"""Position history at a year's scale: monthly partitions on PostgreSQL, retention that keeps what an
incident's replay shows (on PostgreSQL by dropping whole partitions, on SQLite by deleting rows).

What a user notices: a fix is never refused for lack of a partition; after the retention job the old
months are gone from the database, except the tracks of incidents, whose replay still plays.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from dispatch_geo.domain.fleet_csv import load_fleet_csv
from dispatch_geo.domain.values import LonLat
from dispatch_geo.storage import fleet_repo, incident_repo, partitions, position_repo
from dispatch_geo.storage.engine import make_session_factory
from dispatch_geo.storage.models import PositionFixRow
from dispatch_geo.storage.position_repo import PositionFixRecord
from tests.integration.storage_fixtures import engine, migrated_template  # noqa: F401 - fixtures

FLEET_CSV = Path(__file__).resolve().parents[2] / "data" / "siak_fleet_example.csv"
NOW = datetime.now(UTC)
OLD = datetime(NOW.year - 2, NOW.month, 10, 8, 0, tzinfo=UTC)
"""A day two years ago: beyond a 13-month retention."""
SIAK = LonLat(102.05, 0.80)


def _fixes(unit_id: str | None, device: str, start: datetime, minutes: int) -> list[PositionFixRecord]:
    return [
        PositionFixRecord(
            device_id=device,
            unit_id=unit_id,
            fix_time=start + timedelta(minutes=i),
            received_at=start + timedelta(minutes=i, seconds=1),
            position=LonLat(SIAK.lon + i * 1e-4, SIAK.lat),
            source_protocol="owntracks",
        )
        for i in range(minutes)
    ]


def _count(engine: Engine, since: datetime | None = None, until: datetime | None = None) -> int:
    stmt = select(func.count()).select_from(PositionFixRow)
    if since is not None:
        stmt = stmt.where(PositionFixRow.fix_time >= since)
    if until is not None:
        stmt = stmt.where(PositionFixRow.fix_time < until)
    with make_session_factory(engine)() as session:
        return int(session.scalar(stmt) or 0)


@pytest.mark.parametrize("engine", [pytest.param("postgresql", marks=pytest.mark.postgis)], indirect=True)
def test_postgresql_partitions_by_month_and_a_late_fix_finds_its_month(engine: Engine) -> None:
    # PostgreSQL only: SQLite (the embedded demo) stays one table
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        connection = session.connection()
        assert partitions.is_partitioned(connection)
        months = partitions.list_partitions(connection)
        assert partitions.month_start(NOW) in months
        assert partitions.add_months(partitions.month_start(NOW), 3) in months
        # a phone flushing a two-year-old queue: stored (default partition), never refused
        position_repo.add_position_fixes(session, fixes=_fixes(None, "d1", OLD, 30))
        position_repo.add_position_fixes(session, fixes=_fixes(None, "d1", OLD, 3))  # replayed
    assert _count(engine) == 30
    with sessions.begin() as session:
        connection = session.connection()
        in_default = connection.execute(text("SELECT count(*) FROM position_fixes_default")).scalar_one()
        assert in_default == 30
        assert partitions.create_month(connection, partitions.month_start(OLD))
    with engine.connect() as connection:
        name = partitions.partition_name(partitions.month_start(OLD))
        assert connection.execute(text(f"SELECT count(*) FROM {name}")).scalar_one() == 30
        assert connection.execute(text("SELECT count(*) FROM position_fixes_default")).scalar_one() == 0
        plan = "\n".join(
            connection.execute(
                text(
                    "EXPLAIN SELECT * FROM position_fixes WHERE device_id = 'd1' "
                    "AND fix_time >= :a AND fix_time < :b"
                ),
                {"a": OLD, "b": OLD + timedelta(hours=1)},
            ).scalars()
        )
    assert name in plan  # the replay reads one month's partition only
    assert "position_fixes_default" not in plan


def test_retention_drops_old_months_but_keeps_incident_tracks(engine: Engine) -> None:
    sessions = make_session_factory(engine)
    recent = NOW - timedelta(days=2)
    with sessions.begin() as session:
        fleet_repo.import_fleet(session, fleet=load_fleet_csv(FLEET_CSV), at=OLD - timedelta(days=1))
        if engine.dialect.name == "postgresql":
            partitions.create_month(session.connection(), partitions.month_start(OLD))
        incident = incident_repo.create_incident(
            session, incident_type="medical", priority=1, location=SIAK, created_at=OLD, created_by="op"
        )
        incident_repo.assign_unit(session, incident_id=incident.id, unit_id="AMB-SIAK-01", at=OLD, by="op")
        incident_repo.release_assignment(
            session, incident_id=incident.id, unit_id="AMB-SIAK-01", at=OLD + timedelta(minutes=40)
        )
        incident_id = incident.id
        # 3 h of the assigned ambulance around the call, 3 h of another unit, and recent fixes
        position_repo.add_position_fixes(
            session, fixes=_fixes("AMB-SIAK-01", "d1", OLD - timedelta(hours=1), 180)
        )
        position_repo.add_position_fixes(session, fixes=_fixes("AMB-SIAK-02", "d2", OLD, 180))
        position_repo.add_position_fixes(session, fixes=_fixes("AMB-SIAK-01", "d1", recent, 60))
    assert _count(engine) == 420

    with sessions.begin() as session:
        result = partitions.apply_retention(session.connection(), now=NOW, retention_months=13)

    # kept: 5 min before the assignment until 10 min after the release = 55 fixes of AMB-SIAK-01
    window_start, window_end = OLD - timedelta(minutes=5), OLD + timedelta(minutes=50)
    assert result.kept_incident_fixes == 55
    assert result.deleted_fixes == 360 - 55
    assert _count(engine, until=NOW - timedelta(days=30)) == 55
    assert _count(engine, since=window_start, until=window_end) == 55
    assert _count(engine, since=recent) == 60  # the recent month is untouched
    if engine.dialect.name == "postgresql":
        assert result.dropped_partitions == [partitions.partition_name(partitions.month_start(OLD))]
        with engine.connect() as connection:
            assert partitions.month_start(OLD) not in partitions.list_partitions(connection)
    with sessions() as session:  # the replay's query still finds the kept track
        track = position_repo.list_position_fixes(
            session, unit_id="AMB-SIAK-01", since=window_start, until=window_end
        )
        assert len(track) == 55
        assert incident_repo.get_incident(session, incident_id=incident_id).id == incident_id

    with sessions.begin() as session:  # running it again changes nothing
        again = partitions.apply_retention(session.connection(), now=NOW, retention_months=13)
    assert (again.deleted_fixes, again.kept_incident_fixes, again.dropped_partitions) == (0, 55, [])
    assert _count(engine) == 115


def test_retention_refuses_zero_months(engine: Engine) -> None:
    with engine.begin() as connection, pytest.raises(ValueError, match="at least 1 month"):
        partitions.apply_retention(connection, now=NOW, retention_months=0)
