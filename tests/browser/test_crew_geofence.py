"""The crew page proposes the arrival when the phone stays at the call (issue 13), in Chromium with a
phone viewport: the dispatcher (another person: set up over HTTP) assigns the ambulance; the crew taps
en route on the page; its OwnTracks phone reports over MQTT while driving up and then stays within
150 m for 20 s; the page proposes "Di lokasi" and one tap sets it, with no far-arrival question."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import httpx
import pytest
from playwright.sync_api import sync_playwright

from tests.browser.console_server import CHROMIUM, CHROMIUM_ARGS, running_console
from tests.browser.console_steps import SHOTS, Watch, publish, shot
from tests.browser.test_crew import PHONE, enrol, phone_page, sign_in, tap
from tests.integration.api_fixtures import gazetteer  # noqa: F401

SCENE = (102.07, 0.79)
M = 1 / 111_320


@pytest.fixture
def console(tmp_path, siak_grid, gazetteer, mosquitto_broker):  # noqa: F811
    with running_console(tmp_path, siak_grid, gazetteer, mosquitto_broker.host, mosquitto_broker.port) as c:
        yield c


def fix(lon: float, lat: float, seconds_ago: int) -> dict[str, object]:
    return {
        "_type": "location",
        "lon": lon,
        "lat": lat,
        "tst": int(datetime.now(UTC).timestamp()) - seconds_ago,
    }


def assign_far_ambulance(console, mosquitto_broker) -> tuple[str, int]:
    """The ambulance's phone is enrolled and reports 2.5 km from the call; the dispatcher (another person:
    set up over HTTP) assigns it. Returns the phone's secret and the incident id."""
    secret = enrol(console)
    time.sleep(1.1)  # ingest re-reads device pairings on a miss, at most once a second
    topic = "owntracks/amb-siak-01/phone"
    publish(mosquitto_broker.host, mosquitto_broker.port, {topic: fix(102.05, 0.80, 200)})  # 2.5 km away
    dispatcher = {"Authorization": "Bearer demo-dispatcher-token"}
    with httpx.Client(base_url=console.url + "api/v1", headers=dispatcher, timeout=10) as http:
        incident = http.post(
            "/incidents", json={"incident_type": "medical", "priority": 1, "lon": SCENE[0], "lat": SCENE[1]}
        ).json()
        http.post(
            f"/incidents/{incident['id']}/assignments", json={"unit_id": "AMB-SIAK-01"}
        ).raise_for_status()
    return secret, int(incident["id"])


def en_route_far_ambulance(console, mosquitto_broker) -> int:
    """:func:`assign_far_ambulance`, then the ambulance en route (set over HTTP here; the crew would tap
    it on its page). Returns the incident id."""
    _, incident_id = assign_far_ambulance(console, mosquitto_broker)
    dispatcher = {"Authorization": "Bearer demo-dispatcher-token"}
    with httpx.Client(base_url=console.url + "api/v1", headers=dispatcher, timeout=10) as http:
        http.post(
            "/units/AMB-SIAK-01/status",
            json={"status": "en_route", "expected_status": "dispatched", "expected_incident_id": incident_id},
        ).raise_for_status()
    return incident_id


def test_staying_at_the_call_proposes_on_scene(console, mosquitto_broker):
    global NOW
    NOW = int(datetime.now(UTC).timestamp())
    SHOTS.mkdir(parents=True, exist_ok=True)
    secret, _ = assign_far_ambulance(console, mosquitto_broker)
    topic = "owntracks/amb-siak-01/phone"
    host, port = mosquitto_broker.host, mosquitto_broker.port
    watch = Watch(console)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        crew = phone_page(browser, watch)
        assert PHONE["is_mobile"]
        crew.goto(console.url + "crew")
        sign_in(crew, "amb-siak-01", secret)
        crew.wait_for_selector("[data-crew-incident]")
        tap(crew, "en_route")
        crew.wait_for_selector("#crew-state [data-crew-status='en_route']")
        # driving up: 400 m out, then inside 150 m for 25 s
        publish(host, port, {topic: fix(SCENE[0], SCENE[1] + 400 * M, 60)})
        publish(host, port, {topic: fix(SCENE[0], SCENE[1] + 90 * M, 40)})
        assert crew.locator("[data-crew-proposal]").count() == 0
        publish(host, port, {topic: fix(SCENE[0], SCENE[1] + 30 * M, 15)})
        crew.wait_for_selector("[data-crew-proposal='on_scene']", timeout=10_000)
        text = crew.locator("[data-crew-proposal]").inner_text()
        seconds = re.search(r"sudah (\d+) dtk dalam 150 m", text)
        assert seconds, text
        assert 20 <= int(seconds.group(1)) <= 40
        assert "Di lokasi" in text
        assert crew.locator("#crew-buttons button.proposed").get_attribute("data-status") == "on_scene"
        shot(crew, "crew-geofence-proposal")
        tap(crew, "on_scene")
        crew.wait_for_selector("#crew-state [data-crew-status='on_scene']", timeout=10_000)
        assert crew.locator("#crew-confirm").is_hidden()
        assert crew.locator("[data-crew-proposal]").count() == 0
        browser.close()
    assert watch.errors == []
    assert watch.outside == []
