"""The arrival proposed by position reaches the dispatcher's console too (issue 13), in Chromium: an
ambulance assigned and en route (set up over HTTP by the other people involved) has its OwnTracks
phone report over the real Mosquitto while driving up, then stay within 150 m of the call for 20 s;
the console's incident panel proposes "Di lokasi" with how long and how near, in Bahasa Indonesia and
in English, and one click sets it."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.console_server import CHROMIUM, CHROMIUM_ARGS, running_console
from tests.browser.console_steps import SHOTS, Watch, publish, shot
from tests.browser.test_crew_geofence import SCENE, M, en_route_far_ambulance, fix
from tests.integration.api_fixtures import gazetteer  # noqa: F401

AMB = "AMB-SIAK-01"
PROPOSAL = f"#arrival-proposals [data-arrival-proposal='{AMB}']"


@pytest.fixture
def console(tmp_path, siak_grid, gazetteer, mosquitto_broker):  # noqa: F811
    with running_console(tmp_path, siak_grid, gazetteer, mosquitto_broker.host, mosquitto_broker.port) as c:
        yield c


def test_the_console_proposes_on_scene_when_the_phone_stays_at_the_call(console, mosquitto_broker):
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
        time.sleep(3.5)  # one poll of the proposals: 90 m for 0 s is not an arrival yet
        assert page.locator(PROPOSAL).count() == 0
        publish(host, port, {topic: fix(SCENE[0], SCENE[1] + 30 * M, 15)})
        page.wait_for_selector(PROPOSAL, timeout=15_000)
        text = page.locator(PROPOSAL).inner_text()
        seconds = re.search(r"AMB-SIAK-01 sudah (\d+) dtk dalam 150 m dari ", text)
        assert seconds, text
        assert 20 <= int(seconds.group(1)) <= 40
        assert "Sudah tiba?" in text
        assert page.locator(f"{PROPOSAL} button").inner_text() == "Di lokasi"
        shot(page, "console-arrival-proposal")
        page.click("#lang")
        page.wait_for_function(
            f"() => document.querySelector(\"{PROPOSAL}\").innerText.includes('has been within 150 m of')"
        )
        page.click(f"{PROPOSAL} button")
        page.wait_for_selector(f"[data-assigned='{AMB}'] [data-unit-status-text='on_scene']", timeout=10_000)
        assert page.locator(PROPOSAL).count() == 0
        assert watch.csp(page) == []
        browser.close()
    assert watch.errors == []
    assert watch.outside == []
