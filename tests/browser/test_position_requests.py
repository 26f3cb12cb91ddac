"""Positions on demand in the console (issue 13): the only ambulance near a call has a position ten
minutes old, so it is ranked as stale; the console asks its phone by itself on that first ranking (the
dispatcher no longer clicks "Minta posisi terbaru") and shows "Meminta posisi…"; the ambulance's
OwnTracks app (simulated on the real Mosquitto) answers the ``reportLocation`` command through the
real ingest; the console ranks again and the ambulance is fresh."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from playwright.sync_api import sync_playwright

from dispatch_geo.storage import device_repo
from tests.browser.console_server import CHROMIUM, CHROMIUM_ARGS, running_console
from tests.browser.console_steps import SHOTS, Watch, choose_place, publish, shot
from tests.integration.api_fixtures import gazetteer  # noqa: F401
from tests.integration.test_position_requests import OwnTracksPhone

AMB = "AMB-SIAK-01"
SEEN_ASKING = """() => { window.seenAsking = null; const box = document.getElementById("position-requests");
  new MutationObserver(() => { const p = box.querySelector("[data-asking-positions]");
    if (p && window.seenAsking === null) { window.seenAsking = p.innerText; } })
  .observe(box, { childList: true, subtree: true }); }"""
WHERE = (102.04, 0.80)


@pytest.fixture
def console(tmp_path, siak_grid, gazetteer, mosquitto_broker):  # noqa: F811
    with running_console(tmp_path, siak_grid, gazetteer, mosquitto_broker.host, mosquitto_broker.port) as c:
        yield c


def test_the_dispatcher_asks_a_stale_ambulance_for_its_position(console, mosquitto_broker):
    SHOTS.mkdir(parents=True, exist_ok=True)
    host, port = mosquitto_broker.host, mosquitto_broker.port
    with console.sessions.begin() as session:
        device_repo.enrol_device(
            session, unit_id=AMB, device_id="amb-siak-01/phone", at=datetime.now(UTC), by="test"
        )
    time.sleep(1.1)  # ingest re-reads device pairings on a miss, at most once a second
    old = {"_type": "location", "lon": WHERE[0], "lat": WHERE[1], "tst": int(time.time()) - 600}
    publish(host, port, {"owntracks/amb-siak-01/phone": old})
    phone = OwnTracksPhone(host, port, "owntracks/amb-siak-01/phone", WHERE)
    watch = Watch(console)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = watch.page(browser)
            page.goto(console.url)
            page.wait_for_selector(f"[data-unit='{AMB}']", timeout=15_000)
            choose_place(page, "kampung dalm", "Kampung Dalam")
            page.select_option("#type", "medical")
            page.select_option("#priority", "1")
            page.evaluate(SEEN_ASKING)  # the answer can come within one poll: note what was shown
            page.click("#create")  # the first ranking holds the stale ambulance: the console asks by itself
            page.wait_for_selector(f"#recommendation li[data-offer='{AMB}']:not(.stale-row)", timeout=15_000)
            assert phone.answered.is_set()
            assert page.evaluate("window.seenAsking") == "Meminta posisi… 0/1 unit menjawab"
            assert page.locator("[data-asking-positions]").count() == 0
            assert page.locator("#ask-positions").count() == 0  # nothing stale left to ask
            shot(page, "console-positions-fresh")
            assert watch.csp(page) == []
            browser.close()
    finally:
        phone.close()
    assert watch.errors == []
    assert watch.outside == []
