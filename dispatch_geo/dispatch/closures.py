"""Road closures (banjir): close roads by clicked points or a drawn area, lift them, keep the router in step.

A closure names its roads by OSM node-id pairs (stored), and the running router closes the matching
edges. :func:`sync_closures` reads the active closures (one small query) and re-weights the router
only when the set changed — after a closure is added or lifted here, made from the CLI or another
server process, or when one expires — so recommendations, ETAs, routes, isochrones and coverage
respect it from the next request on. It is called by the services that compute travel times.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from shapely.geometry import Polygon, shape
from sqlalchemy.orm import Session

from dispatch_geo.dispatch.context import GeoContext
from dispatch_geo.domain.values import LonLat, require_aware
from dispatch_geo.errors import InputError
from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.storage import closure_repo
from dispatch_geo.storage.closure_models import REASON_LENGTH, RoadClosureRow

log = logging.getLogger(__name__)

MAX_DURATION = timedelta(days=30)
"""The longest a closure may be set for; a longer flood is closed again when it expires."""
MAX_EDGES = 20_000
"""Directed edges one closure may close (a drawn area larger than a few kecamatan is refused)."""
MAX_POINTS = 200


def close_roads(
    session: Session,
    geo: GeoContext,
    *,
    reason: str,
    expires_at: datetime,
    points: Sequence[LonLat] = (),
    area: dict[str, Any] | None = None,
    by: str,
    now: datetime,
) -> RoadClosureRow:
    """Close the roads at ``points`` (each snapped to its nearest road) or inside ``area`` (GeoJSON)."""
    require_aware(now, "now")
    reason = reason.strip()
    if not reason:
        raise InputError("a closure needs a reason").coded("closure_reason_missing")
    if len(reason) > REASON_LENGTH:
        raise InputError(f"reason is {len(reason)} characters; at most {REASON_LENGTH}").coded(
            "closure_reason_too_long", max=REASON_LENGTH
        )
    require_aware(expires_at, "expires_at")
    if expires_at <= now:
        raise InputError("expires_at must be in the future").coded("closure_expiry_past")
    if expires_at > now + MAX_DURATION:
        raise InputError(f"a closure lasts at most {MAX_DURATION.days} days").coded(
            "closure_expiry_too_far", max_days=MAX_DURATION.days
        )
    if bool(points) == (area is not None):
        raise InputError("give either points on the roads to close or an area, not both").coded(
            "closure_points_or_area"
        )
    edges = edges_at_points(geo, points) if points else edges_in_area(geo, area or {})
    row = closure_repo.add_closure(
        session,
        reason=reason,
        edges=osm_pairs(geo.road, edges),
        area=area,
        at=now,
        by=by,
        expires_at=expires_at,
    )
    log.info("road closure %d by %s: %d edges until %s (%s)", row.id, by, len(edges), expires_at, reason)
    sync_closures(session, geo, now=now)
    return row


def lift_closure(
    session: Session, geo: GeoContext, *, closure_id: int, by: str, now: datetime
) -> RoadClosureRow:
    """Lift a closure; its roads get their travel times back (unless another closure holds them)."""
    row = closure_repo.lift_closure(session, closure_id=closure_id, at=now, by=by)
    log.info("road closure %d lifted by %s", closure_id, by)
    sync_closures(session, geo, now=now)
    return row


def sync_closures(session: Session, geo: GeoContext, *, now: datetime) -> None:
    """Make the router close exactly the roads of the closures active at ``now``."""
    rows = closure_repo.list_active(session, now=now)
    state = geo.closure_state
    active = frozenset(r.id for r in rows)
    with state.lock:
        if active == state.applied:
            return
        edges: set[int] = set()
        for row in rows:
            edges.update(edges_of_pairs(geo.road, row.edges))
        geo.router.set_closed(edges)
        geo.eta_cache.clear()
        state.applied = active
    log.info("road closures in force: %d (%d directed edges closed)", len(active), len(edges))


def edges_at_points(geo: GeoContext, points: Sequence[LonLat]) -> list[int]:
    """The road at each clicked point, both ways; a point too far from any road is refused."""
    if len(points) > MAX_POINTS:
        raise InputError(f"{len(points)} points; at most {MAX_POINTS}").coded("closure_too_many_points")
    snapped = geo.snapper.snap([p.lon for p in points], [p.lat for p in points])
    far = np.flatnonzero(snapped.off_road)
    if far.shape[0]:
        i = int(far[0])
        raise InputError(
            f"point {i} is {snapped.distance_m[i]:.0f} m from the nearest road "
            f"(at most {geo.snapper.max_distance_m:.0f} m)"
        ).coded("closure_point_off_road", index=i, distance_m=round(float(snapped.distance_m[i])))
    return _with_twins(geo.road, snapped.edge.tolist())


def edges_in_area(geo: GeoContext, area: dict[str, Any]) -> list[int]:
    """Every road that meets a GeoJSON polygon, both ways."""
    try:
        polygon = shape(area)
    except (AttributeError, KeyError, TypeError, ValueError, IndexError) as exc:
        raise InputError(f"area is not a GeoJSON polygon: {exc}").coded("closure_area_invalid") from None
    if not isinstance(polygon, Polygon) or not polygon.is_valid or polygon.area == 0:
        raise InputError("area must be a valid, non-empty GeoJSON Polygon").coded("closure_area_invalid")
    edges = [int(e) for e in geo.snapper.edges_in(polygon)]
    if not edges:
        raise InputError("no road lies inside the area drawn").coded("closure_area_empty")
    if len(edges) > MAX_EDGES:
        raise InputError(f"the area closes {len(edges)} road edges; at most {MAX_EDGES}").coded(
            "closure_area_too_large", edges=len(edges), max=MAX_EDGES
        )
    return edges


def osm_pairs(road: RoadGraph, edges: Iterable[int]) -> list[list[int]]:
    """Edges as sorted, distinct ``[u_osmid, v_osmid]`` pairs (what is stored)."""
    pairs = {(int(road.node_osmid[road.tail[e]]), int(road.node_osmid[road.head[e]])) for e in edges}
    return [list(p) for p in sorted(pairs)]


def edges_of_pairs(road: RoadGraph, pairs: Iterable[Sequence[int]]) -> list[int]:
    """Every edge (parallel ones too) between each stored OSM node pair still in ``road``."""
    ids = road.node_osmid
    out: list[int] = []
    for u_osm, v_osm in pairs:
        u, v = (int(i) for i in np.searchsorted(ids, [u_osm, v_osm]))
        if u >= ids.shape[0] or v >= ids.shape[0] or ids[u] != u_osm or ids[v] != v_osm:
            continue  # the road is no longer in this graph
        out.extend(e for e in range(int(road.indptr[u]), int(road.indptr[u + 1])) if int(road.head[e]) == v)
    return out


def closure_lines(road: RoadGraph, pairs: Iterable[Sequence[int]]) -> list[list[list[float]]]:
    """One ``[[lon, lat], ...]`` line per closed road (a two-way road once), for the map."""
    seen: set[tuple[int, int]] = set()
    lines = []
    for e in edges_of_pairs(road, pairs):
        key = (min(int(road.tail[e]), int(road.head[e])), max(int(road.tail[e]), int(road.head[e])))
        if key in seen:
            continue
        seen.add(key)
        lines.append(np.round(road.edge_coords(e), 6).tolist())
    return lines


def _with_twins(road: RoadGraph, edges: Iterable[int]) -> list[int]:
    out = set()
    for e in edges:
        out.add(int(e))
        if road.twin[e] >= 0:
            out.add(int(road.twin[e]))
    return sorted(out)
