"""Units: list (JSON or GeoJSON), get, create (admin), status change (dispatcher), position (device)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse

from dispatch_geo.dispatch import units as unit_service
from dispatch_geo.domain.units import Agency, UnitStatus, UnitType
from dispatch_geo.domain.values import LonLat
from dispatch_geo.errors import InputError
from dispatch_geo.storage import fleet_repo
from siaga.api import convert, schemas
from siaga.api.deps import AdminDep, DeviceDep, DispatcherDep, ReaderDep, SessionDep, StateDep, now_utc

router = APIRouter(tags=["units"])

MAX_FUTURE_FIX_S = 300.0
"""A fix dated further ahead than this is refused (device clock wrong)."""

GEOJSON = "application/geo+json"


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


def _geojson(state: StateDep, rows: list[Any], now: Any) -> JSONResponse:
    stale = state.geo.stale_after_s
    features = [convert.unit_feature(r, now=now, stale_after_s=stale) for r in rows]
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
    _: ReaderDep,
    status_filter: StatusQ = None,
    unit_type: TypeQ = None,
    agency: Agency | None = None,
    station_id: schemas.StationIdQuery = None,
    format: Literal["json", "geojson"] = "json",
) -> Any:
    rows, now = _list(session, state, status_filter, unit_type, agency, station_id)
    if format == "geojson":
        return _geojson(state, rows, now)
    return [convert.unit_out(r, now=now, stale_after_s=state.geo.stale_after_s) for r in rows]


@router.get(
    "/units.geojson",
    response_class=schemas.GeoJSONResponse,
    responses=schemas.GEOJSON_OK,
    summary="Units as a GeoJSON FeatureCollection (RFC 7946)",
)
def units_geojson(
    session: SessionDep,
    state: StateDep,
    _: ReaderDep,
    status_filter: StatusQ = None,
    unit_type: TypeQ = None,
    agency: Agency | None = None,
    station_id: schemas.StationIdQuery = None,
) -> JSONResponse:
    rows, now = _list(session, state, status_filter, unit_type, agency, station_id)
    return _geojson(state, rows, now)


@router.get("/units/{unit_id}", response_model=schemas.UnitOut)
def get_unit(
    unit_id: schemas.UnitIdPath, session: SessionDep, state: StateDep, _: ReaderDep
) -> schemas.UnitOut:
    row = fleet_repo.get_unit(session, unit_id=unit_id)
    return convert.unit_out(row, now=now_utc(), stale_after_s=state.geo.stale_after_s)


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
        session, unit_id=unit_id, new_status=body.status, at=now, by=who.name
    )
    session.commit()
    row = fleet_repo.get_unit(session, unit_id=unit_id)
    return schemas.UnitStatusOut(
        unit=convert.unit_out(row, now=now, stale_after_s=state.geo.stale_after_s),
        from_status=result.change.from_status,
        to_status=result.change.to_status,
        changed_at=result.change.at,
        changed_by=result.change.by,
        incident_id=result.incident_id,
        assignment_released=result.assignment_released,
        incident_status=result.incident_status,
    )


@router.put("/units/{unit_id}/position", response_model=schemas.PositionOut, summary="Report a position")
def report_position(
    unit_id: str, body: schemas.PositionReport, session: SessionDep, state: StateDep, _: DeviceDep
) -> schemas.PositionOut:
    now = now_utc()
    fix_time = body.fix_time or now
    if (fix_time - now).total_seconds() > MAX_FUTURE_FIX_S:
        raise InputError(
            f"fix_time {fix_time.isoformat()} is in the future (server time {now.isoformat()}); "
            "check the device clock"
        )
    stored = unit_service.report_position(
        session,
        unit_id=unit_id,
        position=LonLat(body.lon, body.lat),
        fix_time=fix_time,
        speed_kph=body.speed_kph,
        course_deg=body.course_deg,
    )
    session.commit()
    row = fleet_repo.get_unit(session, unit_id=unit_id)
    return schemas.PositionOut(
        stored=stored, unit=convert.unit_out(row, now=now, stale_after_s=state.geo.stale_after_s)
    )


@router.get("/stations", response_model=list[schemas.StationOut], tags=["units"])
def list_stations(session: SessionDep, _: ReaderDep) -> list[schemas.StationOut]:
    return [convert.station_out(r) for r in fleet_repo.list_stations(session)]
