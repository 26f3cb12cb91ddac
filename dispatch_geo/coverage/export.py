"""Writing a :class:`~dispatch_geo.coverage.report.CoverageReport` to CSV, GeoJSON and JSON files.

CSV files are for spreadsheets: a plain header row (nothing above it), times in minutes
(``*_min``, one decimal), people as whole numbers, plus a ``schematic`` column. Their metadata —
source, graph label (SKEMATIK on the schematic graph), standard, population year, demand model and
the meaning of each column — is in the sidecar ``metadata.json``. GeoJSON collections keep the
machine units (seconds) and have top-level ``schematic``/``graph_label`` members and the same
properties on every feature. (No XLSX: openpyxl is not a dependency.)
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import mapping

from dispatch_geo.coverage.isochrones import isochrones_geojson
from dispatch_geo.coverage.posts import posts_frame
from dispatch_geo.coverage.report import CoverageReport

POPULATION_YEAR = 2022
"""Year of the BPS kecamatan population the demand is built from."""

FILES = (
    "summary.json",
    "metadata.json",
    "desa_coverage.csv",
    "kecamatan_coverage.csv",
    "gaps.csv",
    "proposed_sites.csv",
    "desa_coverage.geojson",
    "isochrones.geojson",
    "posts.geojson",
    "proposed_sites.geojson",
)
"""Files written by :func:`write_report_files` (the HTML pages are written by ``maps.coverage_map``)."""


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):
        return _clean(value.item())
    return value


def planner_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` in planners' units: ``*_time_s`` → ``*_min`` (1 decimal), people as whole numbers."""
    out = frame.drop(columns=["geometry"], errors="ignore").copy()
    for col in list(out.columns):
        if col.endswith("_time_s"):
            out[col] = (out[col] / 60.0).round(1).replace([math.inf, -math.inf], float("nan"))
            out = out.rename(columns={col: col[: -len("_time_s")] + "_time_min"})
        elif "population" in col:
            out[col] = out[col].astype("Float64").round().astype("Int64")
        elif col.endswith("_share"):
            out[col] = out[col].round(4)
        elif col in ("site_lon", "site_lat"):
            out[col] = out[col].round(6)
        elif col == "area_km2":
            out[col] = out[col].round(2)
    return out


def _csv(frame: pd.DataFrame, path: Path, report: CoverageReport) -> None:
    out = planner_frame(frame)
    out["schematic"] = report.schematic
    path.write_text(out.to_csv(index=False), encoding="utf-8")


def metadata(report: CoverageReport, *, generated_at: datetime | None = None) -> dict[str, Any]:
    """What the CSV files do not say themselves: provenance, standard, demand model, units."""
    std = report.standard
    return {
        "generated_at": (generated_at or datetime.now(UTC)).isoformat(timespec="seconds"),
        "service": std.service,
        "graph_source": report.graph_source,
        "graph_label": report.graph_label,
        "schematic": report.schematic,
        "osm_timestamp": report.osm_timestamp,
        "standard": std.describe(),
        "travel_time_standard_min": round(std.travel_time_s / 60.0, 2),
        "population_source": f"BPS {POPULATION_YEAR}, per kecamatan",
        "population_year": POPULATION_YEAR,
        "demand_model": (
            f"{report.demand.method}: kecamatan population spread to desa, then to the road nodes inside "
            "each desa; every coverage figure uses this model. Siting optimises on desa centres (a desa "
            "counts whole when its centre is covered): see covered_*_desa_centres in summary.json."
        ),
        "units": {
            "*_time_min": "minutes of travel from the nearest post (empty: unreachable)",
            "*population*": "people (whole numbers)",
            "coverage_share": "share of the population within the standard (0-1)",
            "site_lon/site_lat": "WGS84 degrees",
        },
        "files": list(FILES),
    }


def _geojson(frame: gpd.GeoDataFrame, path: Path, report: CoverageReport) -> None:
    features = []
    for _, row in frame.iterrows():
        props = {k: _clean(v) for k, v in row.items() if k != "geometry"}
        props["schematic"] = report.schematic
        props["graph_label"] = report.graph_label
        features.append({"type": "Feature", "properties": props, "geometry": mapping(row.geometry)})
    doc = {
        "type": "FeatureCollection",
        "schematic": report.schematic,
        "graph_label": report.graph_label,
        "features": features,
    }
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def sites_frame(report: CoverageReport) -> gpd.GeoDataFrame:
    """Every proposed site of every scenario, one row each."""
    frames = [s.sites for s in report.scenarios if len(s.sites)]
    if not frames:
        return gpd.GeoDataFrame({"scenario": []}, geometry=gpd.GeoSeries([], crs="EPSG:4326"))
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs="EPSG:4326")


def write_report_files(report: CoverageReport, out_dir: Path) -> list[Path]:
    """Write :data:`FILES` into ``out_dir`` (created if needed); return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / name for name in FILES]
    summary, meta, desa_csv, kec_csv, gaps_csv, sites_csv, desa_gj, iso_gj, posts_gj, sites_gj = paths
    summary.write_text(
        json.dumps(_clean_tree(report.summary()), indent=2, ensure_ascii=False), encoding="utf-8"
    )
    meta.write_text(json.dumps(metadata(report), indent=2, ensure_ascii=False), encoding="utf-8")
    _csv(report.desa, desa_csv, report)
    _csv(report.kecamatan, kec_csv, report)
    _csv(report.gaps, gaps_csv, report)
    sites = sites_frame(report)
    _csv(sites, sites_csv, report)
    _geojson(report.desa, desa_gj, report)
    iso = isochrones_geojson(report.isochrones, label=report.graph_label, schematic=report.schematic)
    iso_gj.write_text(json.dumps(iso, ensure_ascii=False), encoding="utf-8")
    _geojson(posts_frame(report.posts), posts_gj, report)
    _geojson(sites, sites_gj, report)
    return paths


def _clean_tree(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean_tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_tree(v) for v in value]
    return _clean(value)
