"""The one-command demo: the whole system on embedded defaults, no servers to install.

- road graph: the real OSM cache if built, else the SCHEMATIC stand-in (built once, cached);
- database: a local SQLite file (``var/siaga.db``) with the example Siak fleet;
- MQTT: an in-process amqtt broker; the same ingest code as production subscribes to it;
- devices: simulated vehicles patrol near their posts and report like the OwnTracks app; a simulated
  crew per unit works its assignments through the crew API (drive, on scene, hospital, back to post);
- history: four weeks of SIMULATED past incidents (``siaga.demo_history``) for the Kinerja page;
- HTTP: the API and the dispatcher console on http://127.0.0.1:8000/.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import uvicorn
from paho.mqtt.enums import MQTTProtocolVersion

from dispatch_geo.boundaries import load_boundaries
from dispatch_geo.dispatch import shifts as shift_service
from dispatch_geo.dispatch.geofence import GeofenceRule
from dispatch_geo.domain.fleet_csv import load_fleet_csv
from dispatch_geo.domain.shifts import parse_shift_times
from dispatch_geo.domain.values import LonLat
from dispatch_geo.gazetteer import Gazetteer
from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.graph.snap import EdgeSnapper
from dispatch_geo.storage import device_repo, fleet_repo, shift_repo
from dispatch_geo.storage.demo_operators import DEMO_OPERATORS, seed_demo_operators
from dispatch_geo.storage.engine import make_engine, make_session_factory
from dispatch_geo.storage.migrate import upgrade_to_head
from siaga.api.app import create_app
from siaga.demo_crews import DemoCrew, run_crews
from siaga.demo_history import seed_simulated_history, simulated_count
from siaga.embedded_broker import EmbeddedBroker, free_port
from siaga.settings import Settings
from tracking.ingest.mqtt import MqttSettings
from tracking.ingest.service import IngestService
from tracking.simulator import FleetSimulator, SimConfig, run_publisher

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoReport:
    """What a time-limited demo run did (for the CLI summary and the smoke test)."""

    url: str
    mqtt_port: int
    units: int
    messages_published: int
    messages_received: float
    fixes_accepted: float
    fixes_written: float


def device_for(unit_id: str) -> str:
    """The simulated phone of a unit: OwnTracks user = call sign in lower case, device = phone."""
    return f"{unit_id.lower()}/phone"


def prepare_database(settings: Settings) -> Callable[[], object]:
    """Migrate, load the example fleet if empty, and pair every unit with its simulated phone."""
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    upgrade_to_head(engine)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        if not fleet_repo.list_units(session) and settings.fleet_csv_path is not None:
            fleet_repo.import_fleet(
                session, fleet=load_fleet_csv(settings.fleet_csv_path), at=datetime.now(UTC)
            )
        for unit in fleet_repo.list_units(session):
            if unit.device_id is None:
                fleet_repo.set_unit_device(session, unit_id=unit.id, device_id=device_for(unit.id))
        if settings.environment == "development":
            seed_demo_operators(session, at=datetime.now(UTC))
            if shift_repo.open_shift(session) is None:  # a running shift, opened by the demo supervisor
                shift_service.open_now(
                    session,
                    slots=parse_shift_times(settings.shift_times),
                    at=datetime.now(UTC),
                    by=DEMO_OPERATORS[0][0],
                    username=DEMO_OPERATORS[0][0],
                    idle_timeout_s=settings.session_idle_timeout_s,
                )
        if simulated_count(session) == 0:  # the Kinerja page's past weeks, labelled SIMULATED
            gazetteer = Gazetteer.from_boundaries(
                load_boundaries(settings.boundaries_path), outside_buffer_m=settings.outside_buffer_m
            )
            seed_simulated_history(session, gazetteer=gazetteer, now=datetime.now(UTC))
    return sessions


def crew_secrets(sessions: Callable[[], object], unit_ids: list[str]) -> dict[str, str]:
    """A fresh device secret for every unit (the demo's crews sign in with them)."""
    secrets = {}
    with sessions.begin() as session:  # type: ignore[attr-defined]
        for unit_id in unit_ids:
            device = fleet_repo.get_unit(session, unit_id=unit_id).device_id
            assert device is not None
            _, secrets[unit_id] = device_repo.rotate_credential(
                session, login=device_repo.login_of(device), at=datetime.now(UTC), by="demo"
            )
    return secrets


def mosquitto_pub_line(host: str, port: int, device: str, at: LonLat) -> str:
    """A copy-paste shell line that moves the hand-moved demo unit (OwnTracks location, time now)."""
    payload = f'{{"_type":"location","lat":{at.lat:.5f},"lon":{at.lon:.5f},"tst":\'$(date +%s)\'}}'
    return f"mosquitto_pub -h {host} -p {port} -t owntracks/{device} -m '{payload}'"


def run_demo(
    settings: Settings,
    road: RoadGraph,
    *,
    for_seconds: float | None = None,
    on_ready: Callable[[str], None] | None = None,
    on_broker: Callable[[str, int, str, str], None] | None = None,
    done: threading.Event | None = None,
) -> DemoReport:
    """Run everything until interrupted (or for ``for_seconds``), then stop it all cleanly.

    Every unit but the last is driven by the simulator and worked by a simulated crew through the crew
    API; the last one is moved by hand: ``on_broker(host, port, unit_id, mosquitto_pub line)``.
    ``done`` ends a time-limited run early.
    """
    sessions = prepare_database(settings)
    with sessions() as session:  # type: ignore[attr-defined]
        all_units = fleet_repo.list_units(session)
        homes = {u.id: fleet_repo.get_station(session, station_id=u.station_id).location for u in all_units}
    units, by_hand = all_units[:-1], all_units[-1]
    secrets = crew_secrets(sessions, [u.id for u in units])
    broker = EmbeddedBroker(free_port(settings.demo_mqtt_port))
    broker.start()
    if on_broker is not None:
        home = homes[by_hand.id]
        device = str(by_hand.device_id)
        on_broker(
            broker.host, broker.port, by_hand.id, mosquitto_pub_line(broker.host, broker.port, device, home)
        )
    ingest = IngestService(
        sessions,  # type: ignore[arg-type]
        MqttSettings(
            host=broker.host,
            port=broker.port,
            client_id="siaga-demo-ingest",
            protocol=MQTTProtocolVersion.MQTTv311,
        ),
        snapper=EdgeSnapper(road, max_distance_m=settings.snap_max_distance_m),
        stale_after_s=settings.stale_after_s,
        geofence=GeofenceRule(
            radius_m=settings.geofence_radius_m,
            dwell_s=settings.geofence_dwell_s,
            auto_status=settings.geofence_auto_status,
        ),
    )
    ingest.start()
    simulator = FleetSimulator(
        road,
        [device_for(u.id) for u in units],
        homes=[homes[u.id] for u in units],
        config=SimConfig(
            report_interval_s=2.0, gap_probability=0.002, silent_probability=0.0005, low_battery_share=0.1
        ),
    )
    stop = threading.Event()
    published: list[int] = []
    sim_thread = threading.Thread(
        target=lambda: published.append(
            run_publisher(
                simulator,
                host=broker.host,
                port=broker.port,
                speedup=settings.demo_speedup,
                should_stop=stop.is_set,
                client_id="siaga-demo-simulator",
            )
        ),
        name="siaga-demo-simulator",
        daemon=True,
    )
    sim_thread.start()
    port = free_port(settings.http_port)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, road=road), host=settings.http_host, port=port, log_level="warning"
        )
    )
    url = f"http://{settings.http_host}:{port}/"
    server_thread = threading.Thread(target=server.run, name="siaga-demo-http", daemon=True)
    server_thread.start()
    while not server.started and server_thread.is_alive():
        time.sleep(0.05)
    crews = [
        DemoCrew(unit_id=u.id, index=i, secret=secrets[u.id], home=homes[u.id]) for i, u in enumerate(units)
    ]
    crew_thread = threading.Thread(
        target=run_crews,
        args=(url, crews, simulator),
        kwargs={"dwell_s": settings.demo_scene_dwell_s / settings.demo_speedup, "should_stop": stop},
        name="siaga-demo-crews",
        daemon=True,
    )
    crew_thread.start()
    if on_ready is not None:
        on_ready(url)
    try:
        if for_seconds is None:
            while server_thread.is_alive():
                time.sleep(0.5)
        else:
            (done or threading.Event()).wait(for_seconds)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        sim_thread.join(timeout=10)
        crew_thread.join(timeout=10)
        server.should_exit = True
        server_thread.join(timeout=10)
        ingest.stop()
        broker.stop()
    return DemoReport(
        url=url,
        mqtt_port=broker.port,
        units=len(all_units),
        messages_published=published[0] if published else 0,
        messages_received=ingest.metrics.value("siaga_ingest_received_total", {"source": "owntracks"}),
        fixes_accepted=ingest.metrics.value("siaga_ingest_accepted_total", {"source": "owntracks"}),
        fixes_written=ingest.metrics.value("siaga_ingest_written_total"),
    )
