"""What a unit's crew sees on its phone: where to go (the incident, or the hospital while transporting),
the road route and ETA from the unit's last fix, the statuses it may report, and a check that a
reported arrival agrees with the unit's position, and the arrival its recent fixes suggest (a unit that
stays within a radius of its target for a while is proposed "on scene" / "at hospital").

The route is one bounded search of the same router as a recommendation (the unit as the only
candidate), cached per unit fix and target like :func:`dispatch_geo.dispatch.facilities.eta_from_unit`:
a crew page polls every second, the route changes only when the unit reports a new position.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dispatch_geo.dispatch.context import GeoContext
from dispatch_geo.dispatch.facilities import road_route_from_unit
from dispatch_geo.domain.units import UnitStatus, allowed_next
from dispatch_geo.domain.values import LonLat
from dispatch_geo.storage._common import great_circle_m
from dispatch_geo.storage.models import UnitRow

CREW_STATUSES: tuple[UnitStatus, ...] = (
    UnitStatus.EN_ROUTE,
    UnitStatus.ON_SCENE,
    UnitStatus.TRANSPORTING,
    UnitStatus.AT_HOSPITAL,
    UnitStatus.RETURNING,
    UnitStatus.AVAILABLE,
)
"""Statuses a crew reports from its phone, in lifecycle order (``dispatched`` comes only from an
assignment; ``out_of_service`` stays with the dispatcher, who arranges the replacement)."""

ARRIVAL_STATUSES: frozenset[UnitStatus] = frozenset({UnitStatus.ON_SCENE, UnitStatus.AT_HOSPITAL})
"""Statuses that claim the unit is at a place: checked against its last position."""

ROUTE_CACHE_SIZE = 2048


@dataclass(frozen=True)
class CrewRoute:
    """Road route (GeoJSON LineString, [lon, lat]) and travel time from the unit to its target."""

    eta_s: float
    distance_m: float
    geometry: dict[str, Any]


def crew_next_statuses(row: UnitRow) -> list[UnitStatus]:
    """The buttons of the crew page: legal next statuses that a crew reports, in lifecycle order."""
    allowed = allowed_next(row.unit_type, row.status)
    return [s for s in CREW_STATUSES if s in allowed]


def route_from_unit(
    geo: GeoContext,
    cache: dict[tuple[Any, ...], CrewRoute | None],
    *,
    unit: UnitRow,
    to: LonLat,
    now: datetime,
) -> CrewRoute | None:
    """The unit's road route to ``to`` from its last fix; None without a position or a road route."""
    if unit.last_position is None or unit.last_fix_time is None:
        return None
    key = (unit.id, unit.last_fix_time, unit.last_position, to)
    if key in cache:
        return cache[key]
    if len(cache) >= ROUTE_CACHE_SIZE:
        cache.clear()
    best = road_route_from_unit(geo, unit=unit, to=to, now=now)
    route = (
        None
        if best is None or best.route is None
        else CrewRoute(eta_s=best.eta_s, distance_m=best.distance_m, geometry=best.route)
    )
    cache[key] = route
    return route


def distance_from(unit: UnitRow, place: LonLat) -> float | None:
    """Straight-line metres from the unit's last fix to ``place``; None without a fix."""
    if unit.last_position is None:
        return None
    return great_circle_m(unit.last_position, place)


def contradicts_position(
    unit: UnitRow, *, new_status: UnitStatus, place: LonLat | None, limit_m: float
) -> float | None:
    """The distance that makes an arrival implausible (the unit's last fix is more than ``limit_m``
    from ``place``), else None. Only arrivals are checked, and only when there is a place and a fix."""
    if new_status not in ARRIVAL_STATUSES or place is None:
        return None
    distance = distance_from(unit, place)
    return distance if distance is not None and distance > limit_m else None


PROPOSED_ON_ARRIVAL: dict[UnitStatus, UnitStatus] = {
    UnitStatus.EN_ROUTE: UnitStatus.ON_SCENE,
    UnitStatus.TRANSPORTING: UnitStatus.AT_HOSPITAL,
}
"""The arrival a geofence proposes for each status that drives somewhere."""


@dataclass(frozen=True)
class ArrivalProposal:
    """The unit has stayed within ``radius_m`` of its target for ``inside_s``: propose ``status``."""

    status: UnitStatus
    inside_s: float
    radius_m: float


def inside_since(fixes: Sequence[tuple[datetime, LonLat]], place: LonLat, radius_m: float) -> datetime | None:
    """Start of the newest unbroken run of fixes within ``radius_m`` of ``place`` (``fixes`` oldest
    first); None when the newest fix is outside."""
    start = None
    for at, where in reversed(fixes):
        if great_circle_m(where, place) > radius_m:
            break
        start = at
    return start


def arrival_proposal(
    status: UnitStatus,
    fixes: Sequence[tuple[datetime, LonLat]],
    place: LonLat,
    *,
    radius_m: float,
    dwell_s: float,
) -> ArrivalProposal | None:
    """The arrival to propose when the unit's fixes have stayed near ``place`` for ``dwell_s``."""
    proposed = PROPOSED_ON_ARRIVAL.get(status)
    if proposed is None or not fixes:
        return None
    start = inside_since(fixes, place, radius_m)
    if start is None:
        return None
    inside_s = (fixes[-1][0] - start).total_seconds()
    return ArrivalProposal(proposed, inside_s, radius_m) if inside_s >= dwell_s else None
