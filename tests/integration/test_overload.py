"""Past saturation the API answers 503 + Retry-After, never 500, and loses nothing (issue 16).

The pool is exhausted on purpose: one connection, held by the test, and a short pool timeout.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.integration.api_fixtures import NEAR_TOWN, auth

API = "/api/v1"


def test_an_exhausted_pool_is_answered_503_not_500(
    db_url: str, make_client: Callable[..., TestClient]
) -> None:
    client = make_client(
        db_url, database_pool_size=1, database_max_overflow=0, database_pool_timeout_s=0.3, token_cache_s=0
    )
    state = client.app.state.siaga  # type: ignore[attr-defined]
    before = client.get(f"{API}/live", headers=auth("dispatcher")).json()["incidents"]
    held = state.engine.connect()  # every connection of the pool is busy
    try:
        new = {"incident_type": "medical", "priority": 1, "lon": NEAR_TOWN[0], "lat": NEAR_TOWN[1]}
        for method, path, body in (
            ("GET", "/live", None),
            ("GET", "/units.geojson", None),
            ("POST", "/incidents", new),
        ):
            answer = client.request(method, API + path, headers=auth("dispatcher"), json=body)
            assert answer.status_code == 503, (path, answer.status_code, answer.text)
            assert answer.headers["Retry-After"] == "1"
            assert answer.json()["code"] == "server_busy"
            assert answer.json()["params"] == {"retry_after_s": 1}
    finally:
        held.close()
    after = client.get(f"{API}/live", headers=auth("dispatcher"))
    assert after.status_code == 200, "served again once a connection is free"
    assert after.json()["incidents"] == before, "the refused incident was not half-stored"
    created = client.post(f"{API}/incidents", headers=auth("dispatcher"), json=new)
    assert created.status_code == 201, "the dispatcher's retry goes through"


def test_503_is_documented_for_every_authenticated_operation(
    db_url: str, make_client: Callable[..., TestClient]
) -> None:
    spec = make_client(db_url).get("/openapi.json").json()
    operations = [op for item in spec["paths"].values() for op in item.values() if op.get("security")]
    assert operations
    assert all("503" in op["responses"] for op in operations)
