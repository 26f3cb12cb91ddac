# ruff: noqa: F811 - pytest fixtures imported from the fixture modules are redefined as parameters
"""Security headers on every response (API, pages, static files, errors) and pages that run under the
strict Content-Security-Policy: no inline script or style, configuration in a data attribute."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from siaga.settings import Settings
from tests.integration.api_fixtures import auth
from tests.integration.hardening_fixtures import client, new_client  # noqa: F401

API = "/api/v1"


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        ("get", "/", {}, 200),
        ("get", "/static/console.js", {}, 200),
        ("get", "/vendor/leaflet-1.9.4/leaflet.js", {}, 200),
        ("get", "/docs", {}, 200),
        ("get", "/openapi.json", {}, 200),
        ("get", "/replay/1", {}, 200),
        ("get", f"{API}/units", auth("dispatcher"), 200),
        ("get", f"{API}/units", {}, 401),
        ("get", f"{API}/units/NO-SUCH-UNIT", auth("dispatcher"), 404),
        ("post", f"{API}/incidents", auth("dispatcher"), 422),
        ("get", "/no/such/page", {}, 404),
        ("get", "/metrics", {}, 401),
    ],
)
def test_every_response_carries_the_security_headers(
    client: TestClient, method: str, path: str, headers: dict[str, str], status: int
) -> None:
    response = client.request(method, path, headers=headers)
    assert response.status_code == status, response.text
    csp = response.headers["content-security-policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split("; ")}
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"], "no 'unsafe-inline' or 'unsafe-eval' for scripts"
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:", "https://tile.openstreetmap.org"]
    assert "'unsafe-inline'" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"


def test_an_unhandled_error_still_carries_the_security_headers(
    tmp_path: Path, siak_grid: object, gazetteer: object
) -> None:
    from fastapi import APIRouter

    from siaga.api import create_app

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'siaga.db'}")
    app = create_app(settings, road=siak_grid, gazetteer=gazetteer)  # type: ignore[arg-type]
    boom = APIRouter()

    @boom.get("/boom")
    def _boom() -> None:
        raise RuntimeError("boom")

    app.include_router(boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


@pytest.mark.parametrize("path", ["/", "/replay/7"])
def test_pages_have_no_inline_script_or_style(client: TestClient, path: str) -> None:
    page = client.get(path).text
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == [], "every script is a file"
    assert "<style" not in page
    assert "style=" not in page
    assert re.search(r"\son[a-z]+=", page) is None, "no inline event handlers"


def test_page_config_is_an_escaped_data_attribute(client: TestClient) -> None:
    page = client.get("/replay/7").text
    config = re.search(r'<body data-config="([^"]*)">', page)
    assert config is not None
    assert "&quot;incidentId&quot;: 7" in config.group(1)


@pytest.mark.parametrize("script", ["console.js", "replay.js"])
def test_our_scripts_generate_no_style_attribute(client: TestClient, script: str) -> None:
    response = client.get(f"/static/{script}")
    assert response.status_code == 200
    js = response.text
    assert "style=" not in js, "the CSP blocks style attributes in generated HTML"
    assert "window.SIAGA" not in js


def test_replay_page_offers_no_demo_token_when_demo_tokens_are_off(
    new_client: Callable[..., TestClient],
) -> None:
    development = new_client(console_demo_token=True).get("/replay/3").text
    assert "demo-dispatcher-token" in development
    production = new_client(seed_demo_tokens=False).get("/replay/3").text
    assert "demo-dispatcher-token" not in production
    js = new_client().get("/static/replay.js").text
    assert "demo-dispatcher-token" not in js, "no hard-coded fallback token"
