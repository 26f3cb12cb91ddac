"""Arrivals proposed by position, for the dispatcher's console (issue 13).

``GET /arrival-proposals``: every unit en route (or transporting) whose phone has stayed within
``geofence_radius_m`` of its incident (or hospital) for ``geofence_dwell_s``, with the status to set.
The same rule as the crew page's proposal (:func:`siaga.api.routes_crew.crew_view`); the console shows
it in the incident panel, where one click sets the status (nothing is set by itself).
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from dispatch_geo.dispatch import crew
from dispatch_geo.domain.units import UnitStatus
from dispatch_geo.domain.values import LonLat
from dispatch_geo.storage import device_repo, fleet_repo
from siaga.api.deps import DispatcherDep, SessionDep, StateDep
from siaga.api.routes_crew import _proposal, _target

router = APIRouter(tags=["units"])


class ArrivalProposalOut(BaseModel):
    unit_id: str
    incident_id: int
    from_status: UnitStatus = Field(description="the unit's status now (en_route or transporting)")
    status: UnitStatus = Field(description="the status proposed: on_scene or at_hospital")
    target_kind: str = Field(description="incident | facility")
    target_name: str
    inside_s: int = Field(description="how long the unit's fixes have stayed within radius_m")
    radius_m: float


@router.get(
    "/arrival-proposals",
    response_model=list[ArrivalProposalOut],
    summary="Units whose phone has stayed at their incident or hospital: the arrival to confirm "
    "(dispatchers and admins)",
)
def arrival_proposals(session: SessionDep, state: StateDep, _: DispatcherDep) -> list[ArrivalProposalOut]:
    out = []
    for unit in fleet_repo.list_units(session, status=crew.PROPOSED_ON_ARRIVAL.keys()):
        if unit.last_fix_time is None:
            continue
        current = device_repo.current_assignment(session, unit_id=unit.id)
        if current is None:
            continue
        target = _target(session, unit, current[1])
        proposal = _proposal(session, state, unit, LonLat(target.location.lon, target.location.lat))
        if proposal is None:
            continue
        out.append(
            ArrivalProposalOut(
                unit_id=unit.id,
                incident_id=current[1].id,
                from_status=unit.status,
                status=proposal.status,
                target_kind=target.kind,
                target_name=target.name,
                inside_s=round(proposal.inside_s),
                radius_m=proposal.radius_m,
            )
        )
    return out
