"""Routes on demand: one unit's road route to an incident, asked for when the dispatcher looks at it.

A recommendation unpacks only the first route of each list (:func:`~dispatch_geo.dispatch.recommend.
recommend_for_incident`); the console asks for any other unit's route here when the dispatcher hovers
or selects it. The route starts at the unit's last fix and respects the active road closures, exactly
as the ranking timed it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from dispatch_geo.dispatch.closures import sync_closures
from dispatch_geo.dispatch.context import GeoContext
from dispatch_geo.dispatch.facilities import road_route_from_unit
from dispatch_geo.errors import ConflictError, UnreachableError
from dispatch_geo.storage import fleet_repo, incident_repo


@dataclass(frozen=True)
class UnitRoute:
    """The route of ``unit_id`` to ``incident_id`` from its last fix (GeoJSON LineString, [lon, lat])."""

    incident_id: int
    unit_id: str
    eta_s: float
    distance_m: float
    fix_age_s: float
    stale: bool
    route: dict[str, Any]


def route_to_incident(
    session: Session, *, geo: GeoContext, incident_id: int, unit_id: str, at: datetime
) -> UnitRoute:
    """The road route of ``unit_id`` from its last fix to the incident.

    Raises
    ------
    NotFoundError
        No such incident or unit.
    ConflictError
        The unit has sent no position yet (code ``no_position``).
    UnreachableError
        No road leads from the unit's position to the incident (code ``unreachable``).
    """
    incident = incident_repo.get_incident(session, incident_id=incident_id)
    unit = fleet_repo.get_unit(session, unit_id=unit_id)
    if unit.last_position is None or unit.last_fix_time is None:
        raise ConflictError(f"unit {unit_id} has sent no position yet; there is no route to draw").coded(
            "no_position", unit_id=unit_id
        )
    sync_closures(session, geo, now=at)
    best = road_route_from_unit(geo, unit=unit, to=incident.location, now=at)
    if best is None or best.route is None:
        raise UnreachableError(
            f"no road route from unit {unit_id}'s position to incident {incident_id}"
        ).coded(unit_id=unit_id, incident_id=incident_id)
    age_s = max((at - unit.last_fix_time).total_seconds(), 0.0)
    return UnitRoute(
        incident_id=incident_id,
        unit_id=unit_id,
        eta_s=best.eta_s,
        distance_m=best.distance_m,
        fix_age_s=age_s,
        stale=age_s > geo.stale_after_s,
        route=best.route,
    )
