"""The ``dispatch-geo`` command line."""

from __future__ import annotations

import importlib
import logging
import signal
import threading
import time
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperGroup

from dispatch_geo.errors import SiagaError
from siaga.settings import Settings

LAZY_COMMANDS = {
    "graph": ("siaga.graph_cli", "graph_app"),
    "data": ("siaga.graph_cli", "data_app"),
    "places": ("siaga.graph_cli", "places_app"),
    "tokens": ("siaga.tokens_cli", "tokens_app"),
    "devices": ("siaga.devices_cli", "devices_app"),
    "coverage": ("siaga.coverage_cli", "coverage_app"),
    "facilities": ("siaga.facilities_cli", "facilities_app"),
    "users": ("siaga.users_cli", "users_app"),
    "history": ("siaga.history_cli", "history_app"),
    "kpi": ("siaga.kpi_cli", "kpi"),
    "closures": ("siaga.closures_cli", "closures_app"),
}
"""Commands whose module is imported only when the command is used: ``dispatch-geo users list``
need not load the API, the coverage solver or matplotlib (5.6 s before anything happened)."""


class LazyGroup(TyperGroup):
    """The top-level group: the commands of :data:`LAZY_COMMANDS` are built on first use
    (``--help`` lists them all, and so imports them all)."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [*LAZY_COMMANDS, *(n for n in super().list_commands(ctx) if n not in LAZY_COMMANDS)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in LAZY_COMMANDS and cmd_name not in self.commands:
            module, attribute = LAZY_COMMANDS[cmd_name]
            found = getattr(importlib.import_module(module), attribute)
            mounted = typer.Typer()  # as add_typer/command mount it: a one-command group stays a group
            if isinstance(found, typer.Typer):
                mounted.add_typer(found, name=cmd_name)
            else:
                mounted.command(cmd_name)(found)
            mounted.command("_")(lambda: None)  # two entries: get_command gives the group holding them
            command = typer.main.get_command(mounted).commands[cmd_name]  # type: ignore[attr-defined]
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


app = typer.Typer(
    cls=LazyGroup,
    help="Siak Siaga 112: emergency dispatch and tracking for Kabupaten Siak.",
    no_args_is_help=True,
)

console = Console()
err = Console(stderr=True)


def _settings() -> Settings:
    return Settings()


@app.command("demo")
def demo(
    for_seconds: Annotated[
        float | None, typer.Option(help="stop after this many seconds and print a summary (for smoke tests)")
    ] = None,
) -> None:
    """Run the whole product on embedded defaults: API + console, in-process broker, simulated fleet."""
    from dispatch_geo.storage.demo_operators import DEMO_OPERATORS
    from siaga.demo import run_demo
    from siaga.graph_cli import fail, print_graph_summary
    from siaga.graphs import resolve_graph

    settings = _settings()
    console.print("[bold]Siak Siaga 112[/] — demo on embedded defaults (SQLite file, in-process MQTT broker)")
    started = time.perf_counter()
    try:
        with console.status("Loading the road graph") as status:
            road, directory = resolve_graph(settings, progress=status.update)
    except SiagaError as exc:
        raise fail(exc) from None
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
