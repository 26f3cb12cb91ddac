"""The what-if planning page in a real browser, as a planner works it.

Open /planning (Bahasa Indonesia, the demo planner token): today's ambulance posts, the figures with
expected coverage (busy fraction from the dispatch record of the last 90 days; over the last 30 days the
record is too thin and the default is labelled assumed), the gap list. Save today as a scenario; add a
post by clicking the map in the largest gap → the gap list shrinks and more people are covered; save
that; drag a post → the figures change; raise the units at a post → expected coverage rises; compare
the two saved scenarios side by side; ask MEXCLP where one more unit should go and take it; switch to
English. No request leaves 127.0.0.1, no console error, no CSP violation. Screenshots in
artifacts/screenshots/.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, sync_playwright

from dispatch_geo.storage import fleet_repo
from dispatch_geo.storage.models import AssignmentRow
from tests.browser.console_server import CHROMIUM, CHROMIUM_ARGS, RunningConsole, running_console
from tests.browser.console_steps import SHOTS, Watch, drag, shot
from tests.integration.api_fixtures import gazetteer  # noqa: F401

DISPATCHER = {"Authorization": "Bearer demo-dispatcher-token"}
GAP_FILLER = (102.08, 0.98)  # on the test grid a post here covers two villages whole


@pytest.fixture
def console(tmp_path, siak_grid, gazetteer, mosquitto_broker):  # noqa: F811
    with running_console(tmp_path, siak_grid, gazetteer, mosquitto_broker.host, mosquitto_broker.port) as c:
        yield c


def point(page: Page, lon: float, lat: float, zoom: float) -> tuple[float, float]:
    """Page coordinates of (lon, lat), the map centred there at ``zoom`` first (as a planner zooms in)."""
    x, y = page.evaluate(
        "() => { const m = window.siagaPlanning.map;"
        f"m.setView([{lat}, {lon}], {zoom}, {{ animate: false }});"
        f"const p = m.latLngToContainerPoint([{lat}, {lon}]); return [p.x, p.y]; }}"
    )
    box = page.locator("#map").bounding_box()
    assert box is not None
    return box["x"] + x, box["y"] + y


def figure(page: Page, name: str) -> str:
    return page.locator(f"[data-figure='{name}']").inner_text()


def gap_count(page: Page) -> int:
    return int(page.locator("#gap-count").get_attribute("data-count") or "-1")


def settled(page: Page) -> None:
    """Wait until the page shows the figures of the last change."""
    page.wait_for_function("() => !document.querySelector('#figures .updating')")


def save(page: Page, name: str) -> None:
    page.fill("#scenario-name", name)
    page.get_by_role("button", name="Simpan skenario").click()
    page.wait_for_selector(f"#scenarios li:has-text('{name}')")


def dispatch_history(console: RunningConsole) -> None:
    """Last month's work, 40 to 64 days ago: 25 ambulance assignments of 6 hours (the dispatch record
    the busy fraction is measured from; made here as the dispatchers' past work, not by the planner)."""
    r = httpx.post(
        console.url + "api/v1/incidents",
        headers=DISPATCHER,
        json={"incident_type": "medical", "priority": 2, "lon": 102.05, "lat": 0.8},
    )
    assert r.status_code == 201, r.text
    now = datetime.now(UTC)
    with console.sessions.begin() as session:
        units = [u.id for u in fleet_repo.list_units(session) if str(u.unit_type) == "ambulance"]
        for day in range(25):
            start = now - timedelta(days=40 + day)
            session.add(
                AssignmentRow(
                    incident_id=r.json()["id"],
                    unit_id=units[day % len(units)],
                    assigned_at=start,
                    assigned_by="history",
                    released_at=start + timedelta(hours=6),
                )
            )


def test_planner_drags_adds_saves_and_compares(console) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    dispatch_history(console)
    watch = Watch(console)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = watch.page(browser)
        page.goto(console.url)  # the dispatcher console's header links to the planning page
        page.click("#planning-link")
        page.wait_for_url("**/planning")
        page.wait_for_selector("[data-figure='covered_population']")
        page.wait_for_selector(".post-pin[data-post]")
        assert "Penduduk terjangkau" in page.locator("#figures").inner_text()
        # the busy fraction of the last 90 days comes from the dispatch record; the last 30 days are too thin
        assert page.locator("[data-busy-source]").get_attribute("data-busy-source") == "history"
        assert "dari riwayat penugasan 90 hari (25 penugasan)" in page.locator("#figures").inner_text()
        expected_history = figure(page, "expected_covered_population")
        assert "unitnya sibuk" in page.locator("#posts").inner_text(), (
            "each post's own share, from its record"
        )
        page.locator("#busy-days").select_option("30")
        page.wait_for_selector("[data-busy-source='assumed']")
        settled(page)
        assert "DIASUMSIKAN" in page.locator("#figures").inner_text()
        assert figure(page, "expected_covered_population") != expected_history
        assert page.locator("#gaps li").count() > 0
        covered_today = figure(page, "covered_population")
        gaps_today = gap_count(page)
        page.wait_for_selector(".leaflet-overlay-pane path.leaflet-interactive")
        save(page, "Hari ini")

        # add a post where the largest gaps are: the gap list shrinks
        page.get_by_role("button", name="Tambah pos").click()
        assert page.locator("#add-hint").is_visible()
        page.mouse.click(*point(page, *GAP_FILLER, zoom=12))
        page.wait_for_selector(".post-pin.new")
        page.wait_for_function(
            f"() => Number(document.getElementById('gap-count').dataset.count) < {gaps_today}"
        )
        settled(page)
        assert gap_count(page) < gaps_today
        assert figure(page, "covered_population") != covered_today
        assert page.locator("tr[data-post-row='pos-baru-1']").count() == 1
        save(page, "Tambah pos Dayang Suri")
        shot(page, "planning_added_post")

        # drag a post: the figures change
        before = figure(page, "covered_population")
        drag(page, ".post-pin[data-post='pos-baru-1']", -160, 90)
        page.wait_for_function(
            f"() => document.querySelector(\"[data-figure='covered_population']\").textContent !== '{before}'"
        )
        settled(page)

        # more units at a post: plain coverage stays, expected coverage rises
        expected = figure(page, "expected_covered_population")
        covered = figure(page, "covered_population")
        page.locator("input[data-units='pos-baru-1']").fill("3")
        page.locator("input[data-units='pos-baru-1']").press("Enter")
        page.wait_for_function(
            "() => document.querySelector(\"[data-figure='expected_covered_population']\").textContent"
            f" !== '{expected}'"
        )
        settled(page)
        assert figure(page, "covered_population") == covered

        # compare the two saved scenarios side by side (with the unsaved current one)
        for name in ("Hari ini", "Tambah pos Dayang Suri"):
            page.locator(f"#scenarios li:has-text('{name}') input[type=checkbox]").check()
        page.get_by_role("button", name="Bandingkan terpilih").click()
        table = page.locator("#compare-table")
        table.wait_for()
        text = table.inner_text()
        assert "Hari ini" in text
        assert "Tambah pos Dayang Suri" in text
        assert covered_today in text
        shot(page, "planning_compare")
        with page.expect_download() as download:
            page.get_by_role("button", name="Unduh CSV").click()
        csv_text = Path(download.value.path()).read_text(encoding="utf-8")
        assert (
            csv_text.splitlines()[0] == '"","Tambah pos Dayang Suri","Hari ini","Saat ini (belum disimpan)"'
        )
        assert "Penduduk terjangkau" in csv_text

        # MEXCLP: where one more unit gains the most expected coverage, named by desa; take it
        page.get_by_role("button", name="Usulkan lokasi (MEXCLP)").click()
        page.wait_for_selector("#suggestions button[data-take]")
        assert "Usulan:" in page.locator("#suggestions").inner_text()
        rows = page.locator("#posts tr[data-post-row]").count()
        units_before = sum(
            int(v) for v in page.locator("#posts input[data-units]").evaluate_all("l => l.map(i => i.value)")
        )
        page.locator("#suggestions button[data-take]").first.click()
        page.wait_for_function(
            "() => [...document.querySelectorAll('#posts input[data-units]')]"
            f".reduce((s, i) => s + Number(i.value), 0) === {units_before + 1}"
        )
        assert page.locator("#posts tr[data-post-row]").count() in (rows, rows + 1)

        # the printable report: A4 landscape with title, date (WIB), source and the graph's label
        page.emulate_media(media="print")
        head = page.locator("#print-head")
        assert head.is_visible()
        printed = head.inner_text()
        assert "Perencanaan cakupan" in printed
        assert "WIB" in printed
        assert "BPS 2022" in printed
        assert "SKEMATIK" in printed
        assert not page.locator("#save-form").is_visible()
        shot(page, "planning_print")
        page.emulate_media(media="screen")

        # isochrone bands drawn; English on the toggle
        page.wait_for_selector(".leaflet-overlay-pane path:not(.leaflet-interactive)")
        # the bands' outline is approximate (distance field, ±25 m) and the legend says so
        page.wait_for_selector(".legend .iso-approx")
        assert "perkiraan" in page.locator(".legend .iso-approx").inner_text()
        page.get_by_role("button", name="EN", exact=True).click()
        assert "approximate outline" in page.locator(".legend .iso-approx").inner_text()
        assert "People covered" in page.locator("#figures").inner_text()
        assert "Coverage per village" in page.locator(".leaflet-control-layers").inner_text()
        shot(page, "planning_en")
        assert watch.csp(page) == []
        browser.close()
    assert watch.outside == []
    assert watch.errors == []
