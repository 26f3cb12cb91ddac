"""The demo behaves like a shift (issue 13): an assigned simulated ambulance's crew reports en route,
drives to the call, reports on scene, stays, takes the patient to the nearest hospital, reports at
hospital, returns to its post and reports available — every report through the crew API, attributed to
``crew:<unit>`` in the incident's timeline; the last unit is left to be moved by hand with the printed
``mosquitto_pub`` line."""

from __future__ import annotations

import threading
import time

import httpx

from siaga.demo import run_demo
from siaga.settings import Settings

DISPATCHER = {"Authorization": "Bearer demo-dispatcher-token"}
RAFIAN = (102.04789, 0.80018)  # the incident next to RSUD Tengku Rafian: the hospital run is short
SHIFT = ["dispatched", "en_route", "on_scene", "transporting", "at_hospital", "returning"]


def test_an_assigned_demo_unit_works_its_call_through_the_crew_api(tmp_path, schematic_road):
    """On the shipped schematic graph: its roads come within metres of the hospital and the posts."""
    settings = Settings(
        var_dir=tmp_path / "var",
        database_url=f"sqlite:///{tmp_path / 'var' / 'siaga.db'}",
        http_port=18766,
        demo_mqtt_port=18832,
        demo_speedup=3.5,
        demo_scene_dwell_s=7.0,  # 2 s of wall time on scene and at the hospital
    )
    seen: dict[str, object] = {}
    done = threading.Event()
    broker: dict[str, object] = {}

    def probe(url: str) -> None:
        def work() -> None:
            with httpx.Client(base_url=url, headers=DISPATCHER, timeout=10) as http:
                time.sleep(3)  # the simulated phones report a few times
                created = http.post(
                    "api/v1/incidents",
                    json={"incident_type": "medical", "priority": 1, "lon": RAFIAN[0], "lat": RAFIAN[1]},
                ).json()
                http.post(f"api/v1/incidents/{created['id']}/assignments", json={"unit_id": "AMB-SIAK-01"})
                deadline = time.monotonic() + 220
                while time.monotonic() < deadline:
                    entries = http.get(f"api/v1/incidents/{created['id']}/timeline").json()["entries"]
                    steps = [
                        e for e in entries if e["kind"] == "unit_status" and e["unit_id"] == "AMB-SIAK-01"
                    ]
                    seen["steps"] = [(e["params"]["to_status"], e["by"]) for e in steps]
                    unit = http.get("api/v1/units/AMB-SIAK-01").json()
                    seen["back"] = unit["status"]
                    if (
                        steps
                        and steps[-1]["params"]["to_status"] == "returning"
                        and unit["status"] == "available"
                    ):
                        break  # "available" after "returning" concerns no incident any more
                    time.sleep(1)
            done.set()

        threading.Thread(target=work, daemon=True).start()

    def on_broker(host: str, port: int, unit_id: str, line: str) -> None:
        broker.update(host=host, port=port, unit=unit_id, line=line)

    run_demo(settings, schematic_road, for_seconds=240, done=done, on_ready=probe, on_broker=on_broker)
    steps = seen["steps"]
    assert [s for s, _ in steps] == SHIFT, steps  # type: ignore[attr-defined]
    assert {by for _, by in steps[1:]} == {"crew:AMB-SIAK-01"}  # type: ignore[index]
    assert seen["back"] == "available"  # at its post again, reported by the crew
    assert f"-p {broker['port']} -t owntracks/{str(broker['unit']).lower()}/phone" in str(broker["line"])
