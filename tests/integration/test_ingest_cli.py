"""`dispatch-geo ingest`, the production ingest worker, as a process: a phone appears on the fleet state."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from dispatch_geo.storage.fleet_repo import get_unit
from tests.integration.test_ingest_mqtt import SIAK, owntracks, publisher, seed, stored, wait_for
from tests.support.mosquitto import MosquittoBroker
from tests.support.processes import free_port
from tests.support.siak_grid import write_siak_grid_osm


class IngestCommand:
    """One `dispatch-geo ingest` process with its metrics endpoint."""

    def __init__(self, url: str, broker: MosquittoBroker, tmp_path: Path) -> None:
        metrics_port = free_port()
        self.metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"
        env = {
            **os.environ,
            "SIAGA_DATABASE_URL": url,
            "SIAGA_MQTT_HOST": broker.host,
            "SIAGA_MQTT_PORT": str(broker.port),
            "SIAGA_MQTT_CLIENT_ID": "ingest-cli-test",
            "SIAGA_METRICS_PORT": str(metrics_port),
            "SIAGA_VAR_DIR": str(tmp_path / "var"),
            "SIAGA_SCHEMATIC_OSM_PATH": str(write_siak_grid_osm(tmp_path)),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from siaga.cli import main; main()", "ingest"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def metric(self, line_start: str) -> float:
        """A sample's value; -1 while the endpoint does not answer, 0 when the sample is absent."""
        try:
            text = httpx.get(self.metrics_url, timeout=2).text
        except httpx.HTTPError:
            return -1.0
        found = [ln for ln in text.splitlines() if ln.startswith(line_start)]
        return float(found[0].rsplit(" ", 1)[1]) if found else 0.0

    def wait_connected(self) -> None:
        wait_for(lambda: self.metric("siaga_ingest_mqtt_connected") == 1.0, timeout_s=60)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def ingest_command(tmp_path: Path) -> Iterator[type[IngestCommand]]:
    started: list[IngestCommand] = []

    class Tracked(IngestCommand):
        def __init__(self, url: str, broker: MosquittoBroker, directory: Path | None = None) -> None:
            super().__init__(url, broker, directory or tmp_path)
            started.append(self)

    yield Tracked
    for command in started:
        command.kill()


def test_owntracks_phone_appears_on_the_fleet_state_through_the_ingest_command(
    pg_url, mosquitto_broker, ingest_command
):
    factory = seed(pg_url)
    worker = ingest_command(pg_url, mosquitto_broker)
    worker.wait_connected()
    phone = publisher(mosquitto_broker.host, mosquitto_broker.port)  # MQTT 3.1.1, as the Android app
    fix_time = int(time.time()) - 5
    location = {
        "_type": "location",
        "lat": SIAK.lat,
        "lon": SIAK.lon + 0.001,
        "tst": fix_time,
        "acc": 12,
        "vel": 40,
        "cog": 270,
        "batt": 67,
        "bs": 1,
        "conn": "m",
        "t": "u",
        "tid": "01",
        "created_at": fix_time + 1,
    }
    phone.publish("owntracks/amb-siak-01/phone", json.dumps(location), qos=1).wait_for_publish(5)
    wait_for(lambda: stored(factory) == 1)
    phone.loop_stop()
    wait_for(lambda: worker.metric('siaga_ingest_accepted_total{source="owntracks"}') == 1.0)
    with factory() as session:
        unit = get_unit(session, unit_id="AMB-SIAK-01")
        assert unit.last_fix_time == datetime.fromtimestamp(fix_time, UTC)
        assert unit.last_position is not None
        assert abs(unit.last_position.lon - (SIAK.lon + 0.001)) < 1e-9
        assert unit.last_speed_kph == 40.0
        assert unit.snapped_edge_u is not None, "the fix was snapped to the road graph"
    mosquitto_broker.stop()  # an operator's alert: ingest has lost its broker
    wait_for(lambda: worker.metric("siaga_ingest_mqtt_connected") == 0.0, timeout_s=15)
    mosquitto_broker.start()
    worker.wait_connected()
    worker.process.send_signal(signal.SIGTERM)
    output, _ = worker.process.communicate(timeout=30)
    assert worker.process.returncode == 0, output
    assert "stopping: writing buffered fixes" in output


def test_a_worker_killed_with_unwritten_fixes_loses_none_of_them(
    postgis_factory, mosquitto_broker, ingest_command
):
    """Fixes are acknowledged to the broker only once committed: a crash hands them to the next worker."""
    server = postgis_factory()
    url = server.url_for(server.clone_database())
    factory = seed(url)
    worker = ingest_command(url, mosquitto_broker)
    worker.wait_connected()
    phone = publisher(mosquitto_broker.host, mosquitto_broker.port)
    start = datetime.now(UTC) - timedelta(minutes=20)
    for i in range(20):
        phone.publish("owntracks/amb-siak-01/phone", owntracks(i, start), qos=1).wait_for_publish(5)
    wait_for(lambda: stored(factory) == 20)
    server.stop(mode="immediate")  # the database goes away; the worker buffers
    for i in range(20, 60):
        phone.publish("owntracks/amb-siak-01/phone", owntracks(i, start), qos=1).wait_for_publish(5)
    wait_for(lambda: worker.metric("siaga_ingest_buffer_depth") == 40.0)
    worker.kill()  # SIGKILL: its 40 buffered fixes die with it
    server.start()
    assert stored(factory) == 20
    successor = ingest_command(url, mosquitto_broker)  # same client id, same persistent session
    successor.wait_connected()
    wait_for(lambda: stored(factory) == 60, timeout_s=60)
    phone.loop_stop()
    with factory() as session:
        unit = get_unit(session, unit_id="AMB-SIAK-01")
        assert unit.last_fix_time == datetime.fromtimestamp(int(start.timestamp()) + 59, UTC)
