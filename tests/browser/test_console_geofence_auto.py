"""An arrival the system set by itself shows in the console (issue 13 §2), in Chromium: the centre runs
with SIAGA_GEOFENCE_AUTO_STATUS on; the ambulance is assigned and en route (set up over HTTP by the
other people involved); its OwnTracks phone reports over the real Mosquitto while driving up and then
stays within 150 m of the call for 20 s. Without anyone clicking, the dispatcher's incident panel shows
the unit on scene and the timeline says, in Bahasa Indonesia and then in English, that it was
automatic."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.console_server import CHROMIUM, CHROMIUM_ARGS, running_console
from tests.browser.console_steps import SHOTS, Watch, publish, shot
from tests.browser.test_crew_geofence import SCENE, M, en_route_far_ambulance, fix
from tests.integration.api_fixtures import gazetteer  # noqa: F401

AMB = "AMB-SIAK-01"


@pytest.fixture
def console(tmp_path, siak_grid, gazetteer, mosquitto_broker):  # noqa: F811
    with running_console(
        tmp_path,
        siak_grid,
        gazetteer,
        mosquitto_broker.host,
        mosquitto_broker.port,
        geofence_auto_status=True,
    ) as c:
        yield c


def test_the_console_shows_an_arrival_the_system_set_as_automatic(console, mosquitto_broker):
    SHOTS.mkdir(parents=True, exist_ok=True)
    incident_id = en_route_far_ambulance(console, mosquitto_broker)
    topic = "owntracks/amb-siak-01/phone"
    host, port = mosquitto_broker.host, mosquitto_broker.port
    watch = Watch(console)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = watch.page(browser)
        page.goto(console.url)
        page.click(f"#incident-list button[data-incident='{incident_id}']")
        page.wait_for_selector(f"[data-assigned='{AMB}'] [data-unit-status-text='en_route']", timeout=15_000)
        publish(host, port, {topic: fix(SCENE[0], SCENE[1] + 400 * M, 60)})
        publish(host, port, {topic: fix(SCENE[0], SCENE[1] + 90 * M, 40)})
        publish(host, port, {topic: fix(SCENE[0], SCENE[1] + 30 * M, 15)})
        # nobody clicks: the ingest worker's geofence check sets it
        page.wait_for_selector(f"[data-assigned='{AMB}'] [data-unit-status-text='on_scene']", timeout=20_000)
        page.wait_for_function(
            "() => document.querySelector('#timeline').innerText"
            ".includes('AMB-SIAK-01: Menuju lokasi → Di lokasi (otomatis, dari posisi GPS)')",
            timeout=15_000,
        )
        shot(page, "console-arrival-automatic")
        page.click("#lang")
        page.wait_for_function(
            "() => document.querySelector('#timeline').innerText"
            ".includes('AMB-SIAK-01: En route → On scene (automatic, from GPS position)')"
        )
        assert watch.csp(page) == []
        browser.close()
    assert watch.errors == []
    assert watch.outside == []
