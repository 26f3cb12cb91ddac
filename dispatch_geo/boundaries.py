"""Administrative boundaries of Kabupaten Siak: the regency, its 14 kecamatan and 131 desa/kelurahan.

The project ships one GeoJSON FeatureCollection, ``data/siak_boundaries.geojson`` (RFC 7946, WGS84,
``[lon, lat]``), built reproducibly by :func:`build_boundaries_geojson` from the shared reference data
(cahyadsn/wilayah_boundaries, MIT; population from BPS Kabupaten Siak). Every feature has the properties

``kode``
    Kemendagri code: ``14.08`` (regency), ``14.08.01`` (kecamatan), ``14.08.01.1001`` (desa).
``nama``
    Name as used by Kemendagri.
``level``
    ``"kabupaten"``, ``"kecamatan"`` or ``"desa"`` (kelurahan are desa-level too).
``parent_kode``
    ``null`` for the regency, ``"14.08"`` for a kecamatan, the kecamatan code for a desa.
``area_km2``
    Planar area in :data:`METRIC_CRS`, two decimals (every level).
``population_bps_2022``
    Kecamatan and regency only (BPS Kabupaten Siak, 2022; the regency carries the total).
``kelurahan``
    Desa only: ``True`` when the 4-digit tail of the code starts with ``1`` (urban ward).

The outlines are approximate: their dissolved area is about 7,860 km² against the official 8,556 km².
Load the file with :func:`load_boundaries`; it validates everything and raises one
:class:`~dispatch_geo.errors.InputError` listing every problem.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from dispatch_geo.errors import InputError

log = logging.getLogger(__name__)

REGENCY_KODE = "14.08"
"""Kemendagri/BPS code of Kabupaten Siak."""

METRIC_CRS = "EPSG:32647"
"""UTM zone 47N (WGS84), the metric CRS used for areas and distances.

Siak spans 100.98–102.90 E, across the 102 E line between UTM zones 47N and 48N. Its centroid
(101.88 E) and 81 of its 131 desa (≈62 % of the area) lie in zone 47N, so 47N keeps the scale error
smallest where most people live: the regency area comes out 0.18 % above the geodesic area (48N: 0.22 %),
and distances within a few kilometres are off by well under 0.3 %. EPSG:32647 rather than EPSG:23847
(DGN95 / UTM 47N) because the source coordinates are WGS84; the two datums differ by < 1 m here.
"""

LEVELS = ("kabupaten", "kecamatan", "desa")
COORDINATE_DECIMALS = 6
"""Decimals kept in the shipped file (≈0.11 m at the equator)."""

_KODE_PATTERN = {
    "kabupaten": re.compile(r"^\d{2}\.\d{2}$"),
    "kecamatan": re.compile(r"^\d{2}\.\d{2}\.\d{2}$"),
    "desa": re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"),
}
_COLUMNS = ["kode", "nama", "level", "parent_kode"]


def _default_boundaries_path() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "siak_boundaries.geojson"


DEFAULT_BOUNDARIES_PATH = _default_boundaries_path()
"""``data/siak_boundaries.geojson`` of the source checkout (works from a checkout or editable install)."""


@dataclass(frozen=True)
class Boundaries:
    """The three administrative levels as GeoDataFrames in EPSG:4326.

    Each frame has the columns ``kode``, ``nama``, ``level``, ``parent_kode``, ``area_km2`` and
    ``geometry``, indexed by position and sorted by ``kode``. ``regency`` (one row) and ``kecamatan``
    add ``population_bps_2022``; ``desa`` adds ``kelurahan`` (bool). Treat the frames as read-only.
    """

    regency: gpd.GeoDataFrame
    kecamatan: gpd.GeoDataFrame
    desa: gpd.GeoDataFrame

    @property
    def regency_kode(self) -> str:
        """Code of the regency (``"14.08"`` for Siak)."""
        return str(self.regency["kode"].iloc[0])

    @property
    def outline(self) -> BaseGeometry:
        """The regency outline in EPSG:4326."""
        geom: BaseGeometry = self.regency.geometry.iloc[0]
        return geom


# --------------------------------------------------------------------------------------------- building


def is_kelurahan(desa_kode: str) -> bool:
    """True when a desa code denotes a kelurahan (urban ward): its 4-digit tail starts with ``1``."""
    return desa_kode.rsplit(".", 1)[-1].startswith("1")


def build_boundaries_geojson(source_dir: Path, out_path: Path) -> None:
    """Build ``siak_boundaries.geojson`` from the shared reference data (reproducibly).

    Reads ``siak_desa_boundaries.geojson`` and ``siak_population_kecamatan.csv`` from ``source_dir``
    (e.g. ``/work/shared/siak-data``); dissolves the desa into kecamatan and the regency, filling the
    sliver gaps between neighbouring desa; computes areas in :data:`METRIC_CRS`; restores roman numerals
    broken by title-casing ("Buatan Ii" → "Buatan II"); rounds coordinates to 6 decimals and writes one
    FeatureCollection to ``out_path`` (parents created). See :mod:`dispatch_geo.boundaries_build`.

    Raises
    ------
    InputError
        If a source file is missing or inconsistent (every problem listed).
    """
    from dispatch_geo.boundaries_build import write_boundaries_geojson

    write_boundaries_geojson(source_dir, out_path)


# --------------------------------------------------------------------------------------------- loading


def _check_feature(index: int, feature: Any, problems: list[str]) -> dict[str, Any] | None:
    """Validate one feature; return a flat record (properties + shapely geometry) or None."""
    where = f"feature {index}"
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        problems.append(f"{where}: not a GeoJSON Feature")
        return None
    props = feature.get("properties")
    if not isinstance(props, dict):
        problems.append(f"{where}: has no properties object")
        return None
    kode = props.get("kode")
    if isinstance(kode, str) and kode:
        where = f"feature {index} (kode {kode})"
    else:
        problems.append(f"{where}: missing kode")
    level = props.get("level")
    if level not in LEVELS:
        problems.append(f"{where}: level {level!r} is not one of {', '.join(LEVELS)}")
    elif isinstance(kode, str) and not _KODE_PATTERN[level].match(kode):
        problems.append(f"{where}: kode {kode!r} does not look like a {level} code")
    if not isinstance(props.get("nama"), str) or not props["nama"].strip():
        problems.append(f"{where}: missing nama")
    geom = _check_geometry(where, feature.get("geometry"), problems)
    if geom is None or not isinstance(kode, str) or level not in LEVELS:
        return None
    return {**props, "geometry": geom}


def _check_geometry(where: str, raw: Any, problems: list[str]) -> BaseGeometry | None:
    if not isinstance(raw, dict) or raw.get("type") not in ("Polygon", "MultiPolygon"):
        kind = raw.get("type") if isinstance(raw, dict) else raw
        problems.append(f"{where}: geometry must be a Polygon or MultiPolygon, got {kind!r}")
        return None
    try:
        geom = shape(raw)
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.ShapelyError) as exc:
        problems.append(f"{where}: unreadable geometry ({exc})")
        return None
    if geom.is_empty:
        problems.append(f"{where}: empty geometry")
        return None
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        problems.append(f"{where}: coordinates out of range (bounds {geom.bounds}); expected [lon, lat]")
        return None
    if not geom.is_valid:
        problems.append(f"{where}: invalid geometry ({shapely.is_valid_reason(geom)})")
        return None
    return geom


def _check_hierarchy(records: list[dict[str, Any]], problems: list[str]) -> None:
    by_level: dict[str, list[dict[str, Any]]] = {level: [] for level in LEVELS}
    seen: set[str] = set()
    for rec in records:
        if rec["kode"] in seen:
            problems.append(f"duplicate kode {rec['kode']}")
        seen.add(rec["kode"])
        by_level[rec["level"]].append(rec)
    if len(by_level["kabupaten"]) != 1:
        problems.append(f"expected exactly 1 kabupaten feature, found {len(by_level['kabupaten'])}")
    for level in ("kecamatan", "desa"):
        if not by_level[level]:
            problems.append(f"no {level} features")
    regency_kodes = {r["kode"] for r in by_level["kabupaten"]}
    kecamatan_kodes = {r["kode"] for r in by_level["kecamatan"]}
    for rec in by_level["kabupaten"]:
        if rec.get("parent_kode") is not None:
            problems.append(f"kabupaten {rec['kode']}: parent_kode must be null, got {rec['parent_kode']!r}")
    for level, parents in (("kecamatan", regency_kodes), ("desa", kecamatan_kodes)):
        for rec in by_level[level]:
            parent = rec.get("parent_kode")
            if parent not in parents or not rec["kode"].startswith(f"{parent}."):
                problems.append(f"{level} {rec['kode']}: parent_kode {parent!r} is not a known parent")


def _frame(records: list[dict[str, Any]], level: str) -> gpd.GeoDataFrame:
    rows = [r for r in records if r["level"] == level]
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    for column in _COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    if "area_km2" not in frame.columns or frame["area_km2"].isna().any():
        frame["area_km2"] = (frame.to_crs(METRIC_CRS).area / 1e6).round(2)
    if level == "desa":
        frame["kelurahan"] = [is_kelurahan(k) for k in frame["kode"]]
    return frame.sort_values("kode").reset_index(drop=True)


def load_boundaries(path: Path = DEFAULT_BOUNDARIES_PATH) -> Boundaries:
    """Load and validate the boundaries FeatureCollection.

    Parameters
    ----------
    path
        A FeatureCollection in the layout written by :func:`build_boundaries_geojson`.

    Returns
    -------
    Boundaries
        Regency, kecamatan and desa frames in EPSG:4326.

    Raises
    ------
    InputError
        Once, listing every problem: missing/unreadable file, not a FeatureCollection, unknown level,
        missing kode or nama, non-polygon/invalid/out-of-range geometry, duplicate codes, broken parent
        links, not exactly one regency.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"boundaries file {path} does not exist; build it with build_boundaries_geojson")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"boundaries file {path} is not readable JSON: {exc}") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise InputError(f"boundaries file {path} is not a GeoJSON FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list):
        raise InputError(f"boundaries file {path}: 'features' must be a list")

    problems: list[str] = []
    records = [rec for i, f in enumerate(features) if (rec := _check_feature(i, f, problems)) is not None]
    _check_hierarchy(records, problems)
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise InputError(f"boundaries file {path} has {len(problems)} problem(s):\n{listing}")
    boundaries = Boundaries(
        regency=_frame(records, "kabupaten"),
        kecamatan=_frame(records, "kecamatan"),
        desa=_frame(records, "desa"),
    )
    log.info("loaded %d kecamatan and %d desa from %s", len(boundaries.kecamatan), len(boundaries.desa), path)
    return boundaries


# --------------------------------------------------------------------------------------------- capitals


def kecamatan_capitals(b: Boundaries, *, seats: Mapping[str, str] | None = None) -> gpd.GeoDataFrame:
    """Pick one "capital" desa per kecamatan, with a point inside it.

    Rule, in order:

    0. a seat given in ``seats`` (kecamatan kode → desa kode, e.g. from
       :func:`dispatch_geo.seats.load_kecamatan_seats`; ``rule="known seat"``);
    1. the kecamatan has exactly one kelurahan → that kelurahan (``rule="only kelurahan"``);
    2. it has several kelurahan → the kelurahan whose centroid is nearest the kecamatan centroid
       (``"nearest kelurahan"``);
    3. it has none → the desa named like the kecamatan, if any (``"same name"``; e.g. Dayun, Bunga Raya),
       else the desa whose centroid is nearest the kecamatan centroid (``"nearest desa"``).

    Distances are measured in :data:`METRIC_CRS`. Capitals are usually kelurahan (BPS), which is why
    they come first; the same-name rule catches rural kecamatan named after their seat village.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per kecamatan (EPSG:4326), columns ``kecamatan_kode``, ``kecamatan_nama``, ``kode``,
        ``nama`` (of the capital desa), ``kelurahan``, ``rule`` and ``geometry``: a point inside the
        capital desa (its centroid when that lies inside, else a representative point).
    """
    desa_m = b.desa.to_crs(METRIC_CRS)
    desa_centroids = desa_m.geometry.centroid
    rows: list[dict[str, Any]] = []
    for kec in b.kecamatan.to_crs(METRIC_CRS).itertuples():
        members = desa_m.index[desa_m["parent_kode"] == kec.kode]
        kelurahan = [i for i in members if desa_m.at[i, "kelurahan"]]
        same_name = [i for i in members if _norm(desa_m.at[i, "nama"]) == _norm(kec.nama)]
        known = [i for i in members if desa_m.at[i, "kode"] == (seats or {}).get(kec.kode)]
        if known:
            chosen, rule = known[0], "known seat"
        elif len(kelurahan) == 1:
            chosen, rule = kelurahan[0], "only kelurahan"
        elif kelurahan:
            chosen, rule = (
                min(kelurahan, key=lambda i: desa_centroids[i].distance(kec.geometry.centroid)),
                ("nearest kelurahan"),
            )
        elif same_name:
            chosen, rule = same_name[0], "same name"
        else:
            chosen, rule = (
                min(members, key=lambda i: desa_centroids[i].distance(kec.geometry.centroid)),
                ("nearest desa"),
            )
        polygon = b.desa.geometry[chosen]
        point = polygon.centroid if polygon.contains(polygon.centroid) else polygon.representative_point()
        rows.append(
            {
                "kecamatan_kode": kec.kode,
                "kecamatan_nama": kec.nama,
                "kode": b.desa.at[chosen, "kode"],
                "nama": b.desa.at[chosen, "nama"],
                "kelurahan": bool(b.desa.at[chosen, "kelurahan"]),
                "rule": rule,
                "geometry": point,
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def _norm(name: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())
