"""Rows and service results → response bodies (and GeoJSON, RFC 7946: [lon, lat], WGS84)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from dispatch_geo.dispatch.context import GeoContext
from dispatch_geo.dispatch.facilities import Eta, eta_from_unit
from dispatch_geo.dispatch.recommend import IncidentRecommendation
from dispatch_geo.dispatch.requirements import outstanding_requirements
from dispatch_geo.domain.incidents import Requirement
from dispatch_geo.domain.messages import Message
from dispatch_geo.domain.units import UnitStatus, allowed_next, availability
from dispatch_geo.storage import incident_repo
from dispatch_geo.storage.models import AssignmentRow, FacilityRow, IncidentRow, StationRow, UnitRow
from dispatch_geo.storage.unit_snapshots import UnitSnapshot
from siaga.api import dispatch_schemas, schemas


def unit_out(
    row: UnitRow | UnitSnapshot,
    *,
    now: datetime,
    stale_after_s: float,
    destination: schemas.DestinationOut | None = None,
) -> schemas.UnitOut:
    """A unit as the API shows it, with the age of its position and whether it is stale."""
    age = None if row.last_fix_time is None else max(0.0, (now - row.last_fix_time).total_seconds())
    return schemas.UnitOut(
        id=row.id,
        unit_type=row.unit_type,
        agency=row.agency,
        station_id=row.station_id,
        status=row.status,
        availability=availability(row.status),
        status_changed_at=row.status_changed_at,
        has_device=row.device_id is not None,
        position=None
        if row.last_position is None
        else schemas.Point(lon=row.last_position.lon, lat=row.last_position.lat),
        last_fix_time=row.last_fix_time,
        fix_age_s=None if age is None else round(age, 1),
        stale=None if age is None else age > stale_after_s,
        next_statuses=next_statuses(row),
        destination=destination,
    )


def destinations(
    session: Session, geo: GeoContext, rows: Sequence[UnitRow | UnitSnapshot], *, now: datetime
) -> dict[str, schemas.DestinationOut]:
    """Where each unit that works an incident takes its patient, with its road ETA from the unit."""
    by_unit = {r.id: r for r in rows}
    open_with = incident_repo.open_destinations(session, unit_ids=list(by_unit))
    out = {}
    for unit_id, facility in open_with.items():
        eta = eta_from_unit(geo, unit=by_unit[unit_id], to=facility.location, now=now)
        out[unit_id] = schemas.DestinationOut(
            id=facility.id,
            name=facility.name,
            kind=facility.kind,
            approximate=facility.approximate,
            eta_min=None if eta is None else round(eta.eta_s / 60.0, 1),
            distance_km=None if eta is None else round(eta.distance_m / 1000.0, 2),
        )
    return out


def facility_out(row: FacilityRow, *, eta: Eta | None = None) -> schemas.FacilityOut:
    return schemas.FacilityOut(
        id=row.id,
        name=row.name,
        kind=row.kind,
        location=schemas.Point(lon=row.location.lon, lat=row.location.lat),
        approximate=row.approximate,
        source=row.source,
        note=row.note,
        active=row.active,
        eta_min=None if eta is None else round(eta.eta_s / 60.0, 1),
        distance_km=None if eta is None else round(eta.distance_m / 1000.0, 2),
    )


def next_statuses(row: UnitRow | UnitSnapshot) -> list[UnitStatus]:
    """What the status buttons offer: the table's next statuses, in lifecycle order, minus
    ``dispatched`` (only an assignment dispatches a unit)."""
    allowed = allowed_next(row.unit_type, row.status) - {UnitStatus.DISPATCHED}
    return [s for s in UnitStatus if s in allowed]


def station_out(row: StationRow) -> schemas.StationOut:
    return schemas.StationOut(
        id=row.id,
        name=row.name,
        agency=row.agency,
        location=schemas.Point(lon=row.location.lon, lat=row.location.lat),
        approximate=row.approximate,
        note=row.note,
    )


def incident_fields(session: Session, row: IncidentRow, *, caller_data: bool) -> dict[str, Any]:
    """Fields of :class:`schemas.IncidentOut`, including assigned units and outstanding needs.

    ``caller_data`` False (a planner) leaves caller identity (``caller_phone``, ``caller_name``) null.
    """
    assigned = incident_repo.assigned_units(session, incident_id=row.id)
    needs = outstanding_requirements(session, incident=row, assigned=assigned)
    return {
        "id": row.id,
        "incident_type": row.incident_type,
        "priority": row.priority,
        "status": row.status,
        "location": schemas.Point(lon=row.location.lon, lat=row.location.lat),
        "address": row.address,
        "caller_phone": row.caller_phone if caller_data else None,
        "description": row.description,
        "landmark": row.landmark,
        "caller_name": row.caller_name if caller_data else None,
        "victims": row.victims,
        "call_received_at": row.call_received_at,
        "desa": schemas.Place(kode=row.desa_kode, nama=row.desa_nama),
        "kecamatan": schemas.Place(kode=row.kecamatan_kode, nama=row.kecamatan_nama),
        "created_at": row.created_at,
        "created_by": row.created_by,
        "closed_at": row.closed_at,
        "assigned_units": [u.id for u in assigned],
        "outstanding": [n.describe() for n in needs],
        "outstanding_needs": [need_out(n) for n in needs],
    }


def need_out(need: Requirement) -> schemas.NeedOut:
    """A requirement with its label as English text and as a message code + parameters."""
    return schemas.NeedOut(
        unit_types=sorted(need.unit_types),
        count=need.count,
        label=need.describe(),
        label_code=need.LABEL_CODE,
        params=need.label_params(),
    )


def incident_out(session: Session, row: IncidentRow, *, caller_data: bool) -> schemas.IncidentOut:
    """An incident as the API shows it; ``caller_data`` False leaves the caller's phone null."""
    return schemas.IncidentOut(**incident_fields(session, row, caller_data=caller_data))


def assignment_out(row: AssignmentRow) -> dispatch_schemas.AssignmentOut:
    return dispatch_schemas.AssignmentOut(
        id=row.id,
        incident_id=row.incident_id,
        unit_id=row.unit_id,
        assigned_at=row.assigned_at,
        assigned_by=row.assigned_by,
        released_at=row.released_at,
        destination_facility_id=row.destination_facility_id,
    )


def recommendation_out(rec: IncidentRecommendation) -> dispatch_schemas.RecommendationOut:
    groups = []
    for group in rec.groups:
        result = group.result
        ranked = [dispatch_schemas.RankedOut(**_ranked(u)) for u in result.ranked]
        stale = [dispatch_schemas.RankedOut(**_ranked(u)) for u in result.stale]
        groups.append(
            dispatch_schemas.RequirementOut(
                requirement=group.requirement.describe(),
                label_code=group.requirement.LABEL_CODE,
                params=group.requirement.label_params(),
                unit_types=sorted(group.requirement.unit_types),
                count=group.requirement.count,
                ranked=ranked,
                stale=stale,
                excluded=[
                    dispatch_schemas.ExcludedOut(
                        unit_id=x.unit_id,
                        reason=x.reason,
                        detail=x.detail,
                        reason_code=x.reason,
                        params=group.excluded_params.get(x.unit_id, {"unit_id": x.unit_id}),
                    )
                    for x in result.excluded
                ],
                warnings=list(result.warnings),
                warning_codes=[message_out(m) for m in group.warnings],
                incident_snap_distance_m=round(result.incident_snap_distance_m, 1),
            )
        )
    return dispatch_schemas.RecommendationOut(
        incident_id=rec.incident.id,
        audit_id=rec.audit_id,
        computed_at=rec.at,
        groups=groups,
        notes=rec.notes,
        note_codes=[message_out(m) for m in rec.note_messages],
        schematic=rec.schematic,
        label=rec.label,
        label_code="graph_schematic" if rec.schematic else "graph_osm",
    )


def message_out(message: Message) -> schemas.MessageOut:
    return schemas.MessageOut(code=message.code, params=message.params, text=message.text)


def _ranked(unit: Any) -> dict[str, Any]:
    return {
        "unit_id": unit.unit_id,
        "unit_type": unit.unit_type,
        "eta_s": round(unit.eta_s, 1),
        "distance_m": round(unit.distance_m, 1),
        "distance_to_road_m": round(unit.distance_to_road_m, 1),
        "fix_age_s": round(unit.fix_age_s, 1),
        "stale": unit.stale,
        "route": unit.route,
    }


# --- GeoJSON ----------------------------------------------------------------------------------------


def feature_collection(
    features: list[dict[str, Any]], *, name: str, geo: GeoContext, now: datetime
) -> dict[str, Any]:
    """A FeatureCollection with top-level ``properties`` (a foreign member, RFC 7946 §6.1) carrying the
    collection name, the time it was made and the graph flags (``schematic``, ``label``)."""
    return {
        "type": "FeatureCollection",
        "properties": {"name": name, "generated_at": now.isoformat(), **geo.graph_flags()},
        "features": features,
    }


def unit_feature(
    row: UnitRow | UnitSnapshot,
    *,
    now: datetime,
    stale_after_s: float,
    destination: schemas.DestinationOut | None = None,
) -> dict[str, Any]:
    """A unit as a GeoJSON Feature (geometry null when no position was received yet)."""
    props = unit_out(row, now=now, stale_after_s=stale_after_s, destination=destination).model_dump(
        mode="json", exclude={"position"}
    )
    geometry = (
        None
        if row.last_position is None
        else {"type": "Point", "coordinates": row.last_position.as_geojson()}
    )
    return {"type": "Feature", "id": row.id, "geometry": geometry, "properties": props}


def incident_feature(row: IncidentRow) -> dict[str, Any]:
    """An incident as a GeoJSON Feature (no caller identity: every reading role may see it)."""
    props = {
        "id": row.id,
        "incident_type": row.incident_type.value,
        "priority": row.priority,
        "status": row.status.value,
        "address": row.address,
        "description": row.description,
        "desa": row.desa_nama,
        "kecamatan": row.kecamatan_nama,
        "created_at": row.created_at.isoformat(),
        "closed_at": None if row.closed_at is None else row.closed_at.isoformat(),
    }
    geometry = {"type": "Point", "coordinates": row.location.as_geojson()}
    return {"type": "Feature", "id": row.id, "geometry": geometry, "properties": props}
