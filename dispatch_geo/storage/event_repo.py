"""Repository for incident events (creation, lifecycle status changes, edits) and notes. Never commits."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch_geo.domain.incidents import IncidentStatus
from dispatch_geo.domain.values import require_aware
from dispatch_geo.storage.event_models import IncidentEventKind, IncidentEventRow, IncidentNoteRow


def record_event(
    session: Session,
    *,
    incident_id: int,
    kind: IncidentEventKind,
    at: datetime,
    by: str,
    from_status: IncidentStatus | None = None,
    to_status: IncidentStatus | None = None,
    detail: Mapping[str, Any] | None = None,
) -> IncidentEventRow:
    """Append one event to the incident's log."""
    row = IncidentEventRow(
        incident_id=incident_id,
        kind=IncidentEventKind(kind),
        at=require_aware(at, "event time"),
        by=by,
        from_status=from_status,
        to_status=to_status,
        detail=dict(detail or {}),
    )
    session.add(row)
    session.flush()
    return row


def list_events(session: Session, *, incident_id: int) -> list[IncidentEventRow]:
    """The incident's events, oldest first."""
    stmt = (
        select(IncidentEventRow)
        .where(IncidentEventRow.incident_id == incident_id)
        .order_by(IncidentEventRow.at, IncidentEventRow.id)
    )
    return list(session.scalars(stmt))


def add_note(session: Session, *, incident_id: int, text: str, at: datetime, by: str) -> IncidentNoteRow:
    """Append a dispatcher's note to the incident."""
    row = IncidentNoteRow(incident_id=incident_id, text=text, at=require_aware(at, "note time"), by=by)
    session.add(row)
    session.flush()
    return row


def list_notes(session: Session, *, incident_id: int) -> list[IncidentNoteRow]:
    """The incident's notes, oldest first."""
    stmt = (
        select(IncidentNoteRow)
        .where(IncidentNoteRow.incident_id == incident_id)
        .order_by(IncidentNoteRow.at, IncidentNoteRow.id)
    )
    return list(session.scalars(stmt))
