"""The story of one incident, in time order: the call, recommendations, choices, assignments, unit
status changes linked to it, and its own status changes and edits.

Several things often happen in the same instant (an assignment dispatches the unit and the incident
in one transaction), so entries with equal times are ordered by what causes what (:data:`KIND_ORDER`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch_geo.dispatch.geofence import GEOFENCE_ACTOR
from dispatch_geo.domain.incidents import FINAL_INCIDENT_STATUSES
from dispatch_geo.domain.units import UnitStatus
from dispatch_geo.storage import event_repo, facility_repo, incident_repo
from dispatch_geo.storage.event_models import IncidentEventKind
from dispatch_geo.storage.models import IncidentRow, UnitStatusChangeRow

KIND_ORDER = {
    "incident_created": 0,
    "incident_updated": 1,
    "relocated": 1,
    "recommendation": 2,
    "unit_chosen": 3,
    "unit_status": 4,
    "assignment": 5,
    "assignment_released": 6,
    "incident_status": 7,
    "requirement_added": 2,
    "note": 8,
    "arrival_far": 5,
    "left_scene": 5,
}
"""Tie-break for entries with the same time: cause before effect."""


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the timeline; ``detail`` carries the structured data (ETAs, old/new values...)."""

    at: datetime
    kind: str
    by: str
    summary: str
    unit_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    seq: int = 0
    summary_code: str = ""
    """Message code of ``summary`` (docs/dispatch.md, "Message codes"); its parameters are ``params``."""
    params: dict[str, Any] = field(default_factory=dict)


SUMMARY_CODES = {
    "incident_created": "timeline.incident_created",
    "incident_updated": "timeline.incident_updated",
    "relocated": "timeline.incident_relocated",
    "incident_status": "timeline.incident_status",
    "recommendation": "timeline.recommendation",
    "unit_chosen": "timeline.unit_chosen",
    "unit_status": "timeline.unit_status",
    "assignment": "timeline.unit_assigned",
    "assignment_released": "timeline.unit_released",
    "requirement_added": "timeline.requirement_added",
    "note": "timeline.note",
    "arrival_far": "timeline.arrival_far",
    "left_scene": "timeline.left_scene",
}
"""The message code of each entry kind's summary."""


def _summary_params(entry: TimelineEntry, incident: IncidentRow) -> dict[str, Any]:
    """The parameters a translated summary needs (the English ``summary`` says the same)."""
    d = entry.detail
    if entry.kind == "incident_created":
        return {
            "incident_type": str(incident.incident_type),
            "priority": incident.priority,
            "desa": d.get("desa", incident.desa_nama),
            "kecamatan": d.get("kecamatan", incident.kecamatan_nama),
        }
    if entry.kind == "incident_updated":
        return {"fields": sorted(d)}
    if entry.kind == "relocated":
        return {
            "distance_m": d["distance_m"],
            "from_desa": d["old"].get("desa"),
            "to_desa": d["new"].get("desa"),
            "to_kecamatan": d["new"].get("kecamatan"),
        }
    if entry.kind == "incident_status":
        return {
            "from_status": str(d.get("from")),
            "to_status": str(d.get("to")),
            "reason": d.get("reason"),
            "note": d.get("note") or "",
        }
    if entry.kind == "recommendation":
        return {"offered": [{"unit_id": o["unit_id"], "eta_s": o["eta_s"]} for o in d.get("offered", [])]}
    if entry.kind == "unit_status":
        params = {"unit_id": entry.unit_id, "from_status": str(d["from"]), "to_status": str(d["to"])}
        if "destination" in d:
            params["destination"] = d["destination"]["name"]
            params["destination_id"] = d["destination"]["id"]
        return params
    if entry.kind == "requirement_added":
        return {"count": d["count"], "unit_types": d["unit_types"]}
    if entry.kind == "note":
        return {"text": d["text"]}
    if entry.kind == "arrival_far":
        return {k: d[k] for k in ("unit_id", "status", "distance_m", "limit_m")}
    if entry.kind == "left_scene":
        return {"unit_id": d["unit_id"], "radius_m": d["radius_m"]}
    return {"unit_id": entry.unit_id}  # unit_chosen, assignment, assignment_released


def _summary_code(entry: TimelineEntry) -> str:
    """The entry's message code; a unit status the geofence set says it was automatic."""
    if entry.kind == "unit_status" and entry.by == GEOFENCE_ACTOR:
        return "timeline.unit_status_auto"
    return SUMMARY_CODES[entry.kind]


def _status_text(from_status: object, to_status: object) -> str:
    return f"{from_status} → {to_status}"


def incident_timeline(session: Session, *, incident_id: int) -> list[TimelineEntry]:
    """Every recorded event of the incident, oldest first (see module docstring for ties).

    Raises
    ------
    NotFoundError
        No such incident.
    """
    incident = incident_repo.get_incident(session, incident_id=incident_id)
    entries: list[TimelineEntry] = []
    events = event_repo.list_events(session, incident_id=incident_id)
    if not any(e.kind == IncidentEventKind.CREATED for e in events):
        entries.append(
            TimelineEntry(incident.created_at, "incident_created", incident.created_by, "incident reported")
        )
    for event in events:
        if event.kind == IncidentEventKind.STATUS and event.to_status in FINAL_INCIDENT_STATUSES:
            summary = "incident " + _status_text(event.from_status, event.to_status)
            reason = event.detail.get("reason")
            if reason:
                summary += f" ({reason})"  # the note is in detail and params
            entries.append(
                TimelineEntry(
                    event.at,
                    "incident_status",
                    event.by,
                    summary,
                    None,
                    {**event.detail, "from": event.from_status, "to": event.to_status},
                )
            )
        elif event.kind == IncidentEventKind.CREATED:
            where = ", ".join(x for x in (incident.desa_nama, incident.kecamatan_nama) if x)
            summary = f"{incident.incident_type} reported (priority {incident.priority}) at {where}"
            entries.append(TimelineEntry(event.at, "incident_created", event.by, summary, None, event.detail))
        elif event.kind == IncidentEventKind.STATUS:
            summary = "incident " + _status_text(event.from_status, event.to_status)
            entries.append(
                TimelineEntry(
                    event.at,
                    "incident_status",
                    event.by,
                    summary,
                    None,
                    {**event.detail, "from": event.from_status, "to": event.to_status},
                )
            )
        elif "arrival_far" in event.detail:  # a crew confirmed an arrival its position contradicts
            far = event.detail["arrival_far"]
            summary = (
                f"{far['unit_id']} reported {far['status']} {far['distance_m']} m from the place "
                f"(more than {far['limit_m']} m): check"
            )
            entries.append(TimelineEntry(event.at, "arrival_far", event.by, summary, far["unit_id"], far))
        elif "left_scene" in event.detail:  # the geofence saw a transporting unit leave the scene
            left = event.detail["left_scene"]
            summary = f"{left['unit_id']} left the scene (beyond {left['radius_m']} m) while transporting"
            entries.append(TimelineEntry(event.at, "left_scene", event.by, summary, left["unit_id"], left))
        elif "location" in event.detail:
            moved = event.detail["location"]
            summary = (
                f"incident relocated {moved['distance_m']:.0f} m: "
                f"{moved['old'].get('desa') or '?'} → {moved['new'].get('desa') or '?'}"
            )
            entries.append(TimelineEntry(event.at, "relocated", event.by, summary, None, moved))
        else:
            summary = "incident edited: " + ", ".join(sorted(event.detail))
            entries.append(TimelineEntry(event.at, "incident_updated", event.by, summary, None, event.detail))
    for req in incident_repo.list_requirements(session, incident_id=incident_id):
        label = f"{req.count} × " + " or ".join(sorted(req.unit_types))
        entries.append(
            TimelineEntry(
                req.added_at,
                "requirement_added",
                req.added_by,
                f"units requested: {label}",
                None,
                {"requirement_id": req.id, "unit_types": sorted(req.unit_types), "count": req.count},
            )
        )
    for note in event_repo.list_notes(session, incident_id=incident_id):
        entries.append(
            TimelineEntry(
                note.at, "note", note.by, f"note: {note.text}", None, {"note_id": note.id, "text": note.text}
            )
        )
    for audit in incident_repo.list_recommendations(session, incident_id=incident_id):
        if audit.chosen_unit_id is None:
            units = ", ".join(f"{o['unit_id']} ({o['eta_s']:.0f} s)" for o in audit.offered) or "no unit"
            entries.append(
                TimelineEntry(
                    audit.decided_at,
                    "recommendation",
                    audit.decided_by,
                    f"recommended: {units}",
                    None,
                    {"audit_id": audit.id, "offered": audit.offered},
                )
            )
        else:
            entries.append(
                TimelineEntry(
                    audit.decided_at,
                    "unit_chosen",
                    audit.decided_by,
                    f"{audit.chosen_unit_id} chosen",
                    audit.chosen_unit_id,
                    {"audit_id": audit.id, "offered": audit.offered},
                )
            )
    for a in incident_repo.list_assignments(session, incident_id=incident_id):
        entries.append(
            TimelineEntry(a.assigned_at, "assignment", a.assigned_by, f"{a.unit_id} assigned", a.unit_id)
        )
        if a.released_at is not None:
            entries.append(
                TimelineEntry(a.released_at, "assignment_released", "", f"{a.unit_id} released", a.unit_id)
            )
    changes = session.scalars(
        select(UnitStatusChangeRow)
        .where(UnitStatusChangeRow.incident_id == incident_id)
        .order_by(UnitStatusChangeRow.changed_at, UnitStatusChangeRow.id)
    )
    # where each unit took its patient (one destination per assignment, set with "transporting")
    going = {
        a.unit_id: a.destination_facility_id
        for a in incident_repo.list_assignments(session, incident_id=incident_id)
        if a.destination_facility_id is not None
    }
    names = {f.id: f.name for f in facility_repo.list_facilities(session)} if going else {}
    for c in changes:
        detail: dict[str, Any] = {"from": c.from_status, "to": c.to_status}
        summary = f"{c.unit_id} {_status_text(c.from_status, c.to_status)}"
        destination = going.get(c.unit_id) if c.to_status == UnitStatus.TRANSPORTING else None
        if destination is not None:
            detail["destination"] = {"id": destination, "name": names.get(destination, destination)}
            summary += f" to {detail['destination']['name']}"
        if c.changed_by == GEOFENCE_ACTOR:
            summary += " (automatic: geofence)"
        entries.append(TimelineEntry(c.changed_at, "unit_status", c.changed_by, summary, c.unit_id, detail))
    actors = {(e.unit_id, e.at): e.by for e in entries if e.kind == "unit_status"}
    entries = [
        replace(e, by=actors.get((e.unit_id, e.at), "")) if e.kind == "assignment_released" else e
        for e in entries
    ]
    numbered = [
        replace(e, seq=i, summary_code=_summary_code(e), params=_summary_params(e, incident))
        for i, e in enumerate(entries)
    ]
    return sorted(numbered, key=lambda e: (e.at, KIND_ORDER[e.kind], e.seq))
