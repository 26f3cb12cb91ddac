"""The live picture in a real browser (issue 16): a shift's history does not hide a new incident.

600 cancelled incidents lie in the history (a long shift); a colleague at a second desk takes a
priority-3 call through the console; the first desk, which only watches, sees the new incident in its
open list and on its map from the one live feed (GET /live), and the colleague's ambulance turns
"dispatched" on its map without a reload.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.console_server import CHROMIUM, CHROMIUM_ARGS, pair_device, running_console
from tests.browser.console_steps import SHOTS, Watch, choose_place, publish, shot
from tests.integration.api_fixtures import gazetteer  # noqa: F401
from tests.integration.test_live_picture import seed_cancelled_in


@pytest.fixture
def console(tmp_path, siak_grid, gazetteer, mosquitto_broker):  # noqa: F811
    with running_console(tmp_path, siak_grid, gazetteer, mosquitto_broker.host, mosquitto_broker.port) as c:
        yield c


def test_a_new_incident_behind_600_closed_ones_shows_on_every_console(console, mosquitto_broker):
    SHOTS.mkdir(parents=True, exist_ok=True)
    seed_cancelled_in(console.sessions, 600)
    pair_device(console.sessions, "AMB-SIAK-01", "amb-siak-01/phone")
    time.sleep(1.1)  # ingest re-reads device pairings on a miss, at most once a second
    fix = {"_type": "location", "lat": 0.80, "lon": 102.04, "tst": int(datetime.now(UTC).timestamp()) - 5}
    publish(mosquitto_broker.host, mosquitto_broker.port, {"owntracks/amb-siak-01/phone": fix})
    watch = Watch(console)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        watcher = watch.page(browser)
        live_requests: list[str] = []
        watcher.on("request", lambda r: live_requests.append(r.url) if "/api/v1/" in r.url else None)
        watcher.goto(console.url)
        watcher.wait_for_selector("[data-unit='AMB-SIAK-01']", timeout=15_000)
        assert watcher.locator("#incident-list button[data-incident]").count() == 0

        # a colleague at the second desk takes a priority-3 call
        colleague = watch.page(browser)
        colleague.goto(console.url)
        colleague.wait_for_selector("[data-unit='AMB-SIAK-01']", timeout=15_000)
        choose_place(colleague, "kampung dalm", "Kampung Dalam")
        colleague.select_option("#type", "medical")
        colleague.select_option("#priority", "3")
        colleague.click("#create")
        colleague.wait_for_selector("#recommendation button[data-assign='AMB-SIAK-01']", timeout=15_000)
        colleague.click("#recommendation button[data-assign='AMB-SIAK-01']")
        colleague.wait_for_selector(
            "#assigned [data-assigned='AMB-SIAK-01'] [data-unit-status-text='dispatched']", timeout=10_000
        )

        # the first desk sees it without doing anything: in the open list, on the map, the unit busy
        line = watcher.locator("#incident-list button[data-incident]")
        line.first.wait_for(timeout=10_000)
        assert line.count() == 1, "only the open incident, none of the 600 cancelled ones"
        text = line.first.inner_text()
        assert "P3" in text
        assert "Kampung Dalam" in text
        incident_id = line.first.get_attribute("data-incident")
        watcher.wait_for_selector(f"[data-incident-marker='{incident_id}']", state="attached", timeout=10_000)
        watcher.wait_for_selector("[data-unit='AMB-SIAK-01'][data-status='dispatched']", timeout=10_000)
        shot(watcher, "live-new-incident-behind-history")
        polled = {u.split("/api/v1", 1)[1].split("?")[0] for u in live_requests}
        assert "/live" in polled, "the console polls the one live feed"
        assert not polled & {"/units.geojson", "/incidents"}, f"no per-console rebuilds: {polled}"
        browser.close()
    assert not watch.errors, watch.errors
    assert not watch.outside, watch.outside
