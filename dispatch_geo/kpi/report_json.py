"""The response-time KPI report as JSON: what ``GET /api/v1/kpi`` returns and ``dispatch-geo kpi`` prints."""

from __future__ import annotations

from typing import Any

from dispatch_geo.kpi.intervals import AGENCY_GROUPS, INTERVALS, group_standard
from dispatch_geo.kpi.summary import KpiReport, KpiRow

MAX_PERIOD_DAYS = 400
"""A year and a bit: the longest period one request may ask for."""


def _row(row: KpiRow) -> dict[str, Any]:
    return {
        "agency": row.agency,
        "kecamatan": None
        if row.kecamatan_kode is None and row.kecamatan_nama is None
        else {"kode": row.kecamatan_kode, "nama": row.kecamatan_nama},
        "week_start": None if row.week_start is None else row.week_start.isoformat(),
        "incidents": row.incidents,
        "simulated": row.simulated,
        "standard": None
        if row.standard_interval is None
        else {"interval": row.standard_interval, "limit_s": row.standard_s},
        "judged": row.judged,
        "within_standard": row.within_standard,
        "share_within_standard": row.share_within_standard,
        "intervals": {
            name: {"count": s.count, "median_s": s.median_s, "p90_s": s.p90_s}
            for name, s in row.intervals.items()
        },
    }


def report_body(report: KpiReport) -> dict[str, Any]:
    """The report as the JSON the API returns."""
    standards = []
    for agency in AGENCY_GROUPS:
        standard = group_standard(agency)
        standards.append(
            {"agency": agency, "service": None, "interval": None, "limit_s": None, "source": None}
            if standard is None
            else {
                "agency": agency,
                "service": standard.service,
                "interval": "response" if standard.response_time_s is not None else "travel",
                "limit_s": standard.response_time_s or standard.travel_time_s,
                "source": standard.source,
            }
        )
    return {
        "from": report.period_from.isoformat(),
        "to": report.period_to.isoformat(),
        "incidents": report.incidents,
        "simulated": report.simulated,
        "intervals": list(INTERVALS),
        "standards": standards,
        "by_agency": [_row(r) for r in report.by_agency],
        "by_kecamatan": [_row(r) for r in report.by_kecamatan],
        "weekly": [_row(r) for r in report.weekly],
    }
