"""The dispatcher console in a real browser (Debian's Chromium via Playwright) against the running app.

Flow: open the console, create an incident by clicking the map, see the recommendation, assign a
unit, see its status change, publish an OwnTracks position over MQTT and see its marker move.
Screenshots go to artifacts/screenshots/. No request may leave 127.0.0.1.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from playwright.sync_api import sync_playwright

from tests.browser.console_server import CHROMIUM, CHROMIUM_ARGS, pair_device, running_console
from tests.integration.api_fixtures import gazetteer  # noqa: F401

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def first_incident_id(page) -> str:
    return page.get_attribute(
        "#recommendation button[data-incident], #incident-list button[data-incident]", "data-incident"
    )


def publish(host: str, port: int, topic: str, payload: dict) -> None:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="phone-test")
    client.connect(host, port)
    client.loop_start()
    client.publish(topic, json.dumps(payload), qos=1).wait_for_publish(5)
    client.loop_stop()
    client.disconnect()


@pytest.fixture
def console(tmp_path, siak_grid, gazetteer, mosquitto_broker):  # noqa: F811
    with running_console(tmp_path, siak_grid, gazetteer, mosquitto_broker.host, mosquitto_broker.port) as c:
        yield c


def test_dispatcher_flow_in_a_real_browser(console, mosquitto_broker):
    SHOTS.mkdir(parents=True, exist_ok=True)
    pair_device(console.sessions, "AMB-SIAK-01", "amb-siak-01/phone")
    time.sleep(1.1)  # ingest re-reads device pairings on a miss, at most once a second
    now = int(datetime.now(UTC).timestamp())
    publish(
        mosquitto_broker.host,
        mosquitto_broker.port,
        "owntracks/amb-siak-01/phone",
        {"_type": "location", "lat": 0.80, "lon": 102.04, "tst": now - 90, "acc": 5},
    )
    errors: list[str] = []
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))

        def guard(route):
            if route.request.url.startswith(console.url):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", guard)
        page.goto(console.url)
        try:
            page.wait_for_selector("[data-unit='AMB-SIAK-01']", timeout=15_000)
        except Exception:
            page.screenshot(path=str(SHOTS / "console-failed.png"))
            raise AssertionError(f"no unit marker; page errors: {errors}, outside: {outside}") from None
        assert page.locator("#schematic-banner").is_visible()
        assert "SKEMATIK" in page.locator("#schematic-banner").inner_text()
        page.screenshot(path=str(SHOTS / "console-start.png"))

        # a new medical incident by clicking the map near Siak town
        point = page.evaluate(
            "() => { const p = window.siagaConsole.map.latLngToContainerPoint([0.79, 102.06]); "
            "return [p.x, p.y]; }"
        )
        box = page.locator("#map").bounding_box()
        page.mouse.click(box["x"] + point[0], box["y"] + point[1])
        lat, lon = (float(v) for v in page.locator("#picked").inner_text().split(": ")[1].split(", "))
        assert (lat, lon) == (pytest.approx(0.79, abs=0.002), pytest.approx(102.06, abs=0.002))
        page.select_option("#type", "medical")
        page.click("#create")
        first = page.wait_for_selector("#recommendation button[data-assign]", timeout=15_000)
        assert first.get_attribute("data-assign") == "AMB-SIAK-01", "the only ambulance with a position"
        assert "mnt" in page.locator("#recommendation").inner_text()
        page.click("#recommendation button[data-moveup='AMB-SIAK-01']")
        page.wait_for_function(
            "() => document.querySelector(\"[data-moveup-result='AMB-SIAK-01']\").textContent.length > 0"
        )
        impact = page.locator("[data-moveup-result='AMB-SIAK-01']").inner_text()
        assert "Jika dikirim" in impact, impact  # the only ambulance on the map: its area loses cover
        assert "jiwa" in impact
        page.screenshot(path=str(SHOTS / "console-recommendation.png"))
        first.click()
        page.wait_for_selector("[data-unit='AMB-SIAK-01'][data-status='dispatched']", timeout=10_000)

        # the phone reports a new position: the marker moves without a reload
        before = float(page.get_attribute("[data-unit='AMB-SIAK-01']", "data-lon"))
        publish(
            mosquitto_broker.host,
            mosquitto_broker.port,
            "owntracks/amb-siak-01/phone",
            {"_type": "location", "lat": 0.795, "lon": 102.05, "tst": now, "acc": 5, "vel": 40},
        )
        started = time.monotonic()
        page.wait_for_function(
            "() => { const m = document.querySelector(\"[data-unit='AMB-SIAK-01']\"); "
            "return m && m.dataset.lon === '102.05'; }",
            timeout=10_000,
        )
        moved_after_s = time.monotonic() - started
        assert before != 102.05
        assert moved_after_s < 5
        page.click("#lang")
        assert page.locator("#new-incident").inner_text() == "New incident"
        page.screenshot(path=str(SHOTS / "console-assigned-en.png"))

        # the unit arrives, the incident is closed, and its replay shows the track and the events
        headers = {"Authorization": "Bearer demo-dispatcher-token"}
        incident_id = int(first_incident_id(page))
        for status in ("en_route", "on_scene"):
            r = httpx.post(
                f"{console.url}api/v1/units/AMB-SIAK-01/status", json={"status": status}, headers=headers
            )
            assert r.status_code == 200, r.text
        r = httpx.post(f"{console.url}api/v1/incidents/{incident_id}/close", headers=headers)
        assert r.status_code == 200, r.text
        page.goto(f"{console.url}replay/{incident_id}")
        page.wait_for_function("() => window.replayReady === true", timeout=10_000)
        assert page.locator("#events div").count() >= 4, "created, recommended, assigned, statuses, closed"
        # where the unit was sent from, then on its way
        assert page.evaluate("() => window.replayPoints") >= 2
        page.screenshot(path=str(SHOTS / "replay.png"))
        browser.close()
    assert not errors, errors
    assert not outside, f"the console tried to reach the internet: {outside[:3]}"
