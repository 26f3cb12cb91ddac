"""Arrivals noticed by the system (issue 13 §2): the geofence check the ingest worker runs about once a
second, reading stored positions, so one place sees every unit whichever process took its fixes.

- With ``auto_status`` (the centre enables it), a unit ``en_route`` whose fixes have stayed within
  ``radius_m`` of its incident for ``dwell_s`` is set ``on_scene``, and a unit ``transporting`` that
  stayed at its destination hospital is set ``at_hospital``: the same rule as the proposal
  (:func:`dispatch_geo.dispatch.crew.arrival_proposal`), through the same service and audit as a
  person's change, attributed to :data:`GEOFENCE_ACTOR`. The change carries the status and incident
  the check saw (optimistic concurrency), so a person's newer change is never overridden.
- Always: a unit ``transporting`` whose fixes went from inside the incident's radius to outside it gets
  one ``left_scene`` note in the incident's timeline.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from dispatch_geo.dispatch import crew
from dispatch_geo.dispatch import units as unit_service
from dispatch_geo.domain.units import UnitStatus
from dispatch_geo.domain.values import LonLat
from dispatch_geo.errors import SiagaError
from dispatch_geo.storage import device_repo, event_repo, fleet_repo, incident_repo, position_repo
from dispatch_geo.storage._common import great_circle_m
from dispatch_geo.storage.event_models import IncidentEventKind

log = logging.getLogger(__name__)

GEOFENCE_ACTOR = "geofence"
"""Who the audit names for a status the system set by itself (the timeline says "automatic")."""

LOOKBACK_S = 600.0
"""Fixes read back from the unit's last one (the same window as the console's proposals)."""


@dataclass(frozen=True)
class GeofenceRule:
    """The centre's geofence settings (SIAGA_GEOFENCE_RADIUS_M, _DWELL_S, _AUTO_STATUS)."""

    radius_m: float = 150.0
    dwell_s: float = 20.0
    auto_status: bool = False


@dataclass
class GeofenceOutcome:
    """What one check did: the statuses set and the notes written, as ``(unit_id, incident_id)``."""

    arrived: list[tuple[str, int, UnitStatus]] = field(default_factory=list)
    left_scene: list[tuple[str, int]] = field(default_factory=list)


def left_at(fixes: Sequence[tuple[datetime, LonLat]], place: LonLat, radius_m: float) -> datetime | None:
    """Time of the first fix outside ``radius_m`` after the last one inside, when the newest fix is
    outside and some fix was inside (``fixes`` oldest first); else None."""
    out_since = None
    for at, where in reversed(fixes):
        if great_circle_m(where, place) <= radius_m:
            return out_since
        out_since = at
    return None


def _already_noted(session: Session, *, incident_id: int, unit_id: str, assignment_id: int) -> bool:
    for event in event_repo.list_events(session, incident_id=incident_id):
        noted = event.detail.get("left_scene")
        if noted and noted.get("unit_id") == unit_id and noted.get("assignment_id") == assignment_id:
            return True
    return False


def check_unit(
    session: Session, *, unit_id: str, rule: GeofenceRule, now: datetime, outcome: GeofenceOutcome
) -> None:
    """Check one unit (its status, assignment and recent fixes as stored now); never commits. What it
    did is added to ``outcome`` (the caller keeps it only when the transaction commits)."""
    unit = fleet_repo.get_unit(session, unit_id=unit_id)
    if unit.status not in crew.PROPOSED_ON_ARRIVAL or unit.last_fix_time is None:
        return
    current = device_repo.current_assignment(session, unit_id=unit_id)
    if current is None:
        return
    assignment, incident = current
    since = unit.last_fix_time - timedelta(seconds=LOOKBACK_S)
    rows = position_repo.list_position_fixes(session, unit_id=unit_id, since=since)
    fixes = [(r.fix_time, r.position) for r in rows]
    scene = incident.location
    if unit.status == UnitStatus.TRANSPORTING:
        left = left_at(fixes, scene, rule.radius_m)
        if left is not None:  # the incident's lock makes a second worker wait, then see the note
            incident_repo.get_incident(session, incident_id=incident.id, for_update=True)
        if left is not None and not _already_noted(
            session, incident_id=incident.id, unit_id=unit_id, assignment_id=assignment.id
        ):
            event_repo.record_event(
                session,
                incident_id=incident.id,
                kind=IncidentEventKind.UPDATED,
                at=now,  # when the system noticed; the phone's fix time is in the detail
                by=GEOFENCE_ACTOR,
                detail={
                    "left_scene": {
                        "unit_id": unit_id,
                        "assignment_id": assignment.id,
                        "radius_m": round(rule.radius_m),
                        "fix_time": left.isoformat(),
                    }
                },
            )
            outcome.left_scene.append((unit_id, incident.id))
        going = incident_repo.open_destinations(session, unit_ids=[unit_id]).get(unit_id)
        target = None if going is None else going.location
    else:
        target = scene
    if not rule.auto_status or target is None:
        return
    proposal = crew.arrival_proposal(unit.status, fixes, target, radius_m=rule.radius_m, dwell_s=rule.dwell_s)
    if proposal is None:
        return
    unit_service.change_unit_status(
        session,
        unit_id=unit_id,
        new_status=proposal.status,
        at=now,
        by=GEOFENCE_ACTOR,
        expected_status=unit.status,
        expected_incident_id=incident.id,
    )
    outcome.arrived.append((unit_id, incident.id, proposal.status))


CheckedKey = tuple[object, ...]
"""What a unit's check depends on, as the fleet list shows it: status, its time, and the last fix."""


def check_geofences(
    session_factory: Callable[[], Session],
    *,
    rule: GeofenceRule,
    now: datetime,
    checked: dict[str, CheckedKey] | None = None,
) -> GeofenceOutcome:
    """Check every unit driving somewhere, each in a transaction of its own. A unit a person (or another
    worker) changed meanwhile is left as it is: the change's optimistic check refuses it.

    ``checked`` (kept by the caller between calls) skips a unit whose status and last fix have not
    changed since its previous check: its fixes, hence the answer, are the same.
    """
    outcome = GeofenceOutcome()
    with session_factory() as session:
        moving = {
            u.id: (u.status, u.status_changed_at, u.last_fix_time)
            for u in fleet_repo.list_units(session, status=crew.PROPOSED_ON_ARRIVAL.keys())
        }
    if checked is not None:
        for gone in set(checked) - set(moving):
            del checked[gone]
    for unit_id, key in moving.items():
        if checked is not None and checked.get(unit_id) == key:
            continue
        done = GeofenceOutcome()
        try:
            with session_factory() as session, session.begin():
                check_unit(session, unit_id=unit_id, rule=rule, now=now, outcome=done)
        except SiagaError as exc:  # changed meanwhile (status, assignment): the person's change stands
            log.info("geofence left unit %s as it is: %s", unit_id, exc)
        else:  # committed: keep what it did
            outcome.arrived += done.arrived
            outcome.left_scene += done.left_scene
            for unit_id_, incident_id, status in done.arrived:
                log.info("geofence set unit %s %s (incident %s)", unit_id_, status, incident_id)
        if checked is not None:  # checked (a database failure raises before this: checked again)
            checked[unit_id] = key
    return outcome
