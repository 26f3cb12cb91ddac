"""Repository of what the device health screen shows: per paired unit, today's stored fixes, and what
the ingest saw of its device (battery, clock, rejected fixes: :func:`record_health`).

Keyword-only, takes a session, never commits. "Today" starts at midnight WIB; fixes are counted by
their GPS time (the ``(unit_id, fix_time)`` index), the last one tells the app that sent it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch_geo.domain.values import require_aware
from dispatch_geo.storage.health_models import DeviceHealthRow
from dispatch_geo.storage.models import ID_LENGTH, PositionFixRow, UnitRow


@dataclass(frozen=True)
class FixesToday:
    """Fixes stored for one unit since ``since``: how many, the last one received and its protocol."""

    unit_id: str
    count: int
    last_received_at: datetime
    last_protocol: str
    last_device_id: str


def fixes_since(session: Session, *, since: datetime) -> dict[str, FixesToday]:
    """``{unit_id: FixesToday}`` for units with at least one fix whose GPS time is at or after ``since``."""
    since = require_aware(since, "since")
    counts = session.execute(
        select(PositionFixRow.unit_id, func.count(), func.max(PositionFixRow.fix_time))
        .where(PositionFixRow.fix_time >= since, PositionFixRow.unit_id.is_not(None))
        .group_by(PositionFixRow.unit_id)
    ).all()
    out = {}
    for unit_id, count, last_fix in counts:
        last = session.execute(
            select(PositionFixRow.received_at, PositionFixRow.source_protocol, PositionFixRow.device_id)
            .where(PositionFixRow.unit_id == unit_id, PositionFixRow.fix_time == last_fix)
            .limit(1)
        ).one()
        out[str(unit_id)] = FixesToday(str(unit_id), int(count), last[0], str(last[1]), str(last[2]))
    return out


# -- what the ingest saw of each device (battery, clock, rejections) ---------------------------------


@dataclass(frozen=True)
class HealthDelta:
    """What one ingest process saw of one unit's device since its last flush.

    The newest values (by server receive time) of the battery and the clock offset, and the rejected
    fixes: how many, the last one's reason and time.
    """

    unit_id: str
    device_id: str
    app: str
    last_message_at: datetime
    battery_pct: float | None = None
    battery_at: datetime | None = None
    clock_ahead_s: float | None = None
    rejected: int = 0
    last_rejection_reason: str | None = None
    last_rejection_at: datetime | None = None


def record_health(session: Session, *, deltas: Iterable[HealthDelta], day: date) -> None:
    """Add ``deltas`` to the units' health rows; ``day`` is today in WIB (the rejection count restarts
    each day). A unit whose device changed starts a fresh row. Units deleted meanwhile are skipped.

    The rows are read (and locked, in unit order) in one query and written in one flush: a fleet's
    worth of devices every few seconds, not two round trips per device."""
    deltas = list(deltas)
    wanted = sorted({d.unit_id for d in deltas})
    locked = select(DeviceHealthRow).where(DeviceHealthRow.unit_id.in_(wanted))
    rows = {r.unit_id: r for r in session.scalars(locked.order_by(DeviceHealthRow.unit_id).with_for_update())}
    for d in deltas:
        row = rows.get(d.unit_id)
        device_id = d.device_id[:ID_LENGTH]
        if row is None or row.device_id != device_id:
            if session.get(UnitRow, d.unit_id) is None:
                continue
            if row is None:
                row = rows[d.unit_id] = DeviceHealthRow(unit_id=d.unit_id)
                session.add(row)
            row.device_id = device_id
            row.app = d.app[:ID_LENGTH]
            row.last_message_at = d.last_message_at
            row.battery_pct = row.battery_at = row.clock_ahead_s = None
            row.day, row.rejected_today = day, 0
            row.last_rejection_reason = row.last_rejection_at = None
        if row.day != day:
            row.day, row.rejected_today = day, 0
        if d.last_message_at >= row.last_message_at:
            row.last_message_at = d.last_message_at
            row.app = d.app[:ID_LENGTH]
            if d.clock_ahead_s is not None:
                row.clock_ahead_s = d.clock_ahead_s
        if d.battery_at is not None and (row.battery_at is None or d.battery_at >= row.battery_at):
            row.battery_pct, row.battery_at = d.battery_pct, d.battery_at
        row.rejected_today += d.rejected
        if d.last_rejection_at is not None and (
            row.last_rejection_at is None or d.last_rejection_at >= row.last_rejection_at
        ):
            row.last_rejection_at = d.last_rejection_at
            row.last_rejection_reason = (d.last_rejection_reason or "")[:ID_LENGTH]
    session.flush()


def health_by_unit(session: Session, *, day: date) -> dict[str, DeviceHealthRow]:
    """``{unit_id: row}``; a row last written on an earlier day counts no rejections today."""
    rows = session.scalars(select(DeviceHealthRow)).all()
    for row in rows:
        if row.day != day:
            session.expunge(row)  # shown as of today, never written back
            row.rejected_today = 0
    return {row.unit_id: row for row in rows}
