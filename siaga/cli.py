"""The ``dispatch-geo`` command line."""

from __future__ import annotations

import json
import logging
import resource
import signal
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dispatch_geo.errors import SiagaError
from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.storage.demo_operators import DEMO_OPERATORS
from siaga.closures_cli import closures_app
from siaga.coverage_cli import coverage_app
from siaga.devices_cli import devices_app
from siaga.facilities_cli import facilities_app
from siaga.history_cli import history_app
from siaga.kpi_cli import kpi
from siaga.settings import Settings
from siaga.tokens_cli import tokens_app
from siaga.users_cli import users_app

app = typer.Typer(
    help="Siak Siaga 112: emergency dispatch and tracking for Kabupaten Siak.", no_args_is_help=True
)
graph_app = typer.Typer(help="Build and inspect the road graph.", no_args_is_help=True)
data_app = typer.Typer(help="Regenerate shipped data files.", no_args_is_help=True)
places_app = typer.Typer(help="Find desa and kecamatan by name or by point.", no_args_is_help=True)
app.add_typer(graph_app, name="graph")
app.add_typer(data_app, name="data")
app.add_typer(places_app, name="places")
app.add_typer(tokens_app, name="tokens")
app.add_typer(devices_app, name="devices")
app.add_typer(coverage_app, name="coverage")
app.add_typer(facilities_app, name="facilities")
app.add_typer(users_app, name="users")
app.add_typer(history_app, name="history")
app.command("kpi")(kpi)
app.add_typer(closures_app, name="closures")

console = Console()
err = Console(stderr=True)


def _settings() -> Settings:
    return Settings()


def _fail(exc: Exception) -> typer.Exit:
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
        raise _fail(exc) from None
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
        raise _fail(exc) from None
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
        raise _fail(exc) from None
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
        raise _fail(exc) from None
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
        raise _fail(exc) from None
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
        raise _fail(exc) from None
    where = "inside" if loc.inside else f"{loc.distance_m:.0f} m outside"
    console.print(f"{loc.desa_nama} ({loc.desa_kode}), Kecamatan {loc.kecamatan_nama} — {where}")


@app.command("demo")
def demo(
    for_seconds: Annotated[
        float | None, typer.Option(help="stop after this many seconds and print a summary (for smoke tests)")
    ] = None,
) -> None:
    """Run the whole product on embedded defaults: API + console, in-process broker, simulated fleet."""
    from siaga.demo import run_demo
    from siaga.graphs import resolve_graph

    settings = _settings()
    console.print("[bold]Siak Siaga 112[/] — demo on embedded defaults (SQLite file, in-process MQTT broker)")
    started = time.perf_counter()
    try:
        with console.status("Loading the road graph") as status:
            road, directory = resolve_graph(settings, progress=status.update)
    except SiagaError as exc:
        raise _fail(exc) from None
    console.print(f"Road graph ready in {time.perf_counter() - started:.1f} s")
    print_graph_summary(road, directory)

    def ready(url: str) -> None:
        console.print(f"\n[bold green]Konsol dispatcher / dispatcher console:[/] {url}")
        console.print(
            "Demo API tokens (development only): demo-dispatcher-token, demo-planner-token, "
            "demo-admin-token, demo-device-token"
        )
        console.print("Demo operators (development only) — username / password (roles):")
        for username, _name, password, roles in DEMO_OPERATORS:
            console.print(f"  {username} / {password} ({', '.join(r.value for r in roles)})", highlight=False)
        console.print(f"API docs: {url}docs — press Ctrl+C to stop")

    def broker(host: str, port: int, unit_id: str, line: str) -> None:
        console.print(f"Demo MQTT broker / broker MQTT demo: [bold]{host}:{port}[/] (no password)")
        console.print(f"Move the hand-moved unit {unit_id} (its phone is not simulated), e.g.:")
        console.print(line, markup=False, highlight=False, soft_wrap=True)
        console.print("Crew page / halaman kru: /crew (device login and secret, or demo-device-token)")

    report = run_demo(settings, road, for_seconds=for_seconds, on_ready=ready, on_broker=broker)
    console.print(
        f"Demo stopped: {report.units} units, {report.messages_published:,} messages published, "
        f"{report.fixes_accepted:,.0f} fixes accepted, {report.fixes_written:,.0f} written to the database"
    )


@app.command("serve")
def serve(
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="worker processes behind the one port (they share only the database; the connection "
            "pool is divided between them)",
        ),
    ] = 1,
) -> None:
    """Serve the HTTP API and console (settings from SIAGA_* variables)."""
    from siaga.api.server import run_server

    settings = _settings()
    run_server(settings, host=settings.http_host, port=settings.http_port, workers=workers)


@app.command("ingest")
def ingest() -> None:
    """Run one MQTT ingest worker (SIAGA_MQTT_*, SIAGA_DATABASE_URL); metrics on SIAGA_METRICS_HOST:PORT."""
    from paho.mqtt.enums import MQTTProtocolVersion
    from prometheus_client import start_http_server

    from dispatch_geo.dispatch.geofence import GeofenceRule
    from dispatch_geo.graph.snap import EdgeSnapper
    from dispatch_geo.storage.engine import make_engine, make_session_factory
    from dispatch_geo.storage.partitions import ensure_partitions
    from siaga.graphs import resolve_graph
    from tracking.ingest.mqtt import MqttSettings
    from tracking.ingest.service import IngestService

    settings = _settings()
    road, _ = resolve_graph(settings)
    sessions = make_session_factory(make_engine(settings.database_url))
    with sessions.begin() as session:  # the month's partition exists before the first fix arrives
        ensure_partitions(
            session.connection(), now=datetime.now(UTC), months_ahead=settings.partitions_ahead_months
        )
    service = IngestService(
        sessions,
        MqttSettings(
            host=settings.mqtt_host,
            port=settings.mqtt_port,
            client_id=settings.mqtt_client_id,
            username=settings.mqtt_username,
            password=settings.mqtt_password.get_secret_value() if settings.mqtt_password else None,
            protocol=MQTTProtocolVersion.MQTTv5
            if settings.mqtt_protocol == "5"
            else MQTTProtocolVersion.MQTTv311,
            shared_group=settings.mqtt_shared_group,
        ),
        snapper=EdgeSnapper(road, max_distance_m=settings.snap_max_distance_m),
        stale_after_s=settings.stale_after_s,
        receiver_process=settings.ingest_receiver_process,
        geofence=GeofenceRule(
            radius_m=settings.geofence_radius_m,
            dwell_s=settings.geofence_dwell_s,
            auto_status=settings.geofence_auto_status,
        ),
    )
    # its own address (default 127.0.0.1), not the API's SIAGA_HTTP_HOST: /metrics has no credential here
    start_http_server(settings.metrics_port, addr=settings.metrics_host, registry=service.metrics.registry)
    service.start()
    console.print(
        f"ingest worker {settings.mqtt_client_id} on {settings.mqtt_host}:{settings.mqtt_port}; "
        f"metrics at http://{settings.metrics_host}:{settings.metrics_port}/metrics"
    )
    stop = threading.Event()
    # SIGTERM (systemd, docker stop) stops as gracefully as Ctrl-C: buffered fixes are written first
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    try:
        while not stop.wait(1):
            pass
    except KeyboardInterrupt:
        pass
    console.print("stopping: writing buffered fixes")
    service.stop()


@app.command("simulate")
def simulate(
    units: Annotated[int, typer.Option(help="number of simulated vehicles")] = 20,
    host: Annotated[str, typer.Option(help="MQTT broker")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="MQTT port")] = 1883,
    speedup: Annotated[float, typer.Option(help="vehicles drive this much faster than real time")] = 1.0,
    seconds: Annotated[float | None, typer.Option(help="stop after this long")] = None,
) -> None:
    """Publish OwnTracks positions of simulated units driving on the road graph."""
    from siaga.graphs import resolve_graph
    from tracking.simulator import FleetSimulator, run_publisher

    road, _ = resolve_graph(_settings())
    devices = [f"sim{i:03d}/phone" for i in range(units)]
    sent = run_publisher(
        FleetSimulator(road, devices), host=host, port=port, speedup=speedup, duration_s=seconds
    )
    console.print(f"published {sent:,} messages for {units} units ({road.meta.label})")


def main() -> None:
    """Console-script entry point."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()
