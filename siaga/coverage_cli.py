"""``dispatch-geo coverage ...``: coverage-gap reports and station siting for planners.

Mounted by :mod:`siaga.cli` as ``app.add_typer(coverage_app, name="coverage")``.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from dispatch_geo.errors import SiagaError
from siaga.settings import Settings

if TYPE_CHECKING:
    from dispatch_geo.coverage.report import CoverageReport
    from dispatch_geo.graph.roadgraph import RoadGraph

log = logging.getLogger(__name__)

coverage_app = typer.Typer(
    help="Coverage gaps, isochrones and station siting for planners.", no_args_is_help=True
)
console = Console()
err = Console(stderr=True)


def _thresholds(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(v) * 60.0 for v in text.split(",") if v.strip())
    except ValueError as exc:
        raise typer.BadParameter(
            f"thresholds must be minutes separated by commas, e.g. 5,8,10 ({exc})"
        ) from exc
    if not values or min(values) <= 0:
        raise typer.BadParameter("thresholds must be positive minutes, e.g. 5,8,10,15,30")
    return values


@coverage_app.command("report")
def report(
    out: Annotated[Path, typer.Option(help="directory to write the report into")],
    agency: Annotated[str, typer.Option(help="service: ambulance, fire or police")] = "ambulance",
    fleet: Annotated[Path | None, typer.Option(help="fleet CSV with the posts (default: settings)")] = None,
    thresholds_min: Annotated[str, typer.Option("--thresholds", help="isochrone minutes")] = "5,8,10,15,30",
    buffer_m: Annotated[float, typer.Option(help="isochrone half-width along roads (m)")] = 200.0,
    demand_method: Annotated[str, typer.Option(help="blend, area or road_length")] = "blend",
    add: Annotated[str, typer.Option(help="scenarios 'add k posts', e.g. 1,2,3")] = "1,2,3",
    candidates: Annotated[int, typer.Option(help="road nodes sampled as candidate sites")] = 600,
    siting: Annotated[bool, typer.Option(help="run the MCLP/LSCP siting scenarios")] = True,
    ambulance_travel_s: Annotated[float, typer.Option(help="ambulance travel standard (s)")] = 480.0,
    fire_response_s: Annotated[float, typer.Option(help="fire response standard (s)")] = 900.0,
    fire_preparation_s: Annotated[
        float, typer.Option(help="fire dispatch/preparation allowance (s)")
    ] = 300.0,
    police_travel_s: Annotated[float, typer.Option(help="police travel standard (s)")] = 900.0,
    tiles: Annotated[
        str,
        typer.Option(
            help="'none' (offline, default) or a tile provider such as OpenStreetMap (needs internet)"
        ),
    ] = "none",
    lang: Annotated[str, typer.Option(help="language of the HTML pages: id, en or both")] = "id",
    busy_fraction: Annotated[
        float | None,
        typer.Option(
            help="share of time a unit is busy, for expected coverage (MEXCLP); default 0.1 (assumed)",
            min=0.0,
            max=0.95,
        ),
    ] = None,
) -> None:
    """Write an HTML coverage report (maps, gap list, proposed sites) plus CSV and GeoJSON files."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from dispatch_geo.boundaries import load_boundaries
    from dispatch_geo.coverage.export import write_report_files
    from dispatch_geo.coverage.posts import posts_from_fleet
    from dispatch_geo.coverage.report import ReportOptions, build_report
    from dispatch_geo.coverage.standards import service_standard
    from dispatch_geo.domain.fleet_csv import load_fleet_csv
    from maps.coverage_page import write_html
    from siaga.graphs import resolve_graph

    settings = Settings()
    langs = ("id", "en") if lang == "both" else (lang,)
    if any(v not in ("id", "en") for v in langs):
        raise typer.BadParameter(f"--lang must be id, en or both, not {lang!r}")
    steps = ["graph", "demand", "travel_times", "isochrones", "siting", "html", "files"]
    labels = {
        "graph": "jaringan jalan / road graph",
        "demand": "penduduk / demand",
        "travel_times": "waktu tempuh / travel times",
        "isochrones": "isokron / isochrones",
        "siting": "lokasi pos / siting",
        "html": "peta & laporan / map & report",
        "files": "CSV, GeoJSON, JSON",
    }
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    )
    task = progress.add_task("", total=len(steps))

    def step(name: str) -> None:
        progress.update(task, completed=steps.index(name), description=labels[name])

    try:
        standard = service_standard(
            agency,
            ambulance_travel_s=ambulance_travel_s,
            fire_response_s=fire_response_s,
            fire_preparation_s=fire_preparation_s,
            police_travel_s=police_travel_s,
        )
        add_k = tuple(int(v) for v in add.split(",") if v.strip())
        options = ReportOptions(
            thresholds_s=_thresholds(thresholds_min),
            buffer_m=buffer_m,
            demand_method=demand_method,
            add_k=add_k if siting else (),
            relocate=siting,
            lscp=siting,
            siting=siting,
            n_candidates=candidates,
        )
        fleet_path = fleet or settings.fleet_csv_path
        if fleet_path is None:
            raise typer.BadParameter("no fleet CSV: pass --fleet or set SIAGA_FLEET_CSV_PATH")
        posts = posts_from_fleet(load_fleet_csv(fleet_path), agency)
        with progress:
            step("graph")
            road, directory = resolve_graph(settings)
            if road.meta.schematic:
                progress.console.print(f"[bold black on yellow] {road.meta.label} [/]")
            if not options.siting:
                steps.remove("siting")
                progress.update(task, total=len(steps))
            result = build_report(
                road,
                load_boundaries(settings.boundaries_path),
                posts,
                standard,
                options=options,
                progress=step,
            )
            expected = _expected(
                result, road, fleet_path, agency, busy_fraction, candidates, add_k if siting else ()
            )
            step("html")
            paths: list[Path] = []
            for one in langs:
                tile = None if tiles.lower() == "none" else tiles
                paths += write_html(result, out, lang=one, tiles=tile, expected=expected)
            step("files")
            paths += write_report_files(result, out)
            progress.update(task, completed=len(steps), description="selesai / done")
    except (SiagaError, ValueError) as exc:
        err.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(code=2) from exc
    o = result.overall
    console.print(
        f"{standard.describe()}\ncovered {o['covered_population']:,.0f} of {o['population']:,.0f} people "
        f"({o['coverage_share']:.1%}) from {len(posts)} posts on graph {directory}"
    )
    for scenario in result.scenarios:
        moved = f"; {len(scenario.moves)} post(s) move" if scenario.kind == "relocate" else ""
        console.print(f"  {scenario.name}: +{scenario.gained:,.0f} people covered{moved}")
    expected_path = out / "expected_coverage.json"
    expected_path.write_text(json.dumps(expected, indent=2, ensure_ascii=False), encoding="utf-8")
    paths.append(expected_path)
    label = "ASSUMED" if busy_fraction is None else "given"
    console.print(
        f"expected coverage (MEXCLP, units busy {expected['busy_fraction']:.0%} of the time, {label}): "
        f"{expected['expected_covered_population']:,} people (plain {expected['covered_population']:,})"
    )
    for scenario in expected["scenarios"]:
        where = ", ".join(s.get("desa") or s.get("post_id") or "?" for s in scenario["sites"])
        console.print(f"  {scenario['name']}: expected {scenario['expected_after']:,} ({where})")
    console.print(json.dumps({"timings_s": result.timings_s}))
    for path in paths:
        console.print(f"wrote {path}")


def _expected(
    result: CoverageReport,
    road: RoadGraph,
    fleet_path: Path,
    agency: str,
    busy_fraction: float | None,
    candidates: int,
    add_k: tuple[int, ...],
) -> dict[str, Any]:
    """Expected coverage beside the plain figure, and MEXCLP "add k units" (expected_coverage.json)."""
    from shapely.geometry import Point

    from dispatch_geo.coverage.busy import DEFAULT_BUSY_FRACTION
    from dispatch_geo.coverage.expected import expected_summary
    from dispatch_geo.coverage.standards import UNIT_TYPES_FOR_SERVICE
    from dispatch_geo.domain.fleet_csv import load_fleet_csv

    types = UNIT_TYPES_FOR_SERVICE[agency]
    units: dict[str, int] = {}
    for unit in load_fleet_csv(fleet_path).units:
        if str(unit.unit_type) in types:
            units[unit.station_id] = units.get(unit.station_id, 0) + 1
    desa = result.demand.desa

    def place(lon: float, lat: float) -> tuple[str | None, str | None]:
        hit = desa[desa.geometry.contains(Point(lon, lat)).to_numpy()]
        return (str(hit["nama"].iloc[0]), str(hit["kecamatan_nama"].iloc[0])) if len(hit) else (None, None)

    q = DEFAULT_BUSY_FRACTION if busy_fraction is None else busy_fraction
    summary = expected_summary(
        road,
        result.demand,
        result.posts,
        units,
        result.standard.travel_time_s,
        busy_fraction=q,
        busy_source="assumed" if busy_fraction is None else "given",
        place=place,
        add_units=add_k,
        n_candidates=candidates,
    )
    summary.update(schematic=result.schematic, graph_label=result.graph_label)
    return summary
