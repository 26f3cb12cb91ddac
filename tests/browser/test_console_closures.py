"""A flood closes roads, through the console only (issue 15): the dispatcher draws the flooded area on
the map around the nearest ambulance, closes it with a reason, sees the closed roads drawn and listed,
asks for a fresh recommendation and sees the other ambulance first; reopening brings the first back.

The ambulances' phones (MQTT positions) stand in for the field; every dispatcher action is a click.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.browser.console_server import CHROMIUM, CHROMIUM_ARGS, pair_device, running_console
from tests.browser.console_steps import SHOTS, Watch, choose_place, map_point, publish, shot
from tests.integration.api_fixtures import gazetteer  # noqa: F401

NEAR = (102.18, 0.82)  # AMB-SIAK-01, on the east-west main road of the test grid
FAR = (101.86, 0.82)  # AMB-SIAK-02, farther west on the same road
FLOOD = [(102.15, 0.79), (102.21, 0.79), (102.21, 0.85), (102.15, 0.85)]  # around AMB-SIAK-01


@pytest.fixture
def console(tmp_path, siak_grid, gazetteer, mosquitto_broker):  # noqa: F811
    with running_console(tmp_path, siak_grid, gazetteer, mosquitto_broker.host, mosquitto_broker.port) as c:
        yield c


def first_offer(page: Page) -> str:
    return page.locator("#recommendation li[data-offer]").first.get_attribute("data-offer") or ""


def test_drawing_a_flood_area_changes_the_recommendation_and_reopening_restores_it(console, mosquitto_broker):
    SHOTS.mkdir(parents=True, exist_ok=True)
    pair_device(console.sessions, "AMB-SIAK-01", "amb-siak-01/phone")
    pair_device(console.sessions, "AMB-SIAK-02", "amb-siak-02/phone")
    time.sleep(1.1)  # ingest re-reads device pairings on a miss, at most once a second
    now = int(datetime.now(UTC).timestamp())
    publish(
        mosquitto_broker.host,
        mosquitto_broker.port,
        {
            "owntracks/amb-siak-01/phone": {
                "_type": "location",
                "lon": NEAR[0],
                "lat": NEAR[1],
                "tst": now - 5,
            },
            "owntracks/amb-siak-02/phone": {
                "_type": "location",
                "lon": FAR[0],
                "lat": FAR[1],
                "tst": now - 5,
            },
        },
    )
    watch = Watch(console)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = watch.page(browser)
        page.goto(console.url)
        page.wait_for_selector("[data-unit='AMB-SIAK-02']", timeout=15_000)

        choose_place(page, "kampung dalm", "Kampung Dalam")
        page.select_option("#type", "medical")
        page.select_option("#priority", "1")
        page.click("#create")
        page.wait_for_selector("#recommendation li[data-offer='AMB-SIAK-02']", timeout=15_000)
        assert first_offer(page) == "AMB-SIAK-01"

        # --- the flood: draw its area around AMB-SIAK-01, give a reason, close the roads ---------------
        page.click("#closures summary")
        assert page.locator("#closure-list").inner_text() == "Tidak ada jalan ditutup."
        page.fill("#closure-reason", "Banjir: jalan terendam")
        page.click("#closure-area")
        map_point(page, *NEAR, zoom=11)
        for lon, lat in FLOOD:
            x, y = map_point(page, lon, lat)
            page.mouse.click(x, y)
        page.wait_for_selector("#closure-save[data-points='4']")
        assert "4 titik" in page.locator("#closure-drawing").inner_text()
        page.click("#closure-save")
        page.wait_for_selector("#closure-list li[data-closure]", timeout=10_000)
        listed = page.locator("#closure-list").inner_text()
        assert "Banjir: jalan terendam" in listed
        assert "ruas" in listed
        assert page.locator("path.closed-road").count() >= 4, "the closed roads are drawn on the map"
        shot(page, "closure-drawn")

        page.click("#re-recommend")
        page.wait_for_function(
            "() => { const o = document.querySelector('#recommendation li[data-offer]');"
            " return o && o.dataset.offer === 'AMB-SIAK-02'; }",
            timeout=15_000,
        )
        assert page.locator("#recommendation li[data-offer='AMB-SIAK-01']").count() == 0
        page.click("#recommendation details summary")
        assert "AMB-SIAK-01" in page.locator("#recommendation .excluded").inner_text()
        shot(page, "closure-recommendation")

        # --- the water goes down: reopen, and the nearest ambulance is offered first again -----------
        page.click("#closure-list button[data-lift]")
        page.wait_for_selector("#closure-list li.hint", timeout=10_000)
        assert page.locator("path.closed-road").count() == 0
        page.click("#re-recommend")
        page.wait_for_function(
            "() => { const o = document.querySelector('#recommendation li[data-offer]');"
            " return o && o.dataset.offer === 'AMB-SIAK-01'; }",
            timeout=15_000,
        )
        page.click("#lang")
        assert page.locator("#closures summary").inner_text() == "Road closures (floods)"
        browser.close()
    assert watch.errors == []
    assert watch.outside == []
