"""Shift services: open a shift (proposed from the shift times), put operators on duty, close it with
its handover, acknowledge. Keyword-only; the caller commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from dispatch_geo.domain.shifts import ShiftSlot, propose_shift
from dispatch_geo.storage import handover_repo, operator_repo, shift_repo
from dispatch_geo.storage.operator_models import AccountEventKind
from dispatch_geo.storage.shift_models import ShiftRow


def open_now(
    session: Session,
    *,
    slots: tuple[ShiftSlot, ...],
    at: datetime,
    by: str,
    username: str | None,
    idle_timeout_s: float,
    name: str | None = None,
    planned_start: datetime | None = None,
    planned_end: datetime | None = None,
) -> ShiftRow:
    """Open a shift named and bounded as proposed for ``at`` (unless given); the opener and everyone
    logged in and active within the idle timeout are on duty in it."""
    proposed = propose_shift(slots, at)
    row = shift_repo.start_shift(
        session,
        name=name or proposed.name,
        planned_start=planned_start or proposed.start,
        planned_end=planned_end or proposed.end,
        at=at,
        by=by,
    )
    for live, account in operator_repo.active_sessions(session, since=at - timedelta(seconds=idle_timeout_s)):
        roles = operator_repo.get_operator(session, username=account.username).roles
        shift_repo.add_member(
            session, shift_id=row.id, username=account.username, desk=live.desk, roles=roles, at=at
        )
    if username is not None:
        _audit(session, AccountEventKind.SHIFT_OPENED, username=username, by=by, at=at, shift=row)
    return row


def join(session: Session, *, username: str, desk: str | None, roles: Iterable[str], at: datetime) -> None:
    """An operator logging in while a shift is open is on duty in it."""
    row = shift_repo.open_shift(session)
    if row is not None:
        shift_repo.add_member(session, shift_id=row.id, username=username, desk=desk, roles=roles, at=at)


def close_with_handover(
    session: Session,
    *,
    shift_id: int,
    notes: str,
    at: datetime,
    by: str,
    username: str | None,
    stale_after_s: float,
) -> ShiftRow:
    """Close the shift, freezing its handover summary (see :mod:`dispatch_geo.storage.handover_repo`)."""
    row = shift_repo.get_shift(session, shift_id=shift_id)
    summary = handover_repo.handover_summary(
        session, start=row.opened_at, end=at, stale_after_s=stale_after_s
    )
    row = shift_repo.close_shift(session, shift_id=shift_id, notes=notes, summary=summary, at=at, by=by)
    if username is not None:
        _audit(session, AccountEventKind.SHIFT_CLOSED, username=username, by=by, at=at, shift=row)
    return row


def acknowledge(session: Session, *, shift_id: int, at: datetime, by: str, username: str) -> ShiftRow:
    """The incoming supervisor acknowledges the handover (audited)."""
    row = shift_repo.acknowledge(session, shift_id=shift_id, at=at, by=by, by_username=username)
    _audit(session, AccountEventKind.HANDOVER_ACKNOWLEDGED, username=username, by=by, at=at, shift=row)
    return row


def _audit(
    session: Session, kind: AccountEventKind, *, username: str, by: str, at: datetime, shift: ShiftRow
) -> None:
    operator_repo.record_account_event(
        session, kind=kind, username=username, by=by, at=at, detail={"shift_id": shift.id, "name": shift.name}
    )
