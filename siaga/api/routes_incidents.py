"""Incidents: create, list with filters (JSON or GeoJSON), get, edit, close, cancel."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse
from pydantic import Field

from dispatch_geo.dispatch import incidents as incident_service
from dispatch_geo.dispatch import requirements as requirement_service
from dispatch_geo.domain.incidents import IncidentStatus, IncidentType
from dispatch_geo.domain.units import Agency
from dispatch_geo.domain.values import LonLat
from dispatch_geo.errors import InputError
from dispatch_geo.gazetteer import PlaceMatch
from dispatch_geo.places import PlacePoint
from dispatch_geo.storage import incident_repo
from dispatch_geo.storage.models import IncidentRow
from siaga.api import convert, dispatch_schemas, history_export, schemas
from siaga.api.deps import (
    DispatcherDep,
    OperationsReaderDep,
    SessionDep,
    StateDep,
    now_utc,
    sees_caller,
)
from siaga.api.routes_kpi import CSV_OK, XLSX_OK
from siaga.api.schemas import IncidentId

router = APIRouter(tags=["incidents"])

StatusQ = Annotated[list[IncidentStatus] | None, Query(alias="status", description="repeatable")]
TypeQ = Annotated[list[IncidentType] | None, Query(description="repeatable")]
PriorityQ = Annotated[
    list[Annotated[int, Field(ge=1, le=3)]] | None, Query(description="repeatable; 1, 2 or 3")
]
LimitQ = Annotated[
    int, Query(ge=1, le=2000, description="closed/cancelled incidents at most (open ones: all, always)")
]
ListLimitQ = Annotated[
    int,
    Query(
        ge=1, le=500, description="page size of the closed/cancelled incidents; open ones are never capped"
    ),
]
OffsetQ = Annotated[int, Query(ge=0, le=1_000_000, description="closed/cancelled incidents to skip (paging)")]
FromQ = Annotated[
    schemas.QueryTime | None,
    Query(
        alias="from", description="created at or after (ISO 8601 with offset, e.g. 2026-11-29T00:00:00+07:00)"
    ),
]
ToQ = Annotated[schemas.QueryTime | None, Query(alias="to", description="created before (exclusive)")]
TextQ = Annotated[
    schemas.QueryText | None,
    Query(
        alias="q",
        min_length=1,
        max_length=100,
        description="text found (ignoring case) in the address, landmark, description, desa or kecamatan",
    ),
]
KecamatanQ = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=20,
        pattern=r"^[0-9]+(\.[0-9]+)*$",
        description="kecamatan kode, e.g. 14.08.02",
    ),
]

DesaQ = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=20,
        pattern=r"^[0-9]+(\.[0-9]+)*$",
        description="desa kode, e.g. 14.08.01.1001",
    ),
]
AgencyQ = Annotated[list[Agency] | None, Query(description="repeatable: a unit of this agency was sent")]
UnitQ = Annotated[
    str | None,
    Query(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9._-]+$", description="this unit was sent"),
]
OperatorQ = Annotated[
    str | None,
    Query(min_length=1, max_length=32, description="created by this operator (token or account name)"),
]

PLANNER_NOTE = (
    "For the planner role `caller_phone` is null, and so is `caller_name`: caller identity is for "
    "dispatchers and admins."
)


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
        landmark=body.landmark,
        caller_name=body.caller_name,
        victims=body.victims,
        call_received_at=body.call_received_at,
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
    responses={
        200: {
            **schemas.GEOJSON_OK[200],
            "content": {
                **schemas.GEOJSON_OK[200]["content"],
                **CSV_OK[200]["content"],
                **XLSX_OK[200]["content"],
            },
        }
    },
    summary="Incidents, most urgent first; filters for the history (Riwayat) list",
    description=f"Dispatchers, admins and planners. {PLANNER_NOTE} Closed and cancelled incidents are "
    "found like open ones (filter by `status`, time range `from`/`to`, `q`, `kecamatan`, `desa`, `agency`, "
    "`unit`, `operator`); page them with "
    "`limit` and `offset`. Open incidents matching the filters are always all returned (first, most "
    "urgent first): the live picture never loses one to a cap. `format=csv` or `xlsx` exports every "
    "matching incident (at most 100,000; more is a 422 `export_too_large`), with links to its timeline and "
    "replay.",
)
def list_incidents(
    session: SessionDep,
    state: StateDep,
    who: OperationsReaderDep,
    status_filter: StatusQ = None,
    incident_type: TypeQ = None,
    priority: PriorityQ = None,
    limit: ListLimitQ = 100,
    offset: OffsetQ = 0,
    created_from: FromQ = None,
    created_to: ToQ = None,
    text: TextQ = None,
    kecamatan: KecamatanQ = None,
    format: Literal["json", "geojson", "csv", "xlsx"] = "json",
    desa: DesaQ = None,
    agency: AgencyQ = None,
    unit: UnitQ = None,
    operator: OperatorQ = None,
) -> Any:
    if created_from is not None and created_to is not None and created_to <= created_from:
        raise InputError("`to` must be later than `from`").coded(
            "empty_time_range", field="to", start=created_from.isoformat(), end=created_to.isoformat()
        )
    export = format in ("csv", "xlsx")
    rows = incident_repo.list_incidents(
        session,
        status=status_filter,
        incident_type=incident_type,
        priority=priority,
        limit=history_export.EXPORT_MAX_ROWS + 1 if export else limit,
        offset=offset,
        created_since=created_from,
        created_until=created_to,
        text=text,
        kecamatan_kode=kecamatan,
        desa_kode=desa,
        agency=agency,
        unit_id=unit,
        created_by=operator,
    )
    if format == "geojson":
        return _geojson(state, rows)
    if export:
        return history_export.export_response(session, rows, format, caller_data=sees_caller(who))
    return [convert.incident_out(session, r, caller_data=sees_caller(who)) for r in rows]


@router.get(
    "/incidents.geojson",
    response_class=schemas.GeoJSONResponse,
    responses=schemas.GEOJSON_OK,
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
def get_incident(
    incident_id: IncidentId, session: SessionDep, who: OperationsReaderDep
) -> schemas.IncidentOut:
    row = incident_repo.get_incident(session, incident_id=incident_id)
    return convert.incident_out(session, row, caller_data=sees_caller(who))


@router.patch(
    "/incidents/{incident_id}",
    response_model=schemas.IncidentOut,
    summary="Edit description/priority, or correct the location (lon+lat or place_kode)",
    description="A new location is reverse-geocoded again and audited in the timeline (`relocated`, with "
    "the old and new point and the distance moved); units already assigned keep their assignment. "
    "Ask for a new recommendation afterwards: ETAs depend on the location.",
)
def update_incident(
    incident_id: IncidentId,
    body: schemas.IncidentUpdate,
    session: SessionDep,
    state: StateDep,
    who: DispatcherDep,
) -> schemas.IncidentOut:
    at = now_utc()
    row = None
    if body.description is not None or body.priority is not None:
        row = incident_service.update_incident(
            session,
            incident_id=incident_id,
            description=body.description,
            priority=body.priority,
            at=at,
            by=who.name,
        )
    if body.place_kode is not None or (body.lon is not None and body.lat is not None):
        row = incident_service.relocate_incident(
            session,
            gazetteer=state.geo.gazetteer,
            places=state.geo.places,
            incident_id=incident_id,
            location=None if body.lon is None or body.lat is None else LonLat(body.lon, body.lat),
            place_kode=body.place_kode,
            at=at,
            by=who.name,
        )
    assert row is not None  # the body names something to change (schemas.IncidentUpdate)
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
        reason=None if body is None or body.reason is None else str(body.reason),
    )
    session.commit()
    return convert.incident_out(session, row, caller_data=True)  # only dispatchers and admins get here


@router.post("/incidents/{incident_id}/close", response_model=schemas.IncidentOut)
def close_incident(
    incident_id: IncidentId,
    session: SessionDep,
    who: DispatcherDep,
    body: schemas.IncidentFinish | None = None,
) -> schemas.IncidentOut:
    """Close an incident that a unit reached; its units are released and stood down."""
    return _finish(session, incident_id, IncidentStatus.CLOSED, body, who.name)


@router.post("/incidents/{incident_id}/cancel", response_model=schemas.IncidentOut)
def cancel_incident(
    incident_id: IncidentId,
    session: SessionDep,
    who: DispatcherDep,
    body: schemas.IncidentFinish | None = None,
) -> schemas.IncidentOut:
    """Cancel an incident before anyone is on scene (hoax, duplicate); its units are stood down."""
    return _finish(session, incident_id, IncidentStatus.CANCELLED, body, who.name)


@router.post(
    "/incidents/{incident_id}/notes",
    status_code=status.HTTP_201_CREATED,
    response_model=dispatch_schemas.NoteOut,
    summary="Add a note (at any time, also after closing); it appears in the timeline",
)
def add_note(
    incident_id: IncidentId, body: dispatch_schemas.NoteCreate, session: SessionDep, who: DispatcherDep
) -> dispatch_schemas.NoteOut:
    row = requirement_service.add_note(
        session, incident_id=incident_id, text=body.text, at=now_utc(), by=who.name
    )
    session.commit()
    return dispatch_schemas.NoteOut(
        id=row.id, incident_id=row.incident_id, at=row.at, by=row.by, text=row.text
    )


@router.post(
    "/incidents/{incident_id}/requirements",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.IncidentOut,
    summary="Ask for more units (any type, e.g. an ambulance and police for a fire); audited",
    description="The new requirement shows in `outstanding` and gets its own ranked group in the next "
    "recommendation.",
)
def add_requirement(
    incident_id: IncidentId, body: dispatch_schemas.RequirementCreate, session: SessionDep, who: DispatcherDep
) -> schemas.IncidentOut:
    row = requirement_service.add_requirement(
        session,
        incident_id=incident_id,
        unit_types=body.unit_types,
        count=body.count,
        at=now_utc(),
        by=who.name,
    )
    session.commit()
    return convert.incident_out(session, row, caller_data=sees_caller(who))
