"""Routes on demand in the console (issue 15): the ranking draws the first unit's route at once; the
route of another offered unit appears on the map when the dispatcher selects its row.

Everything goes through the page: the crews' phones report over MQTT, the dispatcher creates the call
and selects the second ambulance; the test only reads the page (and notes which requests it made).
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.browser.console_server import CHROMIUM, CHROMIUM_ARGS, RunningConsole
from tests.browser.console_steps import SHOTS, Watch, choose_place, phones_report, shot


@pytest.fixture
def console(pg_console: RunningConsole) -> RunningConsole:
    """The app on real PostGIS, the session's Mosquitto and an ingest worker (tests/browser/conftest.py)."""
    return pg_console


def route_lines(page: Page, unit_id: str) -> list[str]:
    """The SVG path data of the unit's route lines on the map."""
    return [
        str(d)
        for d in page.eval_on_selector_all(
            f"path.route-of-{unit_id}", "ps => ps.map(p => p.getAttribute('d'))"
        )
    ]


def test_second_units_route_appears_when_selected(console: RunningConsole, mosquitto_broker: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    phones_report(
        console,
        mosquitto_broker,
        {"AMB-SIAK-01": (0.80, 102.04, 5), "AMB-SIAK-02": (0.81, 102.09, 5)},
    )
    watch = Watch(console)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = watch.page(browser)
        asked: list[str] = []
        page.on("request", lambda r: asked.append(r.url) if "/routes/" in r.url else None)
        page.goto(console.url)
        page.wait_for_selector("[data-unit='AMB-SIAK-02']", timeout=15_000)
        choose_place(page, "kampung dalm", "Kampung Dalam")
        page.select_option("#type", "medical")
        page.click("#create")
        page.wait_for_selector("#recommendation li[data-offer='AMB-SIAK-02']", timeout=15_000)
        offered = page.eval_on_selector_all(
            "#recommendation li[data-offer]", "ls => ls.map(l => l.dataset.offer)"
        )
        assert offered[:2] == ["AMB-SIAK-01", "AMB-SIAK-02"]
        # the first unit's route came with the ranking; the second's is not drawn (nor fetched) yet
        page.wait_for_selector("path.route-of-AMB-SIAK-01", state="attached")
        assert len(route_lines(page, "AMB-SIAK-01")) == 1
        assert route_lines(page, "AMB-SIAK-02") == []
        assert asked == []
        shot(page, "console-route-first")

        # the dispatcher selects the second ambulance's row (its name, not the assign button)
        page.click("#recommendation li[data-offer='AMB-SIAK-02'] b")
        page.wait_for_selector("path.route-of-AMB-SIAK-02", state="attached", timeout=10_000)
        (line,) = route_lines(page, "AMB-SIAK-02")
        assert line.count("L") >= 1, line  # a drawn polyline, not an empty path
        assert "route-focus" in (
            page.get_attribute("#recommendation li[data-offer='AMB-SIAK-02']", "class") or ""
        )
        assert len(route_lines(page, "AMB-SIAK-01")) == 1  # the first route stays
        assert len(asked) == 1, asked
        assert asked[0].endswith("/routes/AMB-SIAK-02")
        # nothing was assigned by selecting
        assert page.locator("#assigned [data-assigned='AMB-SIAK-02']").count() == 0
        shot(page, "console-route-second")
        assert not watch.errors, watch.errors
        assert not watch.outside, watch.outside
        browser.close()
