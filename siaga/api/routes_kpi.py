"""Response-time KPIs ("Kinerja") of a period: JSON, CSV, XLSX and SVG charts.

Planners and admins (a ``supervisor`` role, when accounts arrive, belongs here too). The period is
``[from, to)`` on the incidents' creation time, at most :data:`MAX_PERIOD_DAYS` long; ``agency`` keeps
one agency group (``psc_119``, ``damkar``, ``polres``, ``bpbd``), ``kecamatan`` one kecamatan.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response

from dispatch_geo.errors import InputError
from dispatch_geo.kpi.export import report_csv, report_xlsx
from dispatch_geo.kpi.report_json import MAX_PERIOD_DAYS, report_body
from dispatch_geo.kpi.summary import KpiReport
from dispatch_geo.storage import kpi_repo
from dispatch_geo.storage.auth_models import Role
from siaga.api import schemas
from siaga.api.deps import Principal, SessionDep, StateDep, require_role
from siaga.api.history_export import XLSX
from siaga.api.routes_console import page_with_config
from siaga.kpi_charts import ChartKind, chart_svg

router = APIRouter(tags=["kpi"])
page = APIRouter(include_in_schema=False)

KpiReaderDep = Annotated[
    Principal,
    Depends(require_role(Role.PLANNER, Role.SUPERVISOR, Role.ADMIN, action="read the response-time KPIs")),
]
CSV_OK: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}
XLSX_OK: dict[int | str, dict[str, Any]] = {
    200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}
}

FromQ = Annotated[
    schemas.QueryTime,
    Query(
        alias="from",
        description="incidents created at or after (ISO 8601 with offset, e.g. 2026-11-01T00:00:00+07:00)",
    ),
]
ToQ = Annotated[schemas.QueryTime, Query(alias="to", description="incidents created before (exclusive)")]
AgencyQ = Annotated[
    Literal["psc_119", "damkar", "polres", "bpbd"] | None, Query(description="one agency group")
]
KecamatanQ = Annotated[
    str | None,
    Query(min_length=1, max_length=20, pattern=r"^[0-9]+(\.[0-9]+)*$", description="kecamatan kode"),
]


def period_report(
    session: SessionDep,
    _: KpiReaderDep,
    start: FromQ,
    end: ToQ,
    agency: AgencyQ = None,
    kecamatan: KecamatanQ = None,
) -> KpiReport:
    """The report of the request's period and filters (a dependency shared by every KPI route)."""
    if end <= start:
        raise InputError("`to` must be later than `from`").coded(
            "empty_time_range", field="to", start=start.isoformat(), end=end.isoformat()
        )
    if end - start > timedelta(days=MAX_PERIOD_DAYS):
        raise InputError(f"the period is longer than {MAX_PERIOD_DAYS} days").coded(
            "period_too_long", field="to", max_days=MAX_PERIOD_DAYS
        )
    return kpi_repo.kpi_report(session, since=start, until=end, agency=agency, kecamatan_kode=kecamatan)


ReportDep = Annotated[KpiReport, Depends(period_report)]


@router.get(
    "/kpi",
    summary="Response-time KPIs of a period: per agency, per agency and kecamatan, per agency and week",
    description="Planners and admins. Median and P90 (nearest rank) in seconds of each interval of the "
    "incidents' timelines, and the share reached within the agency's standard (the coverage report's). "
    "`simulated` counts the demo's generated incidents among them.",
)
def kpi(report: ReportDep) -> dict[str, Any]:
    return report_body(report)


def _download(report: KpiReport, ext: str) -> dict[str, str]:
    name = (
        f"siaga-kinerja-{report.period_from.date().isoformat()}-{report.period_to.date().isoformat()}.{ext}"
    )
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get(
    "/kpi.csv",
    summary="The KPIs of a period as CSV (plain header row)",
    response_class=Response,
    responses=CSV_OK,
)
def kpi_csv(report: ReportDep) -> Response:
    return Response(
        report_csv(report), media_type="text/csv; charset=utf-8", headers=_download(report, "csv")
    )


@router.get(
    "/kpi.xlsx",
    summary="The KPIs of a period as an XLSX workbook",
    response_class=Response,
    responses=XLSX_OK,
)
def kpi_xlsx(report: ReportDep) -> Response:
    return Response(report_xlsx(report), media_type=XLSX, headers=_download(report, "xlsx"))


@router.get(
    "/kpi/charts/{kind}.svg",
    summary="A chart of the KPIs (SVG, matplotlib): response, share or weekly",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def kpi_chart(kind: ChartKind, report: ReportDep) -> Response:
    return Response(chart_svg(report, kind), media_type="image/svg+xml")


@page.get("/kinerja", response_class=HTMLResponse)
def kinerja_page(state: StateDep) -> HTMLResponse:
    """The Kinerja page (its data comes from the KPI routes above, with the planner's token)."""
    # the demo token only where the console offers one too (development), never a hard-coded fallback
    demo_token = "demo-planner-token" if state.settings.demo_tokens_enabled else ""
    return page_with_config("kinerja.html", {"demoToken": demo_token})
