"""Repository for the GPS fix history (``position_fixes``).

Fixes are written in batches: on PostgreSQL through ``COPY`` into a staging table (batches of
:data:`COPY_THRESHOLD` or more), otherwise one multi-row ``INSERT`` through SQLAlchemy's
``insertmanyvalues``. A fix already stored for the same device and fix time is skipped
(``ON CONFLICT DO NOTHING``): MQTT retained messages and phone queues replay fixes, and replays must
be harmless. Never commits; the ingest loop owns the transaction.
"""

from __future__ import annotations

import json
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
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql" and len(rows) >= COPY_THRESHOLD:
        _copy_postgresql(session, rows)
    else:
        session.execute(_insert_ignoring_duplicates(dialect), rows)
    log.debug("stored up to %d position fixes", len(rows))


COPY_THRESHOLD = 20
"""From this batch size on, PostgreSQL gets the rows through ``COPY`` (far less client CPU)."""

_COPY_COLUMNS = (
    "device_id",
    "unit_id",
    "fix_time",
    "received_at",
    "position",
    "speed_kph",
    "course_deg",
    "accuracy_m",
    "altitude_m",
    "source_protocol",
    "flags",
)


def _copy_postgresql(session: Session, rows: list[dict[str, Any]]) -> None:
    """COPY into a transaction-local staging table, then one INSERT ... ON CONFLICT DO NOTHING.

    Runs on the session's own connection, so it is part of the caller's transaction.
    """
    raw = session.connection().connection.driver_connection
    if raw is None:
        raise InputError("the PostgreSQL connection is closed")
    columns = ", ".join(_COPY_COLUMNS)
    with raw.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS position_fixes_staging "
            "(LIKE position_fixes INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        with cur.copy(f"COPY position_fixes_staging ({columns}) FROM STDIN") as copy:
            for row in rows:
                position = row["position"]
                copy.write_row(
                    (
                        row["device_id"],
                        row["unit_id"],
                        row["fix_time"],
                        row["received_at"],
                        f"SRID=4326;POINT({position.lon!r} {position.lat!r})",
                        row["speed_kph"],
                        row["course_deg"],
                        row["accuracy_m"],
                        row["altitude_m"],
                        row["source_protocol"],
                        json.dumps(row["flags"]),
                    )
                )
        cur.execute(
            f"INSERT INTO position_fixes ({columns}) SELECT {columns} FROM position_fixes_staging "
            "ON CONFLICT (device_id, fix_time) DO NOTHING"
        )
        cur.execute("DELETE FROM position_fixes_staging")


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
