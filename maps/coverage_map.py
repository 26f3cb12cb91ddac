"""HTML pages of a coverage report: a Folium map and a page for the meeting (tables + the map).

The map has a travel-time choropleth per desa (population-weighted mean minutes), the isochrones, the
posts and the proposed sites, each a layer that can be switched off. Markers are vector circles, so
the only web assets are Leaflet/Folium's JS and CSS (from CDNs, as Folium does by default) and the
base tiles; pass ``tiles=None`` for a map without a basemap. When the graph is schematic a yellow
banner says so at the top of both pages.
"""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import Any

import branca.colormap as cm
import folium
import pandas as pd
from shapely.geometry import mapping

from dispatch_geo.coverage.export import sites_frame
from dispatch_geo.coverage.report import CoverageReport

MAP_FILE = "coverage_map.html"
REPORT_FILE = "coverage_report.html"
TIME_BINS_MIN = (0.0, 5.0, 8.0, 10.0, 15.0, 30.0, 60.0, 120.0)
TIME_COLOURS = ("#1a9850", "#91cf60", "#d9ef8b", "#fee08b", "#fc8d59", "#d73027", "#7f0000")
ISO_COLOURS = ("#08519c", "#3182bd", "#6baed6", "#9ecae1", "#c6dbef", "#deebf7")


def banner_html(report: CoverageReport) -> str:
    """The provenance line: a yellow SCHEMATIC banner, or a discreet OSM attribution."""
    label = html.escape(report.graph_label)
    if report.schematic:
        return (
            '<div class="siaga-schematic-banner" style="position:sticky;top:0;z-index:10000;'
            "background:#ffeb3b;color:#000;font:bold 16px sans-serif;padding:8px 12px;"
            f'border-bottom:3px solid #000">{label} — coverage figures are illustrative only</div>'
        )
    return f'<div class="siaga-attribution" style="font:12px sans-serif;padding:4px">{label}</div>'


def _minutes(value: float) -> str:
    return "unreachable" if not math.isfinite(value) else f"{value / 60:.1f} min"


def coverage_map(report: CoverageReport, *, tiles: str | None = "OpenStreetMap") -> folium.Map:
    """The Folium map of a report (see the module docstring)."""
    bounds = report.desa.total_bounds
    centre = [float((bounds[1] + bounds[3]) / 2), float((bounds[0] + bounds[2]) / 2)]
    fmap = folium.Map(location=centre, zoom_start=9, tiles=tiles, attr=report.graph_label if tiles else None)
    root: Any = fmap.get_root()
    root.html.add_child(folium.Element(banner_html(report)))
    colormap = cm.StepColormap(
        list(TIME_COLOURS), index=list(TIME_BINS_MIN), vmin=0, vmax=TIME_BINS_MIN[-1],
        caption="Mean travel time from the nearest post (min)",
    )  # fmt: skip

    features = []
    for _, row in report.desa.iterrows():
        mean_min = row["mean_time_s"] / 60 if math.isfinite(row["mean_time_s"]) else None
        features.append(
            {
                "type": "Feature",
                "geometry": mapping(row.geometry),
                "properties": {
                    "nama": row["nama"],
                    "kecamatan": row["kecamatan_nama"],
                    "mean_min": None if mean_min is None else round(mean_min, 1),
                    "p90": _minutes(row["p90_time_s"]),
                    "coverage": f"{row['coverage_share']:.0%}"
                    if math.isfinite(row["coverage_share"])
                    else "-",
                    "uncovered": round(row["uncovered_population"]),
                    "nearest_post": row["nearest_post"] or "-",
                },
            }
        )

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        value = feature["properties"]["mean_min"]
        colour = "#555555" if value is None else colormap(min(value, TIME_BINS_MIN[-1]))
        return {"fillColor": colour, "color": "#333333", "weight": 0.5, "fillOpacity": 0.6}

    choropleth = folium.FeatureGroup(name=f"Travel time per desa ({report.standard.service})")
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        style_function=style,
        tooltip=folium.GeoJsonTooltip(
            fields=["nama", "kecamatan", "mean_min", "p90", "coverage", "uncovered", "nearest_post"],
            aliases=[
                "Desa",
                "Kecamatan",
                "Mean (min)",
                "90th pct",
                "Covered",
                "Uncovered people",
                "Nearest post",
            ],
        ),
    ).add_to(choropleth)
    choropleth.add_to(fmap)
    colormap.add_to(fmap)

    for i, iso in enumerate(sorted(report.isochrones, key=lambda x: -x.threshold_s)):
        group = folium.FeatureGroup(name=f"Isochrone {iso.label}", show=i >= len(report.isochrones) - 2)
        colour = ISO_COLOURS[min(len(report.isochrones) - 1 - i, len(ISO_COLOURS) - 1)]
        folium.GeoJson(
            mapping(iso.geometry),
            style_function=lambda _f, c=colour: {
                "fillColor": c,
                "color": c,
                "weight": 1,
                "fillOpacity": 0.35,
            },
            tooltip=iso.label,
        ).add_to(group)
        group.add_to(fmap)

    posts = folium.FeatureGroup(name="Posts")
    for post, snap_m in zip(report.posts, report.post_snap_m, strict=True):
        note = " (approximate position)" if post.approximate else ""
        folium.CircleMarker(
            [post.lat, post.lon], radius=7, color="#000", fill=True, fill_color="#e41a1c", fill_opacity=1,
            tooltip=html.escape(f"{post.name} [{post.agency}]{note}; {snap_m:.0f} m from the road"),
        ).add_to(posts)  # fmt: skip
    posts.add_to(fmap)

    sites = sites_frame(report)
    for name, group_rows in sites.groupby("scenario", sort=False) if len(sites) else []:
        group = folium.FeatureGroup(name=f"Proposed: {name}", show=False)
        for _, row in group_rows.iterrows():
            folium.CircleMarker(
                [row["site_lat"], row["site_lon"]], radius=8, color="#000", fill=True, fill_color="#984ea3",
                fill_opacity=1,
                tooltip=html.escape(
                    f"{name}: near {row['desa_nama'] or '?'} — covers "
                    f"{row['newly_covered_population']:,.0f} more people"
                ),
            ).add_to(group)  # fmt: skip
        group.add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap


def _table(frame: pd.DataFrame, columns: dict[str, str], *, limit: int | None = None) -> str:
    out = frame[list(columns)].head(limit).copy() if limit else frame[list(columns)].copy()
    for col in out.columns:
        if col.endswith("_time_s"):
            out[col] = [_minutes(float(v)) for v in out[col]]
        elif col.endswith("_share"):
            out[col] = [f"{v:.1%}" if math.isfinite(v) else "-" for v in out[col]]
        elif out[col].dtype.kind == "f":
            out[col] = [f"{v:,.0f}" if math.isfinite(v) else "-" for v in out[col]]
    out = out.rename(columns=columns)
    rendered: str = out.to_html(index=False, escape=True, border=0, classes="siaga-table", na_rep="-")
    return rendered


def report_html(report: CoverageReport, *, map_file: str = MAP_FILE, gap_rows: int = 40) -> str:
    """The meeting page: headline figures, tables and the map (embedded from ``map_file``)."""
    std = report.standard
    o = report.overall
    scen = pd.DataFrame(
        [
            {"name": s.name, "posts": s.posts, "before": s.covered_before, "after": s.covered_after,
             "gained": s.gained, "removed": ", ".join(s.removed_posts) or "-"}
            for s in report.scenarios
        ],
        columns=["name", "posts", "before", "after", "gained", "removed"],
    )  # fmt: skip
    lscp = (
        f"<p>Set covering (LSCP): {report.lscp_posts} posts (existing ones kept) would put every "
        f"reachable desa centre within {std.travel_time_min:g} min"
        + (
            f"; {len(report.lscp_uncoverable)} desa cannot be reached in time from any candidate"
            if report.lscp_uncoverable
            else ""
        )
        + ".</p>"
        if report.lscp_posts is not None
        else ""
    )
    coverage_share = o["coverage_share"]
    body = f"""
<h1>Coverage report — {html.escape(std.service)}</h1>
<p><b>Standard:</b> {html.escape(std.describe())}</p>
<p><b>Population covered:</b> {o["covered_population"]:,.0f} of {o["population"]:,.0f}
({coverage_share:.1%}); mean travel time {_minutes(o["mean_time_s"])}, 90th percentile
{_minutes(o["p90_time_s"])}; {o["unreachable_population"]:,.0f} people not reachable by road.
Posts: {len(report.posts)}. Demand method: {html.escape(report.demand.method)} (BPS 2022 kecamatan
population spread to desa and road nodes).</p>
<iframe src="{html.escape(map_file)}" style="width:100%;height:640px;border:1px solid #999"></iframe>
<h2>Per kecamatan</h2>
{_table(report.kecamatan, {"kecamatan_nama": "Kecamatan", "population": "Population", "coverage_share": "Covered", "mean_time_s": "Mean", "p90_time_s": "90th pct", "uncovered_population": "Uncovered"})}
<h2>Gap list: desa ranked by uncovered population</h2>
{_table(report.gaps, {"rank": "#", "nama": "Desa", "kecamatan_nama": "Kecamatan", "uncovered_population": "Uncovered people", "coverage_share": "Covered", "nearest_post": "Nearest post", "centre_time_s": "Time to centre"}, limit=gap_rows)}
<h2>Station siting (MCLP, desa centres within {std.travel_time_min:g} min)</h2>
{_table(scen, {"name": "Scenario", "posts": "Posts", "before": "Covered before", "after": "Covered after", "gained": "Gained", "removed": "Posts moved away"})}
{lscp}
"""  # noqa: E501
    style = (
        "body{font-family:sans-serif;margin:0}main{padding:0 16px}"
        ".siaga-table{border-collapse:collapse}.siaga-table td,.siaga-table th{padding:2px 8px;"
        "border-bottom:1px solid #ddd;text-align:right}"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Coverage report — {html.escape(std.service)}</title><style>{style}</style></head>"
        f"<body>{banner_html(report)}<main>{body}</main>{banner_html(report)}</body></html>\n"
    )


def write_html(report: CoverageReport, out_dir: Path, *, tiles: str | None = "OpenStreetMap") -> list[Path]:
    """Write the map and the report page into ``out_dir``; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    map_path, page_path = out_dir / MAP_FILE, out_dir / REPORT_FILE
    map_path.write_text(coverage_map(report, tiles=tiles).get_root().render(), encoding="utf-8")
    page_path.write_text(report_html(report), encoding="utf-8")
    return [page_path, map_path]
