"""Where a named place is: a desa at its settlement core, a kecamatan at its seat.

A caller who names a place means where its people are, not the centre of its polygon: the centroid of
kecamatan Sungai Apit lies in desa Penyengat, 47 km from Sungai Apit town and 6 km from any road. So
every desa and kecamatan gets one point, computed once at start-up from the road graph:

desa → settlement core (``settlement_core``)
    The road node with the most road nodes within :data:`SETTLEMENT_RADIUS_M` (500 m) of it, counting
    only nodes inside the desa polygon — the densest cluster of streets. Ties (a village whose streets
    all lie within 500 m of each other) go to the tied node nearest the mean of the tied nodes.
desa without road nodes → representative point on a road (``representative_point``)
    The polygon's representative point moved to the nearest point of a road inside the desa, or, if no
    road crosses the desa, to the nearest road anywhere (then the point may lie just outside the desa).
kecamatan → its seat (``seat``)
    The settlement core of the seat desa listed in ``data/siak_kecamatan_seats.csv``
    (:mod:`dispatch_geo.seats`).

Every point carries its distance to the nearest road as measured by the dispatch snapper.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from dispatch_geo.boundaries import METRIC_CRS
from dispatch_geo.domain.values import LonLat
from dispatch_geo.errors import InputError
from dispatch_geo.gazetteer import Gazetteer
from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.graph.snap import EdgeSnapper
from dispatch_geo.seats import KecamatanSeat, check_seats_cover

log = logging.getLogger(__name__)

SETTLEMENT_RADIUS_M = 500.0
"""Neighbourhood of a road node whose road nodes are counted to find a desa's settlement core."""

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class ResolvedBy(StrEnum):
    """How a place's point was found."""

    SETTLEMENT_CORE = "settlement_core"
    SEAT = "seat"
    REPRESENTATIVE_POINT = "representative_point"


class UnknownPlaceError(InputError):
    """A place kode that is neither a desa nor a kecamatan of the regency."""


@dataclass(frozen=True, slots=True)
class PlacePoint:
    """One desa or kecamatan and the point it resolves to.

    ``nodes_within_radius`` is the number of road nodes of the desa within :data:`SETTLEMENT_RADIUS_M` of
    the point (0 for a representative point). For a kecamatan, ``seat_*`` name the seat desa and say
    whether the seat was confirmed from a stored source. ``desa_distance_m`` is the distance from the
    point to the desa it stands for (the desa itself, or the seat): 0 inside it, more when a desa without
    roads resolved onto a road beyond its border.
    """

    kode: str
    nama: str
    level: str
    kecamatan_kode: str
    kecamatan_nama: str
    point: LonLat
    resolved_by: ResolvedBy
    road_distance_m: float
    nodes_within_radius: int
    seat_desa_kode: str | None = None
    seat_desa_nama: str | None = None
    seat_confirmed: bool | None = None
    desa_distance_m: float = 0.0

    @property
    def desa_kode(self) -> str:
        """The desa this place stands for: itself, or a kecamatan's seat."""
        return self.seat_desa_kode or self.kode

    @property
    def desa_nama(self) -> str:
        """Name of :attr:`desa_kode`."""
        return self.seat_desa_nama or self.nama


class PlaceIndex:
    """The resolved point of every desa and kecamatan, by kode; read-only after :meth:`build`."""

    def __init__(self, points: Iterable[PlacePoint]) -> None:
        self._by_kode = {p.kode: p for p in points}

    @classmethod
    def build(
        cls,
        *,
        road: RoadGraph,
        gazetteer: Gazetteer,
        snapper: EdgeSnapper,
        seats: Sequence[KecamatanSeat],
        radius_m: float = SETTLEMENT_RADIUS_M,
    ) -> PlaceIndex:
        """Resolve every desa and kecamatan of ``gazetteer`` on ``road`` (well under a second per 20k nodes).

        Raises
        ------
        InputError
            A kecamatan without a seat, a seat that is not a desa of the gazetteer, or a bad radius.
        """
        if not (np.isfinite(radius_m) and radius_m > 0):
            raise InputError(f"radius_m {radius_m!r} must be a positive number of metres")
        started = time.perf_counter()
        areas = gazetteer.desa_areas()
        check_seats_cover(
            seats,
            kecamatan_kode={a.kecamatan_kode for a in areas},
            desa_kode=[a.kode for a in areas],
        )
        to_metric = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
        to_lonlat = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)
        nx, ny = to_metric.transform(road.node_lon, road.node_lat)
        node_xy = np.column_stack((np.asarray(nx, dtype=np.float64), np.asarray(ny, dtype=np.float64)))
        polygons = [a.polygon_metric for a in areas]
        core, count = settlement_cores(node_xy, polygons, radius_m=radius_m)

        xy = np.empty((len(areas), 2))
        has_core = core >= 0
        xy[has_core] = node_xy[core[has_core]]
        missing = np.flatnonzero(~has_core)
        if len(missing):
            xy[missing] = _on_road_points(road, to_metric, [polygons[i] for i in missing])
        lon, lat = to_lonlat.transform(xy[:, 0], xy[:, 1])
        lon, lat = np.round(np.asarray(lon), 6), np.round(np.asarray(lat), 6)
        distance_m = snapper.snap(lon, lat).distance_m
        outside_m = shapely.distance(np.asarray(polygons, dtype=object), shapely.points(xy))

        desa_points = [
            PlacePoint(
                kode=a.kode,
                nama=a.nama,
                level="desa",
                kecamatan_kode=a.kecamatan_kode,
                kecamatan_nama=a.kecamatan_nama,
                point=LonLat(float(lon[i]), float(lat[i])),
                resolved_by=ResolvedBy.SETTLEMENT_CORE if has_core[i] else ResolvedBy.REPRESENTATIVE_POINT,
                road_distance_m=round(float(distance_m[i]), 1),
                nodes_within_radius=int(count[i]),
                desa_distance_m=round(float(outside_m[i]), 1),
            )
            for i, a in enumerate(areas)
        ]
        by_kode = {p.kode: p for p in desa_points}
        kecamatan_points = [_seat_point(seat, by_kode[seat.seat_desa_kode]) for seat in seats]
        index = cls([*kecamatan_points, *desa_points])
        log.info(
            "resolved %d desa (%d by representative point) and %d kecamatan on %d road nodes in %.2f s",
            len(desa_points),
            len(missing),
            len(kecamatan_points),
            road.n_nodes,
            time.perf_counter() - started,
        )
        return index

    def get(self, kode: str) -> PlacePoint:
        """The place with this kode.

        Raises
        ------
        UnknownPlaceError
            No desa or kecamatan has this kode.
        """
        try:
            return self._by_kode[kode]
        except KeyError:
            raise UnknownPlaceError(
                f"place_kode {kode!r} is not a desa or kecamatan of the regency; "
                "expected a kode such as 14.08.02 (kecamatan) or 14.08.02.1001 (desa) from /places"
            ) from None

    def __contains__(self, kode: object) -> bool:
        return kode in self._by_kode

    def __iter__(self) -> Iterator[PlacePoint]:
        return iter(self._by_kode.values())

    def __len__(self) -> int:
        return len(self._by_kode)


def _seat_point(seat: KecamatanSeat, desa: PlacePoint) -> PlacePoint:
    return PlacePoint(
        kode=seat.kecamatan_kode,
        nama=desa.kecamatan_nama,
        level="kecamatan",
        kecamatan_kode=seat.kecamatan_kode,
        kecamatan_nama=desa.kecamatan_nama,
        point=desa.point,
        resolved_by=ResolvedBy.SEAT,
        road_distance_m=desa.road_distance_m,
        nodes_within_radius=desa.nodes_within_radius,
        seat_desa_kode=desa.kode,
        seat_desa_nama=desa.nama,
        seat_confirmed=seat.confirmed,
        desa_distance_m=desa.desa_distance_m,
    )


def settlement_cores(
    node_xy: FloatArray, polygons: Sequence[BaseGeometry], *, radius_m: float = SETTLEMENT_RADIUS_M
) -> tuple[IntArray, IntArray]:
    """For each polygon, the node with the most nodes of the same polygon within ``radius_m``.

    Parameters
    ----------
    node_xy
        ``(n, 2)`` node coordinates in metres, the same CRS as ``polygons``.
    polygons
        One polygon per place.

    Returns
    -------
    core, count
        Per polygon: the index of the core node (-1 when no node lies inside) and how many of its nodes
        lie within ``radius_m`` of the core (the core included; 0 when there is none).
    """
    core = np.full(len(polygons), -1, dtype=np.int64)
    count = np.zeros(len(polygons), dtype=np.int64)
    if not len(polygons) or not len(node_xy):
        return core, count
    x, y = node_xy[:, 0], node_xy[:, 1]
    for p, polygon in enumerate(polygons):
        # the nodes inside the polygon: a bounding-box cut, then a prepared point-in-polygon test (no
        # shapely point per node: that alone took a third of a second at 100k nodes)
        minx, miny, maxx, maxy = polygon.bounds
        box = np.flatnonzero((x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy))
        shapely.prepare(polygon)
        members = box[shapely.contains_xy(polygon, x[box], y[box])]
        if not len(members):
            continue
        xy = node_xy[members]
        near = np.asarray(cKDTree(xy).query_ball_point(xy, radius_m, return_length=True))
        tied = np.flatnonzero(near == near.max())
        centre = xy[tied].mean(axis=0)
        best = tied[int(np.argmin(((xy[tied] - centre) ** 2).sum(axis=1)))]
        core[p], count[p] = members[best], near[best]
    return core, count


def _on_road_points(road: RoadGraph, to_metric: Transformer, polygons: Sequence[BaseGeometry]) -> FloatArray:
    """Each polygon's representative point moved onto the nearest road inside it (else anywhere)."""
    gx, gy = to_metric.transform(road.geom_lon, road.geom_lat)
    parts = np.repeat(np.arange(road.n_edges), np.diff(road.geom_offsets))
    lines = np.asarray(shapely.linestrings(np.column_stack((gx, gy)), indices=parts), dtype=object)
    tree = shapely.STRtree(lines)
    out = np.empty((len(polygons), 2))
    for i, polygon in enumerate(polygons):
        rep = polygon.representative_point()
        crossing = tree.query(polygon, predicate="intersects")
        if len(crossing):
            roads = shapely.intersection(shapely.union_all(lines[crossing]), polygon)
        else:
            roads = lines[int(tree.query_nearest(rep, all_matches=False)[0])]
        out[i] = shapely.get_coordinates(shapely.shortest_line(roads, rep))[0]
    return out
