"""Repository for incidents, unit assignments and the recommendation audit.

Keyword-only functions that take a session and **never commit**. Lock order: incident row first, then
unit row (see :mod:`dispatch_geo.storage.fleet_repo`), so concurrent assignments cannot deadlock.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dispatch_geo.domain.incidents import (
    FINAL_INCIDENT_STATUSES,
    IncidentStatus,
    IncidentType,
    incident_transition,
    parse_priority,
)
from dispatch_geo.domain.units import Agency, UnitStatus
from dispatch_geo.domain.values import LonLat, require_aware
from dispatch_geo.errors import ConflictError, InputError, NotFoundError
from dispatch_geo.storage._common import as_set, conflict_savepoint
from dispatch_geo.storage.event_models import IncidentRequirementRow
from dispatch_geo.storage.fleet_repo import change_unit_status
from dispatch_geo.storage.models import (
    AssignmentRow,
    FacilityRow,
    IncidentRow,
    RecommendationAuditRow,
    UnitRow,
)

log = logging.getLogger(__name__)


def create_incident(
    session: Session,
    *,
    incident_type: IncidentType | str,
    priority: int | str,
    location: LonLat,
    created_at: datetime,
    created_by: str,
    caller_phone: str | None = None,
    description: str = "",
    address: str = "",
    desa_kode: str | None = None,
    desa_nama: str | None = None,
    kecamatan_kode: str | None = None,
    kecamatan_nama: str | None = None,
    landmark: str = "",
    caller_name: str | None = None,
    victims: int | None = None,
    call_received_at: datetime | None = None,
) -> IncidentRow:
    """Insert a new incident (status ``new``); :class:`InputError` on a bad type or priority.

    ``incident_type`` and ``priority`` may be given as their raw values (``"medical"``, ``"2"``).
    """
    try:
        kind = IncidentType(incident_type)
    except ValueError as exc:
        expected = ", ".join(t.value for t in IncidentType)
        raise InputError(f"incident type {incident_type!r} is unknown; expected one of {expected}") from exc
    row = IncidentRow(
        incident_type=kind,
        priority=int(parse_priority(priority)),
        status=IncidentStatus.NEW,
        location=location,
        address=address,
        caller_phone=caller_phone,
        description=description,
        desa_kode=desa_kode,
        desa_nama=desa_nama,
        kecamatan_kode=kecamatan_kode,
        kecamatan_nama=kecamatan_nama,
        created_at=require_aware(created_at, "incident creation time"),
        created_by=created_by,
        landmark=landmark,
        caller_name=caller_name,
        victims=victims,
        call_received_at=None
        if call_received_at is None
        else require_aware(call_received_at, "call received time"),
    )
    session.add(row)
    session.flush()
    log.info("incident %d created: %s priority %d", row.id, row.incident_type, row.priority)
    return row


def get_incident(session: Session, *, incident_id: int, for_update: bool = False) -> IncidentRow:
    """The incident ``incident_id``, row-locked when ``for_update``; :class:`NotFoundError` if absent."""
    stmt = select(IncidentRow).where(IncidentRow.id == incident_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    row = session.scalars(stmt).one_or_none()
    if row is None:
        raise NotFoundError(f"incident {incident_id} does not exist").coded(what="incident", id=incident_id)
    return row


def list_incidents(
    session: Session,
    *,
    status: IncidentStatus | Iterable[IncidentStatus] | None = None,
    incident_type: IncidentType | Iterable[IncidentType] | None = None,
    priority: int | Iterable[int] | None = None,
    created_since: datetime | None = None,
    limit: int | None = None,
    created_until: datetime | None = None,
    text: str | None = None,
    kecamatan_kode: str | None = None,
    offset: int = 0,
    desa_kode: str | None = None,
    agency: Agency | Iterable[Agency] | None = None,
    unit_id: str | None = None,
    created_by: str | None = None,
) -> list[IncidentRow]:
    """Incidents matching every filter, open ones first (most urgent, then oldest), then the closed
    and cancelled ones (newest first).

    ``limit`` and ``offset`` page only the closed and cancelled incidents: every matching open
    incident is always returned, however long the history (an open incident must never drop out of
    the live picture). ``created_since`` is inclusive, ``created_until`` exclusive. ``text`` is found,
    ignoring case, in the address, landmark, description, desa or kecamatan name (ASCII case folding
    on SQLite). ``agency`` and ``unit_id`` keep the incidents that a unit of those agencies, or that
    unit, was ever assigned to; ``created_by`` the ones that operator (token or account name) created.
    """
    stmt = select(IncidentRow).order_by(IncidentRow.priority, IncidentRow.created_at, IncidentRow.id)
    statuses = as_set(status, IncidentStatus)
    types = as_set(incident_type, IncidentType)
    if statuses is not None:
        stmt = stmt.where(IncidentRow.status.in_(sorted(statuses)))
    if types is not None:
        stmt = stmt.where(IncidentRow.incident_type.in_(sorted(types)))
    if priority is not None:
        wanted = [priority] if isinstance(priority, int) else list(priority)
        stmt = stmt.where(IncidentRow.priority.in_(sorted(int(parse_priority(p)) for p in wanted)))
    if created_since is not None:
        stmt = stmt.where(IncidentRow.created_at >= require_aware(created_since))
    if created_until is not None:
        stmt = stmt.where(IncidentRow.created_at < require_aware(created_until))
    if kecamatan_kode is not None:
        stmt = stmt.where(IncidentRow.kecamatan_kode == kecamatan_kode)
    if desa_kode is not None:
        stmt = stmt.where(IncidentRow.desa_kode == desa_kode)
    if created_by is not None:
        stmt = stmt.where(IncidentRow.created_by == created_by)
    if unit_id is not None:
        sent = select(AssignmentRow.id).where(
            AssignmentRow.incident_id == IncidentRow.id, AssignmentRow.unit_id == unit_id
        )
        stmt = stmt.where(sent.exists())
    agencies = as_set(agency, Agency)
    if agencies is not None:
        by_agency = (
            select(AssignmentRow.id)
            .join(UnitRow, UnitRow.id == AssignmentRow.unit_id)
            .where(AssignmentRow.incident_id == IncidentRow.id, UnitRow.agency.in_(sorted(agencies)))
        )
        stmt = stmt.where(by_agency.exists())
    if text is not None and text.strip():
        needle = text.strip()
        columns = (
            IncidentRow.address,
            IncidentRow.landmark,
            IncidentRow.description,
            IncidentRow.desa_nama,
            IncidentRow.kecamatan_nama,
        )
        stmt = stmt.where(or_(*(c.icontains(needle, autoescape=True) for c in columns)))
    final = sorted(FINAL_INCIDENT_STATUSES)
    open_rows = list(session.scalars(stmt.where(IncidentRow.status.not_in(final))))
    history = stmt.where(IncidentRow.status.in_(final)).order_by(None)
    history = history.order_by(IncidentRow.created_at.desc(), IncidentRow.id.desc()).offset(offset)
    if limit is not None:
        history = history.limit(limit)
    return open_rows + list(session.scalars(history))


def change_incident_status(
    session: Session, *, incident_id: int, new_status: IncidentStatus, at: datetime
) -> IncidentRow:
    """Move the incident to ``new_status`` under a row lock; final statuses set ``closed_at``.

    Raises
    ------
    InvalidTransition
        The lifecycle table does not allow the move; nothing is written.
    """
    row = get_incident(session, incident_id=incident_id, for_update=True)
    row.status = incident_transition(row.status, new_status)
    if row.status in FINAL_INCIDENT_STATUSES:
        row.closed_at = max(require_aware(at, "incident closing time"), row.created_at)
    session.flush()
    log.info("incident %d is now %s", incident_id, row.status)
    return row


def assign_unit(session: Session, *, incident_id: int, unit_id: str, at: datetime, by: str) -> AssignmentRow:
    """Send a unit to an incident: the unit becomes ``dispatched`` and a new incident ``dispatched``.

    Both rows are locked (incident, then unit) before anything is written, so of several concurrent
    calls for the same unit exactly one succeeds. A partial unique index (one open assignment per
    unit) backs this up in the database.

    Raises
    ------
    NotFoundError
        No such incident or unit.
    ConflictError
        The incident is closed or cancelled.
    InvalidTransition
        The unit cannot be dispatched from its current status (e.g. already dispatched).
    """
    incident = get_incident(session, incident_id=incident_id, for_update=True)
    if incident.status in FINAL_INCIDENT_STATUSES:
        raise ConflictError(
            f"incident {incident_id} is {incident.status}; no unit can be assigned to it"
        ).coded("incident_finished", incident_id=incident_id, status=str(incident.status))
    change = change_unit_status(
        session, unit_id=unit_id, new_status=UnitStatus.DISPATCHED, at=at, by=by, incident_id=incident_id
    )
    assignment = AssignmentRow(
        incident_id=incident_id, unit_id=unit_id, assigned_at=change.at, assigned_by=by
    )
    with conflict_savepoint(session, f"unit {unit_id} already has an open assignment"):
        session.add(assignment)
    if incident.status == IncidentStatus.NEW:
        incident.status = incident_transition(incident.status, IncidentStatus.DISPATCHED)
        session.flush()
    log.info("unit %s assigned to incident %d by %s", unit_id, incident_id, by)
    return assignment


def release_assignment(session: Session, *, incident_id: int, unit_id: str, at: datetime) -> AssignmentRow:
    """Close the open assignment of ``unit_id`` to ``incident_id`` (the unit's status is not changed).

    Raises
    ------
    NotFoundError
        The unit has no open assignment to that incident.

    A release time older than the assignment (``at`` read before a racing assignment got the lock)
    is recorded as the assignment time: the assignment lasted no time at all, never a negative one.
    """
    stmt = (
        select(AssignmentRow)
        .where(AssignmentRow.incident_id == incident_id)
        .where(AssignmentRow.unit_id == unit_id)
        .where(AssignmentRow.released_at.is_(None))
        .with_for_update()
    )
    row = session.scalars(stmt).one_or_none()
    if row is None:
        raise NotFoundError(f"unit {unit_id} has no open assignment to incident {incident_id}")
    row.released_at = max(require_aware(at, "release time"), row.assigned_at)
    session.flush()
    return row


def list_assignments(
    session: Session,
    *,
    incident_id: int | None = None,
    unit_id: str | None = None,
    open_only: bool = False,
) -> list[AssignmentRow]:
    """Assignments of an incident and/or unit, oldest first."""
    stmt = select(AssignmentRow).order_by(AssignmentRow.assigned_at, AssignmentRow.id)
    if incident_id is not None:
        stmt = stmt.where(AssignmentRow.incident_id == incident_id)
    if unit_id is not None:
        stmt = stmt.where(AssignmentRow.unit_id == unit_id)
    if open_only:
        stmt = stmt.where(AssignmentRow.released_at.is_(None))
    return list(session.scalars(stmt))


def open_destinations(session: Session, *, unit_ids: list[str]) -> dict[str, FacilityRow]:
    """The destination facility of each of these units' open assignment, where one is set."""
    if not unit_ids:
        return {}
    stmt = (
        select(AssignmentRow.unit_id, FacilityRow)
        .join(FacilityRow, FacilityRow.id == AssignmentRow.destination_facility_id)
        .where(AssignmentRow.released_at.is_(None))
        .where(AssignmentRow.unit_id.in_(unit_ids))
    )
    return {unit_id: facility for unit_id, facility in session.execute(stmt)}


def assigned_units(session: Session, *, incident_id: int) -> list[UnitRow]:
    """Units with an open assignment to the incident (feed their types to ``outstanding_needs``)."""
    stmt = (
        select(UnitRow)
        .join(AssignmentRow, AssignmentRow.unit_id == UnitRow.id)
        .where(AssignmentRow.incident_id == incident_id, AssignmentRow.released_at.is_(None))
        .order_by(AssignmentRow.assigned_at, UnitRow.id)
    )
    return list(session.scalars(stmt))


def record_recommendation(
    session: Session,
    *,
    incident_id: int,
    offered: Sequence[Mapping[str, Any]],
    chosen_unit_id: str | None,
    by: str,
    at: datetime,
) -> RecommendationAuditRow:
    """Keep what was offered for an incident (ranked, JSON-serialisable) and what was chosen.

    ``offered`` is e.g. ``[{"unit_id": "AMB-SIAK-01", "travel_time_s": 412.0, "distance_m": 5120.0}]``.
    """
    offered_list = [dict(item) for item in offered]
    if chosen_unit_id is not None and chosen_unit_id not in {item.get("unit_id") for item in offered_list}:
        log.info("incident %d: dispatcher chose %s, which was not offered", incident_id, chosen_unit_id)
    row = RecommendationAuditRow(
        incident_id=incident_id,
        offered=offered_list,
        chosen_unit_id=chosen_unit_id,
        decided_by=by,
        decided_at=require_aware(at, "decision time"),
    )
    with conflict_savepoint(session, f"recommendation for incident {incident_id} could not be recorded"):
        session.add(row)
    return row


def list_recommendations(session: Session, *, incident_id: int) -> list[RecommendationAuditRow]:
    """Recommendation audit rows of an incident, oldest first."""
    stmt = (
        select(RecommendationAuditRow)
        .where(RecommendationAuditRow.incident_id == incident_id)
        .order_by(RecommendationAuditRow.decided_at, RecommendationAuditRow.id)
    )
    return list(session.scalars(stmt))


def add_requirement(
    session: Session, *, incident_id: int, unit_types: Sequence[str], count: int, at: datetime, by: str
) -> IncidentRequirementRow:
    """Record that the incident needs ``count`` more units of any of ``unit_types``."""
    row = IncidentRequirementRow(
        incident_id=incident_id,
        unit_types=sorted(set(unit_types)),
        count=count,
        added_at=require_aware(at, "requirement time"),
        added_by=by,
    )
    with conflict_savepoint(session, f"requirement for incident {incident_id} could not be recorded"):
        session.add(row)
    return row


def list_requirements(session: Session, *, incident_id: int) -> list[IncidentRequirementRow]:
    """Requirements a dispatcher added to the incident, oldest first."""
    stmt = (
        select(IncidentRequirementRow)
        .where(IncidentRequirementRow.incident_id == incident_id)
        .order_by(IncidentRequirementRow.added_at, IncidentRequirementRow.id)
    )
    return list(session.scalars(stmt))
