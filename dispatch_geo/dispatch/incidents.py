"""Incident services: create (with reverse geocoding), edit, close and cancel.

Closing or cancelling an incident releases every open assignment and stands its units down: a unit
still at the post (``dispatched``) becomes ``available``; one on the road or on scene goes
``returning``; a unit carrying a patient (``transporting``) keeps its status and is only released,
since the patient still has to reach the hospital.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from dispatch_geo.domain.incidents import (
    FINAL_INCIDENT_STATUSES,
    IncidentStatus,
    IncidentType,
    incident_transition,
    parse_priority,
)
from dispatch_geo.domain.units import UnitStatus, UnitType, allowed_next
from dispatch_geo.domain.values import LonLat
from dispatch_geo.errors import ConflictError, InputError
from dispatch_geo.gazetteer import Gazetteer, Location, PlaceMatch
from dispatch_geo.storage import event_repo, fleet_repo, incident_repo
from dispatch_geo.storage.event_models import IncidentEventKind
from dispatch_geo.storage.models import IncidentRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CreatedIncident:
    """A new incident, where it was placed, and the place name it was resolved from (if any)."""

    incident: IncidentRow
    location: Location
    place: PlaceMatch | None


def resolve_location(
    gazetteer: Gazetteer, *, location: LonLat | None, place: str | None
) -> tuple[LonLat, Location, PlaceMatch | None]:
    """The incident's point and desa: from coordinates, or from a place name's best match.

    Raises
    ------
    InputError
        Neither or both of ``location`` and ``place`` given, or no place matches the name.
    OutsideServiceAreaError
        The point lies outside Siak beyond the gazetteer's buffer.
    """
    if (location is None) == (place is None or not place.strip()):
        raise InputError("give the incident location either as lon/lat or as a place name, not both")
    match: PlaceMatch | None = None
    if location is None:
        assert place is not None
        matches = gazetteer.search(place, limit=1)
        if not matches:
            raise InputError(f"no desa or kecamatan in Siak matches the place name {place!r}")
        match = matches[0]
        location = match.centroid
    return location, gazetteer.locate(location), match


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
) -> CreatedIncident:
    """Record a new incident, reverse-geocoded to its desa and kecamatan (see :func:`resolve_location`)."""
    point, found, match = resolve_location(gazetteer, location=location, place=place)
    if not address and match is not None:
        address = f"{match.nama} ({match.level}), Kecamatan {match.kecamatan_nama}"
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
    )
    detail: dict[str, object] = {
        "location_source": "place" if match is not None else "coordinates",
        "desa": found.desa_nama,
        "kecamatan": found.kecamatan_nama,
        "inside_boundary": found.inside,
    }
    if match is not None:
        detail["place_query"] = place
        detail["place_match"] = {"kode": match.kode, "nama": match.nama, "level": match.level}
    event_repo.record_event(
        session,
        incident_id=row.id,
        kind=IncidentEventKind.CREATED,
        at=at,
        by=by,
        to_status=IncidentStatus.NEW,
        detail=detail,
    )
    return CreatedIncident(row, found, match)


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
        raise ConflictError(f"incident {incident_id} is {row.status}; a closed incident cannot be edited")
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


def stand_down_status(unit_type: UnitType, status: UnitStatus) -> UnitStatus | None:
    """Where a unit goes when its incident ends, or None when it keeps its status."""
    if status == UnitStatus.DISPATCHED:
        return UnitStatus.AVAILABLE
    if UnitStatus.RETURNING in allowed_next(unit_type, status):
        return UnitStatus.RETURNING
    return None


def finish_incident(
    session: Session, *, incident_id: int, new_status: IncidentStatus, at: datetime, by: str, note: str = ""
) -> IncidentRow:
    """Close or cancel an incident: release its assignments, stand its units down, log the change.

    The lifecycle is checked before anything is written, so a refused move changes nothing.

    Raises
    ------
    InvalidTransition
        The incident cannot move to ``new_status`` (e.g. closing one that nobody reached yet).
    """
    if new_status not in FINAL_INCIDENT_STATUSES:
        raise InputError(f"{new_status} is not a final status; expected closed or cancelled")
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
        detail={"released_units": released, "note": note},
    )
    log.info("incident %d %s by %s; released %s", incident_id, new_status, by, released)
    return row
