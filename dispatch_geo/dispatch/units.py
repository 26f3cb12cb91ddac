"""Unit services: create a unit, change its status (audited, linked to its incident).

Positions go through the ingest pipeline (``tracking.ingest``), for devices and dispatchers alike.

A status change of a unit that works an incident is linked to that incident in the audit trail. When
the unit becomes free again (``returning``, ``available``) or drops out (``out_of_service``) its
assignment is released; when the first unit reaches the scene a ``dispatched`` incident becomes
``on_scene``. Lock order as in the repositories: incident first, then unit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from dispatch_geo.domain.facilities import TREATS_PATIENTS
from dispatch_geo.domain.incidents import IncidentStatus
from dispatch_geo.domain.units import (
    Agency,
    Availability,
    StatusChange,
    Unit,
    UnitStatus,
    UnitType,
    availability,
    default_agency,
)
from dispatch_geo.errors import ConflictError, InputError, NotFoundError
from dispatch_geo.storage import event_repo, facility_repo, fleet_repo, incident_repo
from dispatch_geo.storage.event_models import IncidentEventKind
from dispatch_geo.storage.models import UnitRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UnitStatusResult:
    """The audited change, the incident it was linked to and what happened to that incident."""

    change: StatusChange
    incident_id: int | None
    assignment_released: bool
    incident_status: IncidentStatus | None


def create_unit(
    session: Session,
    *,
    unit_id: str,
    unit_type: UnitType | str,
    station_id: str,
    at: datetime,
    agency: Agency | str | None = None,
    device_id: str | None = None,
) -> UnitRow:
    """Add an ``available`` unit to the fleet.

    Raises
    ------
    InputError
        Unknown station, or an agency that cannot run this unit type.
    ConflictError
        The call sign or the device id is taken.
    """
    kind = UnitType(unit_type)
    try:
        fleet_repo.get_station(session, station_id=station_id)
    except NotFoundError as exc:
        raise InputError(f"station {station_id!r} does not exist; create the station first") from exc
    unit = Unit(
        id=unit_id,
        unit_type=kind,
        agency=Agency(agency) if agency is not None else default_agency(kind),
        station_id=station_id,
    )
    return fleet_repo.create_unit(session, unit=unit, at=at, device_id=device_id)


NO_INCIDENT = 0
"""``expected_incident_id`` meaning "the unit works no incident"."""


def change_unit_status(
    session: Session,
    *,
    unit_id: str,
    new_status: UnitStatus,
    at: datetime,
    by: str,
    expected_status: UnitStatus | None = None,
    expected_incident_id: int | None = None,
    destination_facility_id: str | None = None,
) -> UnitStatusResult:
    """Move a unit to ``new_status`` (table-checked, audited with who and when).

    Optimistic concurrency: with ``expected_status`` and/or ``expected_incident_id``
    (:data:`NO_INCIDENT` for "no incident") the change is made only if the unit, under its lock, is
    still in that status and works that incident; otherwise :class:`ConflictError`
    (``unit_status_changed`` / ``unit_reassigned``) naming what changed, and nothing is written. A late
    "available" from a crew or a second console can then never release a unit that meanwhile went to
    another incident.

    Raises
    ------
    NotFoundError
        No such unit.
    InputError
        ``dispatched`` asked for directly: a unit is dispatched by assigning it to an incident.
    InvalidTransition
        The status table refuses the move; the message names the allowed statuses.

    ``destination_facility_id`` (only with ``transporting``, else :class:`InputError`
    ``destination_needs_transporting``) is where the unit takes the patient: an active hospital or
    puskesmas (unknown: :class:`NotFoundError`), stored on the unit's open assignment (none:
    ``destination_without_incident``). ``at_hospital`` keeps it; the release at ``returning`` /
    ``available`` takes it off the unit's live picture and leaves it in the incident's record.
    """
    new_status = UnitStatus(new_status)
    if destination_facility_id is not None:
        _check_destination(session, unit_id=unit_id, status=new_status, facility_id=destination_facility_id)
    if new_status == UnitStatus.DISPATCHED:
        raise InputError(
            f"unit {unit_id} cannot be set to dispatched directly; assign it to an incident instead"
        ).coded("dispatch_by_assignment", unit_id=unit_id)
    try:
        fleet_repo.get_unit(session, unit_id=unit_id)  # 404 before any lock
    except NotFoundError as exc:
        raise exc.coded(what="unit", id=unit_id) from None
    seen = incident_repo.list_assignments(session, unit_id=unit_id, open_only=True)
    incident = None
    if seen:
        incident = incident_repo.get_incident(session, incident_id=seen[0].incident_id, for_update=True)
    unit = fleet_repo.get_unit(session, unit_id=unit_id, for_update=True)
    # The assignment was read before the locks. Under them it is either unchanged, gone (the incident
    # was closed or cancelled meanwhile: the unit is no longer linked to it), or new (assigned
    # meanwhile, to an incident this transaction has not locked: locking it now would invert the lock
    # order, so the dispatcher is asked to look again).
    held = incident_repo.list_assignments(session, unit_id=unit_id, open_only=True)
    if held and [a.id for a in held] != [a.id for a in seen]:
        raise ConflictError(
            f"unit {unit_id} was just assigned to incident {held[0].incident_id}; "
            "check its status and try again"
        ).coded("unit_just_assigned", unit_id=unit_id, incident_id=held[0].incident_id)
    if not held:
        incident = None
    if expected_status is not None and unit.status != UnitStatus(expected_status):
        raise ConflictError(
            f"unit {unit_id} is {unit.status} now, not {expected_status}: it changed meanwhile "
            f"(last change {unit.status_changed_at.isoformat()}); look again before changing it"
        ).coded(
            "unit_status_changed",
            unit_id=unit_id,
            expected=str(expected_status),
            actual=str(unit.status),
            incident_id=held[0].incident_id if held else None,
        )
    actual_incident = held[0].incident_id if held else NO_INCIDENT
    if expected_incident_id is not None and actual_incident != expected_incident_id:
        raise ConflictError(
            f"unit {unit_id} works "
            + (f"incident {actual_incident}" if actual_incident else "no incident")
            + f" now, not {expected_incident_id or 'none'}: it was reassigned meanwhile"
        ).coded(
            "unit_reassigned",
            unit_id=unit_id,
            expected_incident_id=expected_incident_id or None,
            actual_incident_id=actual_incident or None,
        )
    if destination_facility_id is not None and not held:
        raise InputError(f"unit {unit_id} works no incident; a destination belongs to an assignment").coded(
            "destination_without_incident", unit_id=unit_id
        )
    at = max([at, unit.status_changed_at] + [a.assigned_at for a in held])
    change = fleet_repo.change_unit_status(
        session,
        unit_id=unit_id,
        new_status=new_status,
        at=at,
        by=by,
        incident_id=None if incident is None else incident.id,
    )
    released = False
    incident_status = None
    if destination_facility_id is not None:
        held[0].destination_facility_id = destination_facility_id
        session.flush()
    if incident is not None:
        if availability(new_status) != Availability.COMMITTED:
            incident_repo.release_assignment(session, incident_id=incident.id, unit_id=unit_id, at=at)
            released = True
        if new_status == UnitStatus.ON_SCENE and incident.status == IncidentStatus.DISPATCHED:
            incident_repo.change_incident_status(
                session, incident_id=incident.id, new_status=IncidentStatus.ON_SCENE, at=at
            )
            event_repo.record_event(
                session,
                incident_id=incident.id,
                kind=IncidentEventKind.STATUS,
                at=at,
                by=by,
                from_status=IncidentStatus.DISPATCHED,
                to_status=IncidentStatus.ON_SCENE,
                detail={"first_on_scene": unit_id},
            )
        incident_status = incident.status
    return UnitStatusResult(change, None if incident is None else incident.id, released, incident_status)


def _check_destination(session: Session, *, unit_id: str, status: UnitStatus, facility_id: str) -> None:
    """Refuse a destination that does not go with ``status`` or is no place to take a patient."""
    if status != UnitStatus.TRANSPORTING:
        raise InputError(
            f"a destination goes with the status transporting, not {status}; leave it out"
        ).coded("destination_needs_transporting", unit_id=unit_id, status=str(status))
    facility = facility_repo.get_facility(session, facility_id=facility_id)
    if not facility.active or facility.kind not in TREATS_PATIENTS:
        raise InputError(
            f"facility {facility_id!r} ({facility.kind}{'' if facility.active else ', inactive'}) "
            "does not take patients; choose an active hospital or puskesmas"
        ).coded("destination_not_treating", id=facility_id, kind=str(facility.kind))
