# ruff: noqa: F811 - pytest fixtures imported from the fixture modules are redefined as parameters
"""The request body limit (413 while reading, before authentication) and duplicate JSON keys (422
naming the key, nothing stored), through the whole app. The 300 MB body against a real uvicorn
process is in ``test_api_body_limit_process.py``."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from tests.integration.api_fixtures import SIAK_TOWN, auth
from tests.integration.hardening_fixtures import client, incident_count, new_client  # noqa: F401

API = "/api/v1"
INCIDENT = {"incident_type": "medical", "priority": 1, "lon": SIAK_TOWN[0], "lat": SIAK_TOWN[1]}


def test_a_declared_oversized_body_is_refused_before_auth(new_client: Callable[..., TestClient]) -> None:
    client = new_client(max_request_body_bytes=4096)
    before = incident_count(client)
    response = client.post(
        f"{API}/incidents", content=b"x" * 5000, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413, "refused before authentication (no token sent)"
    assert "4096" in response.json()["detail"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert incident_count(client) == before


def test_a_streamed_oversized_body_is_cut_off(new_client: Callable[..., TestClient]) -> None:
    client = new_client(max_request_body_bytes=4096)
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        for _ in range(100):
            sent += 1024
            yield b" " * 1024

    for content_type in ("application/json", "application/x-www-form-urlencoded"):
        sent = 0
        response = client.post(
            f"{API}/devices/traccar" if "form" in content_type else f"{API}/devices/owntracks",
            content=chunks(),
            headers={"Content-Type": content_type},
        )
        assert response.status_code == 413, (content_type, response.text)
        assert "request body too large" in response.json()["detail"]


def test_a_body_at_the_limit_is_accepted(new_client: Callable[..., TestClient]) -> None:
    client = new_client(max_request_body_bytes=4096)
    body = '{"incident_type": "medical", "priority": 1, "lon": 102.05, "lat": 0.8, "description": "%s"}'
    padded = body % ("x" * (4096 - len(body % "")))
    assert len(padded) == 4096
    response = client.post(
        f"{API}/incidents",
        content=padded.encode(),
        headers={**auth("dispatcher"), "Content-Type": "application/json"},
    )
    assert response.status_code != 413, response.text


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('{"incident_type": "medical", "priority": 1, "lon": 102.05, "lon": 102.06, "lat": 0.8}', "lon"),
        ('{"incident_type": "medical", "priority": 1, "lon": 102.05, "lat": 0.8, "lat": 0.8}', "lat"),
        (
            '{"incident_type": "medical", "priority": 1, "lon": 102.05, "lat": 0.8, '
            '"caller": {"phone": "1", "phone": "2"}}',
            "phone",
        ),
    ],
)
@pytest.mark.parametrize("content_type", ["application/json", None])
def test_duplicate_json_keys_are_refused_and_nothing_is_stored(
    client: TestClient, body: str, key: str, content_type: str | None
) -> None:
    before = incident_count(client)
    headers = auth("dispatcher")
    if content_type:
        headers["Content-Type"] = content_type
    response = client.post(f"{API}/incidents", content=body.encode(), headers=headers)
    assert response.status_code == 422, response.text
    assert f"duplicate key '{key}'" in response.json()["detail"]
    assert response.json()["errors"] == [
        {"field": key, "message": "duplicate key", "code": "duplicate_key", "params": {}}
    ]
    assert incident_count(client) == before


def test_device_bodies_keep_their_decoders_duplicate_check(client: TestClient) -> None:
    enrolled = client.post(
        f"{API}/devices", headers=auth("admin"), json={"unit_id": "AMB-SIAK-01", "device_id": "u"}
    )
    assert enrolled.status_code == 201, enrolled.text
    response = client.post(
        f"{API}/devices/owntracks",
        content=b'{"_type": "location", "lat": 0.8, "lat": 0.9, "lon": 102.05, "tst": 1700000000}',
        headers={"Content-Type": "application/json", "X-Limit-U": "u", "X-Limit-D": "d"},
        auth=("u", enrolled.json()["secret"]),
    )
    assert response.status_code == 400, response.text
    assert "duplicate_key" in response.json()["detail"]


def test_a_valid_json_body_passes_through(client: TestClient) -> None:
    response = client.post(f"{API}/incidents", json=INCIDENT, headers=auth("dispatcher"))
    assert response.status_code == 201, response.text
