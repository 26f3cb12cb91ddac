"""The console's map and panels in a real browser: stations, labels, stale units, place search, keyboard.

Runs the whole app (uvicorn, real Mosquitto, the ingest worker, SQLite file) like
``tests/browser/test_console.py``, which covers the click-assign-move flow; this file covers what a
dispatcher reads off the map and does with the keyboard. No request may leave 127.0.0.1.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, Route, sync_playwright

from tests.browser.console_server import (
    CHROMIUM,
    CHROMIUM_ARGS,
    RunningConsole,
    pair_device,
    running_console,
)
from tests.browser.console_steps import publish

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
HEADERS = {"Authorization": "Bearer demo-dispatcher-token"}


@pytest.fixture
def console(
    tmp_path: Path,
    siak_grid: Any,
    gazetteer: Any,
    mosquitto_broker: Any,
) -> Iterator[RunningConsole]:
    with running_console(tmp_path, siak_grid, gazetteer, mosquitto_broker.host, mosquitto_broker.port) as c:
        yield c


def open_console(page: Page, console: RunningConsole, outside: list[str]) -> None:
    def guard(route: Route) -> None:
        if route.request.url.startswith((console.url, "file://")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.goto(console.url)


def test_map_shows_posts_labels_and_stale_units_and_works_from_the_keyboard(
    console: RunningConsole, mosquitto_broker: Any, tmp_path: Path
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pair_device(console.sessions, "AMB-SIAK-01", "amb-siak-01/phone")
    pair_device(console.sessions, "AMB-SIAK-02", "amb-siak-02/phone")
    pair_device(console.sessions, "POL-SIAK-01", "pol-siak-01/phone")
    time.sleep(1.1)  # ingest re-reads device pairings on a miss, at most once a second
    now = int(datetime.now(UTC).timestamp())
    publish(
        mosquitto_broker.host,
        mosquitto_broker.port,
        {
            "owntracks/amb-siak-01/phone": {
                "_type": "location",
                "lat": 0.801,
                "lon": 102.05,
                "tst": now - 20,
            },
            "owntracks/pol-siak-01/phone": {"_type": "location", "lat": 0.79, "lon": 102.03, "tst": now - 30},
            # last heard from ten minutes ago: stale (the limit is 120 s)
            "owntracks/amb-siak-02/phone": {
                "_type": "location",
                "lat": 0.806,
                "lon": 102.06,
                "tst": now - 600,
            },
        },
        client_id="phones-map-test",
    )
    approximate = [
        s for s in httpx.get(f"{console.url}api/v1/stations", headers=HEADERS).json() if s["approximate"]
    ]
    errors: list[str] = []
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        open_console(page, console, outside)
        page.wait_for_selector("[data-unit='AMB-SIAK-02']", timeout=15_000)

        # posts whose coordinates were not surveyed are drawn as "approximate"
        page.wait_for_selector(".station[data-approximate='true']", state="attached")
        assert page.locator(".station.approx").count() == len(approximate) > 0
        assert "Pos (lokasi perkiraan)" in page.locator(".legend").inner_text()

        # the stale unit is dashed on the map and highlighted on the status board; the fresh one is not
        assert page.get_attribute("[data-unit='AMB-SIAK-02']", "data-stale") == "true"
        assert page.get_attribute("[data-unit='AMB-SIAK-01']", "data-stale") == "false"
        assert "stale-row" in (page.get_attribute("[data-unit-row='AMB-SIAK-02']", "class") or "")
        assert "stale-row" not in (page.get_attribute("[data-unit-row='AMB-SIAK-01']", "class") or "")
        assert "10 mnt" in page.locator("[data-unit-row='AMB-SIAK-02']").inner_text()

        # call-sign labels with the fix age appear when the dispatcher zooms in
        label = page.locator("[data-unit='AMB-SIAK-01'] .unit-label")
        assert not label.is_visible(), "no labels at regency zoom"
        page.evaluate("() => { window.siagaConsole.map.setView([0.803, 102.053], 13, { animate: false }); }")
        page.wait_for_function(
            "() => document.querySelector(\"[data-unit='AMB-SIAK-01'] .unit-label\").offsetParent !== null"
        )
        assert label.inner_text().startswith("AMB-SIAK-01 · ")
        assert label.inner_text().endswith(" s")
        assert "10 mnt" in page.locator("[data-unit='AMB-SIAK-02'] .unit-label").inner_text()
        page.screenshot(path=str(SHOTS / "console-posts-labels-stale.png"))

        # keyboard only: "/" jumps to the place field, autocomplete tolerates a misspelling, Enter submits
        page.locator("body").press("/")
        assert page.evaluate("() => document.activeElement.id") == "place"
        page.keyboard.type("kampung dalm")
        page.wait_for_selector("#place-list option[value='Kampung Dalam']", state="attached")
        page.fill("#place", "Kampung Dalam")
        page.select_option("#type", "traffic_accident")  # needs an ambulance and a police unit
        page.focus("#place")
        page.keyboard.press("Enter")
        page.wait_for_selector("#recommendation button[data-assign]", timeout=15_000)
        assert page.locator("#recommendation h3").count() == 2, "one ranking per needed unit type"
        assert page.evaluate("() => document.activeElement.dataset.assign") == "AMB-SIAK-01", (
            "focus lands on the best unit's assign button; the stale one is ranked after it"
        )
        page.wait_for_selector("#incident-list button[data-incident]")
        assert "Kampung Dalam" in page.locator("#incident-list").inner_text()
        assert page.input_value("#place") == "", "the form is cleared for the next call"
        page.keyboard.press("Enter")  # assign the focused best unit
        page.wait_for_selector("[data-unit='AMB-SIAK-01'][data-status='dispatched']", timeout=10_000)
        # multi-unit incident: the panel now ranks only what is still needed, the police unit
        page.wait_for_function("() => document.querySelectorAll('#recommendation h3').length === 1")
        assert page.evaluate("() => document.activeElement.dataset.assign") == "POL-SIAK-01"
        page.keyboard.press("Enter")
        page.wait_for_selector("[data-unit='POL-SIAK-01'][data-status='dispatched']", timeout=10_000)

        # the timeline of the incident, in WIB, with the way to its replay
        incident_id = int(page.get_attribute("#incident-list button[data-incident]", "data-incident") or 0)
        page.click("#incident-list button[data-incident]")
        page.wait_for_selector("#timeline li")
        assert "WIB" in page.locator("#timeline").inner_text()
        assert page.get_attribute("#timeline a", "href") == f"/replay/{incident_id}"
        page.screenshot(path=str(SHOTS / "console-place-timeline.png"))

        # English legend and labels after the toggle
        page.click("#lang")
        assert "Post (approximate location)" in page.locator(".legend").inner_text()
        page.wait_for_function(
            "() => document.querySelector(\"[data-unit='AMB-SIAK-02'] .unit-label\")"
            ".textContent.includes('10 min')"
        )

        # closed: the replay page offers the report map, one HTML file that works from disk, offline
        for unit in ("AMB-SIAK-01", "POL-SIAK-01"):
            for status in ("en_route", "on_scene"):
                url = f"{console.url}api/v1/units/{unit}/status"
                r = httpx.post(url, json={"status": status}, headers=HEADERS)
                assert r.status_code == 200, r.text
        assert httpx.post(f"{console.url}api/v1/incidents/{incident_id}/close", headers=HEADERS).is_success
        page.goto(f"{console.url}replay/{incident_id}")
        page.wait_for_function("() => window.replayReady === true", timeout=10_000)
        with page.expect_download() as download:
            page.click("#download")
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        assert saved.name == f"siaga-replay-{incident_id}.html"
        page.goto(saved.as_uri())
        page.wait_for_selector(".leaflet-container .leaflet-interactive")
        page.wait_for_function("() => !document.querySelector('.leaflet-zoom-anim')")  # fit_bounds done
        assert "AMB-SIAK-01" in page.locator(".siaga-replay").inner_text()
        assert "WIB" in page.locator(".siaga-replay").inner_text()
        page.screenshot(path=str(SHOTS / "replay-map-offline.png"))
        browser.close()
    assert not errors, errors
    assert not outside, f"the console tried to reach the internet: {outside[:3]}"
