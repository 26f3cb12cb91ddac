# ruff: noqa: F811 - pytest fixtures imported from the fixture modules are redefined as parameters
"""Failed-authentication rate limiting per client address: 429 with Retry-After past the limit."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from siaga.api.middleware import AuthFailureLimitMiddleware
from tests.integration.api_fixtures import auth
from tests.integration.hardening_fixtures import client, new_client  # noqa: F401

API = "/api/v1"


def _from(client: TestClient, address: str) -> TestClient:
    """Another client on the same running app, calling from ``address``."""
    return TestClient(client.app, client=(address, 40000))


def test_an_address_with_too_many_failed_logins_gets_429_others_do_not(
    new_client: Callable[..., TestClient],
) -> None:
    client = new_client(auth_failure_limit=5, auth_failure_window_s=3600)
    attacker, colleague = _from(client, "10.0.0.66"), _from(client, "10.0.0.7")
    bad = {"Authorization": "Bearer guessed-token"}
    for _ in range(5):
        assert attacker.get(f"{API}/units", headers=bad).status_code == 401
    blocked = attacker.get(f"{API}/units", headers=bad)
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["retry-after"]) <= 3600
    assert "too many failed authentications" in blocked.json()["detail"]
    assert blocked.json()["retry_after_s"] == int(blocked.headers["retry-after"])
    assert blocked.headers["x-frame-options"] == "DENY"
    # even a valid token from that address waits: the answer comes before authentication
    assert attacker.get(f"{API}/units", headers=auth("dispatcher")).status_code == 429
    # other addresses carry on, successes and failures counted apart
    assert colleague.get(f"{API}/units", headers=auth("dispatcher")).status_code == 200
    assert colleague.get(f"{API}/units", headers=bad).status_code == 401
    assert colleague.get(f"{API}/units", headers=auth("dispatcher")).status_code == 200


def test_successes_and_other_errors_do_not_count(new_client: Callable[..., TestClient]) -> None:
    client = new_client(auth_failure_limit=3)
    for _ in range(10):
        assert client.get(f"{API}/units", headers=auth("dispatcher")).status_code == 200
        assert client.get(f"{API}/units/NOPE", headers=auth("dispatcher")).status_code == 404
        assert client.post(f"{API}/units", json={}, headers=auth("dispatcher")).status_code == 403
    assert client.get(f"{API}/units", headers=auth("dispatcher")).status_code == 200


def test_the_window_slides_and_tracked_addresses_are_capped() -> None:
    now = [1000.0]

    async def app(scope: object, receive: object, send: object) -> None:  # never called here
        raise AssertionError

    limiter = AuthFailureLimitMiddleware(app, limit=3, window_s=60, max_addresses=100, clock=lambda: now[0])
    for _ in range(3):
        limiter.record_failure("10.0.0.1")
        now[0] += 10
    assert limiter.retry_after_s("10.0.0.1") == pytest.approx(30)  # the first failure leaves at 1060
    now[0] = 1060.5
    assert limiter.retry_after_s("10.0.0.1") is None
    limiter.record_failure("10.0.0.1")  # 1010, 1020 and 1060.5: three within the last minute again
    assert limiter.retry_after_s("10.0.0.1") == pytest.approx(9.5)
    for i in range(1000):
        limiter.record_failure(f"192.0.2.{i}")
    assert limiter.tracked_addresses == 100
    now[0] += 61  # every failure so far has left the window: only the new address stays tracked
    limiter.record_failure("198.51.100.1")
    assert limiter.tracked_addresses == 1


def test_phones_behind_one_carrier_address_are_not_locked_out(new_client: Callable[..., TestClient]) -> None:
    """Device position endpoints are exempt: many phones share a carrier NAT address, and one with a
    wrong secret must not stop the others' positions (a 256-bit secret cannot be guessed anyway)."""
    client = new_client(auth_failure_limit=3, auth_failure_window_s=3600)
    carrier = _from(client, "100.64.0.9")
    for _ in range(6):
        wrong = carrier.post(
            f"{API}/devices/owntracks",
            json={"_type": "location", "lat": 0.8, "lon": 102.05, "tst": 1},
            auth=("amb1", "wrong"),
            headers={"X-Limit-U": "amb1"},
        )
        assert wrong.status_code in {400, 401}
    created = client.post(
        f"{API}/devices", headers=auth("admin"), json={"unit_id": "AMB-SIAK-01", "device_id": "amb1"}
    )
    assert created.status_code == 201, created.text
    right = carrier.post(
        f"{API}/devices/owntracks",
        json={"_type": "location", "lat": 0.8, "lon": 102.05, "tst": 1},
        auth=("amb1", created.json()["secret"]),
        headers={"X-Limit-U": "amb1"},
    )
    assert right.status_code != 429
    # the API routes of that address still count its failures
    for _ in range(3):
        assert carrier.get(f"{API}/units", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert carrier.get(f"{API}/units", headers={"Authorization": "Bearer nope"}).status_code == 429
