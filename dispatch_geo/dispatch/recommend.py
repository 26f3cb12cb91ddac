"""Recommend units for an incident: one ranked list per outstanding requirement, audited.

The incident type says what it needs (:data:`~dispatch_geo.domain.incidents.REQUIRED_UNITS`); units
already assigned fill their slots (:func:`~dispatch_geo.domain.incidents.outstanding_needs`); every
requirement still open gets its own ranking by road travel time
(:func:`dispatch_geo.routing.nearest.recommend`): a traffic accident gets an ambulance list and a
police list. Units driving home (``returning``) are free "on radio" and are ranked like ``available``
ones. What was offered, with ETAs, is written to the recommendation audit.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from dispatch_geo.dispatch.closures import sync_closures
from dispatch_geo.dispatch.context import GeoContext
from dispatch_geo.dispatch.requirements import outstanding_requirements
from dispatch_geo.domain.incidents import FINAL_INCIDENT_STATUSES, Requirement
from dispatch_geo.domain.messages import Message
from dispatch_geo.domain.units import Availability, UnitType, availability
from dispatch_geo.errors import ConflictError, InputError
from dispatch_geo.routing.nearest import Recommendation, UnitCandidate, recommend
from dispatch_geo.routing.travel_time import TravelTimeRouter
from dispatch_geo.storage import incident_repo
from dispatch_geo.storage.models import IncidentRow, UnitRow
from dispatch_geo.storage.unit_snapshots import UnitSnapshot, list_unit_snapshots

AVAILABLE = "available"


@dataclass(frozen=True)
class RequirementRanking:
    """The ranking for one outstanding requirement (``requirement.count`` units still needed)."""

    requirement: Requirement
    result: Recommendation
    excluded_params: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Parameters of each excluded unit's reason code, by unit id."""
    warnings: list[Message] = field(default_factory=list)
    """``result.warnings`` as message codes."""


@dataclass(frozen=True)
class IncidentRecommendation:
    """Everything offered for an incident, the audit row id, and the graph it was computed on."""

    incident: IncidentRow
    groups: list[RequirementRanking]
    audit_id: int
    at: datetime
    schematic: bool
    label: str
    notes: list[str]
    note_messages: list[Message] = field(default_factory=list)
    """``notes`` as message codes."""


def unit_candidate(row: UnitRow | UnitSnapshot, router: TravelTimeRouter) -> UnitCandidate:
    free = availability(row.status) == Availability.AVAILABLE
    # the edge ingest snapped the last fix to (OSM node ids + offset), if it exists in this graph
    point = None
    if row.snapped_edge_u is not None and row.snapped_edge_v is not None and row.snapped_offset_m is not None:
        point = router.edge_point_from_osm(row.snapped_edge_u, row.snapped_edge_v, row.snapped_offset_m)
    return UnitCandidate(
        unit_id=row.id,
        call_sign=row.id,
        unit_type=row.unit_type.value,
        status=AVAILABLE if free else row.status.value,
        position=row.last_position,
        fix_time=row.last_fix_time,
        edge=point.edge if point else None,
        fraction=point.fraction if point else None,
    )


def offered_entries(groups: list[RequirementRanking]) -> list[dict[str, Any]]:
    """The audit form of what was offered: one entry per ranked unit (fresh first, then stale)."""
    offered = []
    for index, group in enumerate(groups):
        for rank, unit in enumerate([*group.result.ranked, *group.result.stale], start=1):
            offered.append(
                {
                    "group": index,
                    "requirement": group.requirement.describe(),
                    "rank": rank,
                    "unit_id": unit.unit_id,
                    "unit_type": unit.unit_type,
                    "eta_s": round(unit.eta_s, 1),
                    "distance_m": round(unit.distance_m, 1),
                    "stale": unit.stale,
                    "fix_age_s": round(unit.fix_age_s, 1),
                }
            )
    return offered


def recommend_for_incident(
    session: Session,
    *,
    geo: GeoContext,
    incident_id: int,
    at: datetime,
    by: str,
    k: int | None = None,
    unit_types: Collection[UnitType | str] | None = None,
    all_routes: bool = False,
) -> IncidentRecommendation:
    """Rank units for every outstanding requirement of the incident and audit the offer.

    Parameters
    ----------
    unit_types
        Ask for one unit of these types instead of the incident type's requirements (the dispatcher
        wants something the table does not propose, e.g. a water tanker for a building fire).
    all_routes
        Unpack the route of every ranked unit; by default only the first of each list has one (routes
        on demand: :func:`dispatch_geo.dispatch.facilities.road_route_from_unit` gives any other).

    Raises
    ------
    NotFoundError
        No such incident.
    ConflictError
        The incident is closed or cancelled.
    """
    incident = incident_repo.get_incident(session, incident_id=incident_id)
    if incident.status in FINAL_INCIDENT_STATUSES:
        raise ConflictError(
            f"incident {incident_id} is {incident.status}; there is nothing to recommend"
        ).coded("incident_finished", incident_id=incident_id, status=str(incident.status))
    notes: list[Message] = []
    if unit_types is not None:
        types = frozenset(UnitType(t) for t in unit_types)
        if not types:
            raise InputError("unit_types is empty; name at least one unit type or leave it out")
        needs = [Requirement(unit_types=types, count=1)]
    else:
        needs = outstanding_requirements(session, incident=incident)
        if not needs:
            notes.append(
                Message(
                    "no_outstanding_requirement",
                    f"incident {incident_id} ({incident.incident_type}) has no outstanding requirement; "
                    "ask for specific unit types to get a ranking",
                    {"incident_id": incident_id, "incident_type": str(incident.incident_type)},
                )
            )
    sync_closures(session, geo, now=at)
    wanted = sorted({t for need in needs for t in need.unit_types})
    rows = list_unit_snapshots(session, unit_type=wanted) if wanted else []
    groups = []
    for need in needs:
        candidates = [unit_candidate(r, geo.router) for r in rows if r.unit_type in need.unit_types]
        result = recommend(
            router=geo.router,
            snapper=geo.snapper,
            incident=incident.location,
            units=candidates,
            needed_types={t.value for t in need.unit_types},
            now=at,
            k=max(k or geo.k, need.count),
            stale_after_s=geo.stale_after_s,
            routes=None if all_routes else 1,
            snap_cache=geo.snap_cache,
        )
        groups.append(
            RequirementRanking(
                need, result, _excluded_params(result, rows, at=at, k=max(k or geo.k, need.count), geo=geo)
            )
        )
    audit = incident_repo.record_recommendation(
        session, incident_id=incident_id, offered=offered_entries(groups), chosen_unit_id=None, by=by, at=at
    )
    groups = [replace(g, warnings=[_warning(w, g.result) for w in g.result.warnings]) for g in groups]
    return IncidentRecommendation(
        incident, groups, audit.id, at, geo.schematic, geo.label, [n.text for n in notes], notes
    )


def _warning(text: str, result: Recommendation) -> Message:
    """A warning of :func:`~dispatch_geo.routing.nearest.recommend` as a message code."""
    if text.startswith("the incident is") and "from the nearest road" in text:
        return Message("incident_off_road", text, {"distance_m": round(result.incident_snap_distance_m)})
    if text.startswith("no available unit can reach"):
        return Message("no_unit_reachable", text)
    return Message("recommendation_warning", text, {"text": text})


def _excluded_params(
    result: Recommendation, rows: list[UnitSnapshot], *, at: datetime, k: int, geo: GeoContext
) -> dict[str, dict[str, Any]]:
    """Parameters of every exclusion's reason code (``busy`` → the status, ``farther`` → k...)."""
    by_id = {r.id: r for r in rows}
    params: dict[str, dict[str, Any]] = {}
    for x in result.excluded:
        row = by_id.get(x.unit_id)
        p: dict[str, Any] = {"unit_id": x.unit_id}
        if x.reason == "busy" and row is not None:
            p["status"] = str(row.status)
        elif x.reason == "wrong_type" and row is not None:
            p["unit_type"] = str(row.unit_type)
        elif x.reason == "stale_position" and row is not None and row.last_fix_time is not None:
            p["age_s"] = round((at - row.last_fix_time).total_seconds())
            p["limit_s"] = round(geo.stale_after_s)
        elif x.reason == "farther":
            p["k"] = k
        params[x.unit_id] = p
    return params
