"""Times are ordered after the row locks (issue 10, finding 7), on PostGIS and SQLite.

Requests read the clock before they wait for locks, so a writer can carry an older time than the
change it waited for. Repositories record every change no earlier than the locked row's last one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dispatch_geo.domain.fleet_csv import load_fleet_csv
from dispatch_geo.domain.incidents import IncidentStatus, IncidentType
from dispatch_geo.domain.units import UnitStatus
from dispatch_geo.domain.values import LonLat
from dispatch_geo.storage import fleet_repo, incident_repo
from dispatch_geo.storage.engine import make_engine, make_session_factory
from dispatch_geo.storage.migrate import upgrade_to_head

FLEET_CSV = Path(__file__).resolve().parents[2] / "data" / "siak_fleet_example.csv"
T0 = datetime(2025, 3, 1, 1, 0, tzinfo=UTC)
SIAK_TOWN = LonLat(102.05, 0.80)


@pytest.fixture
def seeded(db_url: str) -> Iterator[Engine]:
    """A migrated database with the shipped Siak fleet."""
    engine = make_engine(db_url)
    if db_url.startswith("sqlite"):
        upgrade_to_head(engine)
    with make_session_factory(engine).begin() as session:
        fleet_repo.import_fleet(session, fleet=load_fleet_csv(FLEET_CSV), at=T0)
    yield engine
    engine.dispose()


def test_a_change_whose_time_was_read_before_the_lock_is_never_recorded_before_the_last_change(
    seeded: Engine,
) -> None:
    """Issue 10, finding 7: a cancel that read the clock, then waited for a racing assignment's locks,
    released the assignment before it was made (check constraint → 500). Deterministic here: the
    cancel's time is simply earlier than the assignment's."""
    sessions = make_session_factory(seeded)
    assigned_at, cancel_read_at = T0 + timedelta(seconds=10), T0 + timedelta(seconds=5)
    with sessions.begin() as session:
        incident_id = incident_repo.create_incident(
            session, incident_type=IncidentType.MEDICAL, priority=1, location=SIAK_TOWN, created_at=T0,
            created_by="op-1",
        ).id  # fmt: skip
        incident_repo.assign_unit(
            session, incident_id=incident_id, unit_id="AMB-SIAK-01", at=assigned_at, by="op-1"
        )
    with sessions.begin() as session:
        fleet_repo.change_unit_status(
            session, unit_id="AMB-SIAK-01", new_status=UnitStatus.AVAILABLE, at=cancel_read_at, by="op-2"
        )
        released = incident_repo.release_assignment(
            session, incident_id=incident_id, unit_id="AMB-SIAK-01", at=cancel_read_at
        )
        closed = incident_repo.change_incident_status(
            session,
            incident_id=incident_id,
            new_status=IncidentStatus.CANCELLED,
            at=T0 - timedelta(seconds=1),
        )
    assert released.released_at == assigned_at
    assert closed.closed_at == T0
    with Session(seeded) as session:
        changes = fleet_repo.list_status_changes(session, unit_id="AMB-SIAK-01")
    assert [(c.to_status, c.changed_at) for c in changes] == [
        (UnitStatus.DISPATCHED, assigned_at),
        (UnitStatus.AVAILABLE, assigned_at),
    ]
