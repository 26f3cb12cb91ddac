"""`dispatch-geo ingest`, the production ingest worker, as a process: a phone appears on the fleet state."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

import httpx

from dispatch_geo.storage.fleet_repo import get_unit
from tests.integration.test_ingest_mqtt import SIAK, publisher, seed, stored, wait_for
from tests.support.processes import free_port
from tests.support.siak_grid import write_siak_grid_osm


def test_owntracks_phone_appears_on_the_fleet_state_through_the_ingest_command(
    pg_url, mosquitto_broker, tmp_path
):
    factory = seed(pg_url)
    metrics_port = free_port()
    env = {
        **os.environ,
        "SIAGA_DATABASE_URL": pg_url,
        "SIAGA_MQTT_HOST": mosquitto_broker.host,
        "SIAGA_MQTT_PORT": str(mosquitto_broker.port),
        "SIAGA_MQTT_CLIENT_ID": "ingest-cli-test",
        "SIAGA_METRICS_PORT": str(metrics_port),
        "SIAGA_VAR_DIR": str(tmp_path / "var"),
        "SIAGA_SCHEMATIC_OSM_PATH": str(write_siak_grid_osm(tmp_path)),
    }
    worker = subprocess.Popen(
        [sys.executable, "-c", "from siaga.cli import main; main()", "ingest"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"

        def metric(line_start: str) -> float:
            try:
                text = httpx.get(metrics_url, timeout=2).text
            except httpx.HTTPError:
                return -1.0
            found = [ln for ln in text.splitlines() if ln.startswith(line_start)]
            return float(found[0].rsplit(" ", 1)[1]) if found else 0.0

        wait_for(lambda: metric("siaga_ingest_receiver_restarts_total") == 0.0, timeout_s=60)
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
        # the worker may still be subscribing: resend (a repeat is a harmless duplicate) until stored
        deadline = time.monotonic() + 60
        while stored(factory) < 1 and time.monotonic() < deadline:
            phone.publish("owntracks/amb-siak-01/phone", json.dumps(location), qos=1).wait_for_publish(5)
            time.sleep(0.5)
        phone.loop_stop()
        wait_for(lambda: metric('siaga_ingest_accepted_total{source="owntracks"}') >= 1.0)
        wait_for(lambda: metric("siaga_ingest_mqtt_connected") == 1.0)
        mosquitto_broker.stop()  # an operator's alert: ingest has lost its broker
        wait_for(lambda: metric("siaga_ingest_mqtt_connected") == 0.0, timeout_s=15)
        mosquitto_broker.start()
        wait_for(lambda: metric("siaga_ingest_mqtt_connected") == 1.0, timeout_s=60)
        with factory() as session:
            unit = get_unit(session, unit_id="AMB-SIAK-01")
            assert unit.last_fix_time == datetime.fromtimestamp(fix_time, UTC)
            assert unit.last_position is not None
            assert abs(unit.last_position.lon - (SIAK.lon + 0.001)) < 1e-9
            assert unit.last_speed_kph == 40.0
            assert unit.snapped_edge_u is not None, "the fix was snapped to the road graph"
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
        assert worker.returncode == 0, output
        assert "stopping: writing buffered fixes" in output
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
