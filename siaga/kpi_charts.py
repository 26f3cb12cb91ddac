"""Charts of the KPI report, drawn server-side by matplotlib (Agg, no network) as SVG.

Why matplotlib rather than a JavaScript chart library: it is already installed with the geo stack
(one maintained plotting library, no extra npm package to fetch and pin), it draws offline and on the
server, the same SVG goes into the page and could go into a printed report, and an SVG shown as an
``<img>`` runs under the console's strict Content-Security-Policy (no script, no inline style in the
page). The charts carry no words: only numbers, dates (day-month) and the agencies' proper names; the
titles, axis units and colour legends are written by the page from the ID/EN catalogue.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Literal

import matplotlib

matplotlib.use("Agg")

from matplotlib import rc_context
from matplotlib.figure import Figure

from dispatch_geo.kpi.intervals import AGENCY_GROUPS
from dispatch_geo.kpi.summary import KpiReport, KpiRow

ChartKind = Literal["response", "share", "weekly"]
CHARTS: tuple[ChartKind, ...] = ("response", "share", "weekly")

AGENCY_LABELS = {"psc_119": "PSC 119", "damkar": "Damkar", "polres": "Polres", "bpbd": "BPBD"}
"""Proper names, the same in both languages."""
AGENCY_COLOURS = {"psc_119": "#1b9e77", "damkar": "#d95f02", "polres": "#3b5bdb", "bpbd": "#e7298a"}
MEDIAN_COLOUR, P90_COLOUR = "#4575b4", "#d73027"
"""Keep in step with the swatches in siaga/web/static/kinerja.css."""


def _agencies(report: KpiReport) -> list[KpiRow]:
    rows = {r.agency: r for r in report.by_agency}
    return [rows[a] for a in AGENCY_GROUPS if a in rows]


def _minutes(value: float | None) -> float:
    return 0.0 if value is None else value / 60.0


def _response(fig: Figure, report: KpiReport) -> None:
    rows = _agencies(report)
    ax = fig.add_subplot()
    xs = list(range(len(rows)))
    medians = [_minutes(r.intervals["response"].median_s) for r in rows]
    p90s = [_minutes(r.intervals["response"].p90_s) for r in rows]
    ax.bar([x - 0.2 for x in xs], medians, width=0.4, color=MEDIAN_COLOUR)
    ax.bar([x + 0.2 for x in xs], p90s, width=0.4, color=P90_COLOUR)
    for x, m, p in zip(xs, medians, p90s, strict=True):
        ax.annotate(f"{m:.1f}", (x - 0.2, m), ha="center", va="bottom", fontsize=8)
        ax.annotate(f"{p:.1f}", (x + 0.2, p), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(xs, [AGENCY_LABELS[r.agency] for r in rows])


def _share(fig: Figure, report: KpiReport) -> None:
    rows = [r for r in _agencies(report) if r.share_within_standard is not None]
    ax = fig.add_subplot()
    xs = list(range(len(rows)))
    shares = [100.0 * (r.share_within_standard or 0.0) for r in rows]
    ax.bar(xs, shares, width=0.6, color=[AGENCY_COLOURS[r.agency] for r in rows])
    for x, s in zip(xs, shares, strict=True):
        ax.annotate(f"{s:.0f} %", (x, s), ha="center", va="bottom", fontsize=8)
    ax.set_ylim(0, 110)
    ax.set_xticks(xs, [AGENCY_LABELS[r.agency] for r in rows])


def _weekly(fig: Figure, report: KpiReport) -> None:
    ax = fig.add_subplot()
    weeks = sorted({r.week_start for r in report.weekly if r.week_start is not None})
    for agency in AGENCY_GROUPS:
        points = sorted(
            (weeks.index(r.week_start), _minutes(r.intervals["response"].median_s))
            for r in report.weekly
            if r.agency == agency
            and r.week_start is not None
            and r.intervals["response"].median_s is not None
        )
        if points:
            ax.plot(
                [x for x, _ in points],
                [y for _, y in points],
                marker="o",
                color=AGENCY_COLOURS[agency],
                label=AGENCY_LABELS[agency],
            )
    if weeks:
        ax.set_xticks(range(len(weeks)), [w.strftime("%d-%m") for w in weeks], fontsize=8)
    if ax.lines:
        ax.legend(fontsize=8, frameon=False)


def chart_svg(report: KpiReport, kind: ChartKind) -> str:
    """The chart ``kind`` (``response``: median and P90 response minutes per agency; ``share``: %
    within the standard per agency; ``weekly``: median response minutes per agency and week)."""
    draw = {"response": _response, "share": _share, "weekly": _weekly}[kind]
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "siaga"}):
        fig = Figure(figsize=(5.2, 2.8), layout="constrained")
        draw(fig, report)
        for ax in fig.axes:
            ax.spines[["top", "right"]].set_visible(False)
            ax.grid(axis="y", alpha=0.3)
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def all_charts(report: KpiReport, kinds: Sequence[ChartKind] = CHARTS) -> dict[str, str]:
    """Every chart, by kind."""
    return {kind: chart_svg(report, kind) for kind in kinds}
