"""Isochrones that follow the roads: the road pieces reachable within a time, buffered a little.

For each threshold the reachable network is every edge whose tail is reached early enough, cut where the
time runs out (``(threshold − T[tail]) / t_e`` of the way along; travel time is uniform along an edge),
plus the pieces of the origins' own roads. The pieces are projected to
:data:`~dispatch_geo.boundaries.METRIC_CRS`, merged and buffered by ``buffer_m`` (default 200 m: the
strip a crew can still reach on foot or by a driveway), then returned in WGS84. The result is a
(multi)polygon shaped like the road network — never a circle around the post.

That exact construction (``method="vector"``) costs time with every road reached (20 s for five bands
at 200k nodes); by default the same strip is drawn from a distance field
(:mod:`dispatch_geo.coverage.iso_raster`, APPROXIMATE within ``resolution_m / 2``, carried by every
:class:`Isochrone` as ``tolerance_m``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry
from shapely.ops import substring

from dispatch_geo.boundaries import METRIC_CRS
from dispatch_geo.coverage.iso_raster import DEFAULT_RESOLUTION_M, raster_isochrones
from dispatch_geo.coverage.multisource import NodeTimes
from dispatch_geo.errors import InputError
from dispatch_geo.graph.roadgraph import RoadGraph

FloatArray = npt.NDArray[np.float64]
Method = Literal["raster", "vector"]

DEFAULT_THRESHOLDS_MIN: tuple[float, ...] = (5.0, 8.0, 10.0, 15.0, 30.0)
"""Thresholds drawn by default (minutes): 5 (Kepmen PU fire travel), 8 (NFPA 1710 ALS), 10, 15, 30."""
DEFAULT_BUFFER_M = 200.0
"""Half-width of the strip drawn along reachable roads."""


@dataclass(frozen=True)
class Isochrone:
    """The area reachable within ``threshold_s``: a WGS84 (multi)polygon along the roads."""

    threshold_s: float
    geometry: BaseGeometry
    road_length_m: float
    by_origin: tuple[BaseGeometry, ...] = ()
    """The same area split by nearest origin: item ``k`` is where origin ``k`` is nearest (may be empty)."""
    tolerance_m: float = 0.0
    """How far the outline may stray from the exact buffered roads (0: exact; APPROXIMATE otherwise)."""

    @property
    def label(self) -> str:
        return f"≤ {self.threshold_s / 60:g} min"


def reachable_pieces(
    road: RoadGraph, times: NodeTimes, threshold_s: float, *, only: npt.NDArray[np.bool_] | None = None
) -> list[tuple[int, float, float]]:
    """The reachable parts of edges: ``(edge, start_fraction, end_fraction)`` triples.

    A road driven both ways appears once when it is reached whole; partial pieces are listed per
    direction (from each end as far as the time allows). ``only`` (a mask of edges) limits the pieces
    listed from the search to those edges (the origins' own pieces are always listed).
    """
    if threshold_s < 0:
        raise InputError(f"threshold must be non-negative, got {threshold_s}")
    tt = road.travel_time_s
    t_tail = times.time_s[road.tail]
    reach = np.where(tt > 0, (threshold_s - t_tail) / np.maximum(tt, 1e-12), np.inf)
    reach = np.where(t_tail <= threshold_s, reach, -np.inf)
    edges = np.arange(road.n_edges)
    full = reach >= 1.0
    # a two-way road reached whole from both ends is listed once (by its lower-numbered edge)
    twin = road.twin
    twin_full = np.where(twin >= 0, full[np.maximum(twin, 0)], False)
    keep_full = full & ~(twin_full & (twin >= 0) & (twin < edges))
    if only is not None:
        keep_full &= only
    pieces = [(int(e), 0.0, 1.0) for e in np.flatnonzero(keep_full)]
    partial = (reach > 0) & (reach < 1.0)
    # a partial piece of an edge whose twin is reached whole is already drawn
    partial &= ~twin_full
    if only is not None:
        partial &= only
    pieces += [(int(e), 0.0, float(reach[e])) for e in np.flatnonzero(partial)]
    for origin in times.origins:
        pieces += _origin_pieces(road, origin.edge, origin.fraction, threshold_s)
    return pieces


def _origin_pieces(
    road: RoadGraph, edge: int, fraction: float, threshold_s: float
) -> list[tuple[int, float, float]]:
    tt = road.travel_time_s
    out = []
    span = threshold_s / tt[edge] if tt[edge] > 0 else np.inf
    out.append((edge, fraction, float(min(1.0, fraction + span))))
    twin = int(road.twin[edge])
    if twin >= 0:
        back = threshold_s / tt[twin] if tt[twin] > 0 else np.inf
        out.append((edge, float(max(0.0, fraction - back)), fraction))
    return out


def isochrones(
    road: RoadGraph,
    times: NodeTimes,
    thresholds_s: Sequence[float],
    *,
    buffer_m: float = DEFAULT_BUFFER_M,
    simplify_m: float = 10.0,
    method: Method = "raster",
    resolution_m: float = DEFAULT_RESOLUTION_M,
) -> list[Isochrone]:
    """One road-following polygon per threshold (ascending), in WGS84.

    Parameters
    ----------
    road, times
        The graph and a :func:`~dispatch_geo.coverage.multisource.multi_source_times` result computed
        with a ``limit_s`` of at least the largest threshold.
    thresholds_s
        Travel times in seconds.
    buffer_m
        Half-width of the strip around reachable roads (metres, > 0).
    simplify_m
        Geometric tolerance (metres; 0 keeps every vertex): ``raster`` simplifies the drawn outline by
        it, ``vector`` the road lines before buffering.
    method
        ``raster`` (default; APPROXIMATE within about ``resolution_m / 2``, seconds at regency scale,
        :mod:`dispatch_geo.coverage.iso_raster`) or ``vector`` (every piece buffered and merged; exact,
        but its cost grows with the number of roads reached).
    resolution_m
        Cell size of the ``raster`` construction (metres, > 0).
    """
    if buffer_m <= 0:
        raise InputError(f"buffer_m must be positive, got {buffer_m}")
    if resolution_m <= 0:
        raise InputError(f"resolution_m must be positive, got {resolution_m}")
    if method not in ("raster", "vector"):
        raise InputError(f"method must be 'raster' or 'vector', got {method!r}")
    fwd = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    inv = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)
    x, y = fwd.transform(road.geom_lon, road.geom_lat)
    xy = np.column_stack((np.asarray(x), np.asarray(y)))
    ordered = sorted(float(t) for t in thresholds_s)
    if method == "vector":
        bands = _vector_bands(road, times, xy, ordered, buffer_m=buffer_m, simplify_m=simplify_m)
        tolerance_m = 0.0
    else:
        bands = raster_isochrones(
            road, times, xy, ordered, buffer_m=buffer_m, resolution_m=resolution_m, simplify_m=simplify_m
        )
        tolerance_m = resolution_m / 2.0
    return [
        Isochrone(
            threshold,
            _to_wgs(area, inv),
            reachable_road_length_m(road, times, threshold),
            tuple(_to_wgs(g, inv) for g in parts),
            tolerance_m=tolerance_m,
        )
        for threshold, (area, parts) in zip(ordered, bands, strict=True)
    ]


def _vector_bands(
    road: RoadGraph,
    times: NodeTimes,
    xy: FloatArray,
    thresholds_s: Sequence[float],
    *,
    buffer_m: float,
    simplify_m: float,
) -> list[tuple[BaseGeometry, tuple[BaseGeometry, ...]]]:
    """The exact construction: the reachable pieces buffered and merged, per threshold (metric CRS)."""
    n_origins = len(times.origins)
    out = []
    drawn: dict[int, BaseGeometry] = {}
    done_full: set[int] = set()
    for threshold in thresholds_s:
        pieces = reachable_pieces(road, times, threshold)
        owner = _owners(road, times, pieces)
        # thresholds are nested: a whole edge drawn for a smaller one is already in its polygon, so only
        # the new and the lengthened pieces are buffered and merged into it (about the cost of the largest
        # threshold alone instead of the sum of all of them)
        fresh = [i for i, (e, a, b) in enumerate(pieces) if not (a <= 0.0 and b >= 1.0 and e in done_full)]
        done_full.update(e for e, a, b in pieces if a <= 0.0 and b >= 1.0)
        lines = [_piece_line(road, xy, *pieces[i]) for i in fresh]
        keep = [k for k, line in enumerate(lines) if line is not None]
        arr = np.asarray([lines[k] for k in keep], dtype=object)
        who = owner[np.asarray(fresh, dtype=np.int64)[keep]] if keep else np.zeros(0, dtype=np.int64)
        if arr.size and simplify_m > 0:
            arr = shapely.simplify(arr, simplify_m)
        # buffer each piece, then union the polygons: buffering one huge multilinestring is
        # pathological in GEOS (minutes and gigabytes on the regency graph)
        buffers = shapely.buffer(arr, buffer_m, quad_segs=2) if arr.size else arr
        parts = []
        for k in range(n_origins):
            mine = buffers[who == k] if arr.size else buffers
            previous = drawn.get(k)
            if mine.size:
                merged = shapely.union_all(
                    mine if previous is None else np.append(mine, np.asarray([previous], dtype=object))
                )
            else:
                merged = previous if previous is not None else shapely.Polygon()
            drawn[k] = merged
            parts.append(merged)
        area = shapely.union_all(np.asarray(parts, dtype=object)) if parts else shapely.Polygon()
        out.append((area, tuple(parts)))
    return out


def _to_wgs(geom: BaseGeometry, inv: Transformer) -> BaseGeometry:
    if geom.is_empty:
        return shapely.Polygon()
    out: BaseGeometry = shapely.transform(geom, lambda c: np.column_stack(inv.transform(c[:, 0], c[:, 1])))
    return out


def _owners(
    road: RoadGraph, times: NodeTimes, pieces: Sequence[tuple[int, float, float]]
) -> npt.NDArray[np.int64]:
    """The origin each piece is drawn for: the one nearest the piece's tail (its own, on an origin's edge)."""
    edges = np.asarray([e for e, _, _ in pieces], dtype=np.int64)
    owner = np.asarray(times.origin[road.tail[edges]], dtype=np.int64) if edges.size else edges
    on_origin = {o.edge: k for k, o in enumerate(times.origins)}
    for i, e in enumerate(edges.tolist()):
        if e in on_origin and owner[i] < 0:
            owner[i] = on_origin[e]
    return owner


def reachable_road_length_m(road: RoadGraph, times: NodeTimes, threshold_s: float) -> float:
    """Road length reachable within ``threshold_s``, each physical road counted once.

    The same figure as ``reachable_length_m(road, reachable_pieces(...))``, in array operations: a road
    is covered ``min(1, a + b)`` of its length when reached ``a`` of the way from one end and ``b``
    from the other; the few roads carrying an origin go through the interval merge.
    """
    if threshold_s < 0:
        raise InputError(f"threshold must be non-negative, got {threshold_s}")
    tt = road.travel_time_s
    t_tail = times.time_s[road.tail]
    with np.errstate(invalid="ignore", divide="ignore"):
        reach = np.where(tt > 0, (threshold_s - t_tail) / np.maximum(tt, 1e-12), np.inf)
    reach = np.where(t_tail <= threshold_s, np.clip(reach, 0.0, 1.0), 0.0)
    twin = road.twin
    edges = np.arange(road.n_edges)
    own = (twin < 0) | (edges < twin)  # one edge stands for each physical road
    covered = reach + np.where(twin >= 0, reach[np.maximum(twin, 0)], 0.0)
    special = np.zeros(road.n_edges, dtype=bool)
    for origin in times.origins:
        special[origin.edge] = True
        if twin[origin.edge] >= 0:
            special[twin[origin.edge]] = True
    plain = own & ~special
    total = float(np.sum(np.minimum(covered[plain], 1.0) * road.length_m[plain]))
    pieces = [p for p in reachable_pieces(road, times, threshold_s, only=special) if special[p[0]]]
    return total + reachable_length_m(road, pieces)


def reachable_length_m(road: RoadGraph, pieces: Sequence[tuple[int, float, float]]) -> float:
    """Road length covered by ``pieces``, each physical road counted once (overlaps merged)."""
    by_road: dict[int, list[tuple[float, float]]] = {}
    for e, a, b in pieces:
        twin = int(road.twin[e])
        if twin >= 0 and twin < e:
            by_road.setdefault(twin, []).append((1.0 - b, 1.0 - a))
        else:
            by_road.setdefault(e, []).append((a, b))
    total = 0.0
    for e, spans in by_road.items():
        covered, end = 0.0, 0.0
        for a, b in sorted(spans):
            a = max(a, end)
            if b > a:
                covered += b - a
                end = b
        total += covered * float(road.length_m[e])
    return total


def _piece_line(
    road: RoadGraph, xy: FloatArray, edge: int, start: float, end: float
) -> shapely.LineString | None:
    lo, hi = int(road.geom_offsets[edge]), int(road.geom_offsets[edge + 1])
    line = shapely.LineString(xy[lo:hi])
    if end <= start:
        return None
    if start <= 0.0 and end >= 1.0:
        return line
    piece = substring(line, start, end, normalized=True)
    if piece.geom_type == "Point":  # a zero-length piece
        return shapely.LineString([piece.coords[0], piece.coords[0]]) if piece.coords else None
    return piece if isinstance(piece, shapely.LineString) else None


def isochrones_geojson(isos: Sequence[Isochrone], *, label: str, schematic: bool) -> dict[str, Any]:
    """A GeoJSON FeatureCollection (RFC 7946) with ``threshold_s``, ``threshold_min``, ``label``, the
    graph's ``schematic`` flag and ``graph_label``, and ``approximate`` / ``outline_tolerance_m`` (how far
    the outline may stray from the exact buffered roads) on every feature."""
    features = [
        {
            "type": "Feature",
            "properties": {
                "threshold_s": iso.threshold_s,
                "threshold_min": iso.threshold_s / 60.0,
                "label": iso.label,
                "reachable_road_km": round(iso.road_length_m / 1000.0, 3),
                "schematic": schematic,
                "graph_label": label,
                "approximate": iso.tolerance_m > 0,
                "outline_tolerance_m": iso.tolerance_m,
            },
            "geometry": mapping(iso.geometry),
        }
        for iso in isos
    ]
    return {"type": "FeatureCollection", "schematic": schematic, "graph_label": label, "features": features}
