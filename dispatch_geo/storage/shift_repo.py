"""Repository for shifts and their members. Keyword-only, never commits.

At most one shift is open at a time: opening a second one is a :class:`ConflictError` naming the open one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch_geo.domain.values import require_aware
from dispatch_geo.errors import ConflictError, InputError, NotFoundError
from dispatch_geo.storage.shift_models import ShiftMemberRow, ShiftRow

log = logging.getLogger(__name__)

HANDOVER_NOTES_MAX_LENGTH = 4000


def open_shift(session: Session) -> ShiftRow | None:
    """The shift open now, or None."""
    stmt = select(ShiftRow).where(ShiftRow.closed_at.is_(None)).order_by(ShiftRow.opened_at.desc()).limit(1)
    return session.scalars(stmt).first()


def get_shift(session: Session, *, shift_id: int) -> ShiftRow:
    row = session.get(ShiftRow, shift_id)
    if row is None:
        raise NotFoundError(f"no shift #{shift_id}").coded("shift_not_found", shift_id=shift_id)
    return row


def list_shifts(session: Session, *, limit: int = 20) -> list[ShiftRow]:
    stmt = select(ShiftRow).order_by(ShiftRow.opened_at.desc(), ShiftRow.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def start_shift(
    session: Session, *, name: str, planned_start: datetime, planned_end: datetime, at: datetime, by: str
) -> ShiftRow:
    """Open a shift; :class:`ConflictError` (``shift_already_open``) while another one is open."""
    current = open_shift(session)
    if current is not None:
        raise ConflictError(
            f"shift #{current.id} ({current.name}) is still open: close it with its handover first"
        ).coded("shift_already_open", shift_id=current.id, name=current.name)
    if require_aware(planned_end) <= require_aware(planned_start):
        raise InputError("a shift must end after it starts").coded("shift_bounds")
    row = ShiftRow(
        name=name.strip()[:32] or "-",
        planned_start=planned_start,
        planned_end=planned_end,
        opened_at=require_aware(at),
        opened_by=by,
    )
    session.add(row)
    session.flush()
    log.info("shift #%s %s opened by %s", row.id, row.name, by)
    return row


def add_member(
    session: Session, *, shift_id: int, username: str, desk: str | None, roles: Iterable[str], at: datetime
) -> ShiftMemberRow:
    """Put ``username`` on duty in the shift (the first join is kept; a later desk is recorded)."""
    row = session.get(ShiftMemberRow, (shift_id, username))
    if row is None:
        row = ShiftMemberRow(
            shift_id=shift_id, username=username, desk=desk, roles=sorted(roles), joined_at=require_aware(at)
        )
        session.add(row)
    elif desk and row.desk != desk:
        row.desk = desk
    session.flush()
    return row


def list_members(session: Session, *, shift_id: int) -> list[ShiftMemberRow]:
    stmt = (
        select(ShiftMemberRow)
        .where(ShiftMemberRow.shift_id == shift_id)
        .order_by(ShiftMemberRow.joined_at, ShiftMemberRow.username)
    )
    return list(session.scalars(stmt))


def close_shift(
    session: Session, *, shift_id: int, notes: str, summary: dict[str, Any], at: datetime, by: str
) -> ShiftRow:
    """Close the open shift with its frozen handover ``summary`` and the outgoing supervisor's ``notes``."""
    row = get_shift(session, shift_id=shift_id)
    if row.closed_at is not None:
        raise ConflictError(f"shift #{shift_id} is already closed").coded("shift_closed", shift_id=shift_id)
    if len(notes) > HANDOVER_NOTES_MAX_LENGTH:
        raise InputError(f"handover notes may have at most {HANDOVER_NOTES_MAX_LENGTH} characters")
    row.closed_at = require_aware(at)
    row.closed_by = by
    row.handover_notes = notes.strip()
    row.summary = summary
    session.flush()
    log.info("shift #%s closed by %s", shift_id, by)
    return row


def acknowledge(session: Session, *, shift_id: int, at: datetime, by: str, by_username: str) -> ShiftRow:
    """The incoming supervisor acknowledges the handover (once; not the one who closed the shift)."""
    row = get_shift(session, shift_id=shift_id)
    if row.closed_at is None:
        raise ConflictError(f"shift #{shift_id} is still open: its handover is written at close").coded(
            "shift_not_closed", shift_id=shift_id
        )
    if row.acknowledged_at is not None:
        raise ConflictError(f"the handover of shift #{shift_id} was already acknowledged").coded(
            "handover_already_acknowledged", shift_id=shift_id, by=row.acknowledged_by or ""
        )
    if row.closed_by is not None and row.closed_by.split("@")[0] == by_username:
        raise ConflictError("the supervisor who wrote the handover cannot acknowledge it").coded(
            "handover_own", shift_id=shift_id
        )
    row.acknowledged_at = require_aware(at)
    row.acknowledged_by = by
    session.flush()
    return row
