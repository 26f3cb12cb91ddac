"""Snapping GPS positions to the road graph: nearest edge, offset along it, distance to the road.

A unit halfway along a 4 km rural edge is 2 km from either end; routing from the nearest *node*
would be wrong by minutes. So a position snaps to the nearest *edge* and keeps its offset along it.

Geometry is projected once to a transverse Mercator centred on the graph (metre accuracy over a
regency), edges go into a shapely STRtree, and every query is vectorised (thousands of fixes per
call). A road driven both ways is indexed once; :attr:`RoadGraph.twin` gives the other direction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from dispatch_geo.domain.values import LonLat
from dispatch_geo.errors import InputError
from dispatch_geo.graph.roadgraph import RoadGraph

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

DEFAULT_MAX_SNAP_DISTANCE_M = 250.0
"""Beyond this a fix is flagged ``off_road``: a GPS error, a ferry, a plantation road missing from OSM."""


@dataclass(frozen=True)
class SnapResult:
    """Vectorised snapping result; every array has one entry per input point.

    ``edge`` is a directed edge index (tail → head); ``offset_m`` is the road distance from the
    edge's tail to the snapped point and ``fraction`` the same as a share of the edge (0 at the tail,
    1 at the head). If ``road.twin[edge] >= 0`` the point also lies on that edge at ``1 - fraction``.
    """

    edge: IntArray
    fraction: FloatArray
    offset_m: FloatArray
    distance_m: FloatArray
    lon: FloatArray
    lat: FloatArray
    off_road: BoolArray

    def __len__(self) -> int:
        return int(self.edge.shape[0])


@dataclass(frozen=True)
class SnappedPoint:
    """One snapped position (see :class:`SnapResult` for the meaning of each field)."""

    edge: int
    fraction: float
    offset_m: float
    distance_m: float
    position: LonLat
    off_road: bool


class EdgeSnapper:
    """Nearest-edge index over a :class:`RoadGraph`; build once at start-up, query many times."""

    def __init__(self, road: RoadGraph, *, max_distance_m: float = DEFAULT_MAX_SNAP_DISTANCE_M) -> None:
        if road.n_edges == 0:
            raise InputError("cannot snap to a road graph without edges")
        if not max_distance_m > 0:
            raise InputError(f"max_distance_m must be positive, got {max_distance_m!r}")
        self.road = road
        self.max_distance_m = float(max_distance_m)
        lon0 = float(np.median(road.node_lon))
        lat0 = float(np.median(road.node_lat))
        crs = f"+proj=tmerc +lat_0={lat0} +lon_0={lon0} +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
        self._fwd = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        self._inv = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)

        # one line per physical road: an edge whose twin has a lower index is already represented
        edges = np.arange(road.n_edges, dtype=np.int64)
        keep = (road.twin < 0) | (road.twin > edges)
        self._edges = edges[keep]
        starts = road.geom_offsets[:-1][keep]
        counts = (road.geom_offsets[1:] - road.geom_offsets[:-1])[keep]
        part_index = np.repeat(np.arange(self._edges.shape[0]), counts)
        # every vertex of the kept edges, in order (array operations: a Python loop per edge took
        # most of a second at 100k nodes)
        take = np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(int(counts.sum()))
        x, y = self._fwd.transform(road.geom_lon[take], road.geom_lat[take])  # only the kept vertices
        coords = np.column_stack((np.asarray(x), np.asarray(y)))
        self._lines: npt.NDArray[np.object_] = np.asarray(shapely.linestrings(coords, indices=part_index))
        self._tree = shapely.STRtree(self._lines)

    def snap(self, lons: npt.ArrayLike, lats: npt.ArrayLike) -> SnapResult:
        """Snap many WGS84 points at once (arrays of equal length)."""
        lon = np.asarray(lons, dtype=np.float64).ravel()
        lat = np.asarray(lats, dtype=np.float64).ravel()
        if lon.shape != lat.shape:
            raise InputError(f"got {lon.shape[0]} longitudes but {lat.shape[0]} latitudes")
        bad = ~(np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90))
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"{int(bad.sum())} points have invalid coordinates, "
                f"first at index {first}: lon={lon[first]!r}, lat={lat[first]!r}"
            )
        x, y = self._fwd.transform(lon, lat)
        points = shapely.points(np.asarray(x), np.asarray(y))
        nearest = np.empty(lon.shape[0], dtype=np.int64)
        if lon.shape[0]:
            pairs = self._tree.query_nearest(points, all_matches=False)
            nearest[pairs[0]] = pairs[1]
        lines = self._lines[nearest]
        fraction = np.clip(shapely.line_locate_point(lines, points, normalized=True), 0.0, 1.0)
        on_road = shapely.line_interpolate_point(lines, fraction, normalized=True)
        distance = shapely.distance(points, on_road)
        sx, sy = self._inv.transform(shapely.get_x(on_road), shapely.get_y(on_road))
        edge = self._edges[nearest]
        return SnapResult(
            edge=edge,
            fraction=fraction,
            offset_m=fraction * self.road.length_m[edge],
            distance_m=np.asarray(distance, dtype=np.float64),
            lon=np.asarray(sx, dtype=np.float64),
            lat=np.asarray(sy, dtype=np.float64),
            off_road=np.asarray(distance > self.max_distance_m),
        )

    def edges_in(self, area: BaseGeometry) -> npt.NDArray[np.int64]:
        """Every directed edge (both ways of a two-way road) whose line meets ``area`` (WGS84), sorted."""
        area_m = shapely.transform(area, lambda xy: np.column_stack(self._fwd.transform(xy[:, 0], xy[:, 1])))
        hits = self._edges[self._tree.query(area_m, predicate="intersects")]
        twins = self.road.twin[hits]
        return np.unique(np.concatenate([hits, twins[twins >= 0]]))

    def snap_one(self, position: LonLat) -> SnappedPoint:
        """Snap a single position."""
        r = self.snap([position.lon], [position.lat])
        return SnappedPoint(
            edge=int(r.edge[0]),
            fraction=float(r.fraction[0]),
            offset_m=float(r.offset_m[0]),
            distance_m=float(r.distance_m[0]),
            position=LonLat(float(r.lon[0]), float(r.lat[0])),
            off_road=bool(r.off_road[0]),
        )
