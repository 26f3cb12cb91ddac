"""Device health in Chromium (issue 13): an ambulance's phone reports 9 % battery and a fire engine's
phone a fix an hour in the future, both as OwnTracks over the real Mosquitto and the real ingest
worker. The dispatcher's console header warns of both devices; its link opens the device page, which
shows the battery, the battery alert, the clock alert and the rejected fix with its reason, in Bahasa
Indonesia and in English."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from playwright.sync_api import sync_playwright

from dispatch_geo.storage import device_repo
from tests.browser.console_server import CHROMIUM, CHROMIUM_ARGS, running_console
from tests.browser.console_steps import SHOTS, Watch, publish, shot
from tests.integration.api_fixtures import gazetteer  # noqa: F401

AMB = "tr[data-device-unit='AMB-SIAK-01']"
DMK = "tr[data-device-unit='DMK-SIAK-01']"


@pytest.fixture
def console(tmp_path, siak_grid, gazetteer, mosquitto_broker):  # noqa: F811
    with running_console(tmp_path, siak_grid, gazetteer, mosquitto_broker.host, mosquitto_broker.port) as c:
        yield c


def test_low_battery_and_a_clock_ahead_are_shown_in_the_console_and_on_the_device_page(
    console, mosquitto_broker
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with console.sessions.begin() as session:
        for unit_id, device_id in (
            ("AMB-SIAK-01", "amb-siak-01/phone"),
            ("DMK-SIAK-01", "dmk-siak-01/phone"),
        ):
            device_repo.enrol_device(
                session, unit_id=unit_id, device_id=device_id, at=datetime.now(UTC), by="t"
            )
    time.sleep(1.1)  # ingest re-reads device pairings on a miss, at most once a second
    now = int(time.time())
    publish(
        mosquitto_broker.host,
        mosquitto_broker.port,
        {
            "owntracks/amb-siak-01/phone": {
                "_type": "location",
                "lat": 0.80,
                "lon": 102.04,
                "tst": now,
                "batt": 9,
            },
            "owntracks/dmk-siak-01/phone": {
                "_type": "location",
                "lat": 0.79,
                "lon": 102.05,
                "tst": now + 3600,
            },
        },
    )
    time.sleep(2.5)  # the ingest worker writes device health once a second
    watch = Watch(console)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = watch.page(browser)
        page.goto(console.url)
        page.wait_for_selector("#device-alerts:not([hidden])", timeout=15_000)
        assert page.locator("#device-alerts").inner_text() == "2 perangkat perlu dicek"
        assert page.get_attribute("#device-alerts", "title") == "AMB-SIAK-01, DMK-SIAK-01"
        page.click("#device-alerts")

        page.wait_for_selector(f"{AMB} [data-alert='device_battery_low']", timeout=15_000)
        amb = page.locator(AMB).inner_text()
        assert "Baterai 9% (batas 15%)" in amb
        assert page.locator(f"{AMB} [data-battery]").inner_text() == "9%"
        assert page.locator(f"{AMB} [data-rejected]").inner_text() == "0"

        page.wait_for_selector(f"{DMK} [data-alert='device_clock_off']")
        clock = page.locator(f"{DMK} [data-alert='device_clock_off']").inner_text()
        assert clock == "Jam perangkat 1 jam lebih cepat"  # an hour ahead, not "3.600 dtk"
        assert page.locator(f"{DMK} [data-rejected]").inner_text() == "1"
        reason = page.locator(f"{DMK} [data-last-rejection='future_fix']").inner_text()
        assert reason.startswith("(terakhir: jam perangkat terlalu cepat, ")
        assert reason.endswith(" WIB)")
        shot(page, "devices-health")

        page.click("#lang")
        page.wait_for_function(
            "() => document.querySelector('#dev-alert-count').innerText === '2 devices need a look'"
        )
        assert "Battery 9% (limit 15%)" in page.locator(AMB).inner_text()
        assert "(last: device clock ahead, " in page.locator(DMK).inner_text()
        assert page.locator(f"{DMK} [data-alert='device_clock_off']").inner_text() == "Device clock 1 h ahead"
        assert watch.csp(page) == []
        browser.close()
    assert watch.errors == []
    assert watch.outside == []
