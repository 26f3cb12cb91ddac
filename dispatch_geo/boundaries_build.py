"""Build ``data/siak_boundaries.geojson`` from the shared Siak reference data.

Kept apart from :mod:`dispatch_geo.boundaries` (which loads and validates the file) because it runs once,
offline; call it through :func:`dispatch_geo.boundaries.build_boundaries_geojson`.
"""

from __future__ import annotations

import csv
import json
import logging
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.geometry.base import BaseGeometry

from dispatch_geo.boundaries import COORDINATE_DECIMALS, METRIC_CRS, REGENCY_KODE, is_kelurahan
from dispatch_geo.errors import InputError

log = logging.getLogger(__name__)

SLIVER_MAX_M2 = 50_000.0
"""Holes smaller than this (0.05 km²) in a dissolved kecamatan/regency outline are filled.

The source desa polygons leave thin digitising gaps between neighbours (the 199 holes in the dissolved
regency are 1–9,000 m² each); they are not enclaves, and a hole in the regency outline would make
"is this point in Siak?" answer no in the middle of a town.
"""
_GRID_DEG = 10.0**-COORDINATE_DECIMALS


def _fix_roman_numerals(nama: str) -> str:
    """Restore roman numerals that title-casing broke in the source ("Parit I/Ii" → "Parit I/II")."""
    return re.sub(r"\b(Ii|Iii|Iv|Vi|Vii|Viii|Ix|Xi|Xii)\b", lambda m: m.group(0).upper(), nama)


def _snap(geom: BaseGeometry) -> BaseGeometry:
    """Snap to the 1e-6° grid keeping the polygon valid, then round so the JSON prints short floats."""
    snapped = shapely.set_precision(geom, _GRID_DEG)
    return shapely.transform(snapped, lambda xy: np.round(xy, COORDINATE_DECIMALS))


def _fill_slivers(geom: BaseGeometry) -> BaseGeometry:
    """Drop interior rings smaller than :data:`SLIVER_MAX_M2` (measured in :data:`METRIC_CRS`)."""
    to_metric = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)

    def area_m2(ring: Any) -> float:
        xs, ys = to_metric.transform(*ring.xy)
        return float(Polygon(zip(xs, ys, strict=True)).area)

    def fill(poly: Polygon) -> Polygon:
        return Polygon(poly.exterior, [r for r in poly.interiors if area_m2(r) >= SLIVER_MAX_M2])

    if isinstance(geom, Polygon):
        return fill(geom)
    if isinstance(geom, MultiPolygon):
        return MultiPolygon([fill(p) for p in geom.geoms])
    return geom


def _dissolve(geoms: list[BaseGeometry]) -> BaseGeometry:
    return _snap(_fill_slivers(shapely.union_all(geoms, grid_size=_GRID_DEG)))


def _read_population(csv_path: Path, problems: list[str]) -> tuple[dict[str, int], int | None]:
    by_kecamatan: dict[str, int] = {}
    total: int | None = None
    with csv_path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            try:
                value = int(row["population_bps_2022"])
            except (KeyError, TypeError, ValueError):
                problems.append(f"{csv_path.name}: bad population in row {row!r}")
                continue
            if row.get("kecamatan_kode") == REGENCY_KODE:
                total = value
            else:
                by_kecamatan[row["kecamatan_kode"]] = value
    return by_kecamatan, total


def _feature(geom: BaseGeometry, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "id": properties["kode"], "properties": properties, "geometry": mapping(geom)}


def write_boundaries_geojson(source_dir: Path, out_path: Path) -> None:
    """Build ``siak_boundaries.geojson`` from the shared reference data.

    Reads ``siak_desa_boundaries.geojson`` (131 desa polygons) and ``siak_population_kecamatan.csv``
    from ``source_dir``; dissolves the desa into kecamatan and the regency (so every desa lies exactly
    inside its kecamatan) and fills the sliver gaps between neighbouring desa in those outlines
    (see :data:`SLIVER_MAX_M2`); computes areas in :data:`METRIC_CRS`; rounds coordinates to 6 decimals and
    writes one FeatureCollection to ``out_path``. Roman numerals broken by title-casing in the source
    names are restored ("Buatan Ii" → "Buatan II").

    Parameters
    ----------
    source_dir
        Directory holding the shared Siak reference files (e.g. ``/work/shared/siak-data``).
    out_path
        Where to write the FeatureCollection; parent directories are created.

    Raises
    ------
    InputError
        If a source file is missing or inconsistent (every problem listed).
    """
    desa_path = source_dir / "siak_desa_boundaries.geojson"
    pop_path = source_dir / "siak_population_kecamatan.csv"
    missing = [str(p) for p in (desa_path, pop_path) if not p.is_file()]
    if missing:
        raise InputError(f"cannot build boundaries, missing source file(s): {', '.join(missing)}")

    problems: list[str] = []
    population, total = _read_population(pop_path, problems)
    desa = gpd.read_file(desa_path).to_crs("EPSG:4326").sort_values("kode").reset_index(drop=True)
    desa["geometry"] = [_snap(g) for g in desa.geometry]
    desa["kecamatan_kode"] = desa["kode"].str.rsplit(".", n=1).str[0]
    kecamatan_names = _kecamatan_names(source_dir)

    for kode in sorted(set(desa["kecamatan_kode"]) - set(population)):
        problems.append(f"kecamatan {kode} has desa but no population in {pop_path.name}")
    if total is not None and total != sum(population.values()):
        problems.append(f"population total {total} != sum of kecamatan {sum(population.values())}")
    invalid = desa.loc[~desa.geometry.is_valid, "kode"].tolist()
    if invalid:
        problems.append(f"invalid desa polygons after rounding: {invalid}")
    if problems:
        raise InputError("cannot build boundaries:\n" + "\n".join(f"  - {p}" for p in problems))

    desa_area_km2 = desa.to_crs(METRIC_CRS).area / 1e6
    features: list[dict[str, Any]] = []
    kec_features: list[dict[str, Any]] = []
    kec_geoms = []
    for kec_kode, group in desa.groupby("kecamatan_kode", sort=True):
        geom = _dissolve(list(group.geometry))
        kec_geoms.append(geom)
        props = {
            "kode": kec_kode,
            "nama": kecamatan_names.get(str(kec_kode), str(kec_kode)),
            "level": "kecamatan",
            "parent_kode": REGENCY_KODE,
            "area_km2": round(float(desa_area_km2[group.index].sum()), 2),
            "population_bps_2022": population[str(kec_kode)],
            "n_desa": len(group),
        }
        kec_features.append(_feature(geom, props))
    regency_geom = _dissolve(kec_geoms)
    features.append(
        _feature(
            regency_geom,
            {
                "kode": REGENCY_KODE,
                "nama": "Kabupaten Siak",
                "level": "kabupaten",
                "parent_kode": None,
                "area_km2": round(float(desa_area_km2.sum()), 2),
                "population_bps_2022": sum(population.values()),
            },
        )
    )
    features.extend(kec_features)
    for i, row in desa.iterrows():
        props = {
            "kode": row["kode"],
            "nama": _fix_roman_numerals(str(row["nama"]).strip()),
            "level": "desa",
            "parent_kode": row["kecamatan_kode"],
            "area_km2": round(float(desa_area_km2[i]), 2),
            "kelurahan": is_kelurahan(str(row["kode"])),
        }
        features.append(_feature(row.geometry, props))

    collection = {
        "type": "FeatureCollection",
        "name": "siak_boundaries",
        "attribution": (
            "Boundaries: cahyadsn/wilayah_boundaries (MIT, (c) Cahya DSN); "
            "population: BPS Kabupaten Siak 2022. Outlines are approximate."
        ),
        "features": features,
    }
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
    log.info("wrote %d boundary features to %s", len(features), out_path)


def _kecamatan_names(source_dir: Path) -> dict[str, str]:
    """Kecamatan names from the population table (the desa file carries only codes for them)."""
    names: dict[str, str] = {}
    with (source_dir / "siak_population_kecamatan.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["kecamatan_kode"] != REGENCY_KODE:
                names[row["kecamatan_kode"]] = row["kecamatan"].strip()
    return names
