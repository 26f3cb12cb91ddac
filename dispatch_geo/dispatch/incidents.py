"""Incident services: create (with reverse geocoding), edit, close and cancel.

Closing or cancelling an incident releases every open assignment and stands its units down: a unit
still at the post (``dispatched``) becomes ``available``; one on the road or on scene goes
``returning``; a unit carrying a patient (``transporting``) keeps its status and is only released,
since the patient still has to reach the hospital.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from dispatch_geo.dispatch.locate import locate_incident, place_address
from dispatch_geo.domain.incidents import (
    FINAL_INCIDENT_STATUSES,
    IncidentStatus,
    IncidentType,
    check_finish_reason,
    incident_transition,
    parse_priority,
)
from dispatch_geo.domain.units import UnitStatus, UnitType, allowed_next
from dispatch_geo.domain.values import LonLat, require_aware
from dispatch_geo.errors import ConflictError, InputError
from dispatch_geo.gazetteer import Gazetteer, Location, PlaceMatch
from dispatch_geo.places import PlaceIndex, PlacePoint
from dispatch_geo.storage import event_repo, fleet_repo, incident_repo
from dispatch_geo.storage._common import great_circle_m
from dispatch_geo.storage.event_models import IncidentEventKind
from dispatch_geo.storage.models import IncidentRow

log = logging.getLogger(__name__)

CALL_RECEIVED_MAX_AGE = timedelta(hours=24)
"""A form started longer ago than this is a mistake (a stale browser tab), not a call."""
CLOCK_SKEW = timedelta(seconds=120)
"""How far a console's clock may run ahead of the server's before its call time counts as future."""
MAX_VICTIMS = 999


@dataclass(frozen=True)
class CreatedIncident:
    """A new incident, where it was placed, and the place name it was resolved from (if any)."""

    incident: IncidentRow
    location: Location
    place: PlaceMatch | None
    place_point: PlacePoint | None = None


def create_incident(
    session: Session,
    *,
    gazetteer: Gazetteer,
    incident_type: IncidentType | str,
    priority: int | str,
    at: datetime,
    by: str,
    location: LonLat | None = None,
    place: str | None = None,
    caller_phone: str | None = None,
    description: str = "",
    address: str = "",
    place_kode: str | None = None,
    places: PlaceIndex | None = None,
    landmark: str = "",
    caller_name: str | None = None,
    victims: int | None = None,
    call_received_at: datetime | None = None,
) -> CreatedIncident:
    """Record a new incident, reverse-geocoded to its desa and kecamatan (see :func:`locate_incident`).

    Raises
    ------
    InputError
        Besides the location's errors: ``call_received_at`` in the future (beyond :data:`CLOCK_SKEW`) or
        more than :data:`CALL_RECEIVED_MAX_AGE` ago, or ``victims`` outside 0..999.
    """
    check_intake(at=at, call_received_at=call_received_at, victims=victims)
    if call_received_at is not None:  # a console clock running a little ahead: the call began by now
        call_received_at = min(require_aware(call_received_at, "call_received_at"), at)
    where = locate_incident(gazetteer, location=location, place=place, place_kode=place_kode, places=places)
    point, found, match, chosen = where.point, where.location, where.match, where.place_point
    if not address:
        address = place_address(where)
    row = incident_repo.create_incident(
        session,
        incident_type=incident_type,
        priority=priority,
        location=point,
        created_at=at,
        created_by=by,
        caller_phone=caller_phone,
        description=description,
        address=address,
        desa_kode=found.desa_kode,
        desa_nama=found.desa_nama,
        kecamatan_kode=found.kecamatan_kode,
        kecamatan_nama=found.kecamatan_nama,
        landmark=landmark,
        caller_name=caller_name,
        victims=victims,
        call_received_at=call_received_at,
    )
    detail: dict[str, object] = {
        "location_source": "place" if match is not None or chosen is not None else "coordinates",
        "desa": found.desa_nama,
        "kecamatan": found.kecamatan_nama,
        "inside_boundary": found.inside,
    }
    if match is not None:
        detail["place_query"] = place
        detail["place_match"] = {"kode": match.kode, "nama": match.nama, "level": match.level}
    if chosen is not None:
        if place:
            detail["place_query"] = place
        detail["place_kode"] = chosen.kode
        detail["place_match"] = {"kode": chosen.kode, "nama": chosen.nama, "level": chosen.level}
        detail["resolved_by"] = str(chosen.resolved_by)
        detail["road_distance_m"] = chosen.road_distance_m
    event_repo.record_event(
        session,
        incident_id=row.id,
        kind=IncidentEventKind.CREATED,
        at=at,
        by=by,
        to_status=IncidentStatus.NEW,
        detail=detail,
    )
    return CreatedIncident(row, found, match, chosen)


def check_intake(*, at: datetime, call_received_at: datetime | None, victims: int | None) -> None:
    """Refuse an impossible call time or victim count (:class:`InputError` naming the field)."""
    if victims is not None and not 0 <= victims <= MAX_VICTIMS:
        raise InputError(f"victims must be between 0 and {MAX_VICTIMS}, got {victims}").coded(
            "victims_out_of_range", field="victims", min=0, max=MAX_VICTIMS, value=victims
        )
    if call_received_at is None:
        return
    received = require_aware(call_received_at, "call_received_at")
    if received > at + CLOCK_SKEW:
        raise InputError(
            f"call_received_at {received.isoformat()} is in the future (server time {at.isoformat()})"
        ).coded("call_time_in_future", field="call_received_at", value=received.isoformat())
    if received < at - CALL_RECEIVED_MAX_AGE:
        hours = CALL_RECEIVED_MAX_AGE.total_seconds() / 3600
        raise InputError(
            f"call_received_at {received.isoformat()} is more than {hours:.0f} h ago; "
            "give the time the call-taker started this form"
        ).coded("call_time_too_old", field="call_received_at", value=received.isoformat(), max_age_h=hours)


def update_incident(
    session: Session,
    *,
    incident_id: int,
    at: datetime,
    by: str,
    description: str | None = None,
    priority: int | str | None = None,
) -> IncidentRow:
    """Change the description and/or priority of an open incident; the change is logged.

    Raises
    ------
    ConflictError
        The incident is closed or cancelled.
    InputError
        A bad priority.
    """
    row = incident_repo.get_incident(session, incident_id=incident_id, for_update=True)
    if row.status in FINAL_INCIDENT_STATUSES:
        raise ConflictError(
            f"incident {incident_id} is {row.status}; a closed incident cannot be edited"
        ).coded("incident_finished", incident_id=incident_id, status=str(row.status))
    changes: dict[str, object] = {}
    if priority is not None:
        new_priority = int(parse_priority(priority))
        if new_priority != row.priority:
            changes["priority"] = {"old": row.priority, "new": new_priority}
            row.priority = new_priority
    if description is not None and description != row.description:
        changes["description"] = {"old": row.description, "new": description}
        row.description = description
    if changes:
        session.flush()
        event_repo.record_event(
            session, incident_id=incident_id, kind=IncidentEventKind.UPDATED, at=at, by=by, detail=changes
        )
    return row


def relocate_incident(
    session: Session,
    *,
    gazetteer: Gazetteer,
    incident_id: int,
    at: datetime,
    by: str,
    location: LonLat | None = None,
    place_kode: str | None = None,
    places: PlaceIndex | None = None,
) -> IncidentRow:
    """Correct where an open incident is: reverse-geocoded again, logged with the old and new point and
    the distance moved. The place text (``address``) becomes the new place's, or "" for a point moved
    by coordinates (the old text is kept in the event). Assignments are kept (units on the way are
    redirected by radio); the next recommendation ranks from the new point.

    Raises
    ------
    ConflictError
        The incident is closed or cancelled.
    InputError, OutsideServiceAreaError
        As :func:`locate_incident` (unknown kode, point outside Siak): nothing is changed.
    """
    row = incident_repo.get_incident(session, incident_id=incident_id, for_update=True)
    if row.status in FINAL_INCIDENT_STATUSES:
        raise ConflictError(
            f"incident {incident_id} is {row.status}; a finished incident cannot be moved"
        ).coded("incident_finished", incident_id=incident_id, status=str(row.status))
    where = locate_incident(gazetteer, location=location, place=None, place_kode=place_kode, places=places)
    old = {
        "lon": row.location.lon,
        "lat": row.location.lat,
        "desa": row.desa_nama,
        "kecamatan": row.kecamatan_nama,
        "address": row.address,
    }
    new = {
        "lon": where.point.lon,
        "lat": where.point.lat,
        "desa": where.location.desa_nama,
        "kecamatan": where.location.kecamatan_nama,
        "address": place_address(where),
    }
    distance_m = round(great_circle_m(row.location, where.point), 1)
    row.location = where.point
    row.address = str(new["address"])  # the old place text no longer says where it is (kept in the event)
    row.desa_kode = where.location.desa_kode
    row.desa_nama = where.location.desa_nama
    row.kecamatan_kode = where.location.kecamatan_kode
    row.kecamatan_nama = where.location.kecamatan_nama
    session.flush()
    change: dict[str, object] = {
        "old": old,
        "new": new,
        "distance_m": distance_m,
        "source": "coordinates" if where.place_point is None else "place",
        "inside_boundary": where.location.inside,
    }
    if where.place_point is not None:
        change["place_kode"] = where.place_point.kode
        change["road_distance_m"] = where.place_point.road_distance_m
    event_repo.record_event(
        session,
        incident_id=incident_id,
        kind=IncidentEventKind.UPDATED,
        at=at,
        by=by,
        detail={"location": change},
    )
    log.info("incident %d relocated %.0f m by %s", incident_id, distance_m, by)
    return row


def stand_down_status(unit_type: UnitType, status: UnitStatus) -> UnitStatus | None:
    """Where a unit goes when its incident ends, or None when it keeps its status."""
    if status == UnitStatus.DISPATCHED:
        return UnitStatus.AVAILABLE
    if UnitStatus.RETURNING in allowed_next(unit_type, status):
        return UnitStatus.RETURNING
    return None


def finish_incident(
    session: Session,
    *,
    incident_id: int,
    new_status: IncidentStatus,
    at: datetime,
    by: str,
    note: str = "",
    reason: str | None = None,
) -> IncidentRow:
    """Close or cancel an incident: release its assignments, stand its units down, log the change.

    The lifecycle is checked before anything is written, so a refused move changes nothing.

    Raises
    ------
    InvalidTransition
        The incident cannot move to ``new_status`` (e.g. closing one that nobody reached yet).
    InputError
        A ``reason`` code that ``new_status`` does not accept (:data:`FINISH_REASONS`).
    """
    if new_status not in FINAL_INCIDENT_STATUSES:
        raise InputError(f"{new_status} is not a final status; expected closed or cancelled")
    reason = check_finish_reason(new_status, reason)
    row = incident_repo.get_incident(session, incident_id=incident_id, for_update=True)
    old_status = row.status
    incident_transition(old_status, new_status)  # refuse early, before touching units
    open_assignments = incident_repo.list_assignments(session, incident_id=incident_id, open_only=True)
    units = [fleet_repo.get_unit(session, unit_id=a.unit_id, for_update=True) for a in open_assignments]
    # ``at`` was read before the locks: a racing assignment or status change that got them first may
    # carry a later time. The incident ends after everything it is made of, never before.
    at = max(
        [at, row.created_at]
        + [a.assigned_at for a in open_assignments]
        + [u.status_changed_at for u in units]
    )
    released = []
    for unit in units:
        target = stand_down_status(unit.unit_type, unit.status)
        if target is not None:
            fleet_repo.change_unit_status(
                session, unit_id=unit.id, new_status=target, at=at, by=by, incident_id=incident_id
            )
        incident_repo.release_assignment(session, incident_id=incident_id, unit_id=unit.id, at=at)
        released.append(unit.id)
    incident_repo.change_incident_status(session, incident_id=incident_id, new_status=new_status, at=at)
    event_repo.record_event(
        session,
        incident_id=incident_id,
        kind=IncidentEventKind.STATUS,
        at=at,
        by=by,
        from_status=old_status,
        to_status=new_status,
        detail={"released_units": released, "note": note, "reason": reason},
    )
    log.info("incident %d %s by %s; released %s", incident_id, new_status, by, released)
    return row
