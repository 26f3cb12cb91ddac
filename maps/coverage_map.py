"""HTML pages of a coverage report: a Folium map and a page for the meeting (tables + the map).

Both open from disk with no internet: Leaflet is inlined from ``web_vendor/`` (:mod:`maps.offline`),
folium's CDN links are dropped, the legend is plain HTML (no branca/d3), and there are no tiles unless
asked for. Text is Bahasa Indonesia first (``lang="id"``) or English (``lang="en"``), numbers in the
reader's format (:mod:`maps.report_text`), posts by their names.

The map's layers: mean travel time per desa, population density per desa, the gap desa (outlined,
with their nearest post and its time), isochrone bands per post, the posts, and each siting scenario's
proposed sites (a "relocate" draws each move as a line from the post to its new site); a layer
control, a scale bar, a legend and a title block (date in WIB, source, graph label — SKEMATIK on the
schematic graph). The pages print on A4 landscape (print CSS).
"""

from __future__ import annotations

import html
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import folium
from shapely.geometry import mapping

from dispatch_geo.coverage.report import CoverageReport, ScenarioRow
from dispatch_geo.domain.values import to_wib
from maps.offline import make_offline
from maps.report_text import (
    check_lang,
    fmt_dec,
    fmt_int,
    fmt_minutes,
    fmt_pct,
    fmt_threshold,
    t,
)

MAP_FILE = "coverage_map.html"
REPORT_FILE = "coverage_report.html"
VENDOR_DIR = Path(__file__).resolve().parents[1] / "web_vendor"
TIME_BINS_MIN = (0.0, 5.0, 8.0, 10.0, 15.0, 30.0, 60.0)
TIME_COLOURS = ("#1a9850", "#91cf60", "#d9ef8b", "#fee08b", "#fc8d59", "#d73027", "#7f0000")
DENSITY_BINS = (0.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0)
DENSITY_COLOURS = ("#fff5eb", "#fee6ce", "#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603")
ISO_COLOURS = ("#08306b", "#08519c", "#3182bd", "#6baed6", "#9ecae1", "#c6dbef")
GAP_DESA_ON_MAP = 20
PRINT_CSS = (
    "@page{size:A4 landscape;margin:8mm}"
    "@media print{.siaga-noprint{display:none}body{-webkit-print-color-adjust:exact;"
    "print-color-adjust:exact}h2{break-after:avoid}table{break-inside:auto}tr{break-inside:avoid}}"
)


def file_names(lang: str) -> tuple[str, str]:
    """The report page and map file names: the Indonesian ones plain, others suffixed (``_en``)."""
    suffix = "" if lang == "id" else f"_{lang}"
    return REPORT_FILE.replace(".html", f"{suffix}.html"), MAP_FILE.replace(".html", f"{suffix}.html")


def banner_html(report: CoverageReport, lang: str = "id") -> str:
    """The provenance line: a yellow SKEMATIK banner, or a discreet OSM attribution."""
    label = html.escape(report.graph_label)
    if report.schematic:
        return (
            '<div class="siaga-schematic-banner" style="position:sticky;top:0;z-index:10000;'
            "background:#ffeb3b;color:#000;font:bold 16px sans-serif;padding:8px 12px;"
            f'border-bottom:3px solid #000">{label} — {t(lang, "schematic_note")}</div>'
        )
    return f'<div class="siaga-attribution" style="font:12px sans-serif;padding:4px">{label}</div>'


def _wib_now(now: datetime | None) -> str:
    return to_wib(now or datetime.now(UTC)).strftime("%d-%m-%Y %H:%M") + " WIB"


def service_name(report: CoverageReport, lang: str) -> str:
    return t(lang, f"service.{report.standard.service}")


def standard_text(report: CoverageReport, lang: str) -> str:
    """The service standard in the reader's language (the source citation stays as written)."""
    std = report.standard
    response = ""
    if std.response_time_s is not None:
        response = t(
            lang,
            "standard_response",
            response=fmt_threshold(std.response_time_s, lang),
            preparation=fmt_threshold(std.preparation_s, lang),
        )
    return t(
        lang,
        "standard_text",
        service=service_name(report, lang),
        minutes=fmt_threshold(std.travel_time_s, lang),
        response=response,
        source=std.source,
    )


def title_block(report: CoverageReport, lang: str, now: datetime | None = None) -> str:
    """Title, date (WIB), source and graph label: the block a printed page needs."""
    lines = [
        f"<b>{html.escape(t(lang, 'title', service=service_name(report, lang)))}</b>",
        html.escape(t(lang, "generated", date=_wib_now(now))),
        html.escape(t(lang, "source", source=report.graph_source)),
        html.escape(t(lang, "graph", label=report.graph_label)),
    ]
    if report.osm_timestamp:
        lines.append(html.escape(t(lang, "osm_as_of", timestamp=report.osm_timestamp)))
    return '<div class="siaga-title">' + "<br>".join(lines) + "</div>"


def _bin_colour(value: float | None, bins: tuple[float, ...], colours: tuple[str, ...]) -> str:
    if value is None or not math.isfinite(value):
        return "#555555"
    idx = sum(1 for b in bins[1:] if value >= b)
    return colours[min(idx, len(colours) - 1)]


def _legend(report: CoverageReport, lang: str) -> str:
    rows = [f"<b>{html.escape(t(lang, 'map.legend.time'))}</b>"]
    edges = [*list(TIME_BINS_MIN), math.inf]
    for lo, hi, colour in zip(edges, edges[1:], TIME_COLOURS, strict=False):
        span = f"≥ {lo:g}" if math.isinf(hi) else f"{lo:g}–{hi:g}"
        rows.append(f'<i style="background:{colour}"></i>{t(lang, "minutes", value=span)}')
    rows.append(f"<b>{html.escape(t(lang, 'map.legend.iso'))}</b>")
    for i, iso in enumerate(sorted(report.isochrones, key=lambda x: x.threshold_s)):
        colour = ISO_COLOURS[min(i, len(ISO_COLOURS) - 1)]
        rows.append(f'<i style="background:{colour}"></i>≤ {fmt_threshold(iso.threshold_s, lang)}')
    rows.append(f'<i class="dot" style="background:#e41a1c"></i>{html.escape(t(lang, "map.legend.post"))}')
    rows.append(f'<i class="dot" style="background:#984ea3"></i>{html.escape(t(lang, "map.legend.site"))}')
    rows.append(
        f'<i style="background:none;border:3px solid #c00"></i>{html.escape(t(lang, "map.legend.gap"))}'
    )
    style = (
        "<style>.siaga-legend{position:absolute;bottom:36px;left:10px;z-index:1000;background:#fff;"
        "padding:6px 8px;font:12px sans-serif;border:1px solid #999;line-height:18px}"
        ".siaga-legend i{display:inline-block;width:14px;height:12px;margin-right:6px;"
        "vertical-align:middle;opacity:.8}.siaga-legend i.dot{border-radius:50%;border:1px solid #000}"
        ".siaga-title{position:absolute;top:48px;left:50px;z-index:1000;background:#fff;"
        "padding:6px 10px;font:12px sans-serif;border:1px solid #999;max-width:45%}"
        f"{PRINT_CSS}</style>"
    )
    return style + '<div class="siaga-legend">' + "<br>".join(rows) + "</div>"


def coverage_map(
    report: CoverageReport,
    *,
    lang: str = "id",
    tiles: str | None = None,
    vendor_dir: Path = VENDOR_DIR,
    now: datetime | None = None,
) -> folium.Map:
    """The Folium map of a report (see the module docstring); offline unless ``tiles`` is given."""
    check_lang(lang)
    bounds = report.desa.total_bounds
    centre = [float((bounds[1] + bounds[3]) / 2), float((bounds[0] + bounds[2]) / 2)]
    fmap = folium.Map(
        location=centre,
        zoom_start=9,
        tiles=tiles,
        attr=report.graph_label if tiles else None,
        control_scale=True,
    )
    make_offline(fmap, vendor_dir=vendor_dir)
    root: Any = fmap.get_root()
    root.html.add_child(folium.Element(banner_html(report, lang)))
    root.html.add_child(folium.Element(title_block(report, lang, now)))
    root.html.add_child(folium.Element(_legend(report, lang)))
    fmap.fit_bounds([[float(bounds[1]), float(bounds[0])], [float(bounds[3]), float(bounds[2])]])

    features = []
    for _, row in report.desa.iterrows():
        mean_min = row["mean_time_s"] / 60 if math.isfinite(row["mean_time_s"]) else None
        area = float(row.get("area_km2", math.nan)) if "area_km2" in row else math.nan
        features.append(
            {
                "type": "Feature",
                "geometry": mapping(row.geometry),
                "properties": {
                    "nama": row["nama"],
                    "kecamatan": row["kecamatan_nama"],
                    "mean_min": None if mean_min is None else round(mean_min, 1),
                    "mean": fmt_minutes(row["mean_time_s"], lang),
                    "p90": fmt_minutes(row["p90_time_s"], lang),
                    "coverage": fmt_pct(row["coverage_share"], lang),
                    "population": fmt_int(row["population"], lang),
                    "uncovered": fmt_int(row["uncovered_population"], lang),
                    "density": (row["population"] / area if math.isfinite(area) and area > 0 else None),
                    "density_text": fmt_dec(row["population"] / area, lang, 0)
                    if math.isfinite(area) and area > 0
                    else "-",
                    "nearest_post": row.get("nearest_post_name") or t(lang, "none"),
                },
            }
        )
    collection = {"type": "FeatureCollection", "features": features}
    fields = ["nama", "kecamatan", "population", "mean", "p90", "coverage", "uncovered", "nearest_post"]
    aliases = [
        t(lang, k)
        for k in (
            "col.desa", "col.kecamatan", "col.population", "col.mean", "col.p90", "col.covered_share",
            "col.uncovered", "col.nearest_post",
        )
    ]  # fmt: skip

    time_group = folium.FeatureGroup(name=t(lang, "map.time"))
    folium.GeoJson(
        collection,
        style_function=lambda f: {
            "fillColor": _bin_colour(f["properties"]["mean_min"], TIME_BINS_MIN, TIME_COLOURS),
            "color": "#333333",
            "weight": 0.5,
            "fillOpacity": 0.6,
        },
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases),
    ).add_to(time_group)
    time_group.add_to(fmap)

    density_group = folium.FeatureGroup(name=t(lang, "map.density"), show=False)
    folium.GeoJson(
        collection,
        style_function=lambda f: {
            "fillColor": _bin_colour(f["properties"]["density"], DENSITY_BINS, DENSITY_COLOURS),
            "color": "#333333",
            "weight": 0.5,
            "fillOpacity": 0.7,
        },
        tooltip=folium.GeoJsonTooltip(
            fields=["nama", "kecamatan", "population", "density_text"],
            aliases=[*aliases[:3], t(lang, "map.density")],
        ),
    ).add_to(density_group)
    density_group.add_to(fmap)

    for i, iso in enumerate(sorted(report.isochrones, key=lambda x: -x.threshold_s)):
        rank = len(report.isochrones) - 1 - i
        colour = ISO_COLOURS[min(rank, len(ISO_COLOURS) - 1)]
        minutes = fmt_threshold(iso.threshold_s, lang)
        group = folium.FeatureGroup(name=t(lang, "map.iso", minutes=minutes), show=rank <= 1)
        parts = iso.by_origin or (iso.geometry,)
        iso_features = [
            {
                "type": "Feature",
                "geometry": mapping(geom),
                "properties": {
                    "tip": t(
                        lang,
                        "map.tip.iso",
                        post=report.posts[k].name if iso.by_origin else "",
                        minutes=minutes,
                    )
                    + (
                        t(lang, "map.tip.iso_outline", metres=f"{iso.tolerance_m:g}")
                        if iso.tolerance_m
                        else ""
                    )
                },
            }
            for k, geom in enumerate(parts)
            if not geom.is_empty
        ]
        if iso_features:
            folium.GeoJson(
                {"type": "FeatureCollection", "features": iso_features},
                style_function=lambda _f, c=colour: {
                    "fillColor": c,
                    "color": c,
                    "weight": 1,
                    "fillOpacity": 0.35,
                },
                tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
            ).add_to(group)
        group.add_to(fmap)

    gaps = report.gaps.head(GAP_DESA_ON_MAP)
    gap_group = folium.FeatureGroup(name=t(lang, "map.gaps", n=len(gaps)))
    by_kode = report.desa.set_index("kode")
    gap_features = []
    for _, row in gaps.iterrows():
        tip = t(
            lang,
            "map.tip.gap",
            desa=row["nama"],
            uncovered=fmt_int(row["uncovered_population"], lang),
            post=row.get("nearest_post_name") or t(lang, "none"),
            time=fmt_minutes(row["centre_time_s"], lang),
        )
        geom = by_kode.loc[row["kode"]].geometry
        gap_features.append({"type": "Feature", "geometry": mapping(geom), "properties": {"tip": tip}})
    if gap_features:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": gap_features},
            style_function=lambda _f: {"fill": False, "color": "#cc0000", "weight": 3},
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        ).add_to(gap_group)
    gap_group.add_to(fmap)

    posts = folium.FeatureGroup(name=t(lang, "map.posts"))
    for post, snap_m in zip(report.posts, report.post_snap_m, strict=True):
        tip = t(
            lang,
            "map.tip.post",
            name=post.name,
            snap=fmt_int(float(snap_m), lang),
            approx=t(lang, "map.tip.approx") if post.approximate else "",
        )
        folium.CircleMarker(
            [post.lat, post.lon], radius=7, color="#000", fill=True, fill_color="#e41a1c", fill_opacity=1,
            tooltip=html.escape(tip),
        ).add_to(posts)  # fmt: skip
    posts.add_to(fmap)

    by_id = {p.id: p for p in report.posts}
    for scenario in report.scenarios:
        group = folium.FeatureGroup(
            name=t(lang, "map.proposed", name=scenario_name(scenario, lang)), show=False
        )
        for _, row in scenario.sites.iterrows():
            tip = t(
                lang,
                "map.tip.site",
                scenario=scenario_name(scenario, lang),
                desa=row["desa_nama"] or "?",
                kecamatan=row["kecamatan_nama"] or "?",
                people=fmt_int(row["newly_covered_population"], lang),
            )
            folium.CircleMarker(
                [row["site_lat"], row["site_lon"]], radius=8, color="#000", fill=True, fill_color="#984ea3",
                fill_opacity=1, tooltip=html.escape(tip),
            ).add_to(group)  # fmt: skip
        for move in scenario.moves:
            old = by_id[move.post_id]
            folium.PolyLine(  # type: ignore[no-untyped-call]
                [[old.lat, old.lon], [move.to_lat, move.to_lon]],
                color="#984ea3",
                weight=2,
                dash_array="6 4",
                tooltip=html.escape(
                    t(
                        lang,
                        "map.tip.move",
                        post=move.post_name,
                        desa=move.to_desa or "?",
                        gain=fmt_int(move.gained_population, lang),
                    )
                ),
            ).add_to(group)
        group.add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap


def scenario_name(scenario: ScenarioRow, lang: str) -> str:
    """``Tambah 2 pos`` / ``Pindahkan 12 pos`` (``Add 2 post(s)`` / ``Move 12 post(s)``)."""
    return t(lang, f"scenario.{scenario.kind}", k=scenario.k)
