"""Shifts and handovers: the shift open now, open (supervisor), close with the handover (supervisor),
the handover summary (any person), acknowledge it (the incoming supervisor; audited)."""

from __future__ import annotations

from fastapi import APIRouter, Path
from sqlalchemy.orm import Session

from dispatch_geo.dispatch import shifts as shift_service
from dispatch_geo.domain.shifts import parse_shift_times, propose_shift
from dispatch_geo.storage import handover_repo, shift_repo
from dispatch_geo.storage.shift_models import ShiftRow
from siaga.api import operator_schemas as s
from siaga.api.deps import PersonDep, SessionDep, StateDep, SupervisorDep, now_utc

router = APIRouter(tags=["shifts"])
ShiftId = Path(ge=1, le=2**62, description="shift number")


def shift_out(session: Session, row: ShiftRow) -> s.ShiftOut:
    members = shift_repo.list_members(session, shift_id=row.id)
    return s.ShiftOut(
        id=row.id,
        name=row.name,
        planned_start=row.planned_start,
        planned_end=row.planned_end,
        opened_at=row.opened_at,
        opened_by=row.opened_by,
        closed_at=row.closed_at,
        closed_by=row.closed_by,
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=row.acknowledged_by,
        members=[
            s.MemberOut(username=m.username, desk=m.desk, roles=list(m.roles), joined_at=m.joined_at)
            for m in members
        ],
    )


@router.get(
    "/shifts/current", response_model=s.CurrentShiftOut, summary="The shift open now, and the last one"
)
def current_shift(session: SessionDep, state: StateDep, _: PersonDep) -> s.CurrentShiftOut:
    now = now_utc()
    proposed = propose_shift(parse_shift_times(state.settings.shift_times), now)
    row = shift_repo.open_shift(session)
    last_closed = next((r for r in shift_repo.list_shifts(session, limit=5) if r.closed_at is not None), None)
    return s.CurrentShiftOut(
        shift=None if row is None else shift_out(session, row),
        proposed={"name": proposed.name, "start": proposed.start, "end": proposed.end},
        last_closed=None if last_closed is None else shift_out(session, last_closed),
    )


@router.post(
    "/shifts",
    status_code=201,
    response_model=s.ShiftOut,
    summary="Open a shift (supervisor): name and bounds proposed from SIAGA_SHIFT_TIMES unless given",
)
def open_shift(body: s.ShiftOpenIn, session: SessionDep, state: StateDep, who: SupervisorDep) -> s.ShiftOut:
    row = shift_service.open_now(
        session,
        slots=parse_shift_times(state.settings.shift_times),
        at=now_utc(),
        by=who.name,
        username=who.username or who.name,
        idle_timeout_s=state.settings.session_idle_timeout_s,
        name=body.name,
        planned_start=body.planned_start,
        planned_end=body.planned_end,
    )
    session.commit()
    return shift_out(session, row)


@router.post(
    "/shifts/{shift_id}/close",
    response_model=s.HandoverOut,
    summary="Close the shift with the outgoing supervisor's notes; the handover summary is frozen",
)
def close_shift(
    body: s.ShiftCloseIn, session: SessionDep, state: StateDep, who: SupervisorDep, shift_id: int = ShiftId
) -> s.HandoverOut:
    shift_service.close_with_handover(
        session,
        shift_id=shift_id,
        notes=body.notes,
        at=now_utc(),
        by=who.name,
        username=who.username or who.name,
        stale_after_s=state.settings.stale_after_s,
    )
    session.commit()
    return handover(session, state, shift_id)


@router.get(
    "/shifts/{shift_id}/handover",
    response_model=s.HandoverOut,
    summary="The handover of a shift: frozen at close; for an open shift, as it would be now",
)
def get_handover(
    session: SessionDep, state: StateDep, _: PersonDep, shift_id: int = ShiftId
) -> s.HandoverOut:
    return handover(session, state, shift_id)


def handover(session: Session, state: StateDep, shift_id: int) -> s.HandoverOut:
    row = shift_repo.get_shift(session, shift_id=shift_id)
    summary = row.summary
    if summary is None:
        summary = handover_repo.handover_summary(
            session, start=row.opened_at, end=now_utc(), stale_after_s=state.settings.stale_after_s
        )
    return s.HandoverOut(
        shift=shift_out(session, row),
        notes=row.handover_notes,
        frozen=row.summary is not None,
        summary=summary,
    )


@router.post(
    "/shifts/{shift_id}/acknowledge",
    response_model=s.ShiftOut,
    summary="The incoming supervisor acknowledges the handover (once; audited)",
)
def acknowledge(session: SessionDep, who: SupervisorDep, shift_id: int = ShiftId) -> s.ShiftOut:
    row = shift_service.acknowledge(
        session, shift_id=shift_id, at=now_utc(), by=who.name, username=who.username or who.name
    )
    session.commit()
    return shift_out(session, row)
