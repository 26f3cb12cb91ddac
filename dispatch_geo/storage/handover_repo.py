"""The facts of a shift's handover, read from the incident and fleet tables. Never commits.

:func:`handover_summary` returns plain JSON (codes, ids, ISO times in UTC), frozen into the shift row at
close; the console translates and shows it in WIB. What it lists:

- ``opened``: incidents created during the shift; ``closed``: closed or cancelled during it;
- ``still_open``: incidents open at the moment of the summary, with status and assigned units;
- ``p1``: priority-1 incidents created during the shift or still open, with their times (call received,
  created, first unit assigned, first unit on scene, closed);
- ``out_of_service``: units out of service; ``stale``: units with a device whose last fix is missing
  or older than the stale limit.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dispatch_geo.domain.incidents import IncidentStatus
from dispatch_geo.domain.units import UnitStatus
from dispatch_geo.domain.values import require_aware
from dispatch_geo.storage.models import AssignmentRow, IncidentRow, UnitRow, UnitStatusChangeRow

OPEN = (IncidentStatus.NEW, IncidentStatus.DISPATCHED, IncidentStatus.ON_SCENE)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _units_by_incident(session: Session, incident_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    if not incident_ids:
        return {}
    stmt = (
        select(AssignmentRow, UnitRow.status)
        .join(UnitRow, UnitRow.id == AssignmentRow.unit_id)
        .where(AssignmentRow.incident_id.in_(incident_ids))
        .order_by(AssignmentRow.assigned_at, AssignmentRow.id)
    )
    units: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for assignment, unit_status in session.execute(stmt).all():
        units[assignment.incident_id].append(
            {
                "unit_id": assignment.unit_id,
                "assigned_at": _iso(assignment.assigned_at),
                "released": assignment.released_at is not None,
                "status": str(unit_status) if assignment.released_at is None else None,
            }
        )
    return units


def _first_on_scene(session: Session, incident_ids: list[int]) -> dict[int, datetime]:
    if not incident_ids:
        return {}
    stmt = (
        select(UnitStatusChangeRow.incident_id, UnitStatusChangeRow.changed_at)
        .where(
            UnitStatusChangeRow.incident_id.in_(incident_ids),
            UnitStatusChangeRow.to_status == UnitStatus.ON_SCENE,
        )
        .order_by(UnitStatusChangeRow.changed_at)
    )
    first: dict[int, datetime] = {}
    for incident_id, at in session.execute(stmt).all():
        if incident_id is not None:
            first.setdefault(incident_id, at)
    return first


def _incident(row: IncidentRow, units: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": row.id,
        "incident_type": str(row.incident_type),
        "priority": row.priority,
        "status": str(row.status),
        "desa": row.desa_nama,
        "kecamatan": row.kecamatan_nama,
        "created_at": _iso(row.created_at),
        "created_by": row.created_by,
        "closed_at": _iso(row.closed_at),
        "units": units,
    }


def handover_summary(
    session: Session, *, start: datetime, end: datetime, stale_after_s: float
) -> dict[str, Any]:
    """What happened between ``start`` and ``end`` and what the next shift inherits (module docstring)."""
    start, end = require_aware(start, "shift start"), require_aware(end, "shift end")
    stmt = (
        select(IncidentRow)
        .where(
            or_(
                IncidentRow.created_at.between(start, end),
                IncidentRow.closed_at.between(start, end),
                IncidentRow.status.in_(OPEN),
            )
        )
        .order_by(IncidentRow.created_at, IncidentRow.id)
    )
    rows = list(session.scalars(stmt))
    ids = [r.id for r in rows]
    units = _units_by_incident(session, ids)
    on_scene = _first_on_scene(session, ids)
    opened, closed, still_open, p1 = [], [], [], []
    for row in rows:
        item = _incident(row, units.get(row.id, []))
        created_here = start <= row.created_at <= end
        if created_here:
            opened.append(item)
        if row.closed_at is not None and start <= row.closed_at <= end:
            closed.append(item)
        if row.status in OPEN:
            still_open.append(item)
        if row.priority == 1 and (created_here or row.status in OPEN):
            first_assigned = min((u["assigned_at"] for u in item["units"]), default=None)
            p1.append(
                {
                    **item,
                    "call_received_at": _iso(row.call_received_at),
                    "first_assigned_at": first_assigned,
                    "first_on_scene_at": _iso(on_scene.get(row.id)),
                }
            )
    return {
        "start": _iso(start),
        "end": _iso(end),
        "opened": opened,
        "closed": closed,
        "still_open": still_open,
        "p1": p1,
        "out_of_service": _out_of_service(session),
        "stale": _stale(session, at=end, stale_after_s=stale_after_s),
        "stale_after_s": stale_after_s,
    }


def _out_of_service(session: Session) -> list[dict[str, Any]]:
    stmt = select(UnitRow).where(UnitRow.status == UnitStatus.OUT_OF_SERVICE).order_by(UnitRow.id)
    return [
        {"unit_id": u.id, "unit_type": str(u.unit_type), "since": _iso(u.status_changed_at)}
        for u in session.scalars(stmt)
    ]


def _stale(session: Session, *, at: datetime, stale_after_s: float) -> list[dict[str, Any]]:
    limit = at - timedelta(seconds=stale_after_s)
    stmt = (
        select(UnitRow)
        .where(
            UnitRow.device_id.is_not(None),
            UnitRow.status != UnitStatus.OUT_OF_SERVICE,
            or_(UnitRow.last_fix_time.is_(None), UnitRow.last_fix_time < limit),
        )
        .order_by(UnitRow.id)
    )
    return [
        {"unit_id": u.id, "device_id": u.device_id, "last_fix_time": _iso(u.last_fix_time)}
        for u in session.scalars(stmt)
    ]
