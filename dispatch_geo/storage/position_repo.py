"""Repository for the GPS fix history (``position_fixes``).

Fixes are written in batches (one multi-row ``INSERT`` per batch through SQLAlchemy's
``insertmanyvalues``). A fix already stored for the same device and fix time is skipped
(``ON CONFLICT DO NOTHING``): MQTT retained messages and phone queues replay fixes, and replays must
be harmless. Never commits; the ingest loop owns the transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from dispatch_geo.domain.values import LonLat, require_aware
from dispatch_geo.errors import InputError
from dispatch_geo.storage.models import PositionFixRow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PositionFixRecord:
    """One fix to store. ``fix_time`` is when the GPS took it, ``received_at`` when the server got it."""

    device_id: str
    fix_time: datetime
    received_at: datetime
    position: LonLat
    source_protocol: str
    unit_id: str | None = None
    speed_kph: float | None = None
    course_deg: float | None = None
    accuracy_m: float | None = None
    altitude_m: float | None = None
    flags: tuple[str, ...] = field(default=())

    def as_row(self) -> dict[str, Any]:
        """Column values for an ``INSERT``."""
        require_aware(self.fix_time, f"fix time of device {self.device_id}")
        require_aware(self.received_at, f"receive time of device {self.device_id}")
        if not isinstance(self.position, LonLat):
            raise InputError(f"fix of device {self.device_id}: position must be a LonLat")
        return {
            "device_id": self.device_id,
            "unit_id": self.unit_id,
            "fix_time": self.fix_time,
            "received_at": self.received_at,
            "position": self.position,
            "speed_kph": self.speed_kph,
            "course_deg": self.course_deg,
            "accuracy_m": self.accuracy_m,
            "altitude_m": self.altitude_m,
            "source_protocol": self.source_protocol,
            "flags": list(self.flags),
        }


def _insert_ignoring_duplicates(dialect_name: str) -> Insert:
    table = PositionFixRow.__table__
    assert isinstance(table, Table)
    if dialect_name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=["device_id", "fix_time"])
    if dialect_name == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=["device_id", "fix_time"])
    raise InputError(f"database dialect {dialect_name!r} is not supported (PostgreSQL or SQLite)")


def add_position_fixes(session: Session, *, fixes: Sequence[PositionFixRecord]) -> None:
    """Insert ``fixes`` in one batch; fixes already stored (same device and fix time) are skipped.

    Every record is checked before anything is sent, so a bad record leaves the batch unwritten.
    """
    if not fixes:
        return
    rows = [fix.as_row() for fix in fixes]
    stmt = _insert_ignoring_duplicates(session.get_bind().dialect.name)
    session.execute(stmt, rows)
    log.debug("stored up to %d position fixes", len(rows))


def list_position_fixes(
    session: Session,
    *,
    unit_id: str | None = None,
    device_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
) -> list[PositionFixRow]:
    """Stored fixes of a unit and/or device within ``[since, until)``, ordered by fix time."""
    stmt = select(PositionFixRow).order_by(PositionFixRow.fix_time, PositionFixRow.id)
    if unit_id is not None:
        stmt = stmt.where(PositionFixRow.unit_id == unit_id)
    if device_id is not None:
        stmt = stmt.where(PositionFixRow.device_id == device_id)
    if since is not None:
        stmt = stmt.where(PositionFixRow.fix_time >= require_aware(since))
    if until is not None:
        stmt = stmt.where(PositionFixRow.fix_time < require_aware(until))
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def latest_fix(session: Session, *, device_id: str) -> PositionFixRow | None:
    """The stored fix of ``device_id`` with the newest fix time, or None."""
    stmt = (
        select(PositionFixRow)
        .where(PositionFixRow.device_id == device_id)
        .order_by(PositionFixRow.fix_time.desc(), PositionFixRow.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).one_or_none()
