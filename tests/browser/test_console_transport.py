"""Transporting a patient, through the console only (issue 11 §2): the facilities layer shows the
hospitals (the approximate ones say so); an ambulance is assigned and moved en route → on scene; its
"Mengantar pasien" button opens the hospital chooser, nearest first with minutes; choosing RSUD Tengku
Rafian shows "→ RSUD Tengku Rafian, ~N mnt" on the unit's row and in the timeline; the line stays at the
hospital and goes when the unit is available again.

The ambulance's phone (MQTT positions) stands in for the field; every dispatcher action is a click.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.console_server import CHROMIUM, CHROMIUM_ARGS, RunningConsole, pair_device
from tests.browser.console_steps import SHOTS, Watch, choose_place, publish, shot


@pytest.fixture
def console(pg_console: RunningConsole) -> RunningConsole:
    """The app on real PostGIS, the session's Mosquitto and an ingest worker (tests/browser/conftest.py)."""
    return pg_console


def _press(page, unit: str, status: str) -> None:
    page.click(f"#assigned [data-assigned='{unit}'] button[data-to='{status}']")
    page.wait_for_selector(
        f"#assigned [data-assigned='{unit}'] [data-unit-status-text='{status}']", timeout=10_000
    )


def test_transporting_asks_for_the_hospital_and_shows_the_eta(console, mosquitto_broker):
    SHOTS.mkdir(parents=True, exist_ok=True)
    pair_device(console.sessions, "AMB-SIAK-01", "amb-siak-01/phone")
    time.sleep(1.1)  # ingest re-reads device pairings on a miss, at most once a second
    now = int(datetime.now(UTC).timestamp())
    fix = {"_type": "location", "lat": 0.80, "lon": 102.04, "tst": now - 5}
    publish(mosquitto_broker.host, mosquitto_broker.port, {"owntracks/amb-siak-01/phone": fix})
    watch = Watch(console)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = watch.page(browser)
        page.goto(console.url)
        page.wait_for_selector("[data-unit='AMB-SIAK-01']", timeout=15_000)

        # --- the facilities layer: the hospitals, approximate ones dashed and labelled -----------------
        rafian = "[data-facility='rsud-tengku-rafian']"
        page.wait_for_selector(rafian, state="attached", timeout=15_000)
        assert page.get_attribute(rafian, "data-kind") == "hospital"
        assert page.get_attribute(rafian, "data-approximate") == "true"
        assert page.inner_text(rafian) == "H"
        assert page.locator("[data-facility='rsud-perawang']").count() == 1
        assert page.locator("[data-facility='damkar-siak'][data-kind='damkar_post']").count() == 1
        border = page.evaluate(f'getComputedStyle(document.querySelector("{rafian}")).borderTopStyle')
        assert border == "dashed"
        legend = page.locator(".legend").inner_text()
        assert "Fasilitas" in legend
        assert "Rumah sakit" in legend
        assert "perkiraan" in legend
        assert "Fasilitas (RS, puskesmas, pos)" in (
            page.locator(".leaflet-control-layers").text_content() or ""
        )
        page.dispatch_event(rafian, "mouseover")  # the ambulance marker lies on top at this zoom
        page.wait_for_selector(".leaflet-tooltip:has-text('RSUD Tengku Rafian')")
        assert "perkiraan" in page.locator(".leaflet-tooltip").last.inner_text()

        # --- a medical call, the nearest ambulance assigned -------------------------------------------
        choose_place(page, "kampung dalm", "Kampung Dalam")
        page.select_option("#type", "medical")
        page.select_option("#priority", "1")
        page.click("#create")
        page.wait_for_selector("#recommendation button[data-assign='AMB-SIAK-01']", timeout=15_000)
        page.click("#recommendation button[data-assign='AMB-SIAK-01']")
        page.wait_for_selector("#assigned [data-assigned='AMB-SIAK-01'] [data-unit-status-text='dispatched']")
        _press(page, "AMB-SIAK-01", "en_route")
        _press(page, "AMB-SIAK-01", "on_scene")

        # --- "Mengantar pasien": the chooser, nearest hospital first with its minutes ----------------
        button = page.locator("#assigned [data-assigned='AMB-SIAK-01'] button[data-to='transporting']")
        assert button.inner_text() == "Mengantar pasien"
        button.click()
        page.wait_for_selector(".hospital-chooser button[data-destination-choice]", timeout=10_000)
        chooser = page.locator(".hospital-chooser")
        choices = chooser.locator("button[data-destination-choice]")
        assert [choices.nth(i).get_attribute("data-destination-choice") for i in range(choices.count())] == [
            "rsud-tengku-rafian",
            "rsud-perawang",
        ]
        text = chooser.inner_text()
        assert "Antar pasien ke rumah sakit" in text
        assert re.search(r"RSUD Tengku Rafian ~\d+ mnt", text), text
        assert "(perkiraan)" in text
        shot(page, "console-transport-chooser")
        page.click(".hospital-chooser button[data-destination-choice='rsud-tengku-rafian']")
        row = "#assigned [data-assigned='AMB-SIAK-01']"
        page.wait_for_selector(f"{row} [data-unit-status-text='transporting']", timeout=10_000)
        page.wait_for_selector(
            f"{row} .destination-line[data-destination='rsud-tengku-rafian']", timeout=10_000
        )
        line = page.locator(f"{row} .destination-line").inner_text()
        assert re.fullmatch(r"→ RSUD Tengku Rafian, ~\d+ mnt \(perkiraan\)", line), line
        assert page.locator(".hospital-chooser").count() == 0
        page.wait_for_function(
            "() => document.querySelector('#timeline').innerText.includes('ke RSUD Tengku Rafian')",
            timeout=10_000,
        )
        shot(page, "console-transporting")
        # in English too
        page.click("#lang")
        page.wait_for_function(
            "() => /→ RSUD Tengku Rafian, ~\\d+ min/.test(document.querySelector('#assigned').innerText)"
        )
        assert "to RSUD Tengku Rafian" in page.locator("#timeline").inner_text()
        page.click("#lang")

        # --- at the hospital the destination stays; available again, it goes ----------------------
        _press(page, "AMB-SIAK-01", "at_hospital")
        page.wait_for_selector(f"{row} .destination-line", timeout=10_000)
        page.click(f"{row} button[data-to='available']")
        page.wait_for_selector("#assigned [data-assigned='AMB-SIAK-01'].released", timeout=10_000)
        assert page.locator("#assigned .destination-line").count() == 0
        page.wait_for_selector("[data-unit='AMB-SIAK-01'][data-status='available']", timeout=10_000)
        shot(page, "console-transport-done")
        assert watch.csp(page) == []
        browser.close()
    assert watch.errors == []
    assert watch.outside == []
