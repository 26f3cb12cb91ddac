"""``dispatch-geo kpi``: the response-time KPIs of a period, as a table, CSV, XLSX or JSON."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

from dispatch_geo.kpi.export import report_csv, report_xlsx
from dispatch_geo.kpi.intervals import AGENCY_GROUPS
from dispatch_geo.kpi.report_json import MAX_PERIOD_DAYS, report_body
from dispatch_geo.kpi.summary import KpiReport
from dispatch_geo.storage import kpi_repo
from dispatch_geo.storage.engine import make_engine, make_session_factory
from siaga.settings import Settings

WIB = ZoneInfo("Asia/Jakarta")
console = Console()
err = Console(stderr=True)


def _minutes(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds / 60:.1f}"


def _table(report: KpiReport) -> Table:
    table = Table(title=f"Kinerja {report.period_from:%Y-%m-%d} – {report.period_to:%Y-%m-%d} (minutes)")
    for column in (
        "agency",
        "incidents",
        "response median",
        "response P90",
        "travel median",
        "travel P90",
        "within standard",
    ):
        # a share such as "67 % (4/6)" is one figure: never broken over two lines on a narrow terminal
        table.add_column(column, no_wrap=column == "within standard")
    for row in report.by_agency:
        share = row.share_within_standard
        table.add_row(
            row.agency,
            str(row.incidents),
            _minutes(row.intervals["response"].median_s),
            _minutes(row.intervals["response"].p90_s),
            _minutes(row.intervals["travel"].median_s),
            _minutes(row.intervals["travel"].p90_s),
            "—" if share is None else f"{100 * share:.0f} % ({row.within_standard}/{row.judged})",
        )
    return table


def kpi(
    start: Annotated[datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="first day (WIB)")],
    end: Annotated[datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="last day (WIB), included")],
    agency: Annotated[str | None, typer.Option(help=f"one of {', '.join(AGENCY_GROUPS)}")] = None,
    kecamatan: Annotated[str | None, typer.Option(help="kecamatan kode, e.g. 14.08.01")] = None,
    format: Annotated[Literal["table", "csv", "xlsx", "json"], typer.Option(help="output format")] = "table",
    output: Annotated[Path | None, typer.Option(help="write to this file (required for xlsx)")] = None,
) -> None:
    """Response-time KPIs per agency, kecamatan and week for the WIB days --from … --to."""
    since = datetime.combine(date(start.year, start.month, start.day), time(), WIB)
    until = datetime.combine(date(end.year, end.month, end.day), time(), WIB) + timedelta(days=1)
    problems = []
    if until <= since:
        problems.append("--to must not be before --from")
    if until - since > timedelta(days=MAX_PERIOD_DAYS):
        problems.append(f"the period is longer than {MAX_PERIOD_DAYS} days")
    if agency is not None and agency not in AGENCY_GROUPS:
        problems.append(f"unknown agency {agency!r}; expected one of {', '.join(AGENCY_GROUPS)}")
    if format == "xlsx" and output is None:
        problems.append("--format xlsx needs --output FILE.xlsx")
    if problems:
        err.print("[bold red]error:[/] " + "; ".join(problems))
        raise typer.Exit(code=2)
    engine = make_engine(Settings().database_url)
    try:
        with make_session_factory(engine)() as session:
            report = kpi_repo.kpi_report(
                session, since=since, until=until, agency=agency, kecamatan_kode=kecamatan
            )
    finally:
        engine.dispose()
    if format == "xlsx":
        assert output is not None
        output.write_bytes(report_xlsx(report))
        console.print(f"wrote {output}")
        return
    if format == "table":
        console.print(_table(report))
        if report.simulated:
            console.print(
                f"[bold]{report.simulated} of {report.incidents} incidents are SIMULATED (demo data)[/]"
            )
        return
    text = (
        report_csv(report)
        if format == "csv"
        else json.dumps(report_body(report), indent=2, ensure_ascii=False)
    )
    if output is not None:
        output.write_text(text, encoding="utf-8")
        console.print(f"wrote {output}")
    else:
        typer.echo(text, nl=False)
