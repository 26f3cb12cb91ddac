"""Repository of what the device health screen shows: per paired unit, today's stored fixes.

Keyword-only, takes a session, never commits. "Today" starts at midnight WIB; fixes are counted by
their GPS time (the ``(unit_id, fix_time)`` index), the last one tells the app that sent it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch_geo.domain.values import require_aware
from dispatch_geo.storage.models import PositionFixRow


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
