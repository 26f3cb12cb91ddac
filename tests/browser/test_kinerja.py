"""The Kinerja page as a planner uses it (issue 12 §3): choose a period, read the figures per agency
and kecamatan, see the charts, switch to English, download the CSV; a period too long and a
dispatcher's token give clear messages. The incidents have known timelines
(tests/support/kpi_incidents.py; the figures are worked out in tests/integration/test_kpi.py)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, sync_playwright

from siaga.demo_history import seed_simulated_history
from tests.browser.console_server import CHROMIUM, CHROMIUM_ARGS, running_console
from tests.browser.console_steps import SHOTS, Watch, shot
from tests.integration.api_fixtures import gazetteer  # noqa: F401
from tests.support.kpi_incidents import add_known_incidents


@pytest.fixture
def console(tmp_path, siak_grid, gazetteer, mosquitto_broker):  # noqa: F811
    with running_console(tmp_path, siak_grid, gazetteer, mosquitto_broker.host, mosquitto_broker.port) as c:
        with c.sessions.begin() as session:
            add_known_incidents(session)
        yield c


def _show(page: Page, start: str, end: str) -> None:
    before = page.get_attribute("body", "data-ready")
    page.fill("#period-from", start)
    page.fill("#period-to", end)
    page.click("#period-show")
    page.wait_for_selector(f"body[data-ready]:not([data-ready='{before}'])", state="attached")


def test_planner_reads_the_kinerja_page(console) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    watch = Watch(console)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = watch.page(browser)
        page.goto(console.url)  # the dispatcher console links to the page
        page.click("#kinerja-link")
        page.wait_for_url("**/kinerja")
        page.wait_for_selector("body[data-ready]", state="attached")  # the demo planner token: last 4 weeks
        _show(page, "2026-11-01", "2026-11-30")

        amb = page.locator("#table-agency tr[data-agency='psc_119']")
        assert "PSC 119 (ambulans)" in amb.inner_text()
        assert amb.locator("td[data-incidents]").inner_text() == "6"
        travel = amb.locator("td[data-interval='en_route_to_on_scene']")
        assert travel.inner_text() == "6,5 / 15,0"  # median 390 s, P90 900 s
        assert amb.locator("td[data-interval='response']").inner_text() == "9,9 / 19,5"  # 592.5 s, 1170 s
        assert amb.locator("td[data-share]").inner_text() == "67 % (4/6)"
        fire = page.locator("#table-agency tr[data-agency='damkar']")
        assert fire.locator("td[data-share]").inner_text() == "100 % (1/1)"
        assert "Waktu respons ≤ 15,0 menit" in fire.inner_text()
        mempura = page.locator("#table-kecamatan tr[data-agency='psc_119'][data-kecamatan='14.08.02']")
        assert mempura.locator("td[data-interval='travel']").inner_text() == "6,0 / 15,0"
        assert page.locator("#simulated").is_hidden()  # no simulated incidents here
        for kind in ("response", "share", "weekly"):
            chart = page.locator(f"#chart-{kind}")
            assert chart.get_attribute("src").startswith("data:image/svg+xml")
            assert page.evaluate(f"document.getElementById('chart-{kind}').naturalWidth") > 0
        assert "Waktu respons per instansi" in page.inner_text("#charts")
        shot(page, "kinerja-id")

        page.click("#lang")
        assert "Response time" in page.inner_text("#table-agency")
        assert "Median response time per week" in page.inner_text("#charts")
        assert amb.locator("td[data-share]").inner_text() == "67 % (4/6)"
        shot(page, "kinerja-en")

        with page.expect_download() as download:
            page.click("#download-csv")
        rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
        row = next(r for r in rows if r["table"] == "agency" and r["agency"] == "psc_119")
        assert (row["travel_median_s"], row["travel_p90_s"]) == ("390.0", "900.0")
        with page.expect_download() as download:
            page.click("#download-xlsx")
        assert download.value.suggested_filename.endswith(".xlsx")

        page.click("#lang")
        _show(page, "2024-01-01", "2026-11-30")
        assert "Periode terlalu panjang: paling lama 400 hari." in page.inner_text("#kinerja-errors")

        page.fill("#token", "demo-dispatcher-token")
        page.dispatch_event("#token", "change")
        _show(page, "2026-11-01", "2026-11-30")
        assert "Peran Anda tidak boleh melakukan ini." in page.inner_text("#kinerja-errors")
        browser.close()
    unexpected = [e for e in watch.errors if "status of 422" not in e and "status of 403" not in e]
    assert unexpected == []
    assert watch.outside == []


def test_dispatcher_searches_history_by_unit_and_exports_it(console) -> None:
    watch = Watch(console)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = watch.page(browser)
        page.goto(console.url)
        page.click("#history summary")
        page.fill("#history-from", "2026-11-01")
        page.fill("#history-to", "2026-11-30")
        page.select_option("#history-agency", "polres")
        page.click("#history-form button[type='submit']")
        page.wait_for_selector("#history-list button[data-history]")
        items = page.locator("#history-list li")
        assert items.count() == 1
        assert "Kebakaran" in items.first.inner_text()
        page.select_option("#history-agency", "")
        page.fill("#history-unit", "amb-siak-02")
        page.click("#history-form button[type='submit']")
        page.wait_for_selector("#history-list li:only-child:has-text('Medis')")
        with page.expect_download() as download:
            page.click("#history-csv")
        rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
        assert [r["units"] for r in rows] == ["AMB-SIAK-01 AMB-SIAK-02"]
        assert rows[0]["replay_url"].startswith("/replay/")
        browser.close()
    assert watch.errors == []
    assert watch.outside == []


def test_simulated_history_is_labelled_on_the_page(console, gazetteer) -> None:  # noqa: F811
    with console.sessions.begin() as session:
        stored = seed_simulated_history(
            session, gazetteer=gazetteer, now=datetime.now(UTC), days=14, calls_per_day=5
        )
    watch = Watch(console)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = watch.page(browser)
        page.goto(console.url + "kinerja")  # default period: the last four weeks
        page.wait_for_selector("#simulated:not([hidden])")
        banner = page.inner_text("#simulated")  # the fixture's real-looking incidents are not simulated
        assert banner.startswith(f"SIMULASI: {stored} dari ")
        assert banner.endswith("kejadian adalah data demo buatan, bukan panggilan nyata.")
        assert page.locator("#table-agency tr[data-agency='bpbd']").count() == 1
        shot(page, "kinerja-simulated")
        browser.close()
    assert watch.errors == []
