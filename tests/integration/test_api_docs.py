# ruff: noqa: F811 - pytest fixtures imported from the fixture modules are redefined as parameters
"""``/docs`` is Swagger UI served by the app itself (no CDN), so it works offline and under the CSP."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from siaga.api import routes_console
from tests.integration.hardening_fixtures import client, new_client  # noqa: F401


def test_docs_load_only_local_assets_and_they_are_served(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    scripts = [a for a in assets if a.endswith(".js")]
    assert any(re.fullmatch(r"/vendor/swagger-ui-dist-[\d.]+/swagger-ui-bundle\.js", a) for a in scripts)
    assert any(a.endswith("/swagger-ui.css") for a in assets)
    assert "/static/docs.js" in scripts
    assert all(a.startswith("/") or a.startswith("data:") for a in assets), assets
    assert "cdn" not in page.text.lower()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page.text) == []
    for asset in assets:
        if not asset.startswith("data:"):
            assert client.get(asset).status_code == 200, asset
    init = client.get("/static/docs.js").text
    assert "validatorUrl: null" in init, "the document is never sent to validator.swagger.io"
    assert client.get("/redoc").status_code == 404, "ReDoc would load from a CDN"


def test_docs_say_how_to_fetch_missing_assets(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(routes_console, "VENDOR_DIR", tmp_path / "empty-vendor")
    response = client.get("/docs")
    assert response.status_code == 503
    assert "scripts/fetch-web-assets.sh" in response.json()["detail"]
