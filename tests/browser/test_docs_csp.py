"""Swagger UI at /docs and the console under the strict Content-Security-Policy, in a real browser.

/docs must render the operation list from local assets only (no CDN), and neither page may trip the
CSP (a ``securitypolicyviolation`` event) or log a console error. No request may leave 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.console_server import CHROMIUM, CHROMIUM_ARGS, running_console
from tests.integration.api_fixtures import gazetteer  # noqa: F401

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
WATCH_CSP = (
    "window.cspViolations = [];"
    "document.addEventListener('securitypolicyviolation',"
    " (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
)


@pytest.fixture
def console(tmp_path, siak_grid, gazetteer, mosquitto_broker):  # noqa: F811
    with running_console(tmp_path, siak_grid, gazetteer, mosquitto_broker.host, mosquitto_broker.port) as c:
        yield c


def test_docs_render_offline_and_pages_keep_to_the_csp(console):
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    outside: list[str] = []
    violations: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.add_init_script(WATCH_CSP)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))

        def guard(route):
            if route.request.url.startswith(console.url):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", guard)
        page.goto(f"{console.url}docs")
        page.wait_for_selector(".opblock-summary-path", timeout=20_000)
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        assert any("/api/v1/incidents" in path for path in paths), paths
        assert len(paths) >= 10
        page.screenshot(path=str(SHOTS / "docs.png"))
        violations += page.evaluate("window.cspViolations")

        page.goto(console.url)
        page.wait_for_selector(".legend i.status-available", timeout=15_000)
        colour = page.evaluate(
            "getComputedStyle(document.querySelector('.legend i.status-available')).backgroundColor"
        )
        assert colour == "rgb(26, 152, 80)", "status colours come from CSS classes"
        page.wait_for_selector("#status-board .dot", timeout=15_000)
        violations += page.evaluate("window.cspViolations")
        browser.close()
    assert not violations, violations
    assert not errors, errors
    assert not outside, f"a page tried to reach the internet: {outside[:3]}"
