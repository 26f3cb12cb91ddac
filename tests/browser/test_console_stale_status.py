"""A late status change from a console that had not yet seen the unit re-dispatched (issue 16 §2).

Desk A assigns AMB-SIAK-01 to a call; its screen then stands still (its clock paused: no refresh,
as a desk whose poll is slow or whose dispatcher hesitates). Meanwhile desk B cancels that call as a
duplicate and sends AMB-SIAK-01 to a new one. Desk A's dispatcher presses "Menuju lokasi" (en route)
on the stale panel: the console says, in Bahasa Indonesia, that the unit now works the other incident,
and nothing changes: the unit stays dispatched to desk B's call. The message stays on screen through
the next refreshes.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.browser.console_server import CHROMIUM, CHROMIUM_ARGS, pair_device, running_console
from tests.browser.console_steps import SHOTS, Watch, choose_place, publish, shot
from tests.integration.api_fixtures import gazetteer  # noqa: F401

UNIT = "AMB-SIAK-01"


@pytest.fixture
def console(tmp_path, siak_grid, gazetteer, mosquitto_broker):  # noqa: F811
    with running_console(tmp_path, siak_grid, gazetteer, mosquitto_broker.host, mosquitto_broker.port) as c:
        yield c


def take_call(page: Page) -> int:
    """A medical call at Kampung Dalam with AMB-SIAK-01 assigned, through the console; its id."""
    choose_place(page, "kampung dalm", "Kampung Dalam")
    page.select_option("#type", "medical")
    page.select_option("#priority", "1")
    page.click("#create")
    page.wait_for_selector(f"#recommendation button[data-assign='{UNIT}']", timeout=15_000)
    page.click(f"#recommendation button[data-assign='{UNIT}']")
    page.wait_for_selector(f"#assigned [data-assigned='{UNIT}'] [data-unit-status-text='dispatched']")
    return int(page.locator("#incident-title").inner_text().split("#")[1].split()[0])


def test_a_late_status_change_for_a_redispatched_unit_is_refused_and_shown(console, mosquitto_broker):
    SHOTS.mkdir(parents=True, exist_ok=True)
    pair_device(console.sessions, UNIT, "amb-siak-01/phone")
    time.sleep(1.1)  # ingest re-reads device pairings on a miss, at most once a second
    fix = {"_type": "location", "lat": 0.80, "lon": 102.04, "tst": int(datetime.now(UTC).timestamp()) - 5}
    publish(mosquitto_broker.host, mosquitto_broker.port, {"owntracks/amb-siak-01/phone": fix})
    watch = Watch(console)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        desk_a = watch.page(browser, clock=True)
        desk_a.goto(console.url)
        desk_a.wait_for_selector(f"[data-unit='{UNIT}']", timeout=15_000)
        first = take_call(desk_a)
        desk_a.clock.pause_at(int(time.time() * 1000) + 1000)  # desk A's screen stands still from here

        desk_b = watch.page(browser)
        desk_b.goto(console.url)
        desk_b.click(f"#incident-list button[data-incident='{first}']")
        desk_b.wait_for_selector(f"#assigned [data-assigned='{UNIT}']", timeout=15_000)
        desk_b.click("#incident-actions summary")
        desk_b.select_option("#finish-reason", "duplicate")
        desk_b.click("#incident-actions button[data-finish='cancel']")
        desk_b.wait_for_selector("#incident-title [data-incident-status='cancelled']")
        second = take_call(desk_b)
        assert second != first

        # desk A still shows the first call with AMB-SIAK-01 dispatched; its dispatcher presses en route
        stale = f"#assigned [data-assigned='{UNIT}'] button[data-to='en_route']"
        desk_a.click(stale)
        message = desk_a.locator("#incident-errors .message")
        message.wait_for(timeout=10_000)
        text = message.inner_text()
        assert f"{UNIT} sekarang menangani kejadian #{second}, bukan #{first}" in text, text
        shot(desk_a, "console-late-status-409")

        # nothing changed: desk B's call still has the unit, dispatched (not en route)
        desk_b.wait_for_timeout(1500)
        desk_b.wait_for_selector(f"#assigned [data-assigned='{UNIT}'] [data-unit-status-text='dispatched']")
        assert desk_b.locator(f"[data-unit='{UNIT}']").get_attribute("data-status") == "dispatched"
        # desk A catches up; the message stays until its dispatcher dismisses it
        desk_a.clock.resume()
        desk_a.wait_for_selector("#incident-title [data-incident-status='cancelled']", timeout=10_000)
        assert message.is_visible()
        desk_a.click("#incident-errors button[data-dismiss]")
        assert desk_a.locator("#incident-errors .message").count() == 0
        browser.close()
    assert not watch.errors, watch.errors
    assert not watch.outside, watch.outside
