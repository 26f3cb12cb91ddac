"""Token lookups are kept a few seconds per process; a revoked token stops working within that time.

Issue 16. The token is revoked the way an operator does it, in the database from another process (the
CLI), so this process only learns of it when its cached answer expires. The cache's clock is the
test's, so nothing here waits or measures time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import event

from dispatch_geo.storage import token_repo

API = "/api/v1"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_revoked_token_stops_working_within_the_cache_time(
    db_url: str, make_client: Callable[..., TestClient]
) -> None:
    client = make_client(db_url, token_cache_s=5)
    state = client.app.state.siaga  # type: ignore[attr-defined]
    clock = Clock()
    state.principals.clock = clock
    with state.sessions.begin() as session:
        _, token = token_repo.create_token(session, name="Meja 7", role="dispatcher", at=datetime.now(UTC))
    desk = {"Authorization": f"Bearer {token}"}
    lookups: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "api_tokens" in statement:
            lookups.append(statement)

    event.listen(state.engine, "before_cursor_execute", count)
    for _ in range(5):
        assert client.get(f"{API}/units.geojson", headers=desk).status_code == 200
    assert len(lookups) == 1, "one lookup for five polls with the same token"

    with state.sessions.begin() as session:  # as `dispatch-geo tokens revoke "Meja 7"` does
        token_repo.revoke_token(session, name="Meja 7", at=datetime.now(UTC))
    clock.now += 4.9
    assert client.get(f"{API}/units.geojson", headers=desk).status_code == 200, "still within 5 s"
    clock.now += 0.2
    refused = client.get(f"{API}/units.geojson", headers=desk)
    assert refused.status_code == 401, "revoked: refused once the cached answer expired"
    assert refused.json()["code"] == "unauthorized"
    event.remove(state.engine, "before_cursor_execute", count)


def test_unknown_tokens_are_never_remembered(db_url: str, make_client: Callable[..., TestClient]) -> None:
    client = make_client(db_url, token_cache_s=5)
    state = client.app.state.siaga  # type: ignore[attr-defined]
    assert client.get(f"{API}/units", headers={"Authorization": "Bearer not-yet"}).status_code == 401
    with state.sessions.begin() as session:
        _, token = token_repo.create_token(session, name="Meja 8", role="planner", at=datetime.now(UTC))
    assert client.get(f"{API}/units", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_no_cache_when_set_to_zero(db_url: str, make_client: Callable[..., TestClient]) -> None:
    client = make_client(db_url, token_cache_s=0)
    state = client.app.state.siaga  # type: ignore[attr-defined]
    assert (
        client.get(f"{API}/units", headers={"Authorization": "Bearer demo-planner-token"}).status_code == 200
    )
    with state.sessions.begin() as session:
        token_repo.revoke_token(session, name="demo-planner", at=datetime.now(UTC))
    answer = client.get(f"{API}/units", headers={"Authorization": "Bearer demo-planner-token"})
    assert answer.status_code == 401, "revoked at once"
