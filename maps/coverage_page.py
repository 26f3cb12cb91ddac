"""The coverage report's meeting page (headline figures, per-kecamatan and gap tables, siting
scenarios, the map embedded) and :func:`write_html`, which writes it beside the map.

Text is Bahasa Indonesia first (``lang="id"``) or English (``lang="en"``); the page prints on A4
landscape and opens from disk with no internet (see :mod:`maps.coverage_map`).
"""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from dispatch_geo.coverage.report import CoverageReport
from maps.coverage_map import (
    PRINT_CSS,
    VENDOR_DIR,
    banner_html,
    coverage_map,
    file_names,
    scenario_name,
    service_name,
    standard_text,
    title_block,
)
from maps.expected_html import expected_html
from maps.report_text import check_lang, fmt_int, fmt_minutes, fmt_pct, fmt_threshold, t


def _table(frame: pd.DataFrame, columns: dict[str, str], lang: str, *, limit: int | None = None) -> str:
    out = frame[list(columns)].head(limit).copy() if limit else frame[list(columns)].copy()
    for col in out.columns:
        if col.endswith("_time_s"):
            out[col] = [fmt_minutes(float(v), lang) for v in out[col]]
        elif col.endswith("_share"):
            out[col] = [fmt_pct(float(v), lang) for v in out[col]]
        elif out[col].dtype.kind in "fi" and col != "rank":
            out[col] = [fmt_int(float(v), lang) for v in out[col]]
    out = out.rename(columns={k: t(lang, v) for k, v in columns.items()})
    rendered: str = out.to_html(index=False, escape=True, border=0, classes="siaga-table", na_rep="-")
    return rendered


def _siting_html(report: CoverageReport, lang: str) -> str:
    std = report.standard
    minutes = fmt_threshold(std.travel_time_s, lang)
    scen = pd.DataFrame(
        [
            {"name": scenario_name(s, lang), "posts": s.posts, "before": s.covered_before,
             "after": s.covered_after, "gained": s.gained, "gained_centres": s.gained_centres}
            for s in report.scenarios
        ],
        columns=["name", "posts", "before", "after", "gained", "gained_centres"],
    )  # fmt: skip
    parts = [
        f"<h2>{html.escape(t(lang, 'siting', minutes=minutes))}</h2>",
        _table(
            scen,
            {
                "name": "col.scenario",
                "posts": "col.posts",
                "before": "col.before",
                "after": "col.after",
                "gained": "col.gained",
                "gained_centres": "col.gained_centres",
            },
            lang,
        ),
        f"<p>{html.escape(t(lang, 'siting_models'))}</p>",
    ]
    for s in report.scenarios:
        if s.kind == "add" and len(s.sites):
            sites = s.sites.copy()
            sites["coords"] = [
                f"{lat:.5f}, {lon:.5f}"
                for lat, lon in zip(sites["site_lat"], sites["site_lon"], strict=False)
            ]
            sites = sites.sort_values("newly_covered_population", ascending=False)
            parts.append(
                f"<h3>{html.escape(scenario_name(s, lang))}: {html.escape(t(lang, 'proposed_sites'))}</h3>"
            )
            parts.append(
                _table(
                    sites,
                    {
                        "desa_nama": "col.desa",
                        "kecamatan_nama": "col.kecamatan",
                        "road_class": "col.road_class",
                        "coords": "col.coordinates",
                        "newly_covered_population": "col.new_people",
                    },
                    lang,
                )
            )
        if s.kind == "relocate":
            parts.append(f"<h3>{html.escape(t(lang, 'moves'))}</h3>")
            if not s.moves:
                parts.append(f"<p>{html.escape(t(lang, 'no_moves'))}</p>")
                continue
            moves = pd.DataFrame(
                [
                    {"from": m.post_name, "to": f"{m.to_desa or '?'}, {m.to_kecamatan or '?'} "
                     f"({m.to_lat:.5f}, {m.to_lon:.5f})", "gain": m.gained_population}
                    for m in s.moves
                ]
            )  # fmt: skip
            parts.append(_table(moves, {"from": "col.from", "to": "col.to", "gain": "col.move_gain"}, lang))
            parts.append(f"<p>{html.escape(t(lang, 'moves_note'))}</p>")
    if report.lscp_posts is not None:
        text = t(lang, "lscp", n=report.lscp_posts, minutes=minutes)
        if report.lscp_uncoverable:
            text += t(lang, "lscp_uncoverable", n=len(report.lscp_uncoverable))
        parts.append(f"<p>{html.escape(text)}</p>")
    return "\n".join(parts)


def report_html(
    report: CoverageReport,
    *,
    lang: str = "id",
    map_file: str | None = None,
    gap_rows: int = 40,
    now: datetime | None = None,
    population_year: int = 2022,
    expected: dict[str, Any] | None = None,
) -> str:
    """The meeting page: headline figures, tables and the map (embedded from ``map_file``); with
    ``expected`` (``dispatch_geo.coverage.expected.expected_summary``) a section on expected coverage."""
    check_lang(lang)
    map_file = map_file or file_names(lang)[1]
    o = report.overall
    headline = t(
        lang,
        "headline",
        covered=fmt_int(o["covered_population"], lang),
        population=fmt_int(o["population"], lang),
        share=fmt_pct(o["coverage_share"], lang),
        mean=fmt_minutes(o["mean_time_s"], lang),
        p90=fmt_minutes(o["p90_time_s"], lang),
        unreachable=fmt_int(o["unreachable_population"], lang),
        posts=len(report.posts),
    )
    gaps = report.gaps.copy()
    gaps["nearest_post_name"] = gaps["nearest_post_name"].fillna(t(lang, "none"))
    body = f"""
{title_block(report, lang, now)}
<p><b>{t(lang, "standard")}:</b> {html.escape(standard_text(report, lang))}</p>
<p>{headline}</p>
<p>{html.escape(t(lang, "demand_model", year=population_year, method=report.demand.method))}</p>
{expected_html(expected, lang, {p.id: p.name for p in report.posts}) if expected else ""}
<iframe src="{html.escape(map_file)}" class="siaga-map"></iframe>
<h2>{html.escape(t(lang, "per_kecamatan"))}</h2>
{_table(report.kecamatan, {"kecamatan_nama": "col.kecamatan", "population": "col.population", "coverage_share": "col.covered_share", "mean_time_s": "col.mean", "p90_time_s": "col.p90", "uncovered_population": "col.uncovered"}, lang)}
<h2>{html.escape(t(lang, "gaps"))}</h2>
{_table(gaps, {"rank": "col.rank", "nama": "col.desa", "kecamatan_nama": "col.kecamatan", "uncovered_population": "col.uncovered", "coverage_share": "col.covered_share", "nearest_post_name": "col.nearest_post", "centre_time_s": "col.centre_time"}, lang, limit=gap_rows)}
{_siting_html(report, lang)}
"""  # noqa: E501
    style = (
        "body{font-family:sans-serif;margin:0}main{padding:0 16px}"
        ".siaga-title{font-size:14px;margin:12px 0}"
        ".siaga-map{width:100%;height:640px;border:1px solid #999}"
        ".siaga-table{border-collapse:collapse}.siaga-table td,.siaga-table th{padding:2px 8px;"
        "border-bottom:1px solid #ddd;text-align:right}"
        f"{PRINT_CSS}@media print{{.siaga-map{{height:170mm;break-inside:avoid}}}}"
    )
    title = html.escape(t(lang, "title", service=service_name(report, lang)))
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{style}</style></head>"
        f"<body>{banner_html(report, lang)}<main>{body}</main>{banner_html(report, lang)}</body></html>\n"
    )


def write_html(
    report: CoverageReport,
    out_dir: Path,
    *,
    lang: str = "id",
    tiles: str | None = None,
    vendor_dir: Path = VENDOR_DIR,
    now: datetime | None = None,
    expected: dict[str, Any] | None = None,
) -> list[Path]:
    """Write the map and the report page of ``lang`` into ``out_dir``; return their paths."""
    check_lang(lang)
    out_dir.mkdir(parents=True, exist_ok=True)
    page_name, map_name = file_names(lang)
    map_path, page_path = out_dir / map_name, out_dir / page_name
    fmap = coverage_map(report, lang=lang, tiles=tiles, vendor_dir=vendor_dir, now=now)
    html_text = fmap.get_root().render()
    map_path.write_text(html_text.replace("<html>", f'<html lang="{lang}">', 1), encoding="utf-8")
    page = report_html(report, lang=lang, map_file=map_name, now=now, expected=expected)
    page_path.write_text(page, encoding="utf-8")
    return [page_path, map_path]
