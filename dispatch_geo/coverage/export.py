"""Writing a :class:`~dispatch_geo.coverage.report.CoverageReport` to CSV, GeoJSON and JSON files.

Every file carries the graph's provenance: CSV files start with a ``# graph: <label>`` comment line
(read them with ``pandas.read_csv(path, comment="#")``) and have a ``schematic`` column; GeoJSON
collections have top-level ``schematic``/``graph_label`` members and the same properties on every
feature. On the schematic graph the label is the SCHEMATIC warning.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import mapping

from dispatch_geo.coverage.isochrones import isochrones_geojson
from dispatch_geo.coverage.posts import posts_frame
from dispatch_geo.coverage.report import CoverageReport

FILES = (
    "summary.json",
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


def _csv(frame: pd.DataFrame, path: Path, report: CoverageReport) -> None:
    out = frame.drop(columns=["geometry"], errors="ignore").copy()
    out["schematic"] = report.schematic
    header = f"# graph: {report.graph_label}; standard: {report.standard.describe()}\n"
    path.write_text(header + out.to_csv(index=False, float_format="%.6g"), encoding="utf-8")


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
    summary, desa_csv, kec_csv, gaps_csv, sites_csv, desa_gj, iso_gj, posts_gj, sites_gj = paths
    summary.write_text(
        json.dumps(_clean_tree(report.summary()), indent=2, ensure_ascii=False), encoding="utf-8"
    )
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
