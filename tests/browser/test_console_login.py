"""People log in to the console (Debian's Chromium via Playwright), as they would at the 112 desks.

Login with a wrong password, then with the desk name; the header names the person; logout brings the
login back; an idle session ends by itself (the polls do not keep it alive); a dispatcher is refused the
admin page while the admin disables an account there, which then cannot log in; a write without the
session's CSRF token is refused. No request leaves 127.0.0.1; no console error but the expected refusals.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from dispatch_geo.storage import operator_repo
from tests.browser.console_server import CHROMIUM, CHROMIUM_ARGS, RunningConsole, running_console
from tests.integration.api_fixtures import gazetteer  # noqa: F401

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PEOPLE = {
    "sari": ("supervisor",),
    "rudi": ("supervisor",),
    "siti": ("dispatcher",),
    "budi": ("dispatcher",),
    "admin": ("admin",),
}
EXPECTED = ("status of 401", "status of 403")
"""Chromium logs every refused request; the refusals these tests provoke are expected."""


def password(username: str) -> str:
    return f"{username}-kata-sandi"


def seed_people(console: RunningConsole) -> None:
    with console.sessions.begin() as session:
        for username, roles in PEOPLE.items():
            operator_repo.create_operator(
                session,
                username=username,
                password=password(username),
                roles=roles,
                at=datetime.now(UTC),
                by="test",
            )


class Browsing:
    """Pages of one test: each person in a browser context of their own; errors and outside requests."""

    def __init__(self, browser: Browser, url: str) -> None:
        self.browser = browser
        self.url = url
        self.errors: list[str] = []
        self.outside: list[str] = []

    def page(self, **context: Any) -> Page:
        page = self.browser.new_context(viewport={"width": 1366, "height": 768}, **context).new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

        def guard(route: Any) -> None:
            if route.request.url.startswith(self.url):
                route.continue_()
            else:
                self.outside.append(route.request.url)
                route.abort()

        page.route("**/*", guard)
        return page

    def _console(self, message: Any) -> None:
        if message.type == "error" and not any(e in message.text for e in EXPECTED):
            self.errors.append(message.text)


def log_in(page: Page, url: str, username: str, desk: str | None = None, secret: str | None = None) -> None:
    page.goto(url)
    page.wait_for_selector("#login-form", state="visible")
    page.fill("#login-username", username)
    page.fill("#login-password", secret or password(username))
    if desk:
        page.fill("#login-desk", desk)
    page.click("#login-submit")


@pytest.fixture
def browsing() -> Iterator[Any]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def test_login_logout_and_idle_timeout(tmp_path, siak_grid, gazetteer, mosquitto_broker, browsing):  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    with running_console(
        tmp_path,
        siak_grid,
        gazetteer,
        mosquitto_broker.host,
        mosquitto_broker.port,
        login=True,
        session_idle_timeout_s=6,
    ) as console:
        seed_people(console)
        pages = Browsing(browsing, console.url)
        page = pages.page()
        log_in(page, console.url, "siti", secret="salah-sandi")
        page.wait_for_selector("#login-error:has-text('Nama pengguna atau kata sandi salah.')")
        assert page.locator("#incident-form").is_visible() is False or page.locator("#login").is_visible()
        page.screenshot(path=str(SHOTS / "login-wrong-password.png"))

        log_in(page, console.url, "siti", desk="Meja 1")
        page.wait_for_selector("#who:has-text('siti@Meja 1')")
        assert page.locator("#login").is_hidden()
        page.wait_for_selector("[data-unit-row='AMB-SIAK-01']", state="attached", timeout=15_000)
        assert page.locator("#admin-link").is_hidden(), "no admin link for a dispatcher"
        page.screenshot(path=str(SHOTS / "login-console.png"))

        page.click("#logout")
        page.wait_for_selector("#login-form", state="visible")
        assert page.locator("#who").is_hidden()

        # logged in again, then nobody touches the page: the one-second polls do not keep it alive
        log_in(page, console.url, "siti", desk="Meja 1")
        page.wait_for_selector("#who:has-text('siti@Meja 1')")
        page.wait_for_selector("#login-form", state="visible", timeout=30_000)
        assert "Sesi berakhir" in page.inner_text("#login-error")
        page.screenshot(path=str(SHOTS / "login-idle-timeout.png"))
        assert pages.errors == []
        assert pages.outside == []


def test_admin_page_disable_and_csrf(tmp_path, siak_grid, gazetteer, mosquitto_broker, browsing):  # noqa: F811
    with running_console(
        tmp_path, siak_grid, gazetteer, mosquitto_broker.host, mosquitto_broker.port, login=True
    ) as console:
        seed_people(console)
        pages = Browsing(browsing, console.url)
        dispatcher = pages.page()
        log_in(dispatcher, console.url, "budi", desk="Meja 2")
        dispatcher.wait_for_selector("#who:has-text('budi@Meja 2')")
        dispatcher.goto(console.url + "admin")
        dispatcher.wait_for_selector("#page-error:has-text('Akses ditolak')")
        assert dispatcher.locator("#admin").is_hidden()
        assert dispatcher.locator("[data-operator]").count() == 0

        # a write from the logged-in page without the CSRF token is refused, nothing is created
        refused = dispatcher.evaluate(
            """async () => {
              const r = await fetch('/api/v1/incidents', {method: 'POST',
                headers: {'Content-Type': 'application/json'},
                body: JSON.stringify({incident_type: 'fire', priority: 2, lon: 102.07, lat: 0.79})});
              const listed = await (await fetch('/api/v1/incidents')).json();
              return [r.status, (await r.json()).code, listed.length];
            }"""
        )
        assert refused == [403, "csrf_failed", 0]

        admin = pages.page()
        log_in(admin, console.url, "admin", desk="Meja A")
        admin.wait_for_selector("#admin-link", state="visible")
        admin.click("#admin-link")
        admin.wait_for_selector("[data-operator='budi']")
        admin.click("button[data-toggle='budi']")
        admin.wait_for_selector("[data-operator='budi'] [data-state]:has-text('nonaktif')")
        admin.wait_for_selector("#events [data-event='disabled']:has-text('admin@Meja A')")
        assert "budi@Meja 2" in admin.inner_text("#events")  # the audit shows who logged in, and where
        admin.screenshot(path=str(SHOTS / "admin-operators.png"))

        # budi's open console is logged out at its next poll; he cannot log in again
        dispatcher.goto(console.url)
        dispatcher.wait_for_selector("#login-form", state="visible")
        log_in(dispatcher, console.url, "budi")
        dispatcher.wait_for_selector("#login-error:has-text('Akun ini dinonaktifkan')")
        dispatcher.click("#lang")
        dispatcher.wait_for_selector("#login-submit:has-text('Log in')")
        assert pages.errors == []
        assert pages.outside == []


def test_admin_changes_roles_and_resets_a_password(
    tmp_path,
    siak_grid,
    gazetteer,  # noqa: F811
    mosquitto_broker,
    browsing,
):
    with running_console(
        tmp_path, siak_grid, gazetteer, mosquitto_broker.host, mosquitto_broker.port, login=True
    ) as console:
        seed_people(console)
        pages = Browsing(browsing, console.url)
        siti, rudi, admin = pages.page(), pages.page(), pages.page()
        log_in(siti, console.url, "siti", desk="Meja 1")
        siti.wait_for_selector("#who:has-text('siti@Meja 1')")
        assert siti.locator("#admin-link").is_hidden()
        log_in(rudi, console.url, "rudi", desk="Meja 3")
        rudi.wait_for_selector("#who:has-text('rudi@Meja 3')")

        log_in(admin, console.url, "admin", desk="Meja A")
        admin.wait_for_selector("#admin-link", state="visible")
        admin.click("#admin-link")
        admin.wait_for_selector("[data-operator='siti'] [data-roles]:has-text('Dispatcher')")
        # the only admin cannot drop the role: nobody could manage accounts from the console
        admin.click("button[data-edit='roles'][data-username='admin']")
        admin.uncheck("[data-editor='admin'] input[value='admin']")
        admin.check("[data-editor='admin'] input[value='supervisor']")
        admin.click("[data-editor='admin'] button[type='submit']")
        admin.wait_for_selector(
            "#page-error:has-text('admin adalah akun terakhir yang aktif dengan peran admin')"
        )
        assert admin.locator("[data-operator='admin'] [data-roles]").inner_text() == "Admin"
        admin.click("button[data-edit='roles'][data-username='siti']")
        admin.check("[data-editor='siti'] input[value='admin']")
        admin.click("[data-editor='siti'] button[type='submit']")
        admin.wait_for_selector("[data-operator='siti'] [data-roles]:has-text('Dispatcher, Admin')")
        assert admin.inner_text("#page-notice") == "Peran siti disimpan; berlaku pada permintaan berikutnya."
        changed = "#events [data-event='roles_changed']"
        admin.wait_for_selector(f"{changed}:has-text('peran diubah: Dispatcher, Admin')")
        assert "admin@Meja A" in admin.inner_text(changed)
        siti.reload()  # the new role counts from her next request: the admin link appears
        siti.wait_for_selector("#admin-link", state="visible")

        admin.click("button[data-edit='password'][data-username='rudi']")
        admin.fill("[data-editor='rudi'] input[name='password']", "sandi-baru-rudi")
        admin.click("[data-editor='rudi'] button[type='submit']")
        admin.wait_for_selector(
            "#page-notice:has-text('Kata sandi rudi diatur ulang; semua sesinya berakhir.')"
        )
        admin.wait_for_selector("#events [data-event='password_reset']:has-text('rudi')")
        assert admin.locator("[data-editor]").count() == 0, "the editor closes once saved"

        rudi.wait_for_selector("#login-form", state="visible", timeout=15_000)  # his session ended
        log_in(rudi, console.url, "rudi")
        rudi.wait_for_selector("#login-error:has-text('Nama pengguna atau kata sandi salah.')")
        log_in(rudi, console.url, "rudi", desk="Meja 3", secret="sandi-baru-rudi")
        rudi.wait_for_selector("#who:has-text('rudi@Meja 3')")

        admin.click("#lang")
        admin.wait_for_selector("button[data-edit='roles'][data-username='siti']:has-text('Change roles')")
        assert "roles changed: Dispatcher, Admin" in admin.inner_text("#events")
        refused = "Failed to load resource: the server responded with a status of 409 (Conflict)"
        assert [e for e in pages.errors if e != refused] == [], "only the refusal this test asked for"
        assert pages.outside == []
