"""Facilities: list (readers; with ``from_unit`` the road ETA from that unit), create and change (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from dispatch_geo.dispatch.closures import sync_closures
from dispatch_geo.dispatch.facilities import eta_from_unit
from dispatch_geo.domain.facilities import Facility, FacilityKind
from dispatch_geo.domain.values import LonLat
from dispatch_geo.errors import InputError, NotFoundError
from dispatch_geo.storage import facility_repo, fleet_repo
from siaga.api import convert, schemas
from siaga.api.deps import AdminDep, OperationsReaderDep, SessionDep, StateDep, now_utc

router = APIRouter(tags=["facilities"])

KindQ = Annotated[list[FacilityKind] | None, Query(alias="kind", description="repeatable")]
FromUnitQ = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=32,
        description="a call sign: add each facility's road ETA from that unit and sort nearest first",
        json_schema_extra={"pattern": schemas.NO_NUL_PATTERN},
    ),
]


@router.get("/facilities", response_model=list[schemas.FacilityOut], summary="Hospitals, puskesmas and posts")
def list_facilities(
    session: SessionDep,
    state: StateDep,
    _: OperationsReaderDep,
    kind: KindQ = None,
    active: bool | None = Query(default=None, description="true: only active ones"),
    from_unit: FromUnitQ = None,
) -> list[schemas.FacilityOut]:
    rows = facility_repo.list_facilities(session, kinds=kind, active_only=bool(active))
    if from_unit is None:
        return [convert.facility_out(r) for r in rows]
    try:
        unit = fleet_repo.get_unit(session, unit_id=from_unit)
    except NotFoundError as exc:
        raise exc.coded(what="unit", id=from_unit) from None
    now = now_utc()
    sync_closures(session, state.geo, now=now)  # the hospital chooser's ETAs respect road closures
    out = [
        convert.facility_out(r, eta=eta_from_unit(state.geo, unit=unit, to=r.location, now=now)) for r in rows
    ]
    return sorted(out, key=lambda f: (f.eta_min is None, f.eta_min or 0.0, f.id))


@router.post(
    "/facilities",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.FacilityOut,
    summary="Add a facility (admin)",
)
def create_facility(body: schemas.FacilityCreate, session: SessionDep, _: AdminDep) -> schemas.FacilityOut:
    row = facility_repo.create_facility(
        session,
        facility=Facility(
            id=body.id,
            name=body.name,
            kind=body.kind,
            location=LonLat(body.lon, body.lat),
            approximate=body.approximate,
            source=body.source,
            note=body.note,
            active=body.active,
        ),
    )
    session.commit()
    return convert.facility_out(row)


@router.patch(
    "/facilities/{facility_id}", response_model=schemas.FacilityOut, summary="Change a facility (admin)"
)
def update_facility(
    facility_id: schemas.FacilityIdPath, body: schemas.FacilityPatch, session: SessionDep, _: AdminDep
) -> schemas.FacilityOut:
    fields = body.model_dump(exclude_unset=True)
    lon, lat = fields.pop("lon", None), fields.pop("lat", None)
    if (lon is None) != (lat is None):
        raise InputError("give lon and lat together").coded("lon_lat_together")
    changes: dict[str, object] = {k: v for k, v in fields.items() if v is not None}
    if lon is not None and lat is not None:
        changes["location"] = LonLat(lon, lat)
    row = facility_repo.update_facility(session, facility_id=facility_id, **changes)
    session.commit()
    return convert.facility_out(row)
