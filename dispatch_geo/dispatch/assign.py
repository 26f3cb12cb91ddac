"""Assign a unit to an incident, atomically, and audit the choice against what was offered.

Atomicity comes from the repositories' row locks (incident first, then unit) on PostgreSQL and the
``BEGIN IMMEDIATE`` write lock on SQLite, backed by a partial unique index (one open assignment per
unit). Of two dispatchers racing for the same unit exactly one wins; the other gets
:class:`UnitHeldError` naming the incident holding the unit and who assigned it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from dispatch_geo.domain.incidents import FINAL_INCIDENT_STATUSES, IncidentStatus
from dispatch_geo.errors import ConflictError, NotFoundError
from dispatch_geo.storage import event_repo, incident_repo
from dispatch_geo.storage.event_models import IncidentEventKind
from dispatch_geo.storage.models import AssignmentRow, IncidentRow, RecommendationAuditRow


class UnitHeldError(ConflictError):
    """The unit is already assigned to an incident; ``details`` (and ``params``) name the holder."""

    code = "unit_already_assigned"

    def __init__(self, *, unit_id: str, holder: AssignmentRow) -> None:
        self.details: dict[str, Any] = {
            "unit_id": unit_id,
            "held_by_incident_id": holder.incident_id,
            "assigned_by": holder.assigned_by,
            "assigned_at": holder.assigned_at.isoformat(),
        }
        super().__init__(
            f"unit {unit_id} is already assigned to incident {holder.incident_id} "
            f"(assigned by {holder.assigned_by} at {holder.assigned_at.isoformat()})"
        )
        self.params = dict(self.details)


@dataclass(frozen=True)
class AssignmentResult:
    """The new assignment, the incident after it, and the audit row recording the choice."""

    assignment: AssignmentRow
    incident: IncidentRow
    audit: RecommendationAuditRow
    offered: bool
    """Whether the unit was among those last offered for this incident."""


def assign_unit(
    session: Session, *, incident_id: int, unit_id: str, at: datetime, by: str
) -> AssignmentResult:
    """Send ``unit_id`` to ``incident_id``: unit ``dispatched``, incident ``dispatched`` if it was new.

    Raises
    ------
    NotFoundError
        No such incident or unit.
    UnitHeldError
        The unit already works an incident (the message names it and who assigned it).
    ConflictError
        The incident is closed or cancelled, or the unit cannot be dispatched from its status
        (e.g. out of service); the message says why.
    """
    incident = incident_repo.get_incident(session, incident_id=incident_id, for_update=True)
    if incident.status in FINAL_INCIDENT_STATUSES:
        raise ConflictError(
            f"incident {incident_id} is {incident.status}; no unit can be assigned to it"
        ).coded("incident_finished", incident_id=incident_id, status=str(incident.status))
    before = incident.status
    try:
        assignment = incident_repo.assign_unit(
            session, incident_id=incident_id, unit_id=unit_id, at=at, by=by
        )
    except NotFoundError as exc:  # the incident was found above: it is the unit
        raise exc.coded(what="unit", id=unit_id) from None
    except ConflictError as exc:
        holders = incident_repo.list_assignments(session, unit_id=unit_id, open_only=True)
        if holders:
            raise UnitHeldError(unit_id=unit_id, holder=holders[-1]) from exc
        raise
    if incident.status != before:
        event_repo.record_event(
            session,
            incident_id=incident_id,
            kind=IncidentEventKind.STATUS,
            at=at,
            by=by,
            from_status=before,
            to_status=IncidentStatus(incident.status),
            detail={"first_unit": unit_id},
        )
    previous = incident_repo.list_recommendations(session, incident_id=incident_id)
    last_offer = next((r for r in reversed(previous) if r.chosen_unit_id is None), None)
    offered = [] if last_offer is None else list(last_offer.offered)
    audit = incident_repo.record_recommendation(
        session, incident_id=incident_id, offered=offered, chosen_unit_id=unit_id, by=by, at=at
    )
    was_offered = any(item.get("unit_id") == unit_id for item in offered)
    return AssignmentResult(assignment, incident, audit, was_offered)
