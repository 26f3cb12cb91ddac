"""Facility services: seed and import, and how far a unit is from one (ETA on the road graph).

The ETA to a destination is computed like a recommendation's: the unit's last position (its snapped
edge from ingest when the graph has it, else snapped here) to the facility's point snapped to the road,
one bounded search of :class:`~dispatch_geo.routing.travel_time.TravelTimeRouter`
(:func:`dispatch_geo.routing.nearest.recommend` with the unit as the only candidate).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from dispatch_geo.dispatch.context import GeoContext
from dispatch_geo.dispatch.recommend import AVAILABLE, unit_candidate
from dispatch_geo.domain.facilities import Facility, facility_from_station, load_facilities_csv
from dispatch_geo.domain.values import LonLat
from dispatch_geo.routing.nearest import RankedUnit, recommend
from dispatch_geo.storage import facility_repo, fleet_repo
from dispatch_geo.storage.models import UnitRow
from dispatch_geo.storage.unit_snapshots import UnitSnapshot

log = logging.getLogger(__name__)


ETA_CACHE_SIZE = 4096
"""ETAs kept (unit fix × destination) before the cache starts over."""


@dataclass(frozen=True)
class Eta:
    """Road travel time and distance from a unit to a place."""

    eta_s: float
    distance_m: float


def seed_facilities(session: Session, *, extra_csv: Path | None) -> int:
    """Add the facilities that are missing: one per fleet station, and the rows of ``extra_csv``
    (which win on the same id: a hospital point is better than the station's stand-in). A facility
    already stored is never touched, so an admin's corrections and deactivations survive every
    start-up, and an import before the first start does not keep the stations out. Returns how many
    facilities were added."""
    facilities: dict[str, Facility] = {
        s.id: facility_from_station(s.to_domain()) for s in fleet_repo.list_stations(session)
    }
    if extra_csv is not None:
        facilities.update({f.id: f for f in load_facilities_csv(extra_csv)})
    known = {row.id for row in facility_repo.list_facilities(session)}
    missing = [f for f in facilities.values() if f.id not in known]
    if not missing:
        return 0
    inserted, _ = facility_repo.upsert_facilities(session, facilities=missing)
    log.info("added %d facilities from the fleet's stations and %s", inserted, extra_csv)
    return inserted


def import_facilities(session: Session, *, facilities: Iterable[Facility]) -> tuple[int, int]:
    """Upsert already validated facilities by id; returns (inserted, updated)."""
    return facility_repo.upsert_facilities(session, facilities=facilities)


def eta_from_unit(geo: GeoContext, *, unit: UnitRow | UnitSnapshot, to: LonLat, now: datetime) -> Eta | None:
    """The unit's road ETA to ``to`` from its last position; None without a position or a route.

    Cached per unit fix and destination in ``geo.eta_cache``: the console polls every unit with a
    destination each second, and the answer changes only when the unit reports a new position.
    """
    if unit.last_position is None or unit.last_fix_time is None:
        return None
    key = (unit.id, unit.last_fix_time, unit.last_position, to)
    if key in geo.eta_cache:
        cached: Eta | None = geo.eta_cache[key]
        return cached
    if len(geo.eta_cache) >= ETA_CACHE_SIZE:
        geo.eta_cache.clear()  # bounded; refilled within a poll
    eta = _eta_from_unit(geo, unit=unit, to=to, now=now)
    geo.eta_cache[key] = eta
    return eta


def _eta_from_unit(geo: GeoContext, *, unit: UnitRow | UnitSnapshot, to: LonLat, now: datetime) -> Eta | None:
    best = road_route_from_unit(geo, unit=unit, to=to, now=now)
    return None if best is None else Eta(eta_s=best.eta_s, distance_m=best.distance_m)


def road_route_from_unit(
    geo: GeoContext, *, unit: UnitRow | UnitSnapshot, to: LonLat, now: datetime
) -> RankedUnit | None:
    """The unit's road route to ``to`` (ETA, distance, GeoJSON line), uncached; None without one."""
    candidate = unit_candidate(unit, geo.router)
    # timed as if free and fresh: the question is only how far, not whether it may be sent
    candidate = replace(candidate, status=AVAILABLE, fix_time=now)
    result = recommend(
        router=geo.router,
        snapper=geo.snapper,
        incident=to,
        units=[candidate],
        needed_types={candidate.unit_type},
        now=now,
        k=1,
        stale_after_s=geo.stale_after_s,
    )
    return result.ranked[0] if result.ranked else None
