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
from dispatch_geo.places import PlaceIndex, PlacePoint
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
    place_point: PlacePoint | None = None


@dataclass(frozen=True)
class IncidentPlace:
    """Where a new incident is: its point, its desa, and the named place it came from (if any).

    ``match`` is the best name match of a typed ``place`` (None for a ``place_kode`` or coordinates);
    ``place_point`` the desa or kecamatan the point was resolved from (None for coordinates).
    """

    point: LonLat
    location: Location
    match: PlaceMatch | None
    place_point: PlacePoint | None


def locate_incident(
    gazetteer: Gazetteer,
    *,
    location: LonLat | None,
    place: str | None,
    place_kode: str | None = None,
    places: PlaceIndex | None = None,
) -> IncidentPlace:
    """The incident's point and desa: from coordinates, a place kode, or a place name's best match.

    A ``place_kode`` (from the autocomplete) wins over the ``place`` text. With ``places`` a named place
    resolves to its settlement core or seat (:mod:`dispatch_geo.places`) and the incident's desa is the
    one the place stands for (the desa, or the kecamatan's seat); without, to a point inside its polygon.

    Raises
    ------
    InputError
        No location, or coordinates together with a place; no place matches the name; the kode is
        unknown (:class:`~dispatch_geo.places.UnknownPlaceError`).
    OutsideServiceAreaError
        The point lies outside Siak beyond the gazetteer's buffer.
    """
    named = place_kode is not None or (place is not None and bool(place.strip()))
    if (location is None) == (not named):
        raise InputError("give the incident location either as lon/lat or as a place, not both")
    if location is not None:
        return IncidentPlace(location, gazetteer.locate(location), None, None)
    if place_kode is not None:
        if places is None:
            raise InputError("a place_kode needs the resolved places of the road graph; give lon/lat instead")
        chosen = places.get(place_kode)
        return IncidentPlace(chosen.point, _location_of(chosen), None, chosen)
    assert place is not None
    matches = gazetteer.search(place, limit=1)
    if not matches:
        raise InputError(f"no desa or kecamatan in Siak matches the place name {place!r}")
    match = matches[0]
    if places is None:
        return IncidentPlace(match.centroid, gazetteer.locate(match.centroid), match, None)
    chosen = places.get(match.kode)
    return IncidentPlace(chosen.point, _location_of(chosen), match, chosen)


def _location_of(chosen: PlacePoint) -> Location:
    """The desa a named place stands for, even when its point is on a road just beyond the border."""
    return Location(
        desa_kode=chosen.desa_kode,
        desa_nama=chosen.desa_nama,
        kecamatan_kode=chosen.kecamatan_kode,
        kecamatan_nama=chosen.kecamatan_nama,
        inside=chosen.desa_distance_m == 0,
        distance_m=chosen.desa_distance_m,
    )


def resolve_location(
    gazetteer: Gazetteer, *, location: LonLat | None, place: str | None
) -> tuple[LonLat, Location, PlaceMatch | None]:
    """:func:`locate_incident` without resolved places, as ``(point, desa, name match)``."""
    found = locate_incident(gazetteer, location=location, place=place)
    return found.point, found.location, found.match


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
) -> CreatedIncident:
    """Record a new incident, reverse-geocoded to its desa and kecamatan (see :func:`locate_incident`)."""
    where = locate_incident(gazetteer, location=location, place=place, place_kode=place_kode, places=places)
    point, found, match, chosen = where.point, where.location, where.match, where.place_point
    if not address and chosen is not None:
        address = f"{chosen.nama} ({chosen.level}), Kecamatan {chosen.kecamatan_nama}"
    elif not address and match is not None:
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
    released = []
    for assignment in incident_repo.list_assignments(session, incident_id=incident_id, open_only=True):
        unit = fleet_repo.get_unit(session, unit_id=assignment.unit_id, for_update=True)
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
