"""People, not desks: operator logins, the session cookie, CSRF, idle timeout, disabled accounts, and
every action attributed to the person (and desk) who did it. Through HTTP, on both backends."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.integration.api_fixtures import NEAR_TOWN, auth

API = "/api/v1"


class Person:
    """One operator's browser: their own cookie jar and CSRF token, on a shared test client."""

    def __init__(self, client: TestClient, username: str, password: str, desk: str | None = None) -> None:
        self.client = client
        self.username = username
        self.password = password
        self.desk = desk
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def login(self) -> Any:
        self.client.cookies.clear()
        body = {"username": self.username, "password": self.password}
        if self.desk:
            body["desk"] = self.desk
        response = self.client.post(f"{API}/auth/login", json=body)
        if response.status_code == 200:
            self.cookies = dict(self.client.cookies.items())
            self.csrf = response.json()["csrf_token"]
        return response

    def call(self, method: str, path: str, *, csrf: bool = True, **kwargs: Any) -> Any:
        self.client.cookies.clear()
        for name, value in self.cookies.items():
            self.client.cookies.set(name, value)
        headers = dict(kwargs.pop("headers", {}))
        if csrf and self.csrf:
            headers["X-CSRF-Token"] = self.csrf
        return self.client.request(method, f"{API}{path}", headers=headers, **kwargs)


def create_operator(client: TestClient, username: str, *roles: str, password: str | None = None) -> str:
    password = password or f"{username}-password"
    response = client.post(
        f"{API}/operators",
        headers=auth("admin"),
        json={
            "username": username,
            "password": password,
            "roles": list(roles),
            "display_name": username.title(),
        },
    )
    assert response.status_code == 201, response.text
    return password


def new_incident(person: Person) -> int:
    response = person.call(
        "POST",
        "/incidents",
        json={"incident_type": "medical", "priority": 1, "lon": NEAR_TOWN[0], "lat": NEAR_TOWN[1]},
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


@pytest.fixture
def client(db_url: str, make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(db_url, auth_failure_limit=0)


def test_login_sets_a_safe_cookie_and_actions_carry_the_person_and_desk(client: TestClient) -> None:
    password = create_operator(client, "siti", "dispatcher")
    siti = Person(client, "siti", password, desk="Meja 1")
    answer = siti.login()
    assert answer.status_code == 200, answer.text
    cookie = answer.headers["set-cookie"]
    assert "siaga_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert answer.json()["name"] == "siti@Meja 1"
    assert answer.json()["roles"] == ["dispatcher"]

    incident_id = new_incident(siti)
    note = siti.call("POST", f"/incidents/{incident_id}/notes", json={"text": "pelapor menunggu"})
    assert note.status_code in (200, 201), note.text
    timeline = siti.call("GET", f"/incidents/{incident_id}/timeline").json()["entries"]
    assert {e["by"] for e in timeline} == {"siti@Meja 1"}
    incident = siti.call("GET", f"/incidents/{incident_id}").json()
    assert incident["created_by"] == "siti@Meja 1"


def test_csrf_token_is_required_for_writes_with_the_cookie(client: TestClient) -> None:
    password = create_operator(client, "budi", "dispatcher")
    budi = Person(client, "budi", password)
    assert budi.login().status_code == 200
    body = {"incident_type": "fire", "priority": 2, "lon": NEAR_TOWN[0], "lat": NEAR_TOWN[1]}
    refused = budi.call("POST", "/incidents", csrf=False, json=body)
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    forged = budi.call("POST", "/incidents", csrf=False, json=body, headers={"X-CSRF-Token": "guess"})
    assert forged.json()["code"] == "csrf_failed"
    listed = budi.call("GET", "/incidents", csrf=False).json()
    assert listed == [], "nothing was created by the refused requests"
    assert budi.call("POST", "/incidents", json=body).status_code == 201


def test_wrong_password_disabled_account_and_logout(client: TestClient) -> None:
    password = create_operator(client, "rina", "dispatcher")
    wrong = Person(client, "rina", "not-her-password").login()
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "login_failed"
    rina = Person(client, "rina", password)
    assert rina.login().status_code == 200
    assert rina.call("GET", "/auth/session").json()["username"] == "rina"

    disabled = client.patch(f"{API}/operators/rina", headers=auth("admin"), json={"disabled": True})
    assert disabled.status_code == 200
    assert disabled.json()["disabled"] is True
    ended = rina.call("GET", "/auth/session")
    assert ended.status_code == 401, "disabling ends the open session at once"
    again = Person(client, "rina", password).login()
    assert again.status_code == 403
    assert again.json()["code"] == "account_disabled"

    client.patch(f"{API}/operators/rina", headers=auth("admin"), json={"disabled": False})
    assert rina.login().status_code == 200
    assert rina.call("POST", "/auth/logout").status_code == 204
    after = rina.call("GET", "/auth/session")
    assert after.status_code == 401
    assert after.json()["code"] == "not_logged_in"


def test_idle_session_ends_while_polls_do_not_keep_it_alive(
    db_url: str, make_client: Callable[..., TestClient]
) -> None:
    client = make_client(db_url, auth_failure_limit=0, session_idle_timeout_s=2)
    password = create_operator(client, "dewi", "dispatcher")
    dewi = Person(client, "dewi", password)
    assert dewi.login().status_code == 200
    answer = dewi.call("GET", "/incidents")
    while answer.status_code == 200:  # the console's one-second poll, no click or key press
        time.sleep(0.5)
        answer = dewi.call("GET", "/incidents")
    assert answer.status_code == 401
    assert answer.json()["code"] == "session_expired"
    assert answer.json()["params"] == {"idle_timeout_s": 2.0}


def test_password_change_and_admin_reset(client: TestClient) -> None:
    password = create_operator(client, "andi", "planner")
    andi = Person(client, "andi", password)
    andi.login()
    wrong = andi.call(
        "POST", "/auth/password", json={"current_password": "nope", "new_password": "andi-new-pass"}
    )
    assert wrong.status_code == 403
    assert wrong.json()["code"] == "password_wrong"
    short = andi.call("POST", "/auth/password", json={"current_password": password, "new_password": "short"})
    assert short.status_code == 422
    ok = andi.call(
        "POST", "/auth/password", json={"current_password": password, "new_password": "andi-new-pass"}
    )
    assert ok.status_code == 204
    assert Person(client, "andi", password).login().status_code == 401
    assert Person(client, "andi", "andi-new-pass").login().status_code == 200
    reset = client.post(
        f"{API}/operators/andi/password", headers=auth("admin"), json={"password": "reset-by-admin"}
    )
    assert reset.status_code == 204
    assert Person(client, "andi", "reset-by-admin").login().status_code == 200


def test_a_person_holding_several_roles(client: TestClient) -> None:
    password = create_operator(client, "yudi", "supervisor", "planner")
    yudi = Person(client, "yudi", password, desk="Meja S")
    assert yudi.login().json()["roles"] == ["planner", "supervisor"]
    assert yudi.call("POST", "/shifts", json={}).status_code == 201
    assert new_incident(yudi) > 0  # a supervisor dispatches too
    assert yudi.call("GET", "/operators").status_code == 403  # not an admin


def test_a_role_change_applies_at_the_next_request_and_is_audited(client: TestClient) -> None:
    password = create_operator(client, "wati", "planner")
    wati = Person(client, "wati", password, desk="Meja P")
    assert wati.login().status_code == 200
    assert wati.call("POST", "/shifts", json={}).status_code == 403  # a planner opens no shift
    changed = client.patch(
        f"{API}/operators/wati", headers=auth("admin"), json={"roles": ["planner", "supervisor"]}
    )
    assert changed.status_code == 200, changed.text
    assert wati.call("POST", "/shifts", json={}).status_code == 201  # same session, new role
    same = client.patch(
        f"{API}/operators/wati", headers=auth("admin"), json={"roles": ["supervisor", "planner"]}
    )
    assert same.status_code == 200
    events = client.get(f"{API}/account-events", headers=auth("admin")).json()
    changes = [e for e in events if e["kind"] == "roles_changed" and e["username"] == "wati"]
    assert len(changes) == 1, "an unchanged set of roles is no event"
    assert changes[0]["detail"] == {"roles": ["planner", "supervisor"], "before": ["planner"]}


def test_bad_account_input_is_refused_with_its_reason(client: TestClient) -> None:
    bad_role = client.post(
        f"{API}/operators",
        headers=auth("admin"),
        json={"username": "tono", "password": "tono-password", "roles": ["device"]},
    )
    assert bad_role.status_code == 422
    assert bad_role.json()["code"] == "role_unknown"
    long_name = client.post(
        f"{API}/operators",
        headers=auth("admin"),
        json={"username": "x" * 21, "password": "tono-password", "roles": ["dispatcher"]},
    )
    assert long_name.status_code == 422
    create_operator(client, "tono", "dispatcher")
    twice = client.post(
        f"{API}/operators",
        headers=auth("admin"),
        json={"username": "tono", "password": "tono-password", "roles": ["dispatcher"]},
    )
    assert twice.status_code == 409
    assert twice.json()["code"] == "operator_exists"
    long_desk = client.post(
        f"{API}/auth/login",
        json={"username": "tono", "password": "tono-password", "desk": "Meja nomor dua belas"},
    )
    assert long_desk.status_code == 422


def test_the_last_admin_account_keeps_its_role_and_stays_enabled(client: TestClient) -> None:
    """Nobody could manage accounts from the console any more: refused, nothing changed, the code names it."""

    def patch(username: str, **body: Any) -> Any:
        return client.patch(f"{API}/operators/{username}", headers=auth("admin"), json=body)

    def account(username: str) -> Any:
        return next(
            p
            for p in client.get(f"{API}/operators", headers=auth("admin")).json()
            if p["username"] == username
        )

    create_operator(client, "lina", "admin", "supervisor")
    assert [p["username"] for p in client.get(f"{API}/operators", headers=auth("admin")).json()] == ["lina"]
    assert patch("lina", roles=["admin"]).status_code == 200, "dropping another role is fine"
    for body in ({"roles": ["dispatcher"]}, {"disabled": True}, {"roles": ["admin"], "disabled": True}):
        refused = patch("lina", **body)
        assert refused.status_code == 409, body
        assert refused.json()["code"] == "last_admin"
        assert refused.json()["params"] == {"username": "lina"}
    assert account("lina")["roles"] == ["admin"], "nothing changed"
    assert not account("lina")["disabled"]

    create_operator(client, "wati", "admin")
    assert patch("lina", disabled=True).status_code == 200, "another admin remains: allowed"
    assert patch("wati", roles=["supervisor"]).json()["code"] == "last_admin", "now wati is the last one"
    assert patch("lina", disabled=False).status_code == 200
    assert patch("wati", disabled=True).status_code == 200
    assert patch("lina", roles=["dispatcher"]).json()["code"] == "last_admin", (
        "a disabled admin does not count"
    )
