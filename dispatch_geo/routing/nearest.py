"""Nearest available units by road travel time, with routes and the reason every other unit is left out.

Pure: takes the road graph's router and snapper and plain values, returns plain values. A unit is
*ranked* when it is available, of a needed type, has a position no older than ``stale_after_s``
and can reach the incident by road. A unit whose position is stale is ranked in a separate list
(from its last position, marked stale), never mixed in with the fresh ones.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from dispatch_geo.domain.values import LonLat, require_aware
from dispatch_geo.errors import InputError
from dispatch_geo.graph.snap import EdgeSnapper
from dispatch_geo.routing.travel_time import ALONG_TARGET_EDGE, EdgePoint, TimesToTarget, TravelTimeRouter

DEFAULT_STALE_AFTER_S = 120.0


@dataclass(frozen=True)
class UnitCandidate:
    """What the recommender needs to know about one unit.

    ``edge``/``fraction`` may carry a position already snapped at ingest; otherwise it is snapped here.
    """

    unit_id: str
    call_sign: str
    unit_type: str
    status: str
    position: LonLat | None
    fix_time: datetime | None
    edge: int | None = None
    fraction: float | None = None


@dataclass(frozen=True)
class RankedUnit:
    """One recommended unit with its ETA and route (GeoJSON LineString, [lon, lat])."""

    unit_id: str
    call_sign: str
    unit_type: str
    eta_s: float
    distance_m: float
    distance_to_road_m: float
    fix_age_s: float
    stale: bool
    route: dict[str, Any] | None
    """None when the route was not unpacked (``recommend(routes=...)``): ask for it on demand."""


@dataclass(frozen=True)
class Excluded:
    """A unit that was not recommended, and why (``reason`` is a stable code, ``detail`` for people)."""

    unit_id: str
    call_sign: str
    reason: str
    detail: str


@dataclass(frozen=True)
class Recommendation:
    """Ranked fresh units, ranked stale units, every exclusion, and warnings about the incident."""

    ranked: list[RankedUnit]
    stale: list[RankedUnit]
    excluded: list[Excluded]
    incident_snap_distance_m: float
    warnings: list[str] = field(default_factory=list)


def recommend(
    *,
    router: TravelTimeRouter,
    snapper: EdgeSnapper,
    incident: LonLat,
    units: Sequence[UnitCandidate],
    needed_types: Collection[str],
    available_status: str = "available",
    now: datetime,
    k: int = 5,
    stale_after_s: float = DEFAULT_STALE_AFTER_S,
    routes: int | None = None,
    snap_cache: SnapCache | None = None,
) -> Recommendation:
    """Rank the ``k`` nearest available units of ``needed_types`` by road travel time to ``incident``.

    ``routes`` is how many of the first units of each list (fresh, stale) get their route geometry
    (None: all); the others carry ``route=None`` and are unpacked on demand. ``snap_cache`` keeps the
    snap of a position already seen (a unit that has not moved is not snapped again).
    """
    require_aware(now, "now")
    if k < 1:
        raise InputError(f"k must be at least 1, got {k}")
    excluded: list[Excluded] = []
    fresh: list[tuple[UnitCandidate, float]] = []
    stale: list[tuple[UnitCandidate, float]] = []
    for unit in units:
        if unit.unit_type not in needed_types:
            excluded.append(
                Excluded(
                    unit.unit_id,
                    unit.call_sign,
                    "wrong_type",
                    f"{unit.unit_type} is not among the needed types ({', '.join(sorted(needed_types))})",
                )
            )
        elif unit.status != available_status:
            excluded.append(Excluded(unit.unit_id, unit.call_sign, "busy", f"status is {unit.status}"))
        elif unit.position is None or unit.fix_time is None:
            excluded.append(Excluded(unit.unit_id, unit.call_sign, "no_position", "no position received yet"))
        else:
            age = (now - require_aware(unit.fix_time, "fix_time")).total_seconds()
            (stale if age > stale_after_s else fresh).append((unit, max(age, 0.0)))

    target = snapper.snap_one(incident)
    warnings = []
    if target.off_road:
        warnings.append(
            f"the incident is {target.distance_m:.0f} m from the nearest road; "
            "ETAs end at the closest road point"
        )
    target_point = EdgePoint(target.edge, target.fraction)
    ranking = _Ranking(router, snapper, target_point, k, k if routes is None else routes, snap_cache)
    ranked_fresh = ranking.rank(fresh, stale=False, excluded=excluded)
    ranked_stale = ranking.rank(stale, stale=True, excluded=excluded)
    placed = (
        {r.unit_id for r in ranked_fresh} | {r.unit_id for r in ranked_stale} | {x.unit_id for x in excluded}
    )
    for unit, age in stale:
        if unit.unit_id not in placed:
            excluded.append(
                Excluded(
                    unit.unit_id,
                    unit.call_sign,
                    "stale_position",
                    f"last position is {age:.0f} s old (limit {stale_after_s:.0f} s)",
                )
            )
    for unit, _ in fresh:
        if unit.unit_id not in placed:
            excluded.append(Excluded(unit.unit_id, unit.call_sign, "farther", f"not among the {k} nearest"))
    fresh_ids = {u.unit_id for u, _ in fresh}
    if (
        not ranked_fresh
        and fresh
        and all(x.reason == "unreachable" for x in excluded if x.unit_id in fresh_ids)
    ):
        warnings.append("no available unit can reach the incident by road")
    return Recommendation(ranked_fresh, ranked_stale, excluded, target.distance_m, warnings)


SnapCache = dict[tuple[float, float], tuple[int, float, float]]
"""A position's snap (edge, fraction, distance to the road in metres), by (lon, lat)."""
SNAP_CACHE_SIZE = 20_000
"""Entries before a snap cache is emptied (it refills from the next request)."""


@dataclass(frozen=True)
class _Ranking:
    router: TravelTimeRouter
    snapper: EdgeSnapper
    target: EdgePoint
    k: int
    routes: int
    snap_cache: SnapCache | None

    def rank(
        self, group: list[tuple[UnitCandidate, float]], *, stale: bool, excluded: list[Excluded]
    ) -> list[RankedUnit]:
        if not group:
            return []
        router, target = self.router, self.target
        points, road_distance = _snap_units(self.snapper, [u for u, _ in group], self.snap_cache)
        result = router.times_to(target, points, need=self.k)
        order = sorted(
            (i for i in range(len(group)) if np.isfinite(result.time_s[i])),
            key=lambda i: (float(result.time_s[i]), group[i][0].unit_id),
        )
        if not np.isfinite(result.limit_s):
            for i in range(len(group)):
                if not np.isfinite(result.time_s[i]):
                    unit = group[i][0]
                    excluded.append(
                        Excluded(
                            unit.unit_id,
                            unit.call_sign,
                            "unreachable",
                            "no road route from the unit's position to the incident",
                        )
                    )
        ranked = []
        for rank, i in enumerate(order[: self.k]):
            unit, age = group[i]
            via = int(result.via_node[i])
            if rank < self.routes:
                route, distance = route_geojson(router, result, points[i], via, target)
            else:  # routes on demand: the length only, no geometry
                route, distance = None, route_length_m(router, result, points[i], via, target)
            ranked.append(
                RankedUnit(
                    unit_id=unit.unit_id,
                    call_sign=unit.call_sign,
                    unit_type=unit.unit_type,
                    eta_s=float(result.time_s[i]),
                    distance_m=distance,
                    distance_to_road_m=road_distance[i],
                    fix_age_s=age,
                    stale=stale,
                    route=route,
                )
            )
        return ranked


def _snap_units(
    snapper: EdgeSnapper, units: list[UnitCandidate], cache: SnapCache | None = None
) -> tuple[list[EdgePoint], list[float]]:
    points: list[EdgePoint | None] = [
        EdgePoint(u.edge, u.fraction) if u.edge is not None and u.fraction is not None else None
        for u in units
    ]
    distances = [0.0] * len(units)
    todo = []
    for i, p in enumerate(points):
        position = units[i].position
        if p is not None or position is None:
            continue
        hit = None if cache is None else cache.get((position.lon, position.lat))
        if hit is None:
            todo.append(i)
        else:
            points[i], distances[i] = EdgePoint(hit[0], hit[1]), hit[2]
    if todo:
        positions = [units[i].position for i in todo]
        snapped = snapper.snap([p.lon for p in positions if p], [p.lat for p in positions if p])
        if cache is not None and len(cache) + len(todo) > SNAP_CACHE_SIZE:
            cache.clear()
        for j, i in enumerate(todo):
            point = EdgePoint(int(snapped.edge[j]), float(snapped.fraction[j]))
            points[i], distances[i] = point, float(snapped.distance_m[j])
            position = units[i].position
            if cache is not None and position is not None:
                cache[(position.lon, position.lat)] = (point.edge, point.fraction, distances[i])
    return [p for p in points if p is not None], distances


def route_geojson(
    router: TravelTimeRouter, result: TimesToTarget, source: EdgePoint, via: int, target: EdgePoint
) -> tuple[dict[str, Any], float]:
    """The route from ``source`` to ``target`` as a GeoJSON LineString, and its road length in metres."""
    pieces, distance = _route_pieces(router, result, source, via, target)
    road = router.road
    if len(pieces) <= 2:
        return _geojson([_edge_part(road, *piece) for piece in pieces]), distance
    # the pieces between the first and the last are whole edges: their points gathered at once
    middle = _whole_edges(road, np.fromiter((p[0] for p in pieces[1:-1]), dtype=np.int64))
    return _geojson([_edge_part(road, *pieces[0]), middle, _edge_part(road, *pieces[-1])]), distance


def route_length_m(
    router: TravelTimeRouter, result: TimesToTarget, source: EdgePoint, via: int, target: EdgePoint
) -> float:
    """The road length of the route :func:`route_geojson` would draw, without building its geometry."""
    return _route_pieces(router, result, source, via, target)[1]


def _route_pieces(
    router: TravelTimeRouter, result: TimesToTarget, source: EdgePoint, via: int, target: EdgePoint
) -> tuple[list[tuple[int, float, float]], float]:
    """The route as pieces of edges ``(edge, from fraction, to fraction)`` and its length in metres.

    A piece ``(e, 0, 0)`` is the first point of edge ``e``, ``(e, 1, 1)`` its last point.
    """
    road = router.road
    source, target = router.at_junction(source), router.at_junction(target)  # as the router saw them
    if via < 0:  # straight along the target's road
        pos = source.fraction if source.edge == target.edge else 1.0 - source.fraction
        if via == ALONG_TARGET_EDGE:
            edge, a, b = target.edge, pos, target.fraction
        else:
            edge, a, b = int(road.twin[target.edge]), 1.0 - pos, 1.0 - target.fraction
        return [(edge, a, b)], (b - a) * float(road.length_m[edge])
    edges = router.path_edges(result, via)
    pieces: list[tuple[int, float, float]] = []
    distance = 0.0
    # first: the part of the unit's own edge up to the node where it joins the path
    twin = int(road.twin[source.edge])
    if int(road.head[source.edge]) == via:
        pieces.append((source.edge, source.fraction, 1.0))
        distance += (1.0 - source.fraction) * float(road.length_m[source.edge])
    elif twin >= 0:
        pieces.append((twin, 1.0 - source.fraction, 1.0))
        distance += source.fraction * float(road.length_m[twin])
    else:  # at the tail junction of a one-way street: already at the node
        pieces.append((source.edge, 0.0, 0.0))
    pieces.extend((int(e), 0.0, 1.0) for e in edges)
    distance += float(road.length_m[edges].sum()) if edges else 0.0
    last = int(road.head[edges[-1]]) if edges else via
    twin = int(road.twin[target.edge])
    if int(road.tail[target.edge]) == last:
        pieces.append((target.edge, 0.0, target.fraction))
        distance += target.fraction * float(road.length_m[target.edge])
    elif twin >= 0:
        pieces.append((twin, 0.0, 1.0 - target.fraction))
        distance += (1.0 - target.fraction) * float(road.length_m[twin])
    else:  # at the head junction of a one-way street: the path ends at the node
        pieces.append((target.edge, 1.0, 1.0))
    return pieces, distance


def _edge_part(road: Any, edge: int, start: float, stop: float) -> npt.NDArray[np.float64]:
    """The piece of an edge's polyline between two fractions of its length, as a ``(k, 2)`` array.

    Fractions are shares of metric length (as the snapper measures them): longitude is scaled by
    cos(latitude) before measuring, which matches a local projection to well under a metre per km.
    """
    coords: npt.NDArray[np.float64] = road.edge_coords(edge)
    if start <= 0.0 and stop >= 1.0:
        return coords
    scale = np.cos(np.radians(coords[:, 1].mean()))
    steps = np.hypot(np.diff(coords[:, 0]) * scale, np.diff(coords[:, 1]))
    cum = np.concatenate([[0.0], np.cumsum(steps)])
    total = cum[-1]
    if total <= 0:
        return coords[:1]
    a, b = start * total, stop * total
    ends = np.column_stack((np.interp([a, b], cum, coords[:, 0]), np.interp([a, b], cum, coords[:, 1])))
    inner = coords[(cum > a) & (cum < b)]
    return np.vstack((ends[:1], inner, ends[1:]))


def _whole_edges(road: Any, edges: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """The polylines of ``edges`` one after the other, as one ``(k, 2)`` array (no Python loop)."""
    starts = road.geom_offsets[edges]
    counts = road.geom_offsets[edges + 1] - starts
    before = np.cumsum(counts) - counts  # where each edge's points begin in the result
    index = np.arange(int(counts.sum())) + np.repeat(starts - before, counts)
    return np.column_stack((road.geom_lon[index], road.geom_lat[index]))


def _geojson(parts: list[npt.NDArray[np.float64]]) -> dict[str, Any]:
    coords = np.round(np.vstack(parts), 7)
    keep = np.ones(coords.shape[0], dtype=bool)
    keep[1:] = np.any(coords[1:] != coords[:-1], axis=1)
    deduped = coords[keep].tolist()
    if len(deduped) == 1:
        deduped.append(list(deduped[0]))
    return {"type": "LineString", "coordinates": deduped}
