"""Run the whole app for browser tests: uvicorn on a free port, a real broker, a real ingest worker."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy.orm import Session, sessionmaker

from dispatch_geo.dispatch.geofence import GeofenceRule
from dispatch_geo.gazetteer import Gazetteer
from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.storage import fleet_repo
from siaga.api import create_app
from siaga.settings import Settings
from tracking.ingest.mqtt import MqttSettings
from tracking.ingest.service import IngestService

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@dataclass
class RunningConsole:
    url: str
    sessions: sessionmaker[Session]
    ingest: IngestService
    app: Any = None
    """The running app (e.g. to drop its live picture, as a restarted server would have none)."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_console(
    tmp: Path,
    road: RoadGraph,
    gazetteer: Gazetteer,
    broker_host: str,
    broker_port: int,
    *,
    database_url: str | None = None,
    login: bool = False,
    **overrides: Any,
) -> Iterator[RunningConsole]:
    """The app and an ingest worker on ``database_url`` (a migrated PostGIS database), or on a fresh
    SQLite file in ``tmp`` when none is given. ``login``: the console asks a person to log in; without
    it the page uses the demo dispatcher token (SIAGA_CONSOLE_DEMO_TOKEN), as the console tests of other
    features do."""
    settings = Settings(
        database_url=database_url or f"sqlite:///{tmp / 'siaga.db'}",
        var_dir=tmp,
        console_demo_token=not login,
        mqtt_host=broker_host,  # the API's own MQTT use: positions on demand (reportLocation)
        mqtt_port=broker_port,
        mqtt_protocol="3.1.1",
        **overrides,
    )
    app = create_app(settings, road=road, gazetteer=gazetteer)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the app did not start"
    sessions = app.state.siaga.sessions
    ingest = IngestService(
        sessions,
        MqttSettings(host=broker_host, port=broker_port, client_id=f"console-test-{port}"),
        geofence=GeofenceRule(
            radius_m=settings.geofence_radius_m,
            dwell_s=settings.geofence_dwell_s,
            auto_status=settings.geofence_auto_status,
        ),
    )
    ingest.start()
    assert ingest.mqtt.connected.wait(10)
    try:
        yield RunningConsole(url=f"http://127.0.0.1:{port}/", sessions=sessions, ingest=ingest, app=app)
    finally:
        ingest.stop()
        server.should_exit = True
        thread.join(timeout=10)


def pair_device(sessions: sessionmaker[Session], unit_id: str, device_id: str) -> None:
    with sessions.begin() as session:
        fleet_repo.set_unit_device(session, unit_id=unit_id, device_id=device_id)
