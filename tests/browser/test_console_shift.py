"""A shift through the console, as the people of the 112 centre work it (Chromium via Playwright).

The supervisor opens the shift; two dispatchers log in at their desks and each takes a call; both are
on duty in the shift and each incident's timeline names who created it. The supervisor closes the shift
with notes while both incidents are open: the handover page lists them with their state, and the notes.
The incoming supervisor opens the handover from the console and acknowledges it; the downloaded
handover opens from file:// with the network off, and the page reads in English after the toggle.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

from tests.browser.console_server import running_console
from tests.browser.console_steps import choose_place, incident_id_shown
from tests.browser.test_console_login import SHOTS, Browsing, browsing, log_in, seed_people  # noqa: F401
from tests.integration.api_fixtures import gazetteer  # noqa: F401


def take_call(page: Page, typed: str, place: str) -> int:
    choose_place(page, typed, place)
    page.select_option("#type", "medical")
    page.select_option("#priority", "1")
    page.click("#create")
    page.wait_for_selector("#incident-title:has-text('#')", timeout=15_000)
    return incident_id_shown(page)


def test_shift_two_dispatchers_handover_acknowledged(
    tmp_path,
    siak_grid,
    gazetteer,  # noqa: F811
    mosquitto_broker,
    browsing,  # noqa: F811
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with running_console(
        tmp_path, siak_grid, gazetteer, mosquitto_broker.host, mosquitto_broker.port, login=True
    ) as console:
        seed_people(console)
        pages = Browsing(browsing, console.url)
        sari = pages.page(accept_downloads=True)
        log_in(sari, console.url, "sari", desk="Meja S")
        sari.wait_for_selector("#shift-open")
        assert "Belum ada sif" in sari.inner_text("#shift-body")
        sari.click("#shift-open")
        sari.wait_for_selector("[data-shift]")

        siti, budi = pages.page(), pages.page()
        log_in(siti, console.url, "siti", desk="Meja 1")
        siti.wait_for_selector("#who:has-text('siti@Meja 1')")
        first = take_call(siti, "kampung dalm", "Kampung Dalam")
        log_in(budi, console.url, "budi", desk="Meja 2")
        budi.wait_for_selector("#who:has-text('budi@Meja 2')")
        second = take_call(budi, "mempura", "Kecamatan Mempura")
        assert not siti.locator("#shift-open").count(), "a dispatcher cannot open or close shifts"
        assert not siti.locator("#shift-close").count()
        # each incident's timeline names the person and desk that created it
        siti.wait_for_selector("#timeline:has-text('siti@Meja 1')")
        budi.wait_for_selector("#timeline:has-text('budi@Meja 2')")

        sari.wait_for_function(
            "() => ['siti@Meja 1', 'budi@Meja 2', 'sari@Meja S'].every("
            "(m) => (document.querySelector('#shift-members') || {}).textContent?.includes(m))",
            timeout=15_000,
        )
        sari.fill("#handover-notes", "Dua kejadian P1 masih berjalan; AMB-SIAK-01 perlu servis.")
        sari.click("#shift-close")
        sari.wait_for_selector(f"#ho-still-open [data-handover-incident='{first}']")
        still_open = sari.inner_text("#ho-still-open")
        assert f"#{second}" in still_open
        assert "(2)" in still_open
        assert "Medis" in still_open
        assert "baru" in still_open  # their state, in Bahasa Indonesia
        assert "siti@Meja 1" in still_open
        assert "budi@Meja 2" in still_open
        assert "AMB-SIAK-01 perlu servis" in sari.inner_text("#handover-notes")
        assert "Belum diterima" in sari.inner_text("#handover-ack")
        assert sari.locator("#acknowledge").is_hidden(), "the outgoing supervisor does not acknowledge"
        assert sari.locator(f"#ho-p1 [data-p1='{first}']").count() == 1
        sari.screenshot(path=str(SHOTS / "handover-page.png"), full_page=True)
        with sari.expect_download() as download:
            sari.click("#download")
        saved = tmp_path / "serah-terima.html"
        download.value.save_as(saved)

        rudi = pages.page()
        log_in(rudi, console.url, "rudi", desk="Meja S")
        rudi.wait_for_selector("#handover-link")
        assert "Belum diterima" in rudi.inner_text("#handover-state")
        rudi.click("#handover-link")
        rudi.wait_for_selector("#acknowledge", state="visible")
        rudi.click("#acknowledge")
        rudi.wait_for_selector("#handover-ack:has-text('rudi@Meja S')")
        assert rudi.locator("#acknowledge").is_hidden()
        rudi.click("#lang")
        rudi.wait_for_selector("#handover-title:has-text('Handover of shift')")
        assert "Incidents still open (2)" in rudi.inner_text("#ho-still-open")
        assert pages.errors == []
        assert pages.outside == []

    offline = browsing.new_context(offline=True).new_page()  # the network is off
    offline.goto(Path(saved).as_uri())
    text = offline.inner_text("body")
    assert f"#{first}" in text
    assert f"#{second}" in text
    assert "AMB-SIAK-01 perlu servis" in text
    assert offline.evaluate("document.scripts.length") == 0
