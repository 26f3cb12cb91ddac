"""The dispatcher console in a real browser (Debian's Chromium via Playwright) against the running app.

Whole calls through the console only, as a dispatcher works: the regency fits the map; a traffic
accident typed by desa name and chosen from the list; the form resets; the incident panel opens with
a ranking per needed unit type; assign; the marker moves after an MQTT fix; the EN toggle re-renders
the open panel; a reload keeps it; a colleague in a second browser takes a unit first and the 409
stays on screen through the refresh while the offer is re-ranked; a colleague's incident opens from
the list; an unattended P1 is highlighted after 60 s; cancel and close with a reason; the replay.

The crews' phones (MQTT positions, status changes) stand in for the field; everything a dispatcher
does goes through the page. Screenshots go to artifacts/screenshots/. No request may leave
127.0.0.1, no console error, no CSP violation.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import sync_playwright

from siaga.settings import Settings
from tests.browser.console_server import CHROMIUM, CHROMIUM_ARGS, RunningConsole
from tests.browser.console_steps import (
    ENGLISH_WORDS,
    SHOTS,
    Watch,
    choose_place,
    open_panel_text,
    phones_report,
    pin_point,
    publish,
    set_status,
    shot,
)


@pytest.fixture
def console(pg_console: RunningConsole) -> RunningConsole:
    """The app on real PostGIS, the session's Mosquitto and an ingest worker (tests/browser/conftest.py)."""
    return pg_console


def test_whole_calls_through_the_console(console, mosquitto_broker):
    SHOTS.mkdir(parents=True, exist_ok=True)
    now = phones_report(
        console,
        mosquitto_broker,
        {
            "AMB-SIAK-01": (0.80, 102.04, 90),
            "POL-SIAK-01": (0.79, 102.03, 8),
            "POL-SIAK-02": (0.81, 102.09, 7),
            "DMK-SIAK-01": (0.80, 102.06, 6),
        },
    )
    boundaries = json.loads(Settings().boundaries_path.read_text(encoding="utf-8"))
    west = min(
        lon
        for f in boundaries["features"]
        if f["properties"]["level"] == "kecamatan"
        for ring in (
            f["geometry"]["coordinates"]
            if f["geometry"]["type"] == "Polygon"
            else [r for poly in f["geometry"]["coordinates"] for r in poly]
        )
        for lon, _lat in ring
    )
    watch = Watch(console)
    violations: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = watch.page(browser, clock=True)
        page.goto(console.url)
        page.wait_for_selector("[data-unit='POL-SIAK-02']", timeout=15_000)
        assert "SKEMATIK" in page.locator("#schematic-banner").inner_text()
        # the whole regency on start: the westernmost kecamatan is inside the view
        page.wait_for_function(f"() => window.siagaConsole.map.getBounds().getWest() <= {west}")
        shot(page, "console-start")

        # --- a traffic accident, typed by desa name and chosen from the list ---------------------------
        types = page.locator("#type option").all_inner_texts()
        assert "Karhutla (kebakaran hutan/lahan)" in types, types  # forest_fire is offered
        assert page.locator("#priority option").all_inner_texts() == [
            "P1 Gawat darurat",
            "P2 Darurat",
            "P3 Tidak darurat",
        ]
        choose_place(page, "kampung dalm", "Kampung Dalam")
        page.select_option("#type", "traffic_accident")  # needs an ambulance and a police unit
        page.select_option("#priority", "1")
        page.fill("#phone", "0812 7654 3210")
        page.fill("#notes", "Motor dan truk, satu orang terjepit")
        shot(page, "console-intake")
        page.click("#create")
        page.wait_for_selector("#recommendation button[data-assign]", timeout=15_000)
        # the form is ready for the next call
        assert page.input_value("#place") == ""
        assert page.input_value("#phone") == ""
        assert page.input_value("#notes") == ""
        assert page.input_value("#type") == "medical"
        assert page.input_value("#priority") == "2"
        # the panel: the incident, one ranking per needed type, what is still needed, zoomed to it
        title = page.locator("#incident-title").inner_text()
        incident_id = int(title.split("#")[1].split()[0])
        assert "Kecelakaan lalu lintas" in title
        assert "P1" in title
        assert page.locator("#recommendation h3").all_inner_texts() == [
            "1 × Ambulans",
            "1 × Mobil polisi atau Motor polisi",
        ]
        assert "Kampung Dalam" in page.locator("#incident-details").inner_text()
        assert "mnt" in page.locator("#recommendation").inner_text()
        assert page.evaluate("() => window.siagaConsole.map.getZoom()") >= 13
        marker = f"[data-incident-marker='{incident_id}']"
        assert page.get_attribute(marker, "data-priority") == "1"
        assert page.inner_text(marker) == "P1"
        # priority and unit status never share a colour
        p1 = page.evaluate(f'getComputedStyle(document.querySelector("{marker}")).backgroundColor')
        on_scene = page.evaluate(
            "getComputedStyle(document.querySelector('.legend i.status-on_scene')).backgroundColor"
        )
        assert p1 != on_scene
        shot(page, "console-recommendation")

        # --- assign the ambulance -------------------------------------------------------------------------
        assert page.evaluate("() => document.activeElement.dataset.assign") == "AMB-SIAK-01"
        page.click("#recommendation button[data-assign='AMB-SIAK-01']")
        page.wait_for_selector("#assigned [data-assigned='AMB-SIAK-01'] [data-unit-status-text='dispatched']")
        page.wait_for_selector("[data-unit='AMB-SIAK-01'][data-status='dispatched']", timeout=10_000)
        page.wait_for_function("() => document.querySelectorAll('#recommendation h3').length === 1")
        assert "Ditugaskan" in page.locator("#assigned").inner_text()
        text = open_panel_text(page)
        for word in ENGLISH_WORDS:
            assert word not in text, f"English in the Indonesian panel: {word!r} in {text!r}"
        shot(page, "console-assigned")

        # the phone reports a new position: the marker moves without a reload
        publish(
            mosquitto_broker.host,
            mosquitto_broker.port,
            {"owntracks/amb-siak-01/phone": {"_type": "location", "lat": 0.795, "lon": 102.05, "tst": now}},
        )
        page.wait_for_function(
            "() => { const m = document.querySelector(\"[data-unit='AMB-SIAK-01']\"); "
            "return m && m.dataset.lon === '102.05'; }",
            timeout=10_000,
        )

        # --- EN toggle re-renders the open panel, recommendation included ---------------------------------
        page.click("#lang")
        assert page.locator("#new-incident").inner_text() == "New incident"
        assert page.locator("#recommendation h3").all_inner_texts() == ["1 × Police car or Police motorbike"]
        assert "Dispatched" in page.locator("#assigned").inner_text()
        assert "Traffic accident" in page.locator("#incident-title").inner_text()
        assert "AMB-SIAK-01 assigned" in page.locator("#timeline").inner_text()
        shot(page, "console-panel-en")
        page.click("#lang")
        assert page.locator("#recommendation h3").all_inner_texts() == ["1 × Mobil polisi atau Motor polisi"]

        # --- a reload keeps the open incident -------------------------------------------------------------
        page.reload()
        page.wait_for_selector("#recommendation button[data-assign]", timeout=15_000)
        assert f"#{incident_id}" in page.locator("#incident-title").inner_text()
        assert "AMB-SIAK-01" in page.locator("#assigned").inner_text()
        assert page.locator("#timeline li").count() >= 4
        shot(page, "console-reload")
        offered_first = page.get_attribute("#recommendation button[data-assign]", "data-assign")
        assert offered_first == "POL-SIAK-01", "the nearer police car"

        # --- a colleague takes POL-SIAK-01 for another call first ----------------------------------------
        colleague = watch.page(browser)
        colleague.goto(console.url)
        colleague.wait_for_selector("[data-unit='POL-SIAK-01']", timeout=15_000)
        choose_place(colleague, "kampung dal", "Kampung Dalam")
        colleague.select_option("#type", "crime")
        colleague.click("#create")
        colleague.wait_for_selector("#recommendation button[data-assign='POL-SIAK-01']", timeout=15_000)
        colleague.click("#recommendation button[data-assign='POL-SIAK-01']")
        colleague.wait_for_selector("#assigned [data-assigned='POL-SIAK-01']")
        colleague_id = int(colleague.locator("#incident-title").inner_text().split("#")[1].split()[0])
        shot(colleague, "console-colleague")
        violations += watch.csp(colleague)
        colleague.context.close()

        page.click("#recommendation button[data-assign='POL-SIAK-01']")  # the offer on screen is stale
        message = page.locator("#incident-errors .message")
        message.wait_for()
        assert "POL-SIAK-01 sudah ditugaskan" in message.inner_text()
        page.wait_for_function(
            "() => { const b = document.querySelector('#recommendation button[data-assign]'); "
            "return b && b.dataset.assign === 'POL-SIAK-02'; }"
        )
        assert page.locator("#recommendation [data-offer='POL-SIAK-01']").count() == 0
        # the refresh runs every second; the message stays until the dispatcher acts
        page.wait_for_timeout(2500)
        assert message.is_visible()
        assert "POL-SIAK-01 sudah ditugaskan" in message.inner_text()
        shot(page, "console-409")
        page.click("#incident-errors button[data-dismiss]")
        assert page.locator("#incident-errors .message").count() == 0
        page.click("#recommendation button[data-assign='POL-SIAK-02']")
        page.wait_for_selector("#assigned [data-assigned='POL-SIAK-02']")
        assert "Semua kebutuhan unit terpenuhi" in page.locator("#incident-details").inner_text()
        page.wait_for_function("() => !document.querySelector('#recommendation h3')")  # nothing left to rank
        # a fuel tanker was hit: the dispatcher adds a fire engine to the accident
        page.select_option("#add-unit-type", "fire_engine")
        page.click("#add-unit")
        page.wait_for_selector("#recommendation button[data-assign='DMK-SIAK-01']")
        assert page.locator("#recommendation h3").all_inner_texts() == ["1 × Mobil pemadam"]
        page.click("#recommendation button[data-assign='DMK-SIAK-01']")
        page.wait_for_selector("#assigned [data-assigned='DMK-SIAK-01']")
        shot(page, "console-added-unit")

        # --- the colleague's incident opens in the same panel from the list -------------------------------
        page.click(f"#incident-list button[data-incident='{colleague_id}']")
        page.wait_for_function(
            f"() => document.querySelector('#incident-title').textContent.includes('#{colleague_id}')"
        )
        page.wait_for_selector("#assigned [data-assigned='POL-SIAK-01']")
        assert "Kriminal" in page.locator("#incident-title").inner_text()
        assert page.get_attribute("#timeline a", "href") == f"/replay/{colleague_id}"
        shot(page, "console-colleague-incident")

        # --- a P1 nobody has sent a unit to: highlighted after 60 s ---------------------------------------
        point = page.evaluate(
            "() => { const m = window.siagaConsole.map; m.setView([0.79, 102.06], 13, { animate: false }); "
            "const p = m.latLngToContainerPoint([0.785, 102.07]); return [p.x, p.y]; }"
        )
        box = page.locator("#map").bounding_box()
        page.mouse.click(box["x"] + point[0], box["y"] + point[1])
        lon, lat = pin_point(page)
        assert (lat, lon) == (pytest.approx(0.785, abs=0.002), pytest.approx(102.07, abs=0.002))
        page.select_option("#type", "medical")
        page.select_option("#priority", "1")
        page.click("#create")
        page.wait_for_function(
            "() => { const h = document.querySelector('#incident-title').textContent; "
            f"return h.includes('Medis') && !h.includes('#{colleague_id}'); }}"
        )
        page.wait_for_selector("#recommendation h3", timeout=15_000)
        assert "Tidak ada unit" in page.locator("#recommendation").inner_text(), "the only ambulance is busy"
        waiting_id = int(page.locator("#incident-title").inner_text().split("#")[1].split()[0])
        row = f"#incident-list button[data-incident='{waiting_id}']"
        assert page.get_attribute(row, "data-overdue") == "false"
        page.clock.fast_forward("01:05")
        page.wait_for_selector(f"{row}[data-overdue='true']")
        page.wait_for_selector(f"[data-incident-marker='{waiting_id}'][data-overdue='true']")
        assert "overdue" in (page.get_attribute(row, "class") or "")
        assert (
            page.get_attribute(f"#incident-list button[data-incident='{incident_id}']", "data-overdue")
            == "false"
        )
        shot(page, "console-p1-alarm")
        # a duplicate of the first call: cancelled with a reason and a note
        page.click("#incident-actions summary")
        page.select_option("#finish-reason", "duplicate")
        page.fill("#finish-note", f"sama dengan kejadian #{incident_id}")
        page.click("#incident-actions button[data-finish='cancel']")
        page.wait_for_selector("#incident-title [data-incident-status='cancelled']")
        page.wait_for_selector(f"#incident-list button[data-incident='{waiting_id}']", state="detached")

        # --- the crews arrive; the first incident is closed with a reason, then replayed ------------------
        page.click(f"#incident-list button[data-incident='{incident_id}']")
        page.wait_for_selector("#assigned [data-assigned='AMB-SIAK-01'] [data-unit-status-text='dispatched']")
        for unit in ("AMB-SIAK-01", "POL-SIAK-02"):  # the crews report on the radio, the dispatcher clicks
            for status in ("en_route", "on_scene"):
                set_status(page, unit, status)
        page.wait_for_selector("#incident-title [data-incident-status='on_scene']", timeout=10_000)
        page.click("#incident-actions summary")
        page.select_option("#finish-reason", "resolved")
        page.fill("#finish-note", "korban dibawa ke RSUD")
        page.click("#incident-actions button[data-finish='close']")
        page.wait_for_selector("#incident-title [data-incident-status='closed']")
        assert "Kejadian: unit di lokasi → selesai" in page.locator("#timeline").inner_text()
        shot(page, "console-closed")
        # notes also after closing
        page.fill("#note-text", "keluarga korban sudah dihubungi")
        page.click("#add-note")
        page.wait_for_function(
            "() => document.querySelector('#timeline').textContent.includes('keluarga korban')"
        )
        # the closed call in Riwayat
        page.click("#incident-close")
        page.click("#history summary")
        page.fill("#history-q", "truk")
        page.click("#history-form button[type='submit']")
        page.click(f"#history-list button[data-history='{incident_id}']")
        page.wait_for_selector("#incident-title [data-incident-status='closed']")
        assert page.get_attribute(f"#history-list a[href='/replay/{incident_id}']", "target") == "_blank"
        shot(page, "console-history")
        violations += watch.csp(page)
        page.goto(f"{console.url}replay/{incident_id}")
        page.wait_for_function("() => window.replayReady === true", timeout=10_000)
        assert page.locator("#events div").count() >= 4, "created, recommended, assigned, statuses, closed"
        assert page.evaluate("() => window.replayPoints") >= 2
        lang = page.evaluate("() => localStorage.getItem('siaga.lang') || 'id'")
        header = {
            "id": ("Putar ulang kejadian", "Unduh peta laporan"),
            "en": ("Incident replay", "Download report map"),
        }
        assert page.locator("header strong").inner_text() == f"{header[lang][0]} #{incident_id}"
        assert page.locator("#download").inner_text() == header[lang][1]  # one language
        shot(page, "replay")
        violations += watch.csp(page)
        browser.close()
    assert not violations, violations
    assert not watch.errors, watch.errors
    assert not watch.outside, f"the console tried to reach the internet: {watch.outside[:3]}"
