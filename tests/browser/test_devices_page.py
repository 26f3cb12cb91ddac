"""The admin's device page (issue 13) in Chromium: a silent on-duty phone raises the alert; a device is
attached to a unit from the page (its secret shown once), reports, and the alert goes; its set-up sheet
downloads with the QR code; it is removed again. Phones are simulated over MQTT; the admin only clicks."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from playwright.sync_api import sync_playwright

from dispatch_geo.storage import device_repo
from tests.browser.console_server import CHROMIUM, CHROMIUM_ARGS, running_console
from tests.browser.console_steps import SHOTS, Watch, publish, shot
from tests.integration.api_fixtures import gazetteer  # noqa: F401


@pytest.fixture
def console(tmp_path, siak_grid, gazetteer, mosquitto_broker):  # noqa: F811
    with running_console(tmp_path, siak_grid, gazetteer, mosquitto_broker.host, mosquitto_broker.port) as c:
        yield c


def test_silent_phones_are_flagged_and_devices_are_managed_from_the_page(console, mosquitto_broker, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with console.sessions.begin() as session:
        device_repo.enrol_device(
            session, unit_id="AMB-SIAK-01", device_id="amb-siak-01/phone", at=datetime.now(UTC), by="test"
        )
    time.sleep(1.1)  # ingest re-reads device pairings on a miss, at most once a second
    twenty_minutes_ago = int(datetime.now(UTC).timestamp()) - 1200
    old_fix = {"_type": "location", "lat": 0.80, "lon": 102.04, "tst": twenty_minutes_ago}
    publish(mosquitto_broker.host, mosquitto_broker.port, {"owntracks/amb-siak-01/phone": old_fix})
    watch = Watch(console)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = watch.page(browser)
        page.on("dialog", lambda dialog: dialog.accept())
        page.goto(console.url + "devices")
        amb = "tr[data-device-unit='AMB-SIAK-01']"
        page.wait_for_selector(f"{amb} [data-alert='device_silent']", timeout=15_000)
        assert "Senyap 20 mnt (batas 10 mnt)" in page.locator(amb).inner_text()
        assert page.locator("#dev-alert-count").inner_text() == "1 perangkat perlu dicek"
        shot(page, "devices-silent")

        # --- attach a phone to the fire engine from the page --------------------------------------
        page.fill("#attach-unit", "DMK-SIAK-01")
        page.fill("#attach-device", "dmk-siak-01")
        page.click("#attach")
        page.wait_for_selector("[data-secret]")
        assert page.locator("[data-secret]").inner_text().startswith("siagadev_")
        dmk = "tr[data-device-unit='DMK-SIAK-01']"
        page.wait_for_selector(f"{dmk} [data-alert='device_never_seen']")
        time.sleep(1.1)
        fresh = {"_type": "location", "lat": 0.79, "lon": 102.05, "tst": int(datetime.now(UTC).timestamp())}
        publish(mosquitto_broker.host, mosquitto_broker.port, {"owntracks/dmk-siak-01/phone": fresh})
        page.wait_for_function(
            f'() => {{ const r = document.querySelector("{dmk}");'
            " return r && !r.classList.contains('alerting'); }",
            timeout=15_000,
        )
        assert "owntracks" in page.locator(dmk).inner_text()

        # --- its set-up sheet downloads with the QR code --------------------------------------------
        with page.expect_download() as download:
            page.click(f"{dmk} button[data-sheet='dmk-siak-01']")
        saved = tmp_path / "sheet.html"
        download.value.save_as(saved)
        sheet = saved.read_text(encoding="utf-8")
        assert "<svg" in sheet
        assert "owntracks:///config?inline=" in sheet

        # --- and it is removed ----------------------------------------------------------------------
        page.click(f"{dmk} button[data-remove='DMK-SIAK-01']")
        page.wait_for_selector(dmk, state="detached", timeout=10_000)
        page.click("#lang")
        page.wait_for_function(
            "() => document.querySelector('#dev-alert-count').innerText === '1 devices need a look'"
        )
        assert "Silent for 20 min" in page.locator(amb).inner_text()
        shot(page, "devices-en")
        assert watch.csp(page) == []
        browser.close()
    assert watch.errors == []
    assert watch.outside == []


def test_the_console_warns_of_silent_phones(console, mosquitto_broker):
    """A dispatcher's console shows "1 perangkat perlu dicek" in its header, linking to the device page."""
    with console.sessions.begin() as session:
        device_repo.enrol_device(
            session, unit_id="AMB-SIAK-01", device_id="amb-siak-01/phone", at=datetime.now(UTC), by="test"
        )
    watch = Watch(console)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = watch.page(browser)
        page.goto(console.url)
        page.wait_for_selector("#device-alerts:not([hidden])", timeout=15_000)
        assert page.locator("#device-alerts").inner_text() == "1 perangkat perlu dicek"
        assert page.get_attribute("#device-alerts", "title") == "AMB-SIAK-01"
        page.click("#lang")
        page.wait_for_function(
            "() => document.querySelector('#device-alerts').innerText === '1 devices need a look'"
        )
        page.click("#device-alerts")
        page.wait_for_selector("tr[data-device-unit='AMB-SIAK-01'] [data-alert='device_never_seen']")
        browser.close()
    assert watch.errors == []
    assert watch.outside == []
