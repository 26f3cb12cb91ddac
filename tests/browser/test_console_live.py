"""The live picture in a real browser (issue 16): a shift's history does not hide a new incident.

600 cancelled incidents lie in the history (a long shift); a colleague at a second desk takes a
priority-3 call through the console; the first desk, which only watches, sees the new incident in its
open list and on its map from the one live feed (GET /live), and the colleague's ambulance turns
"dispatched" on its map without a reload.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx
import pytest
from playwright.sync_api import sync_playwright

from tests.browser.console_server import CHROMIUM, CHROMIUM_ARGS, pair_device, running_console
from tests.browser.console_steps import SHOTS, Watch, choose_place, publish, shot
from tests.integration.api_fixtures import gazetteer  # noqa: F401
from tests.integration.test_live_picture import seed_cancelled_in


@pytest.fixture
def console(tmp_path, siak_grid, gazetteer, mosquitto_broker):  # noqa: F811
    with running_console(tmp_path, siak_grid, gazetteer, mosquitto_broker.host, mosquitto_broker.port) as c:
        yield c


def test_a_new_incident_behind_600_closed_ones_shows_on_every_console(console, mosquitto_broker):
    SHOTS.mkdir(parents=True, exist_ok=True)
    seed_cancelled_in(console.sessions, 600)
    pair_device(console.sessions, "AMB-SIAK-01", "amb-siak-01/phone")
    time.sleep(1.1)  # ingest re-reads device pairings on a miss, at most once a second
    fix = {"_type": "location", "lat": 0.80, "lon": 102.04, "tst": int(datetime.now(UTC).timestamp()) - 5}
    publish(mosquitto_broker.host, mosquitto_broker.port, {"owntracks/amb-siak-01/phone": fix})
    watch = Watch(console)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        watcher = watch.page(browser)
        live_requests: list[str] = []
        watcher.on("request", lambda r: live_requests.append(r.url) if "/api/v1/" in r.url else None)
        watcher.goto(console.url)
        watcher.wait_for_selector("[data-unit='AMB-SIAK-01']", timeout=15_000)
        assert watcher.locator("#incident-list button[data-incident]").count() == 0

        # a colleague at the second desk takes a priority-3 call
        colleague = watch.page(browser)
        colleague.goto(console.url)
        colleague.wait_for_selector("[data-unit='AMB-SIAK-01']", timeout=15_000)
        choose_place(colleague, "kampung dalm", "Kampung Dalam")
        colleague.select_option("#type", "medical")
        colleague.select_option("#priority", "3")
        colleague.click("#create")
        colleague.wait_for_selector("#recommendation button[data-assign='AMB-SIAK-01']", timeout=15_000)
        colleague.click("#recommendation button[data-assign='AMB-SIAK-01']")
        colleague.wait_for_selector(
            "#assigned [data-assigned='AMB-SIAK-01'] [data-unit-status-text='dispatched']", timeout=10_000
        )

        # the first desk sees it without doing anything: in the open list, on the map, the unit busy
        line = watcher.locator("#incident-list button[data-incident]")
        line.first.wait_for(timeout=10_000)
        assert line.count() == 1, "only the open incident, none of the 600 cancelled ones"
        text = line.first.inner_text()
        assert "P3" in text
        assert "Kampung Dalam" in text
        incident_id = line.first.get_attribute("data-incident")
        watcher.wait_for_selector(f"[data-incident-marker='{incident_id}']", state="attached", timeout=10_000)
        watcher.wait_for_selector("[data-unit='AMB-SIAK-01'][data-status='dispatched']", timeout=10_000)
        shot(watcher, "live-new-incident-behind-history")
        polled = {u.split("/api/v1", 1)[1].split("?")[0] for u in live_requests}
        assert "/live" in polled, "the console polls the one live feed"
        assert not polled & {"/units.geojson", "/incidents"}, f"no per-console rebuilds: {polled}"
        browser.close()
    assert not watch.errors, watch.errors
    assert not watch.outside, watch.outside


@pytest.fixture
def quick_stale(tmp_path, siak_grid, gazetteer, mosquitto_broker):  # noqa: F811
    """A console whose positions turn stale after 30 s."""
    broker = (mosquitto_broker.host, mosquitto_broker.port)
    with running_console(tmp_path, siak_grid, gazetteer, *broker, stale_after_s=30) as c:
        yield c


def unit_marker(page, unit: str):
    return page.locator(f"[data-unit='{unit}']")


def fix(lon: float, age_s: int) -> dict[str, object]:
    return {"_type": "location", "lat": 0.80, "lon": lon, "tst": int(time.time()) - age_s}


def test_the_console_follows_changes_missed_answers_and_a_restarted_server(quick_stale, mosquitto_broker):
    """After the first answer the console gets only what changed; the fix ages still count, a stale
    position is marked, a move shows, and a console that missed answers, or whose server restarted
    (its versions unknown there), catches up with the whole picture."""
    console = quick_stale
    broker = (mosquitto_broker.host, mosquitto_broker.port)
    pair_device(console.sessions, "AMB-SIAK-01", "amb-siak-01/phone")
    pair_device(console.sessions, "AMB-SIAK-02", "amb-siak-02/phone")
    time.sleep(1.1)  # ingest re-reads device pairings on a miss, at most once a second
    publish(
        *broker,
        {"owntracks/amb-siak-01/phone": fix(102.04, 5), "owntracks/amb-siak-02/phone": fix(102.05, 90)},
    )
    watch = Watch(console)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = watch.page(browser)
        asked: list[str] = []
        page.on("request", lambda r: asked.append(r.url) if "/api/v1/live" in r.url else None)
        page.goto(console.url)
        page.wait_for_selector("[data-unit='AMB-SIAK-02'][data-stale='true']", timeout=15_000)
        fresh = unit_marker(page, "AMB-SIAK-01")
        assert fresh.get_attribute("data-stale") == "false"
        row = page.locator("[data-unit-row='AMB-SIAK-02']")
        assert "⚠" in row.inner_text(), "the stale position is marked on the board"
        assert "stale-row" in (row.get_attribute("class") or "")

        # the fix age counts while the unit stays quiet (only what changed comes from the server);
        # the board's rows stay in place meanwhile: a folded agency stays folded, a cell is not rebuilt
        police = page.locator("#status-board details[data-agency]").last
        police.locator("summary").click()
        cell = row.locator("[data-board-cell='status']").element_handle()
        label = fresh.locator(".unit-label")
        first = int(label.inner_text().split("· ")[1].split(" ")[0])
        page.wait_for_function(
            "(first) => { const t = document.querySelector(\"[data-unit='AMB-SIAK-01'] .unit-label\");"
            " return Number(t.textContent.split('· ')[1].split(' ')[0]) >= first + 2; }",
            arg=first,
            timeout=10_000,
        )
        assert any("since=" in u for u in asked), "after the first answer the console asks what changed"
        assert police.get_attribute("open") is None, "the folded agency stays folded while the ages count"
        assert cell.evaluate("(c) => c.isConnected"), "the board updates its cells, it does not rebuild them"
        police.locator("summary").click()

        # a move shows on the map, and the stale unit reporting again is no longer marked
        publish(
            *broker,
            {"owntracks/amb-siak-01/phone": fix(102.041, 0), "owntracks/amb-siak-02/phone": fix(102.05, 0)},
        )
        page.wait_for_selector("[data-unit='AMB-SIAK-01'][data-lon='102.041']", timeout=10_000)
        page.wait_for_selector("[data-unit='AMB-SIAK-02'][data-stale='false']", timeout=10_000)
        assert "⚠" not in page.locator("[data-unit-row='AMB-SIAK-02']").inner_text()

        # the console misses answers (the network drops) while a unit moves and a call comes in
        page.route("**/api/v1/live*", lambda route: route.abort())
        page.wait_for_selector("#connection:not([hidden])", timeout=10_000)
        publish(*broker, {"owntracks/amb-siak-01/phone": fix(102.042, 0)})
        incident = new_call(console)
        page.wait_for_timeout(2_000)
        assert page.locator("#incident-list button[data-incident]").count() == 0, "nothing new while cut off"
        page.unroute("**/api/v1/live*")
        page.wait_for_selector("[data-unit='AMB-SIAK-01'][data-lon='102.042']", timeout=10_000)
        page.wait_for_selector(f"#incident-list button[data-incident='{incident}']", timeout=10_000)
        page.wait_for_selector("#connection[hidden]", state="attached", timeout=10_000)

        # the server restarts: the version the console holds is unknown to it, it sends everything
        console.app.state.siaga_live = None
        asked.clear()
        publish(*broker, {"owntracks/amb-siak-01/phone": fix(102.043, 0)})
        page.wait_for_selector("[data-unit='AMB-SIAK-01'][data-lon='102.043']", timeout=10_000)
        assert unit_marker(page, "AMB-SIAK-02").count() == 1, "every unit still shown"
        assert page.locator(f"#incident-list button[data-incident='{incident}']").count() == 1
        shot(page, "live-after-restart")
        browser.close()
    dropped = "Failed to load resource: net::ERR_FAILED"  # the answers this test cut off on purpose
    assert [e for e in watch.errors if e != dropped] == [], watch.errors
    assert not watch.outside, watch.outside


def new_call(console) -> int:
    """A call taken at another desk (through the API, as that desk's console does)."""
    answer = httpx.post(
        console.url + "api/v1/incidents",
        headers={"Authorization": "Bearer demo-dispatcher-token"},
        json={"incident_type": "fire", "priority": 2, "lon": 102.04, "lat": 0.79},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])
