"""``dispatch-geo graph|data|places``: build and inspect the road graph, regenerate shipped data, find
places by name or point. Mounted by :mod:`siaga.cli`."""

from __future__ import annotations

import json
import resource
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dispatch_geo.errors import SiagaError
from dispatch_geo.graph.roadgraph import RoadGraph
from siaga.settings import Settings

graph_app = typer.Typer(help="Build and inspect the road graph.", no_args_is_help=True)
data_app = typer.Typer(help="Regenerate shipped data files.", no_args_is_help=True)
places_app = typer.Typer(help="Find desa and kecamatan by name or by point.", no_args_is_help=True)

console = Console()
err = Console(stderr=True)


def _settings() -> Settings:
    return Settings()


def fail(exc: Exception) -> typer.Exit:
    """Print ``exc`` as an error and give the exit (code 2) to raise."""
    err.print(f"[bold red]error:[/] {exc}")
    return typer.Exit(code=2)


def print_graph_summary(road: RoadGraph, directory: Path | None = None) -> None:
    """A table of the graph's figures, with the schematic warning or the OSM attribution."""
    meta = road.meta
    if meta.schematic:
        console.print(f"[bold black on yellow] {meta.label} [/]")
    table = Table(title="Road graph", show_header=False)
    rows = [
        ("source", meta.source),
        ("schematic", "YES — not real roads" if meta.schematic else "no"),
        ("OSM data timestamp", f"{meta.osm_timestamp} ({meta.osm_timestamp_source})"),
        ("built at", meta.built_at),
        ("speed profile", f"{meta.profile_name} ({meta.profile_hash})"),
        ("nodes / edges", f"{meta.n_nodes:,} / {meta.n_edges:,}"),
        ("total edge length", f"{meta.total_length_km:,.1f} km (directed edges)"),
        ("dropped (not strongly connected)", f"{meta.dropped_nodes:,} nodes, {meta.dropped_edges:,} edges"),
        ("network", meta.network_filter),
    ]
    if directory is not None:
        rows.append(("cache", str(directory)))
    for key, value in rows:
        table.add_row(key, value)
    console.print(table)
    if not meta.schematic:
        console.print(meta.label)


@graph_app.command("build")
def graph_build(
    source: Annotated[
        str, typer.Option(help="'overpass' (download, needs internet) or a local .osm/.osm.bz2/.osm.pbf file")
    ] = "overpass",
    profile: Annotated[
        Path | None, typer.Option(help="speed profile TOML (default: the Siak profile)")
    ] = None,
    buffer_m: Annotated[float | None, typer.Option(help="keep roads this far outside the border (m)")] = None,
    cache_dir: Annotated[
        Path | None, typer.Option(help="write the cache here instead of the one the server uses")
    ] = None,
) -> None:
    """Build the road graph with Siak travel times and cache it for the server."""
    from dispatch_geo.graph.build import build_from_overpass
    from dispatch_geo.graph.cache import save_graph
    from dispatch_geo.graph.profile import load_profile
    from siaga.graphs import build_and_cache, cache_dir_for, save_node_order, service_area

    overrides: dict[str, object] = {}
    if profile is not None:
        overrides["speed_profile_path"] = profile
    if buffer_m is not None:
        overrides["graph_border_buffer_m"] = buffer_m
    settings = Settings(**overrides)  # type: ignore[arg-type]
    started = time.perf_counter()
    try:
        with console.status("Starting…") as status:

            def progress(stage: str) -> None:
                """Each stage on its own line, with the time so far and the peak memory."""
                peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                console.print(f"[{time.perf_counter() - started:7.1f} s, peak {peak_mib:,.0f} MiB] {stage}")
                status.update(stage)

            if source == "overpass":
                result = build_from_overpass(
                    service_area(settings), load_profile(settings.speed_profile_path), progress=progress
                )
                directory = cache_dir or cache_dir_for(result, settings)
                status.update("Saving the cache")
                save_graph(result.road, directory, gis=True, progress=progress)
                save_node_order(result.road, directory, progress=progress)
            else:
                result, directory = build_and_cache(
                    Path(source), settings, progress=progress, directory=cache_dir
                )
    except SiagaError as exc:
        raise fail(exc) from None
    console.print(f"Built in {time.perf_counter() - started:.1f} s")
    print_graph_summary(result.road, directory)


@graph_app.command("info")
def graph_info(
    directory: Annotated[
        Path | None, typer.Argument(help="cache directory (default: the one in use)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the metadata as JSON")] = False,
) -> None:
    """Show the cached graph the system would use, or the one in DIRECTORY."""
    from dispatch_geo.graph.cache import load_graph
    from siaga.graphs import resolve_graph

    try:
        if directory is not None:
            road = load_graph(directory)
        else:
            road, directory = resolve_graph(_settings(), progress=None)
    except SiagaError as exc:
        raise fail(exc) from None
    if as_json:
        console.print_json(json.dumps(road.meta.to_dict()))
    else:
        print_graph_summary(road, directory)


@graph_app.command("fixture")
def graph_fixture(
    nodes: Annotated[int, typer.Option(help="about this many nodes in the built graph")] = 20_000,
    seed: Annotated[int, typer.Option(help="random seed (same seed and size, same file)")] = 15,
) -> None:
    """Write (or find cached) a SCALE FIXTURE: synthetic road-like OSM inside the regency, not real roads."""
    from dispatch_geo.boundaries import load_boundaries
    from dispatch_geo.graph.scale_fixture import scale_fixture

    settings = _settings()
    try:
        with console.status(f"Generating a scale fixture of about {nodes:,} nodes"):
            path = scale_fixture(
                settings.var_dir / "fixtures",
                load_boundaries(settings.boundaries_path).outline,
                nodes,
                seed=seed,
            )
    except SiagaError as exc:
        raise fail(exc) from None
    console.print(f"[bold black on yellow] SCHEMATIC [/] {path}")


@graph_app.command("schematic")
def graph_schematic(
    out: Annotated[
        Path | None, typer.Option(help="output .osm.bz2 (default: data/siak_schematic.osm.bz2)")
    ] = None,
    seed: Annotated[int, typer.Option(help="random seed; the default reproduces the shipped file")] = 112,
) -> None:
    """Regenerate the SCHEMATIC stand-in road network (OSM XML) from the village boundaries."""
    from dispatch_geo.boundaries import load_boundaries
    from dispatch_geo.graph.schematic import write_schematic_osm

    settings = _settings()
    target = out or settings.schematic_osm_path
    with console.status("Generating the schematic road network"):
        stats = write_schematic_osm(load_boundaries(settings.boundaries_path), target, seed=seed)
    console.print(f"[bold black on yellow] SCHEMATIC [/] wrote {target}: {stats}")


@data_app.command("boundaries")
def data_boundaries(
    source_dir: Annotated[Path, typer.Argument(help="the shared siak-data folder")],
    out: Annotated[Path | None, typer.Option(help="output GeoJSON")] = None,
) -> None:
    """Rebuild data/siak_boundaries.geojson from the reference boundary and population files."""
    from dispatch_geo.boundaries import build_boundaries_geojson

    target = out or _settings().boundaries_path
    try:
        build_boundaries_geojson(source_dir, target)
    except SiagaError as exc:
        raise fail(exc) from None
    console.print(f"wrote {target}")


@places_app.command("search")
def places_search(query: str, limit: int = 10) -> None:
    """Find desa/kecamatan by name, tolerant of spelling ("kp dalam", "sei apit")."""
    from dispatch_geo.boundaries import load_boundaries
    from dispatch_geo.gazetteer import Gazetteer

    gaz = Gazetteer.from_boundaries(load_boundaries(_settings().boundaries_path))
    try:
        matches = gaz.search(query, limit=limit)
    except SiagaError as exc:
        raise fail(exc) from None
    table = Table("score", "kode", "nama", "level", "kecamatan", "lon, lat")
    for m in matches:
        table.add_row(
            f"{m.score:.0f}",
            m.kode,
            m.nama,
            m.level,
            m.kecamatan_nama,
            f"{m.centroid.lon:.5f}, {m.centroid.lat:.5f}",
        )
    console.print(table if matches else f"no place matches {query!r}")


@places_app.command("locate")
def places_locate(lon: float, lat: float) -> None:
    """Which desa and kecamatan a point (LON LAT, WGS84) lies in."""
    from dispatch_geo.boundaries import load_boundaries
    from dispatch_geo.domain.values import LonLat
    from dispatch_geo.gazetteer import Gazetteer

    settings = _settings()
    gaz = Gazetteer.from_boundaries(
        load_boundaries(settings.boundaries_path), outside_buffer_m=settings.outside_buffer_m
    )
    try:
        loc = gaz.locate(LonLat(lon, lat))
    except SiagaError as exc:
        raise fail(exc) from None
    where = "inside" if loc.inside else f"{loc.distance_m:.0f} m outside"
    console.print(f"{loc.desa_nama} ({loc.desa_kode}), Kecamatan {loc.kecamatan_nama} — {where}")
