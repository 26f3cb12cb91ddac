"""The crew page on a phone (issue 13), in Debian's Chromium with a phone viewport, next to the console.

A dispatcher assigns the ambulance in the console → the crew page (logged in with the device's login
and secret, as the set-up sheet gives them) shows the call within its polling window → the crew taps
en route, on scene (its phone is still far away: the page asks for a confirmation and the console's
timeline flags it), transporting (the page asks for the hospital), at hospital, available → the console
follows each step. A second test loads the page over a slow 3G-like link (Chromium's network
throttling) and checks the assets come from the browser cache the second time.

The ambulance's phone positions come over MQTT (the OwnTracks app); every crew action is a tap on the
page. Screenshots (phone viewport) go to artifacts/screenshots/crew-*.png.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from dispatch_geo.storage import device_repo
from tests.browser.console_server import CHROMIUM, CHROMIUM_ARGS, RunningConsole, running_console
from tests.browser.console_steps import SHOTS, Watch, choose_place, publish, shot
from tests.integration.api_fixtures import gazetteer  # noqa: F401

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
AMB = "AMB-SIAK-01"
EXPECTED_401 = "Failed to load resource: the server responded with a status of 401 (Unauthorized)"
"""The one wrong secret this test types on purpose (the 409s of far arrivals are filtered by Watch)."""


@pytest.fixture
def console(tmp_path, siak_grid, gazetteer, mosquitto_broker):  # noqa: F811
    with running_console(tmp_path, siak_grid, gazetteer, mosquitto_broker.host, mosquitto_broker.port) as c:
        yield c


def enrol(console: RunningConsole) -> str:
    """The admin enrols the ambulance's phone; the secret is what its set-up sheet shows."""
    with console.sessions.begin() as session:
        _, secret = device_repo.enrol_device(
            session, unit_id=AMB, device_id="amb-siak-01/phone", at=datetime.now(UTC), by="test-admin"
        )
    return secret


def phone_page(browser: Browser, watch: Watch) -> Page:
    page = browser.new_context(**PHONE).new_page()
    page.on("console", lambda m: None if m.text == EXPECTED_401 else watch._console(m))
    page.on("pageerror", lambda e: watch.errors.append(str(e)))

    def guard(route):
        if route.request.url.startswith(watch.url):
            route.continue_()
        else:
            watch.outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    return page


def tap(crew: Page, status: str) -> None:
    crew.locator(f"#crew-buttons button[data-status='{status}']").tap()


def console_shows(page: Page, status: str) -> None:
    page.wait_for_selector(
        f"#assigned [data-assigned='{AMB}'] [data-unit-status-text='{status}']", timeout=10_000
    )


def sign_in(crew: Page, login: str, secret: str) -> None:
    crew.fill("#login", login)
    crew.fill("#secret", secret)
    crew.locator("#login-submit").tap()


def test_the_crew_follows_its_assignment_on_the_phone(console, mosquitto_broker):
    SHOTS.mkdir(parents=True, exist_ok=True)
    secret = enrol(console)
    time.sleep(1.1)  # ingest re-reads device pairings on a miss, at most once a second
    now = int(datetime.now(UTC).timestamp())
    fix = {"_type": "location", "lat": 0.79, "lon": 102.02, "tst": now - 30}
    publish(mosquitto_broker.host, mosquitto_broker.port, {"owntracks/amb-siak-01/phone": fix})
    watch = Watch(console)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        crew = phone_page(browser, watch)
        crew.goto(console.url + "crew")
        # a wrong secret is refused with a clear message, nothing is stored
        sign_in(crew, "amb-siak-01", "siagadev_wrong")
        crew.wait_for_selector("#crew-errors .message.error")
        assert "Token tidak valid" in crew.locator("#crew-errors").inner_text()
        assert crew.evaluate("localStorage.getItem('siaga.crew.secret')") is None
        sign_in(crew, "amb-siak-01", secret)
        crew.wait_for_selector("[data-crew-idle]")
        assert crew.locator("#crew-unit").inner_text() == AMB
        assert "Tidak ada penugasan" in crew.locator("#crew-assignment").inner_text()
        assert crew.locator("#crew-state [data-crew-status]").inner_text() == "Siaga"
        shot(crew, "crew-idle")

        # --- the dispatcher assigns the ambulance in the console ----------------------------------
        page = watch.page(browser)
        page.goto(console.url)
        page.wait_for_selector(f"[data-unit='{AMB}']", timeout=15_000)
        choose_place(page, "kampung dalm", "Kampung Dalam")
        page.select_option("#type", "medical")
        page.select_option("#priority", "1")
        page.fill("#landmark", "Depan masjid raya")
        page.fill("#phone", "081234567890")
        page.click("#create")
        page.wait_for_selector(f"#recommendation button[data-assign='{AMB}']", timeout=15_000)
        page.click(f"#recommendation button[data-assign='{AMB}']")
        console_shows(page, "dispatched")

        # --- the crew page shows it within its polling window -------------------------------------
        crew.wait_for_selector("[data-crew-incident]", timeout=5_000)
        card = crew.locator("#crew-assignment").inner_text()
        assert "Medis · P1 Gawat darurat" in card
        assert "Depan masjid raya" in card
        assert "Kampung Dalam" in card
        assert crew.locator("[data-crew-callback]").get_attribute("href") == "tel:081234567890"
        assert crew.locator("[data-crew-eta]").inner_text().endswith("km")
        assert crew.locator("#crew-map [data-crew-target]").count() == 1
        assert crew.get_attribute("[data-crew-nav='geo']", "href").startswith("geo:0.")
        assert "google.com/maps/dir" in crew.get_attribute("[data-crew-nav='google']", "href")
        assert crew.locator("[data-crew-nav='geo']").inner_text() == "Navigasi"
        assert crew.locator("#crew-buttons button").all_inner_texts() == ["Menuju lokasi", "Siaga"]
        shot(crew, "crew-assigned")

        # --- en route; on scene while the phone is still far away: confirm, flagged ----------------
        tap(crew, "en_route")
        console_shows(page, "en_route")
        crew.wait_for_selector("#crew-state [data-crew-status='en_route']")
        tap(crew, "on_scene")
        crew.wait_for_selector("#crew-confirm:not([hidden]) button[data-confirm-far]")
        assert "Yakin sudah \u201cDi lokasi\u201d" in crew.locator("#crew-confirm").inner_text()
        shot(crew, "crew-confirm-far")
        crew.locator("#crew-confirm button[data-confirm-far]").tap()
        console_shows(page, "on_scene")
        page.wait_for_selector("#timeline li[data-kind='arrival_far']", timeout=10_000)
        assert (
            "melapor \u201cDi lokasi\u201d"
            in page.locator("#timeline li[data-kind='arrival_far']").inner_text()
        )

        # --- transporting asks for the hospital -------------------------------------------------------
        tap(crew, "transporting")
        crew.wait_for_selector("#crew-hospitals button[data-hospital='rsud-tengku-rafian']")
        assert "Antar pasien ke rumah sakit" in crew.locator("#crew-hospitals").inner_text()
        shot(crew, "crew-hospitals")
        crew.locator("#crew-hospitals button[data-hospital='rsud-tengku-rafian']").tap()
        console_shows(page, "transporting")
        page.wait_for_selector(
            f"#assigned [data-assigned='{AMB}'] .destination-line[data-destination='rsud-tengku-rafian']"
        )
        crew.wait_for_selector("[data-crew-target='facility:rsud-tengku-rafian']")
        assert "Ke RSUD Tengku Rafian" in crew.locator("#crew-assignment").inner_text()

        # --- at the hospital (the phone has sent nothing since: confirmed again) ---------------------
        tap(crew, "at_hospital")
        crew.locator("#crew-confirm:not([hidden]) button[data-confirm-far]").tap()
        console_shows(page, "at_hospital")
        assert crew.locator("#crew-confirm").is_hidden()

        # --- available again: the assignment is gone from the phone and released in the console ------
        tap(crew, "available")
        page.wait_for_selector(f"#assigned [data-assigned='{AMB}'].released", timeout=10_000)
        crew.wait_for_selector("[data-crew-idle]")

        # --- English on the phone ----------------------------------------------------------------------
        crew.locator("#lang").tap()
        crew.wait_for_function(
            "() => document.querySelector('#crew-assignment').innerText.includes('No assignment')"
        )
        assert crew.locator("#crew-state [data-crew-status]").inner_text() == "Available"
        shot(crew, "crew-done-en")
        assert watch.csp(crew) == []
        browser.close()
    assert watch.errors == []
    assert watch.outside == []


SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 50_000, "uploadThroughput": 50_000}
"""Chromium's throttling: 400 ms round trip, 400 kbit/s each way (a weak 3G cell in a plantation)."""


def _transfers(page: Page) -> dict[str, int]:
    """Bytes that crossed the network per resource of the page's last load (0: from the cache)."""
    return dict(
        page.evaluate(
            "() => Object.fromEntries(performance.getEntriesByType('resource')"
            ".map((e) => [new URL(e.name).pathname, e.transferSize]))"
        )
    )


def test_the_crew_page_loads_on_a_slow_link_and_caches_its_assets(console):
    """No page.route here: Playwright's request interception turns the HTTP cache off."""
    outside: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(**PHONE)
        crew = context.new_page()
        crew.on("request", lambda r: None if r.url.startswith(console.url) else outside.append(r.url))
        crew.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        crew.on("pageerror", lambda e: errors.append(str(e)))
        cdp = context.new_cdp_session(crew)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        crew.goto(console.url + "crew", timeout=60_000)
        sign_in(crew, "", "demo-device-token")  # a unit-bound device token works too
        crew.wait_for_selector("[data-crew-idle]", timeout=30_000)
        assert crew.locator("#crew-unit").inner_text() == AMB
        first = _transfers(crew)
        assert first["/vendor/leaflet-1.9.4/leaflet.js"] > 10_000  # fetched over the slow link once
        assert sum(first.values()) < 300_000, first

        crew.reload(timeout=60_000)  # signed in still (the secret stays on the phone)
        crew.wait_for_selector("[data-crew-idle]", timeout=30_000)
        again = _transfers(crew)
        for asset in ("/vendor/leaflet-1.9.4/leaflet.js", "/static/js/crew.js", "/static/js/i18n.js"):
            assert again[asset] < 1_000, (asset, again[asset])  # from the cache, or a 304 revalidation
        browser.close()
    assert outside == []
    assert errors == []
