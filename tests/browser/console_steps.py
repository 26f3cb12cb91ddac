"""What the browser tests of the console share: publishing phones' fixes over MQTT, a watch on console
errors, CSP violations and requests leaving 127.0.0.1, screenshots, and the steps a dispatcher takes
on the page (choose a place, drag a marker, press a status button)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from playwright.sync_api import Browser, Page
from sqlalchemy import select

from dispatch_geo.storage.models import UnitRow
from tests.browser.console_server import RunningConsole, pair_device

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
WATCH_CSP = (
    "window.cspViolations = [];"
    "document.addEventListener('securitypolicyviolation',"
    " (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
)
EXPECTED_409 = "Failed to load resource: the server responded with a status of 409 (Conflict)"
# words of the server's English messages that must not show in Bahasa Indonesia mode
ENGLISH_WORDS = (" or ", "reported", "recommended", " assigned", "status is", "not among", "no position")


def publish(
    host: str, port: int, fixes: dict[str, dict[str, Any]], *, client_id: str = "phones-console-test"
) -> None:
    """Publish each payload (JSON) on its topic at QoS 1 and wait until the broker has it, as phones do."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id)
    client.connect(host, port)
    client.loop_start()
    for topic, payload in fixes.items():
        client.publish(topic, json.dumps(payload), qos=1).wait_for_publish(5)
    client.loop_stop()
    client.disconnect()


class Watch:
    """Console errors, CSP violations and requests leaving 127.0.0.1, over every page of the test."""

    def __init__(self, console: RunningConsole) -> None:
        self.url = console.url
        self.errors: list[str] = []
        self.outside: list[str] = []

    def page(self, browser: Browser, *, clock: bool = False) -> Page:
        page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
        page.add_init_script(WATCH_CSP)
        if clock:
            page.clock.install()  # time runs as usual; the test can jump it ahead
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

        def guard(route):
            if route.request.url.startswith(self.url):
                route.continue_()
            else:
                self.outside.append(route.request.url)
                route.abort()

        page.route("**/*", guard)
        return page

    def _console(self, message: Any) -> None:
        # Chromium logs every non-2xx answer as an error; the one 409 this test provokes is expected
        if message.type == "error" and message.text != EXPECTED_409:
            self.errors.append(message.text)

    def csp(self, page: Page) -> list[str]:
        return list(page.evaluate("window.cspViolations || []"))


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def choose_place(page: Page, typed: str, wanted: str) -> None:
    """Type part of a name, wait for the suggestion list, take the wanted entry (as a click on it does)."""
    page.locator("body").press("/")
    assert page.evaluate("() => document.activeElement.id") == "place"
    page.keyboard.type(typed)
    page.wait_for_selector(f"#place-list option[value='{wanted}']", state="attached")
    page.fill("#place", wanted)


def open_panel_text(page: Page) -> str:
    return page.locator("#incident-panel").inner_text()


def no_english(page: Page, *selectors: str) -> None:
    """No word of the server's English messages in these parts of the page (Bahasa Indonesia mode)."""
    for selector in selectors:
        text = page.locator(selector).inner_text()
        for word in ENGLISH_WORDS:
            assert word not in text, f"English in the Indonesian {selector}: {word!r} in {text!r}"


def incident_id_shown(page: Page) -> int:
    return int(page.locator("#incident-title").inner_text().split("#")[1].split()[0])


def pin_point(page: Page) -> tuple[float, float]:
    """(lon, lat) of the intake pin, once the console has resolved where it is."""
    page.wait_for_selector("#picked [data-pin-place]")
    pin = page.locator(".pin[data-pin]")
    return float(pin.get_attribute("data-lon") or "nan"), float(pin.get_attribute("data-lat") or "nan")


def map_point(page: Page, lon: float, lat: float, zoom: float | None = None) -> tuple[float, float]:
    """Page coordinates of (lon, lat) on the map (centred there first when ``zoom`` is given)."""
    centre = f"m.setView([{lat}, {lon}], {zoom}, {{ animate: false }});" if zoom is not None else ""
    x, y = page.evaluate(
        f"() => {{ const m = window.siagaConsole.map; {centre}"
        f"const p = m.latLngToContainerPoint([{lat}, {lon}]); return [p.x, p.y]; }}"
    )
    box = page.locator("#map").bounding_box()
    assert box is not None
    return box["x"] + x, box["y"] + y


def drag(page: Page, selector: str, dx: float, dy: float) -> None:
    """Drag a map marker by (dx, dy) pixels as a mouse does (press, move in steps, release)."""
    box = page.locator(selector).bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y + dy / 2, steps=5)
    page.mouse.move(x + dx, y + dy, steps=5)
    page.mouse.up()


def set_status(page: Page, unit_id: str, status: str) -> None:
    """Click the unit's next-status button in the incident panel and wait for the new status."""
    page.click(f"#assigned button[data-unit-status='{unit_id}'][data-to='{status}']")
    page.wait_for_selector(f"#assigned [data-assigned='{unit_id}'] [data-unit-status-text='{status}']")


def phones_report(console: RunningConsole, broker: Any, fixes: dict[str, tuple[float, float, int]]) -> int:
    """Pair each unit with a phone and publish its fix ``(lat, lon, seconds ago)`` over MQTT, as the
    crews' app does (ingest → database → the console's refresh). Returns now (epoch seconds)."""
    for unit in fixes:
        pair_device(console.sessions, unit, unit.lower() + "/phone")
    time.sleep(1.1)  # ingest re-reads device pairings on a miss, at most once a second
    now = int(datetime.now(UTC).timestamp())
    payloads = {
        f"owntracks/{unit.lower()}/phone": {"_type": "location", "lat": lat, "lon": lon, "tst": now - age_s}
        for unit, (lat, lon, age_s) in fixes.items()
    }
    for _ in range(4):  # a phone sends again until its fix is stored, as OwnTracks does
        publish(broker.host, broker.port, payloads)
        if _stored(console, set(fixes), now - max(age for _, _, age in fixes.values())):
            break
    return now


def _stored(console: RunningConsole, units: set[str], since: int, wait_s: float = 5.0) -> bool:
    """Whether every one of ``units`` has a fix no older than ``since`` (epoch s) within ``wait_s``."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        with console.sessions() as session:
            rows = session.execute(
                select(UnitRow.id, UnitRow.last_fix_time).where(UnitRow.id.in_(units))
            ).all()
        if len(rows) == len(units) and all(t is not None and t.timestamp() >= since - 1 for _, t in rows):
            return True
        time.sleep(0.2)
    return False
