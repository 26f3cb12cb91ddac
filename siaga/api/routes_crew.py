"""The crew side: the unit's phone page (``/crew``), its assignment and its status reports.

The page logs in with the unit's device credential (the secret issued at enrolment, sent as a bearer
token) or a unit-bound device API token; either way the caller is the device role bound to one unit.
It polls ``GET /crew/assignment`` every ``crew_poll_interval_s`` with ``If-None-Match``: an unchanged
answer is a 304 without a body (see docs/tracking.md, "Crew page", for why polling and not SSE).
Status reports go through the console's service (same transition table, optimistic concurrency and
audit), attributed to ``crew:<unit>``; an arrival far from the place needs ``confirm_far`` and is
flagged in the incident's timeline.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Header, HTTPException, status
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from dispatch_geo.dispatch import crew
from dispatch_geo.dispatch import units as unit_service
from dispatch_geo.dispatch.facilities import eta_from_unit
from dispatch_geo.domain.facilities import FacilityKind
from dispatch_geo.domain.units import UnitStatus
from dispatch_geo.domain.values import LonLat
from dispatch_geo.errors import ConflictError
from dispatch_geo.storage import (
    device_repo,
    event_repo,
    facility_repo,
    fleet_repo,
    incident_repo,
    position_repo,
)
from dispatch_geo.storage.event_models import IncidentEventKind
from dispatch_geo.storage.models import IncidentRow, UnitRow
from siaga.api import crew_schemas as cs
from siaga.api.deps import DeviceDep, Principal, SessionDep, StateDep, now_utc
from siaga.api.routes_console import page_with_config
from siaga.api.schemas import Point

router = APIRouter(tags=["crew"])
page = APIRouter()


@page.get("/crew", response_class=HTMLResponse, include_in_schema=False)
def crew_page(state: StateDep) -> HTMLResponse:
    config = {
        "pollIntervalS": state.settings.crew_poll_interval_s,
        "demoToken": "demo-device-token" if state.settings.demo_tokens_enabled else "",
    }
    return page_with_config("crew.html", config)


def navigation(place: LonLat, label: str) -> dict[str, str]:
    """Links that open the phone's navigation app at ``place``."""
    lat, lon = f"{place.lat:.6f}", f"{place.lon:.6f}"
    return {
        "geo": f"geo:{lat},{lon}?q={lat},{lon}({quote(label)})",
        "google_maps": f"https://www.google.com/maps/dir/?api=1&destination={lat},{lon}&travelmode=driving",
        "osmand": f"https://osmand.net/map?pin={lat},{lon}#16/{lat}/{lon}",
    }


def hospitals_from_unit(
    session: Session, state: StateDep, *, unit: UnitRow, now: datetime
) -> list[cs.CrewHospital]:
    """Active hospitals with the unit's road ETA, nearest first (the console's chooser offers the same)."""
    out = []
    for f in facility_repo.list_facilities(session, kinds=[FacilityKind.HOSPITAL], active_only=True):
        eta = eta_from_unit(state.geo, unit=unit, to=f.location, now=now)
        out.append(
            cs.CrewHospital(
                id=f.id,
                name=f.name,
                kind=str(f.kind),
                approximate=f.approximate,
                eta_min=None if eta is None else round(eta.eta_s / 60.0, 1),
                distance_km=None if eta is None else round(eta.distance_m / 1000.0, 2),
            )
        )
    return sorted(out, key=lambda h: (h.eta_min is None, h.eta_min or 0.0, h.id))


def _incident_out(row: IncidentRow, *, assigned_at: datetime, caller_phone: bool) -> cs.CrewIncident:
    return cs.CrewIncident(
        incident_id=row.id,
        incident_type=row.incident_type,
        priority=row.priority,
        incident_status=row.status,
        location=Point(lon=row.location.lon, lat=row.location.lat),
        desa=row.desa_nama,
        kecamatan=row.kecamatan_nama,
        address=row.address,
        landmark=row.landmark,
        description=row.description,
        victims=row.victims,
        caller_phone=row.caller_phone if caller_phone else None,
        assigned_at=assigned_at,
    )


def _target(session: Session, unit: UnitRow, incident: IncidentRow) -> cs.CrewTarget:
    """The hospital while the unit takes a patient there, else the incident."""
    going = incident_repo.open_destinations(session, unit_ids=[unit.id]).get(unit.id)
    if going is not None and unit.status in (UnitStatus.TRANSPORTING, UnitStatus.AT_HOSPITAL):
        return cs.CrewTarget(
            kind="facility",
            id=going.id,
            name=going.name,
            location=Point(lon=going.location.lon, lat=going.location.lat),
            approximate=going.approximate,
            navigation=navigation(going.location, going.name),
        )
    name = ", ".join(x for x in (incident.address, incident.desa_nama) if x) or f"#{incident.id}"
    return cs.CrewTarget(
        kind="incident",
        id=str(incident.id),
        name=name,
        location=Point(lon=incident.location.lon, lat=incident.location.lat),
        navigation=navigation(incident.location, f"112 #{incident.id}"),
    )


def crew_view(session: Session, state: StateDep, who: Principal, *, now: datetime) -> cs.CrewOut:
    """What the crew page shows for the caller's unit."""
    assert who.unit_id is not None
    unit = fleet_repo.get_unit(session, unit_id=who.unit_id)
    next_statuses = crew.crew_next_statuses(unit)
    out = cs.CrewOut(
        login=who.name,
        unit_id=unit.id,
        unit_type=unit.unit_type,
        unit_status=unit.status,
        status_changed_at=unit.status_changed_at,
        position=None
        if unit.last_position is None
        else Point(lon=unit.last_position.lon, lat=unit.last_position.lat),
        last_fix_time=unit.last_fix_time,
        next_statuses=next_statuses,
        schematic=state.geo.schematic,
        label=state.geo.label,
        poll_interval_s=state.settings.crew_poll_interval_s,
    )
    current = device_repo.current_assignment(session, unit_id=unit.id)
    if current is None:
        return out
    assignment, incident = current
    target = _target(session, unit, incident)
    cache = state.geo.eta_cache.setdefault(("crew-routes",), {})
    route = crew.route_from_unit(
        state.geo, cache, unit=unit, to=LonLat(target.location.lon, target.location.lat), now=now
    )
    proposal = _proposal(session, state, unit, LonLat(target.location.lon, target.location.lat))
    hospitals = []
    if UnitStatus.TRANSPORTING in next_statuses:
        hospitals = hospitals_from_unit(session, state, unit=unit, now=now)
    return out.model_copy(
        update={
            "incident": _incident_out(
                incident,
                assigned_at=assignment.assigned_at,
                caller_phone=state.settings.crew_sees_caller_phone,
            ),
            "target": target,
            "route": None
            if route is None
            else cs.CrewRoute(
                eta_min=round(route.eta_s / 60.0, 1),
                distance_km=round(route.distance_m / 1000.0, 2),
                geometry=route.geometry,
            ),
            "hospitals": hospitals,
            "proposal": None
            if proposal is None
            else cs.CrewProposal(
                status=proposal.status, inside_s=round(proposal.inside_s), radius_m=proposal.radius_m
            ),
        }
    )


PROPOSAL_LOOKBACK_S = 600.0
"""Fixes read back from the unit's last one when checking for an arrival."""


def _proposal(session: Session, state: StateDep, unit: UnitRow, place: LonLat) -> crew.ArrivalProposal | None:
    if unit.status not in crew.PROPOSED_ON_ARRIVAL or unit.last_fix_time is None:
        return None
    since = unit.last_fix_time - timedelta(seconds=PROPOSAL_LOOKBACK_S)
    rows = position_repo.list_position_fixes(session, unit_id=unit.id, since=since)
    return crew.arrival_proposal(
        unit.status,
        [(r.fix_time, r.position) for r in rows],
        place,
        radius_m=state.settings.geofence_radius_m,
        dwell_s=state.settings.geofence_dwell_s,
    )


def _unit_bound(who: Principal) -> Principal:
    if who.unit_id is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only a device bound to a unit has a crew page")
    return who


@router.get(
    "/crew/assignment",
    response_model=cs.CrewOut,
    summary="The calling device's unit, its assignment, route and next statuses (device role; ETag)",
    responses={304: {"description": "unchanged since the ETag sent in If-None-Match"}},
)
def crew_assignment(
    session: SessionDep,
    state: StateDep,
    who: DeviceDep,
    if_none_match: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    view = crew_view(session, state, _unit_bound(who), now=now_utc())
    body = view.model_dump_json().encode("utf-8")
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache, private"}
    if if_none_match is not None and etag in [t.strip() for t in if_none_match.split(",")]:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def _arrival_place(session: Session, unit_id: str, new_status: UnitStatus) -> LonLat | None:
    """The place an arrival claims: the incident for on scene, the destination for at hospital."""
    current = device_repo.current_assignment(session, unit_id=unit_id)
    if current is None:
        return None
    if new_status == UnitStatus.ON_SCENE:
        return current[1].location
    going = incident_repo.open_destinations(session, unit_ids=[unit_id]).get(unit_id)
    return None if going is None else going.location


@router.post(
    "/crew/status",
    response_model=cs.CrewOut,
    summary="The crew reports its unit's status (device role; the console's rules and audit)",
    responses={409: {"description": "not allowed now, changed meanwhile, or `arrival_far` (confirm it)"}},
)
def crew_status(body: cs.CrewStatusIn, session: SessionDep, state: StateDep, who: DeviceDep) -> cs.CrewOut:
    unit_id = _unit_bound(who).unit_id
    assert unit_id is not None
    now = now_utc()
    unit = fleet_repo.get_unit(session, unit_id=unit_id)
    limit_m = state.settings.arrival_check_m
    place = _arrival_place(session, unit_id, body.status)
    far_m = crew.contradicts_position(unit, new_status=body.status, place=place, limit_m=limit_m)
    if far_m is not None and not body.confirm_far:
        raise ConflictError(
            f"unit {unit_id}'s last position is {far_m:.0f} m from the place (more than {limit_m:.0f} m); "
            "send confirm_far to report the arrival anyway"
        ).coded(
            "arrival_far",
            unit_id=unit_id,
            status=str(body.status),
            distance_m=round(far_m),
            limit_m=round(limit_m),
        )
    result = unit_service.change_unit_status(
        session,
        unit_id=unit_id,
        new_status=body.status,
        at=now,
        by=f"crew:{unit_id}"[:32],
        expected_status=body.expected_status,
        expected_incident_id=body.expected_incident_id,
        destination_facility_id=body.destination_facility_id,
    )
    if far_m is not None and result.incident_id is not None:
        event_repo.record_event(
            session,
            incident_id=result.incident_id,
            kind=IncidentEventKind.UPDATED,
            at=result.change.at,
            by=f"crew:{unit_id}"[:32],
            detail={
                "arrival_far": {
                    "unit_id": unit_id,
                    "status": str(body.status),
                    "distance_m": round(far_m),
                    "limit_m": round(limit_m),
                }
            },
        )
    session.commit()
    return crew_view(session, state, who, now=now)
