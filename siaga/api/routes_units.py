"""Units: list (JSON or GeoJSON), get, create (admin), status change (dispatcher), position (device)."""

from __future__ import annotations

from datetime import UTC
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from dispatch_geo.dispatch import units as unit_service
from dispatch_geo.domain.units import Agency, UnitStatus, UnitType
from dispatch_geo.domain.values import LonLat
from dispatch_geo.errors import InputError
from dispatch_geo.storage import fleet_repo
from dispatch_geo.storage.auth_models import Role
from siaga.api import convert, schemas
from siaga.api.deps import (
    AdminDep,
    DispatcherDep,
    OperationsReaderDep,
    PositionReporterDep,
    SessionDep,
    StateDep,
    now_utc,
)
from siaga.api.routes_devices import IngestDep
from tracking.fix import FixSource, PositionFix

router = APIRouter(tags=["units"])

GEOJSON = "application/geo+json"

REJECTIONS = {
    "null_island": "(0, 0) is what a device without a GPS fix sends",
    "outside_service_area": "the point is outside the service area (check the sign of lat/lon)",
    "future_fix": "fix_time is ahead of the server clock; check the device clock",
    "out_of_range": "coordinates or fix time out of range (device clock unset?)",
    "implausible_jump": "reaching this point from the unit's previous fix needs an impossible speed",
    "duplicate": "a fix with this time was already received",
}
"""What each filter reason means (the codes are those of :mod:`tracking.filters`)."""


def _list(
    session: SessionDep,
    state: StateDep,
    status_filter: list[UnitStatus] | None,
    unit_type: list[UnitType] | None,
    agency: Agency | None,
    station_id: str | None,
) -> tuple[list[Any], Any]:
    rows = fleet_repo.list_units(
        session, status=status_filter, unit_type=unit_type, agency=agency, station_id=station_id
    )
    return rows, now_utc()


def _geojson(session: SessionDep, state: StateDep, rows: list[Any], now: Any) -> JSONResponse:
    stale = state.geo.stale_after_s
    going = convert.destinations(session, state.geo, rows, now=now)
    features = [
        convert.unit_feature(r, now=now, stale_after_s=stale, destination=going.get(r.id)) for r in rows
    ]
    body = convert.feature_collection(features, name="units", geo=state.geo, now=now)
    return JSONResponse(body, media_type=GEOJSON)


StatusQ = Annotated[list[UnitStatus] | None, Query(alias="status", description="repeatable")]
TypeQ = Annotated[list[UnitType] | None, Query(description="repeatable")]


@router.get(
    "/units",
    response_model=list[schemas.UnitOut],
    responses=schemas.GEOJSON_OK,
    summary="Units (add format=geojson for a map)",
)
def list_units(
    session: SessionDep,
    state: StateDep,
    _: OperationsReaderDep,
    status_filter: StatusQ = None,
    unit_type: TypeQ = None,
    agency: Agency | None = None,
    station_id: schemas.StationIdQuery = None,
    format: Literal["json", "geojson"] = "json",
) -> Any:
    rows, now = _list(session, state, status_filter, unit_type, agency, station_id)
    if format == "geojson":
        return _geojson(session, state, rows, now)
    going = convert.destinations(session, state.geo, rows, now=now)
    stale = state.geo.stale_after_s
    return [convert.unit_out(r, now=now, stale_after_s=stale, destination=going.get(r.id)) for r in rows]


@router.get(
    "/units.geojson",
    response_class=schemas.GeoJSONResponse,
    responses=schemas.GEOJSON_OK,
    summary="Units as a GeoJSON FeatureCollection (RFC 7946)",
)
def units_geojson(
    session: SessionDep,
    state: StateDep,
    _: OperationsReaderDep,
    status_filter: StatusQ = None,
    unit_type: TypeQ = None,
    agency: Agency | None = None,
    station_id: schemas.StationIdQuery = None,
) -> JSONResponse:
    rows, now = _list(session, state, status_filter, unit_type, agency, station_id)
    return _geojson(session, state, rows, now)


@router.get("/units/{unit_id}", response_model=schemas.UnitOut)
def get_unit(
    unit_id: schemas.UnitIdPath, session: SessionDep, state: StateDep, _: OperationsReaderDep
) -> schemas.UnitOut:
    row = fleet_repo.get_unit(session, unit_id=unit_id)
    return _unit_out(session, state, row, now=now_utc())


def _unit_out(session: SessionDep, state: StateDep, row: Any, *, now: Any) -> schemas.UnitOut:
    going = convert.destinations(session, state.geo, [row], now=now)
    return convert.unit_out(
        row, now=now, stale_after_s=state.geo.stale_after_s, destination=going.get(row.id)
    )


@router.post("/units", status_code=status.HTTP_201_CREATED, response_model=schemas.UnitOut)
def create_unit(
    body: schemas.UnitCreate, session: SessionDep, state: StateDep, who: AdminDep
) -> schemas.UnitOut:
    now = now_utc()
    row = unit_service.create_unit(
        session,
        unit_id=body.id,
        unit_type=body.unit_type,
        station_id=body.station_id,
        agency=body.agency,
        device_id=body.device_id,
        at=now,
    )
    session.commit()
    return convert.unit_out(row, now=now, stale_after_s=state.geo.stale_after_s)


@router.post(
    "/units/{unit_id}/status", response_model=schemas.UnitStatusOut, summary="Change a unit's status"
)
def change_status(
    unit_id: schemas.UnitIdPath,
    body: schemas.UnitStatusUpdate,
    session: SessionDep,
    state: StateDep,
    who: DispatcherDep,
) -> schemas.UnitStatusOut:
    now = now_utc()
    result = unit_service.change_unit_status(
        session,
        unit_id=unit_id,
        new_status=body.status,
        at=now,
        by=who.name,
        expected_status=body.expected_status,
        expected_incident_id=body.expected_incident_id,
        destination_facility_id=body.destination_facility_id,
    )
    session.commit()
    row = fleet_repo.get_unit(session, unit_id=unit_id)
    return schemas.UnitStatusOut(
        unit=_unit_out(session, state, row, now=now),
        from_status=result.change.from_status,
        to_status=result.change.to_status,
        changed_at=result.change.at,
        changed_by=result.change.by,
        incident_id=result.incident_id,
        assignment_released=result.assignment_released,
        incident_status=result.incident_status,
    )


@router.put(
    "/units/{unit_id}/position",
    response_model=schemas.PositionOut,
    summary="Report a position: the unit's own device, or a dispatcher (manual, e.g. by radio)",
    responses={422: {"description": "invalid, or refused by the ingest filters (``reason`` gives the code)"}},
)
async def report_position(
    unit_id: schemas.UnitIdPath,
    body: schemas.PositionReport,
    state: StateDep,
    ingest: IngestDep,
    who: PositionReporterDep,
) -> Any:
    """The same decode → filter → state → write chain as MQTT and the device HTTP endpoints: a fix at
    (0, 0), outside the service area, from the future or an implausible jump is refused with its
    reason. A device may report only for the unit it is bound to. Answered once committed."""
    if who.role is Role.DEVICE and who.unit_id != unit_id:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"this device reports for unit {who.unit_id}, not {unit_id}"
        )
    await run_in_threadpool(_unit_exists, state, unit_id)  # database work off the event loop
    now = now_utc()
    manual = who.role is not Role.DEVICE
    try:
        fix = PositionFix(
            device_id=(f"manual:{unit_id}" if manual else who.name)[:32],
            position=LonLat(body.lon, body.lat),
            fix_time=body.fix_time.astimezone(UTC) if body.fix_time else now,
            received_at=now,
            source=FixSource.MANUAL if manual else FixSource.API,
            speed_kph=body.speed_kph,
            course_deg=body.course_deg,
        )
    except InputError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    result = ingest.pipeline.process_fix(fix, unit_id=unit_id, check_jump=not manual)
    if result.status != "accepted":
        reason = result.reason or "filtered"
        return JSONResponse(
            {
                "detail": f"position rejected: {reason}: {REJECTIONS.get(reason, 'refused by the filters')}",
                "error": "PositionRejected",
                "reason": reason,
            },
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    if not await ingest.store(result):
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "the position could not be stored in time; send it again",
            headers={"Retry-After": "5"},
        )
    unit = await run_in_threadpool(_read_unit, state, unit_id, now)
    return schemas.PositionOut(stored=result.latest, unit=unit)


def _unit_exists(state: StateDep, unit_id: str) -> None:
    """404 for an unknown unit (in a worker thread: a short session of its own)."""
    with state.sessions() as session:
        fleet_repo.get_unit(session, unit_id=unit_id)


def _read_unit(state: StateDep, unit_id: str, now: Any) -> schemas.UnitOut:
    with state.sessions() as session:
        return _unit_out(session, state, fleet_repo.get_unit(session, unit_id=unit_id), now=now)


@router.get("/stations", response_model=list[schemas.StationOut], tags=["units"])
def list_stations(session: SessionDep, _: OperationsReaderDep) -> list[schemas.StationOut]:
    return [convert.station_out(r) for r in fleet_repo.list_stations(session)]
