"""Desa/kecamatan lookup: by point (which village is this caller in?) and by name (where is "Kp Dalam"?).

Point lookups use a shapely STRtree over the 131 desa polygons projected to
:data:`~dispatch_geo.boundaries.METRIC_CRS` (UTM 47N), so distances come out in metres directly.
Name lookups score every desa and kecamatan with rapidfuzz after normalising case, punctuation, spacing
and the abbreviations dispatchers type ("Kp", "Sei", "Tlk", ...).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import Transformer
from shapely import STRtree
from shapely.geometry.base import BaseGeometry

from dispatch_geo.boundaries import METRIC_CRS, Boundaries
from dispatch_geo.domain.values import LonLat
from dispatch_geo.errors import InputError, OutsideServiceAreaError
from dispatch_geo.place_names import NameIndex, PlaceName

log = logging.getLogger(__name__)

DEFAULT_OUTSIDE_BUFFER_M = 2000.0
"""How far beyond the regency border a point is still served (GPS error, border roads)."""


@dataclass(frozen=True, slots=True)
class Location:
    """The desa a point falls in, or the nearest one when the point is just outside every desa.

    ``inside`` is True (and ``distance_m`` 0) when the point lies in the desa polygon. It is False for a
    point within the outside buffer of the regency, and also for a point in one of the thin digitising
    gaps between neighbouring desa polygons (then ``distance_m`` is a few metres).
    """

    desa_kode: str
    desa_nama: str
    kecamatan_kode: str
    kecamatan_nama: str
    inside: bool
    distance_m: float


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    """One candidate of a name search; ``score`` runs from 0 to 100 (exact match)."""

    kode: str
    nama: str
    level: str
    kecamatan_nama: str
    score: float
    centroid: LonLat


@dataclass(frozen=True, slots=True)
class DesaArea:
    """One desa with its polygon in :data:`~dispatch_geo.boundaries.METRIC_CRS` (metres)."""

    kode: str
    nama: str
    kecamatan_kode: str
    kecamatan_nama: str
    polygon_metric: BaseGeometry


def _inside_point(polygon: BaseGeometry) -> BaseGeometry:
    """The centroid when it lies inside the polygon, else a representative point (always inside)."""
    centroid = polygon.centroid
    return centroid if polygon.contains(centroid) else polygon.representative_point()


class Gazetteer:
    """Point and name lookup over the desa and kecamatan of one regency.

    Build it once with :meth:`from_boundaries` and share it; it is read-only afterwards.
    """

    def __init__(
        self,
        *,
        desa_kode: Sequence[str],
        desa_nama: Sequence[str],
        kecamatan_kode: Sequence[str],
        kecamatan_nama: Sequence[str],
        desa_metric: NDArray[Any],
        names: NameIndex,
        outside_buffer_m: float,
        regency_nama: str,
    ) -> None:
        if not (isinstance(outside_buffer_m, int | float) and math.isfinite(outside_buffer_m)):
            raise InputError(f"outside_buffer_m {outside_buffer_m!r} must be a finite number of metres")
        if outside_buffer_m < 0:
            raise InputError(f"outside_buffer_m {outside_buffer_m!r} must be >= 0 metres")
        self._desa_kode = list(desa_kode)
        self._desa_nama = list(desa_nama)
        self._kec_kode = list(kecamatan_kode)
        self._kec_nama = list(kecamatan_nama)
        self._desa_metric = desa_metric
        self._tree = STRtree(desa_metric)
        self._names = names
        self._to_metric = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
        self.outside_buffer_m = float(outside_buffer_m)
        self.regency_nama = regency_nama

    @classmethod
    def from_boundaries(
        cls, b: Boundaries, *, outside_buffer_m: float = DEFAULT_OUTSIDE_BUFFER_M
    ) -> Gazetteer:
        """Build the gazetteer from loaded boundaries.

        Parameters
        ----------
        b
            Boundaries from :func:`~dispatch_geo.boundaries.load_boundaries`.
        outside_buffer_m
            Points up to this far outside every desa still resolve to the nearest desa; farther points
            are outside the service area.
        """
        kec_names = dict(zip(b.kecamatan["kode"], b.kecamatan["nama"], strict=True))
        desa = b.desa
        kec_kode = [str(k) for k in desa["parent_kode"]]
        places: list[PlaceName] = []
        for kode, nama, geom in zip(
            b.kecamatan["kode"], b.kecamatan["nama"], b.kecamatan.geometry, strict=True
        ):
            places.append(
                PlaceName(str(kode), str(nama), "kecamatan", str(nama), _lonlat(_inside_point(geom)))
            )
        for kode, nama, parent, geom in zip(desa["kode"], desa["nama"], kec_kode, desa.geometry, strict=True):
            places.append(
                PlaceName(str(kode), str(nama), "desa", kec_names[parent], _lonlat(_inside_point(geom)))
            )
        return cls(
            desa_kode=[str(k) for k in desa["kode"]],
            desa_nama=[str(n) for n in desa["nama"]],
            kecamatan_kode=kec_kode,
            kecamatan_nama=[kec_names[k] for k in kec_kode],
            desa_metric=np.asarray(desa.to_crs(METRIC_CRS).geometry.values, dtype=object),
            names=NameIndex(places),
            outside_buffer_m=outside_buffer_m,
            regency_nama=str(b.regency["nama"].iloc[0]),
        )

    # ------------------------------------------------------------------------------------------ by point

    def _location(self, i: int, *, inside: bool, distance_m: float) -> Location:
        return Location(
            desa_kode=self._desa_kode[i],
            desa_nama=self._desa_nama[i],
            kecamatan_kode=self._kec_kode[i],
            kecamatan_nama=self._kec_nama[i],
            inside=inside,
            distance_m=distance_m,
        )

    def locate(self, p: LonLat) -> Location:
        """The desa containing ``p``, or the nearest desa if ``p`` is within the outside buffer.

        Raises
        ------
        OutsideServiceAreaError
            If ``p`` is farther than ``outside_buffer_m`` from every desa; the message gives the point and
            its distance from the regency.
        """
        x, y = self._to_metric.transform(p.lon, p.lat)
        point = shapely.Point(x, y)
        hits = self._tree.query(point, predicate="intersects")
        if len(hits):
            return self._location(int(hits.min()), inside=True, distance_m=0.0)
        nearest, dist = self._tree.query_nearest(point, return_distance=True, all_matches=False)
        i, distance_m = int(nearest[0]), float(dist[0])
        if distance_m > self.outside_buffer_m:
            raise OutsideServiceAreaError(
                f"point (lon {p.lon:.6f}, lat {p.lat:.6f}) is {distance_m / 1000:.1f} km outside "
                f"{self.regency_nama} (nearest: {self._desa_nama[i]}, kecamatan {self._kec_nama[i]}); "
                f"only points within {self.outside_buffer_m:.0f} m of the border are served"
            )
        return self._location(i, inside=False, distance_m=distance_m)

    def locate_many(self, lons: ArrayLike, lats: ArrayLike) -> list[Location | None]:
        """Vectorised :meth:`locate`: one entry per point, ``None`` for points beyond the outside buffer.

        Raises
        ------
        InputError
            If the arrays differ in length or hold non-finite / out-of-range coordinates.
        """
        lon_arr = np.asarray(lons, dtype=float).reshape(-1)
        lat_arr = np.asarray(lats, dtype=float).reshape(-1)
        _check_coordinates(lon_arr, lat_arr)
        xs, ys = self._to_metric.transform(lon_arr, lat_arr)
        points: NDArray[np.object_] = np.asarray(shapely.points(np.asarray(xs), np.asarray(ys)), dtype=object)
        results: list[Location | None] = [None] * len(points)

        point_idx, desa_idx = self._tree.query(points, predicate="intersects")
        order = np.lexsort((desa_idx, point_idx))  # first (lowest) desa per point on shared borders
        point_idx, desa_idx = point_idx[order], desa_idx[order]
        first_points, first_pos = np.unique(point_idx, return_index=True)
        for pi, di in zip(first_points.tolist(), desa_idx[first_pos].tolist(), strict=True):
            results[pi] = self._location(di, inside=True, distance_m=0.0)

        outside = np.setdiff1d(np.arange(len(points)), first_points)
        if len(outside):
            (near_pts, near_desa), dist = self._tree.query_nearest(
                points[outside], max_distance=self.outside_buffer_m, return_distance=True, all_matches=False
            )
            for pi, di, d in zip(outside[near_pts].tolist(), near_desa.tolist(), dist.tolist(), strict=True):
                results[pi] = self._location(di, inside=False, distance_m=float(d))
        return results

    # ------------------------------------------------------------------------------------------ by name

    def search(self, query: str, *, limit: int = 10, level: str | None = None) -> list[PlaceMatch]:
        """Desa and kecamatan whose names match ``query``, best first (see :mod:`dispatch_geo.place_names`).

        Parameters
        ----------
        query
            Free text as a dispatcher types it: "Kp. Dalam", "sei apit", "kec minas", "Minass".
        limit
            At most this many matches.
        level
            ``"desa"`` or ``"kecamatan"`` to search only that level.

        Returns
        -------
        list of PlaceMatch
            Possibly empty: names scoring below the cutoff are never returned.

        Raises
        ------
        InputError
            On an empty query, a non-positive limit or an unknown level.
        """
        return [
            PlaceMatch(p.kode, p.nama, p.level, p.kecamatan_nama, score, p.centroid)
            for p, score in self._names.search(query, limit=limit, level=level)
        ]

    # ----------------------------------------------------------------------------------------- areas

    def desa_areas(self) -> list[DesaArea]:
        """Every desa with its polygon in metres, in the gazetteer's order."""
        return [
            DesaArea(kode, nama, kec_kode, kec_nama, polygon)
            for kode, nama, kec_kode, kec_nama, polygon in zip(
                self._desa_kode,
                self._desa_nama,
                self._kec_kode,
                self._kec_nama,
                self._desa_metric,
                strict=True,
            )
        ]


def _lonlat(point: BaseGeometry) -> LonLat:
    return LonLat(round(float(shapely.get_x(point)), 6), round(float(shapely.get_y(point)), 6))


def _check_coordinates(lons: NDArray[np.float64], lats: NDArray[np.float64]) -> None:
    problems: list[str] = []
    if lons.shape != lats.shape:
        raise InputError(f"lons has {lons.size} values but lats has {lats.size}; expected equal lengths")
    bad_lon = np.flatnonzero(~(np.isfinite(lons) & (np.abs(lons) <= 180)))
    bad_lat = np.flatnonzero(~(np.isfinite(lats) & (np.abs(lats) <= 90)))
    if len(bad_lon):
        problems.append(
            f"{len(bad_lon)} longitude(s) not finite in [-180, 180], e.g. index {bad_lon[:5].tolist()}"
        )
    if len(bad_lat):
        problems.append(
            f"{len(bad_lat)} latitude(s) not finite in [-90, 90], e.g. index {bad_lat[:5].tolist()}"
        )
    if problems:
        raise InputError("; ".join(problems))
