"""Road closures (banjir): list (readers), close roads and lift a closure (dispatcher, admin).

Closing and lifting are supervisor-level actions; until the supervisor role exists they are allowed
to dispatchers and admins (the closure records who did it and when).
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query, status

from dispatch_geo.dispatch.closures import close_roads, closure_lines, lift_closure, sync_closures
from dispatch_geo.dispatch.context import GeoContext
from dispatch_geo.domain.values import LonLat
from dispatch_geo.storage import closure_repo
from dispatch_geo.storage.closure_models import RoadClosureRow
from siaga.api.closure_schemas import ClosureCreate, ClosureId, ClosureList, ClosureOut
from siaga.api.deps import DispatcherDep, OperationsReaderDep, SessionDep, StateDep, now_utc

router = APIRouter(tags=["closures"])


def closure_out(row: RoadClosureRow, geo: GeoContext, *, now: datetime) -> ClosureOut:
    return ClosureOut(
        id=row.id,
        reason=row.reason,
        created_at=row.created_at,
        created_by=row.created_by,
        expires_at=row.expires_at,
        lifted_at=row.lifted_at,
        lifted_by=row.lifted_by,
        active=row.lifted_at is None and row.expires_at > now,
        roads=len(row.edges),
        lines=closure_lines(geo.road, row.edges),
        area=row.area,
        **geo.graph_flags(),
    )


@router.get("/closures", response_model=ClosureList, summary="Road closures (active, or the latest 200)")
def list_closures(
    session: SessionDep,
    state: StateDep,
    _: OperationsReaderDep,
    include_inactive: bool = Query(default=False, description="also lifted and expired ones (newest first)"),
) -> ClosureList:
    now = now_utc()
    sync_closures(session, state.geo, now=now)
    rows = (
        closure_repo.list_recent(session) if include_inactive else closure_repo.list_active(session, now=now)
    )
    return ClosureList(
        closures=[closure_out(r, state.geo, now=now) for r in rows],
        mode="all" if include_inactive else "active",
    )


@router.post(
    "/closures",
    status_code=status.HTTP_201_CREATED,
    response_model=ClosureOut,
    summary="Close roads at clicked points or inside a drawn area (dispatcher, admin)",
)
def create_closure(
    body: ClosureCreate, session: SessionDep, state: StateDep, who: DispatcherDep
) -> ClosureOut:
    now = now_utc()
    row = close_roads(
        session,
        state.geo,
        reason=body.reason,
        expires_at=body.expires_at,
        points=[LonLat(p.lon, p.lat) for p in body.points or []],
        area=body.area.model_dump() if body.area is not None else None,
        by=who.name,
        now=now,
    )
    session.commit()
    return closure_out(row, state.geo, now=now)


@router.post(
    "/closures/{closure_id}/lift",
    response_model=ClosureOut,
    summary="Lift a road closure: its roads get their travel times back (dispatcher, admin)",
)
def lift(closure_id: ClosureId, session: SessionDep, state: StateDep, who: DispatcherDep) -> ClosureOut:
    now = now_utc()
    row = lift_closure(session, state.geo, closure_id=closure_id, by=who.name, now=now)
    session.commit()
    return closure_out(row, state.geo, now=now)
