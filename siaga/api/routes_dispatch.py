"""Recommendations, assignments and the timeline of an incident."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from dispatch_geo.dispatch import assign as assign_service
from dispatch_geo.dispatch import recommend as recommend_service
from dispatch_geo.dispatch.timeline import incident_timeline
from dispatch_geo.dispatch.unit_route import route_to_incident
from dispatch_geo.storage import incident_repo
from siaga.api import convert, dispatch_schemas, schemas
from siaga.api.deps import DispatcherDep, OperationsReaderDep, SessionDep, StateDep, now_utc
from siaga.api.schemas import IncidentId

router = APIRouter(tags=["dispatch"])

CONFLICT: dict[int | str, dict[str, Any]] = {
    status.HTTP_409_CONFLICT: {"description": "the unit is held by another incident, or busy"}
}


@router.post(
    "/incidents/{incident_id}/recommendations",
    response_model=dispatch_schemas.RecommendationOut,
    summary="Rank the nearest available units per outstanding requirement (audited)",
)
def recommend(
    incident_id: IncidentId,
    session: SessionDep,
    state: StateDep,
    who: DispatcherDep,
    body: dispatch_schemas.RecommendationRequest | None = None,
) -> dispatch_schemas.RecommendationOut:
    result = recommend_service.recommend_for_incident(
        session,
        geo=state.geo,
        incident_id=incident_id,
        at=now_utc(),
        by=who.name,
        k=None if body is None else body.k,
        unit_types=None if body is None else body.unit_types,
        all_routes=body is not None and body.routes == "all",
    )
    session.commit()
    return convert.recommendation_out(result)


@router.get(
    "/incidents/{incident_id}/routes/{unit_id}",
    response_model=dispatch_schemas.UnitRouteOut,
    summary="One unit's road route to the incident, from its last fix (routes on demand)",
)
def unit_route(
    incident_id: IncidentId,
    unit_id: schemas.UnitIdPath,
    session: SessionDep,
    state: StateDep,
    _: OperationsReaderDep,
) -> dispatch_schemas.UnitRouteOut:
    found = route_to_incident(session, geo=state.geo, incident_id=incident_id, unit_id=unit_id, at=now_utc())
    return dispatch_schemas.UnitRouteOut(
        incident_id=found.incident_id,
        unit_id=found.unit_id,
        eta_s=round(found.eta_s, 1),
        distance_m=round(found.distance_m, 1),
        fix_age_s=round(found.fix_age_s, 1),
        stale=found.stale,
        route=found.route,
        **state.geo.graph_flags(),
        label_code="graph_schematic" if state.geo.schematic else "graph_osm",
    )


@router.post(
    "/incidents/{incident_id}/assignments",
    status_code=status.HTTP_201_CREATED,
    response_model=dispatch_schemas.AssignmentCreated,
    responses=CONFLICT,
    summary="Assign a unit (atomic: of racing dispatchers exactly one wins, the others get 409)",
)
def assign(
    incident_id: IncidentId, body: dispatch_schemas.AssignmentCreate, session: SessionDep, who: DispatcherDep
) -> dispatch_schemas.AssignmentCreated:
    result = assign_service.assign_unit(
        session, incident_id=incident_id, unit_id=body.unit_id, at=now_utc(), by=who.name
    )
    session.commit()
    return dispatch_schemas.AssignmentCreated(
        **convert.assignment_out(result.assignment).model_dump(),
        incident_status=result.incident.status,
        was_offered=result.offered,
        audit_id=result.audit.id,
    )


@router.get("/incidents/{incident_id}/assignments", response_model=list[dispatch_schemas.AssignmentOut])
def list_assignments(
    incident_id: IncidentId, session: SessionDep, _: OperationsReaderDep
) -> list[dispatch_schemas.AssignmentOut]:
    incident_repo.get_incident(session, incident_id=incident_id)
    rows = incident_repo.list_assignments(session, incident_id=incident_id)
    return [convert.assignment_out(r) for r in rows]


@router.get("/incidents/{incident_id}/timeline", response_model=dispatch_schemas.TimelineOut)
def timeline(
    incident_id: IncidentId, session: SessionDep, _: OperationsReaderDep
) -> dispatch_schemas.TimelineOut:
    entries = incident_timeline(session, incident_id=incident_id)
    return dispatch_schemas.TimelineOut(
        incident_id=incident_id,
        entries=[
            dispatch_schemas.TimelineEntryOut(
                at=e.at,
                kind=e.kind,
                by=e.by,
                summary=e.summary,
                summary_code=e.summary_code,
                params=e.params,
                unit_id=e.unit_id,
                detail=e.detail,
            )
            for e in entries
        ],
    )
