"""What an incident still needs and what dispatchers add to it: extra unit requirements and notes.

An incident's type gives its standard needs (:func:`~dispatch_geo.domain.incidents.outstanding_needs`);
a dispatcher may ask for more units of given types and add notes, both audited, both kept with the
incident's story.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from dispatch_geo.domain.incidents import FINAL_INCIDENT_STATUSES, Requirement, outstanding_needs
from dispatch_geo.domain.units import UnitType
from dispatch_geo.errors import ConflictError, InputError
from dispatch_geo.storage import event_repo, incident_repo
from dispatch_geo.storage.event_models import IncidentNoteRow
from dispatch_geo.storage.models import IncidentRow, UnitRow

log = logging.getLogger(__name__)

MAX_NOTE_LENGTH = 2000
MAX_ADDED_COUNT = 5
"""Units one added requirement may ask for (more: add another requirement)."""


def added_requirements(session: Session, *, incident_id: int) -> list[Requirement]:
    """The requirements dispatchers added to the incident, oldest first."""
    return [
        Requirement(unit_types=frozenset(UnitType(t) for t in r.unit_types), count=r.count)
        for r in incident_repo.list_requirements(session, incident_id=incident_id)
    ]


def outstanding_requirements(
    session: Session, *, incident: IncidentRow, assigned: Sequence[UnitRow] | None = None
) -> list[Requirement]:
    """What the incident still needs: its type's table plus what dispatchers added, minus what is
    assigned (none once it is closed or cancelled). ``assigned``: the incident's assigned units when
    the caller has already read them."""
    if incident.status in FINAL_INCIDENT_STATUSES:
        return []
    if assigned is None:
        assigned = incident_repo.assigned_units(session, incident_id=incident.id)
    extra = added_requirements(session, incident_id=incident.id)
    return outstanding_needs(incident.incident_type, [u.unit_type for u in assigned], extra=extra)


def add_requirement(
    session: Session,
    *,
    incident_id: int,
    unit_types: Collection[UnitType | str],
    count: int,
    at: datetime,
    by: str,
) -> IncidentRow:
    """Ask for ``count`` more units of any of ``unit_types`` for an open incident (audited).

    Raises
    ------
    NotFoundError
        No such incident.
    ConflictError
        The incident is closed or cancelled.
    InputError
        No unit type, an unknown one, or a count outside 1..:data:`MAX_ADDED_COUNT`.
    """
    row = incident_repo.get_incident(session, incident_id=incident_id, for_update=True)
    if row.status in FINAL_INCIDENT_STATUSES:
        raise ConflictError(
            f"incident {incident_id} is {row.status}; no unit can be added to a finished incident"
        ).coded("incident_finished", incident_id=incident_id, status=str(row.status))
    if not 1 <= count <= MAX_ADDED_COUNT:
        raise InputError(f"count must be between 1 and {MAX_ADDED_COUNT}, got {count}").coded(
            "count_out_of_range", field="count", min=1, max=MAX_ADDED_COUNT, value=count
        )
    try:
        types = frozenset(UnitType(t) for t in unit_types)
    except ValueError as exc:
        raise InputError(f"unknown unit type in {sorted(map(str, unit_types))}").coded(
            "invalid_unit_type", field="unit_types"
        ) from exc
    need = Requirement(unit_types=types, count=count)  # refuses an empty set
    incident_repo.add_requirement(
        session, incident_id=incident_id, unit_types=[str(t) for t in types], count=count, at=at, by=by
    )
    log.info("incident %d: %s added by %s", incident_id, need.describe(), by)
    return row


def add_note(session: Session, *, incident_id: int, text: str, at: datetime, by: str) -> IncidentNoteRow:
    """Add a note to an incident, open or finished (a follow-up after closing is still the story).

    Raises
    ------
    NotFoundError
        No such incident.
    InputError
        Empty (or only blanks), or longer than :data:`MAX_NOTE_LENGTH`.
    """
    incident_repo.get_incident(session, incident_id=incident_id)
    if not text.strip() or len(text) > MAX_NOTE_LENGTH:
        raise InputError(f"a note needs 1 to {MAX_NOTE_LENGTH} characters, not only blanks").coded(
            "invalid_note", field="text", max_length=MAX_NOTE_LENGTH
        )
    return event_repo.add_note(session, incident_id=incident_id, text=text, at=at, by=by)
