"""Incidents: create, list with filters (JSON or GeoJSON), get, edit, close, cancel."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse

from dispatch_geo.dispatch import incidents as incident_service
from dispatch_geo.domain.incidents import IncidentStatus, IncidentType
from dispatch_geo.domain.values import LonLat
from dispatch_geo.gazetteer import PlaceMatch
from dispatch_geo.places import PlacePoint
from dispatch_geo.storage import incident_repo
from dispatch_geo.storage.models import IncidentRow
from siaga.api import convert, schemas
from siaga.api.deps import (
    DispatcherDep,
    OperationsReaderDep,
    SessionDep,
    StateDep,
    now_utc,
    sees_caller,
)

router = APIRouter(tags=["incidents"])

StatusQ = Annotated[list[IncidentStatus] | None, Query(alias="status", description="repeatable")]
TypeQ = Annotated[list[IncidentType] | None, Query(description="repeatable")]
PriorityQ = Annotated[list[int] | None, Query(description="repeatable; 1, 2 or 3")]
LimitQ = Annotated[int, Query(ge=1, le=2000)]

PLANNER_NOTE = "For the planner role `caller_phone` is null: caller identity is for dispatchers and admins."


def _query(
    session: Any, status_filter: Any, incident_type: Any, priority: list[int] | None, limit: int
) -> list[IncidentRow]:
    return incident_repo.list_incidents(
        session, status=status_filter, incident_type=incident_type, priority=priority, limit=limit
    )


def _geojson(state: StateDep, rows: list[IncidentRow]) -> JSONResponse:
    features = [convert.incident_feature(r) for r in rows]
    body = convert.feature_collection(features, name="incidents", geo=state.geo, now=now_utc())
    return JSONResponse(body, media_type="application/geo+json")


@router.post("/incidents", status_code=status.HTTP_201_CREATED, response_model=schemas.IncidentCreated)
def create_incident(
    body: schemas.IncidentCreate, session: SessionDep, state: StateDep, who: DispatcherDep
) -> schemas.IncidentCreated:
    location = None if body.lon is None or body.lat is None else LonLat(body.lon, body.lat)
    created = incident_service.create_incident(
        session,
        gazetteer=state.geo.gazetteer,
        incident_type=body.incident_type,
        priority=body.priority,
        location=location,
        place=body.place,
        place_kode=body.place_kode,
        places=state.geo.places,
        caller_phone=body.caller_phone,
        description=body.description,
        address=body.address,
        at=now_utc(),
        by=who.name,
    )
    session.commit()
    match, chosen = created.place, created.place_point
    return schemas.IncidentCreated(
        **convert.incident_fields(session, created.incident, caller_data=sees_caller(who)),
        location_source="coordinates" if chosen is None and match is None else "place",
        place_match=None if chosen is None else _place_match(body, chosen, match),
        inside_boundary=created.location.inside,
    )


def _place_match(
    body: schemas.IncidentCreate, chosen: PlacePoint, match: PlaceMatch | None
) -> dict[str, Any]:
    return {
        "query": body.place,
        "kode": chosen.kode,
        "nama": chosen.nama,
        "level": chosen.level,
        "kecamatan": chosen.kecamatan_nama,
        "score": None if match is None else match.score,
        "resolved_by": str(chosen.resolved_by),
        "road_distance_m": chosen.road_distance_m,
    }


@router.get(
    "/incidents",
    response_model=list[schemas.IncidentOut],
    summary="Incidents, most urgent first",
    description=f"Dispatchers, admins and planners. {PLANNER_NOTE}",
)
def list_incidents(
    session: SessionDep,
    state: StateDep,
    who: OperationsReaderDep,
    status_filter: StatusQ = None,
    incident_type: TypeQ = None,
    priority: PriorityQ = None,
    limit: LimitQ = 500,
    format: Literal["json", "geojson"] = "json",
) -> Any:
    rows = _query(session, status_filter, incident_type, priority, limit)
    if format == "geojson":
        return _geojson(state, rows)
    return [convert.incident_out(session, r, caller_data=sees_caller(who)) for r in rows]


@router.get(
    "/incidents.geojson",
    summary="Incidents as a GeoJSON FeatureCollection (RFC 7946)",
    description="Dispatchers, admins and planners; the features carry no caller identity.",
)
def incidents_geojson(
    session: SessionDep,
    state: StateDep,
    _: OperationsReaderDep,
    status_filter: StatusQ = None,
    incident_type: TypeQ = None,
    priority: PriorityQ = None,
    limit: LimitQ = 500,
) -> JSONResponse:
    return _geojson(state, _query(session, status_filter, incident_type, priority, limit))


@router.get(
    "/incidents/{incident_id}",
    response_model=schemas.IncidentOut,
    description=f"Dispatchers, admins and planners. {PLANNER_NOTE}",
)
def get_incident(incident_id: int, session: SessionDep, who: OperationsReaderDep) -> schemas.IncidentOut:
    row = incident_repo.get_incident(session, incident_id=incident_id)
    return convert.incident_out(session, row, caller_data=sees_caller(who))


@router.patch(
    "/incidents/{incident_id}", response_model=schemas.IncidentOut, summary="Edit description/priority"
)
def update_incident(
    incident_id: int, body: schemas.IncidentUpdate, session: SessionDep, who: DispatcherDep
) -> schemas.IncidentOut:
    row = incident_service.update_incident(
        session,
        incident_id=incident_id,
        description=body.description,
        priority=body.priority,
        at=now_utc(),
        by=who.name,
    )
    session.commit()
    return convert.incident_out(session, row, caller_data=sees_caller(who))


def _finish(
    session: SessionDep,
    incident_id: int,
    new_status: IncidentStatus,
    body: schemas.IncidentFinish | None,
    by: str,
) -> schemas.IncidentOut:
    row = incident_service.finish_incident(
        session,
        incident_id=incident_id,
        new_status=new_status,
        at=now_utc(),
        by=by,
        note="" if body is None else body.note,
    )
    session.commit()
    return convert.incident_out(session, row, caller_data=True)  # only dispatchers and admins get here


@router.post("/incidents/{incident_id}/close", response_model=schemas.IncidentOut)
def close_incident(
    incident_id: int, session: SessionDep, who: DispatcherDep, body: schemas.IncidentFinish | None = None
) -> schemas.IncidentOut:
    """Close an incident that a unit reached; its units are released and stood down."""
    return _finish(session, incident_id, IncidentStatus.CLOSED, body, who.name)


@router.post("/incidents/{incident_id}/cancel", response_model=schemas.IncidentOut)
def cancel_incident(
    incident_id: int, session: SessionDep, who: DispatcherDep, body: schemas.IncidentFinish | None = None
) -> schemas.IncidentOut:
    """Cancel an incident before anyone is on scene (hoax, duplicate); its units are stood down."""
    return _finish(session, incident_id, IncidentStatus.CANCELLED, body, who.name)
