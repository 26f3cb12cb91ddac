# ruff: noqa: F811 - pytest fixtures imported from the fixture modules are redefined as parameters
"""``/metrics`` needs ``SIAGA_METRICS_TOKEN`` or an admin API token."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.integration.api_fixtures import auth
from tests.integration.hardening_fixtures import METRICS_TOKEN, client, new_client  # noqa: F401


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer wrong-token"}, 401),
        ({"Authorization": f"Basic {METRICS_TOKEN}"}, 401),
        (auth("dispatcher"), 403),
        (auth("device"), 403),
        ({"Authorization": f"Bearer {METRICS_TOKEN}"}, 200),
        (auth("admin"), 200),
    ],
)
def test_metrics_need_the_metrics_token_or_an_admin_token(
    client: TestClient, headers: dict[str, str], status: int
) -> None:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == status, response.text
    if status == 200:
        assert "siaga_ingest" in response.text
    else:
        assert "siaga_ingest" not in response.text


def test_metrics_token_unset_means_admin_tokens_only(new_client: Callable[..., TestClient]) -> None:
    client = new_client()
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).status_code == 401
    assert client.get("/metrics", headers=auth("admin")).status_code == 200
