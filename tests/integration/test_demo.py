"""The one-command demo runs the whole system on embedded defaults: broker, ingest, simulator, API."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import httpx

from siaga.demo import run_demo
from siaga.settings import Settings


def test_demo_moves_simulated_units_through_the_real_ingest_into_the_api(tmp_path, siak_grid):
    settings = Settings(
        var_dir=tmp_path / "var",
        database_url=f"sqlite:///{tmp_path / 'var' / 'siaga.db'}",
        http_port=18765,
        demo_mqtt_port=18831,
        demo_speedup=2.0,
    )
    seen: dict[str, object] = {}

    def probe(url: str) -> None:
        def check() -> None:
            threading.Event().wait(5)  # let the simulated phones report a few times
            headers = {"Authorization": "Bearer demo-dispatcher-token"}
            seen["health"] = httpx.get(f"{url}api/v1/health", timeout=10).json()
            seen["units"] = httpx.get(f"{url}api/v1/units.geojson", headers=headers, timeout=10).json()
            with httpx.Client(base_url=url, timeout=10) as browser:  # a named demo operator logs in
                body = {"username": "siti", "password": "siti-siaga-112", "desk": "Meja 1"}
                seen["login"] = browser.post("api/v1/auth/login", json=body).json()
            now = datetime.now(UTC)
            period = {"from": (now - timedelta(days=35)).isoformat(), "to": now.isoformat()}
            planner = {"Authorization": "Bearer demo-planner-token"}
            seen["kpi"] = httpx.get(f"{url}api/v1/kpi", params=period, headers=planner, timeout=30).json()

        threading.Thread(target=check, daemon=True).start()

    report = run_demo(settings, siak_grid, for_seconds=8, on_ready=probe)
    assert report.units == 48
    assert report.fixes_written > 0
    assert report.messages_received >= 0.9 * report.messages_published
    assert report.fixes_accepted == report.messages_received, "the simulated phones send only plausible fixes"
    positioned = [f for f in seen["units"]["features"] if f["geometry"] is not None]
    assert len(positioned) >= 40, "simulated phones put the example fleet on the map"
    assert seen["health"]["schematic"] is True
    assert seen["login"]["name"] == "siti@Meja 1"
    assert seen["login"]["shift"]["opened_by"] == "sari", "the demo runs a shift opened by its supervisor"
    kpi = seen["kpi"]  # the Kinerja page is not empty: weeks of past incidents, all labelled simulated
    assert kpi["incidents"] > 100
    assert kpi["simulated"] == kpi["incidents"]
