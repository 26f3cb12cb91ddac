"""Issue 11's whole calls through the console only, on real PostGIS + Mosquitto + ingest.

Every dispatcher step is a click or a keystroke in Chromium; the crews' phones only send GPS fixes
over MQTT (ingest → PostGIS → the 1 s refresh). A traffic accident typed by desa name: the pin shows
the desa, kecamatan and road distance; a map click far from any road warns; dragging re-resolves; the
place chosen again → create → ambulance and police → both en route → the incident marker dragged to
correct the location (the old place text goes, the timeline says from → to, units keep their
assignment) → a reload mid-call keeps the panel (and each refresh asks for the open incident once) →
on scene → the police car returning, then "Siaga" on the status board → the ambulance transporting to
the hospital chosen from the chooser → at hospital → closed with a reason and a note → found in
Riwayat by text, type and kecamatan → its replay opens, in Bahasa Indonesia. Then a fire: Damkar,
moved by choosing a new place, an ambulance and a police car added with "Tambah unit".

The 409 from a second browser context, the EN toggle and the P1 alarm are in test_console.py (same
PostGIS fixture). Screenshots: artifacts/screenshots/call-*.png, fire-*.png (git-ignored).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.browser.console_server import CHROMIUM, CHROMIUM_ARGS, RunningConsole
from tests.browser.console_steps import (
    ENGLISH_WORDS,
    SHOTS,
    Watch,
    choose_place,
    drag,
    incident_id_shown,
    map_point,
    phones_report,
    pin_point,
    set_status,
    shot,
)
from tests.integration.test_api_locate import farthest_desa_point

# words of the server's English messages (timeline summaries, requirement labels, exclusion reasons,
# notes, errors) that must not show anywhere a dispatcher reads in Bahasa Indonesia mode
SERVER_ENGLISH = (
    *ENGLISH_WORDS,
    "relocated",
    "released",
    "chosen",
    "requested",
    "note:",
    "incident ",
    "priority",
    "nearest road",
    "en_route",
    "on_scene",
    "at_hospital",
    "transporting",
    "hospital",
)
AMB, POL, DMK = "AMB-SIAK-01", "POL-SIAK-01", "DMK-SIAK-01"
READ = ("#incident-panel", "#incident-list", "#status-board", "#incident-form", "#history")


def no_english(page: Page, *selectors: str) -> None:
    for selector in selectors or READ:
        text = page.locator(selector).inner_text()
        for word in SERVER_ENGLISH:
            assert word not in text, f"English in the Indonesian {selector}: {word!r} in {text!r}"


@pytest.fixture
def console(pg_console: RunningConsole) -> RunningConsole:
    return pg_console


def test_a_traffic_accident_from_pin_to_riwayat_and_a_fire_with_added_units(
    console, mosquitto_broker, siak_grid, gazetteer
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    fixes = {AMB: (0.80, 102.04, 5), POL: (0.79, 102.03, 5), DMK: (0.80, 102.06, 5)}
    phones_report(console, mosquitto_broker, fixes)
    far_point, _, far_m = farthest_desa_point(siak_grid, gazetteer)
    assert far_m > 800, "the test graph has a desa far from any road"
    watch = Watch(console)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = watch.page(browser)
        page.goto(console.url)
        page.wait_for_selector("[data-unit='DMK-SIAK-01']", timeout=15_000)

        # --- the pin: a desa typed and chosen, checked before creating --------------------------------
        choose_place(page, "kampung dalm", "Kampung Dalam")
        pin_point(page)
        assert page.locator("#picked [data-pin-desa]").inner_text() == "Kampung Dalam"
        assert page.locator("#picked [data-pin-kecamatan]").inner_text() == "Siak"
        assert "m dari jalan terdekat" in page.locator("#picked [data-pin-road]").inner_text()
        assert page.locator("#picked [data-warning]").count() == 0
        assert "Kampung Dalam, Siak" in page.locator(".leaflet-tooltip").all_inner_texts()
        shot(page, "call-pin")
        # a click far from any road puts the pin there, with a visible warning
        page.mouse.click(*map_point(page, far_point.lon, far_point.lat, zoom=13))
        page.wait_for_selector("#picked [data-warning='far_from_road']")
        page.wait_for_selector(".pin.far[data-pin]")
        assert "Perhatian" in page.locator("#picked [data-warning='far_from_road']").inner_text()
        lon_before, _ = pin_point(page)
        assert lon_before == pytest.approx(far_point.lon, abs=0.001)
        shot(page, "call-pin-far")
        # dragging the pin re-resolves where it is
        drag(page, ".pin[data-pin]", 60, 0)
        page.wait_for_function(
            "() => { const p = document.querySelector('.pin[data-pin]'); "
            f"return p && +p.dataset.lon > {lon_before} "
            "&& document.querySelector('#picked [data-pin-place]'); }"
        )
        no_english(page)
        # the caller meant Kampung Dalam after all: the place chosen again moves the pin back
        page.fill("#place", "")
        choose_place(page, "kampung dal", "Kampung Dalam")
        page.wait_for_function(
            "() => { const d = document.querySelector('#picked [data-pin-desa]'); "
            "return d && d.textContent === 'Kampung Dalam'; }"
        )
        page.select_option("#type", "traffic_accident")
        page.select_option("#priority", "1")
        page.fill("#phone", "0812 1111 2222")
        page.fill("#landmark", "depan masjid raya")
        page.click("#create")
        page.wait_for_selector("#recommendation button[data-assign]", timeout=15_000)
        assert page.locator(".pin[data-pin]").count() == 0, "the pin goes with the reset form"
        incident_id = incident_id_shown(page)
        assert "Kampung Dalam" in page.locator("#incident-details").inner_text()
        shot(page, "call-recommendation")

        # --- ambulance and police ---------------------------------------------------------------------
        page.click("#recommendation button[data-assign='AMB-SIAK-01']")
        page.wait_for_selector("#assigned [data-assigned='AMB-SIAK-01']")
        page.click("#recommendation button[data-assign='POL-SIAK-01']")
        page.wait_for_selector("#assigned [data-assigned='POL-SIAK-01']")
        no_english(page)
        shot(page, "call-assigned")

        # --- statuses through the panel's buttons ----------------------------------------------------
        for unit in ("AMB-SIAK-01", "POL-SIAK-01"):
            set_status(page, unit, "en_route")
        shot(page, "call-en-route")

        correct_location(page, incident_id)
        reload_mid_call(page, incident_id)
        to_hospital_and_close(page)
        riwayat_and_replay(page, incident_id)
        fire_with_added_units(page)
        violations = watch.csp(page)
        browser.close()
    assert not violations, violations
    assert not watch.errors, watch.errors
    assert not watch.outside, f"the console tried to reach the internet: {watch.outside[:3]}"


def correct_location(page: Page, incident_id: int) -> None:
    """The incident marker dragged: moved, the old place text gone, from → to in the timeline."""
    marker = f"[data-incident-marker='{incident_id}']"
    assert "Kampung Dalam (desa)" in page.locator("#incident-details").inner_text()
    before = page.evaluate("() => window.siagaConsole.store.get().incident.location")
    page.click("#relocate")
    page.wait_for_selector(f".relocating {marker}")
    shot(page, "call-relocating")
    drag(page, marker, 50, 30)
    page.wait_for_selector("#timeline li[data-kind='relocated']", timeout=10_000)
    after = page.evaluate("() => window.siagaConsole.store.get().incident.location")
    assert (after["lon"], after["lat"]) != (before["lon"], before["lat"])
    moved = page.locator("#timeline li[data-kind='relocated']").inner_text()
    assert re.search(r"Lokasi dipindah [\d.]+ m: Kampung Dalam → \S", moved), moved
    details = page.locator("#incident-details").inner_text()
    assert "Kampung Dalam (desa)" not in details, "the old place text no longer says where the incident is"
    assert "depan masjid raya" in details, "the caller's landmark stays"
    assert page.locator("#relocate").is_visible(), "the move is done: the button is back"
    for unit in (AMB, POL):  # units en route keep their assignment
        assert page.locator(f"#assigned [data-assigned='{unit}']:not(.released)").count() == 1
        assert page.get_attribute(f"[data-unit='{unit}']", "data-status") == "en_route"
    no_english(page)
    page.locator("#timeline li[data-kind='relocated']").scroll_into_view_if_needed()
    shot(page, "call-relocated")


def reload_mid_call(page: Page, incident_id: int) -> None:
    """A reload keeps the open panel; each refresh then asks for the open incident once (in the live feed)."""
    page.reload()
    page.wait_for_selector(
        f"#assigned [data-assigned='{AMB}'] [data-unit-status-text='en_route']",
        timeout=15_000,
    )
    assert f"#{incident_id}" in page.locator("#incident-title").inner_text()
    assert page.locator("#timeline li[data-kind='relocated']").count() == 1
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.wait_for_timeout(2_500)  # two or three refreshes
    alone = [u for u in asked if u.endswith(f"/api/v1/incidents/{incident_id}")]
    # the live feed carries the open incidents
    listed = [u for u in asked if u.split("?")[0].endswith("/api/v1/live")]
    assert len(listed) >= 2, asked
    assert alone == [], "the open incident comes with the list of open ones, not asked for again"
    shot(page, "call-reload")


def to_hospital_and_close(page: Page) -> None:
    """On scene; the police car back at its post; the ambulance to hospital; closed with a note."""
    for unit in (AMB, POL):
        set_status(page, unit, "on_scene")
    page.wait_for_selector("#incident-title [data-incident-status='on_scene']", timeout=10_000)
    shot(page, "call-on-scene")
    page.click(f"#assigned button[data-unit-status='{POL}'][data-to='returning']")
    page.wait_for_selector(f"#assigned [data-assigned='{POL}'].released")
    page.wait_for_selector(f"[data-unit='{POL}'][data-status='returning']", timeout=10_000)
    shot(page, "call-police-returning")
    back_at_post(page, POL)
    shot(page, "call-police-available")
    page.locator("#incident-panel").scroll_into_view_if_needed()

    # the ambulance takes the patient: the hospital chosen from the chooser, nearest first
    row = f"#assigned [data-assigned='{AMB}']"
    page.click(f"{row} button[data-to='transporting']")
    choice = page.locator(".hospital-chooser button[data-destination-choice]").first
    choice.wait_for(timeout=10_000)
    hospital = choice.get_attribute("data-destination-choice")
    chooser = page.locator(".hospital-chooser").inner_text()
    assert re.search(r"~\d+ mnt", chooser), chooser
    shot(page, "call-hospital-chooser")
    choice.click()
    page.wait_for_selector(f"{row} [data-unit-status-text='transporting']", timeout=10_000)
    page.wait_for_selector(f"{row} .destination-line[data-destination='{hospital}']", timeout=10_000)
    line = page.locator(f"{row} .destination-line").inner_text()
    assert re.fullmatch(r"→ .+, ~\d+ mnt( \(perkiraan\))?", line), line
    shot(page, "call-transporting")
    set_status(page, AMB, "at_hospital")
    no_english(page)
    shot(page, "call-at-hospital")

    page.click("#incident-actions summary")
    page.select_option("#finish-reason", "transported")
    page.fill("#finish-note", "korban dibawa ke RSUD, keluarga sudah dihubungi")
    page.click("#incident-actions button[data-finish='close']")
    page.wait_for_selector("#incident-title [data-incident-status='closed']")
    timeline = page.locator("#timeline").inner_text()
    note = "korban dibawa ke RSUD, keluarga sudah dihubungi"
    assert f"→ selesai (Pasien dibawa ke RS/puskesmas) — {note}" in timeline
    assert "Lokasi dipindah" in timeline
    assert page.locator("#relocate").count() == 0, "a closed incident is not moved"
    no_english(page)
    shot(page, "call-closed")
    back_at_post(page, AMB)


def back_at_post(page: Page, unit: str) -> None:
    """The crew reports back on the radio: "Siaga" on the status board."""
    back = f"#status-board button[data-board-status='{unit}'][data-to='available']"
    page.locator(back).scroll_into_view_if_needed()
    page.click(back)
    page.wait_for_selector(f"[data-unit='{unit}'][data-status='available']", timeout=10_000)
    page.wait_for_selector(back, state="detached")


def riwayat_and_replay(page: Page, incident_id: int) -> None:
    """The closed call found in Riwayat (type, kecamatan, text), opened again, its replay played."""
    kecamatan = page.evaluate("() => window.siagaConsole.store.get().incident.kecamatan.nama")
    page.click("#incident-close")
    page.click("#history summary")
    found = f"#history-list button[data-history='{incident_id}']"
    none = "#history-list [data-history-none]"
    search = "#history-form button[type='submit']"
    page.fill("#history-q", "masjid")
    page.select_option("#history-type", "fire")  # the filters filter: not a fire
    page.click(search)
    page.wait_for_selector(none)
    assert "Tidak ada kejadian" in page.locator("#history-list").inner_text()
    page.select_option("#history-type", "traffic_accident")
    page.select_option("#history-kecamatan", label=kecamatan)
    page.click(search)
    page.wait_for_selector(found)
    other = next(k for k in page.locator("#history-kecamatan option").all_inner_texts()[1:] if k != kecamatan)
    page.select_option("#history-kecamatan", label=other)  # nor in another kecamatan
    page.click(search)
    page.wait_for_selector(none)
    page.select_option("#history-kecamatan", label=kecamatan)
    page.click(search)
    page.wait_for_selector(found)
    assert page.locator("#history-list button[data-history]").count() == 1
    shot(page, "call-riwayat")
    page.click(found)
    page.wait_for_selector("#incident-title [data-incident-status='closed']")
    assert f"#{incident_id}" in page.locator("#incident-title").inner_text()
    with page.context.expect_page() as opened:
        page.click(f"#history-list a[href='/replay/{incident_id}']")
    replay = opened.value
    errors: list[str] = []
    replay.on("pageerror", lambda error: errors.append(str(error)))
    replay.wait_for_function("() => window.replayReady === true", timeout=15_000)
    events = replay.locator("#events").inner_text()
    assert replay.locator("#events div").count() >= 8, events
    assert "Lokasi dipindah" in events, events
    assert "Di rumah sakit" in events, events
    for word in SERVER_ENGLISH:
        assert word not in events, f"English in the Indonesian replay: {word!r} in {events!r}"
    assert replay.evaluate("() => window.replayPoints") >= 2
    shot(replay, "call-replay")
    replay.close()
    assert errors == [], errors


def fire_with_added_units(page: Page) -> None:
    """A fire: Damkar, moved by choosing a new place, then an ambulance and the police added."""
    choose_place(page, "kampung dal", "Kampung Dalam")
    page.select_option("#type", "fire")
    page.click("#create")
    page.wait_for_function(
        "() => document.querySelector('#incident-title').textContent.includes('Kebakaran')"
    )
    page.wait_for_selector(f"#recommendation button[data-assign='{DMK}']", timeout=15_000)
    page.click(f"#recommendation button[data-assign='{DMK}']")
    page.wait_for_selector(f"#assigned [data-assigned='{DMK}']")
    # the caller meant the next village: moved by choosing a new place
    page.click("#relocate")
    page.locator("#relocate-place").press_sequentially("kampung remp")
    page.wait_for_selector("#relocate-list option[value='Kampung Rempak']", state="attached")
    page.fill("#relocate-place", "Kampung Rempak")
    page.wait_for_function(
        "() => document.querySelector('#timeline').textContent.includes('Kampung Dalam → Kampung Rempak')",
        timeout=10_000,
    )
    details = page.locator("#incident-details").inner_text()
    assert "Kampung Rempak (desa)" in details, details
    assert "Kampung Dalam" not in details, details
    page.wait_for_selector(f"#assigned [data-assigned='{DMK}']:not(.released)")
    for unit_type, unit in (("ambulance", AMB), ("police_car", POL)):
        page.select_option("#add-unit-type", unit_type)
        page.click("#add-unit")
        page.wait_for_selector(f"#recommendation button[data-assign='{unit}']", timeout=10_000)
        page.click(f"#recommendation button[data-assign='{unit}']")
        page.wait_for_selector(f"#assigned [data-assigned='{unit}']")
    no_english(page)
    shot(page, "fire-added-units")
