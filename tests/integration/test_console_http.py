"""The console's page and its map endpoints over HTTP (no browser): offline assets, basemap layers, places."""

from __future__ import annotations

import fnmatch
import html
import json
import posixpath
import re
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from maps.offline import remote_assets
from tests.integration.api_fixtures import auth

SIAK_BBOX = (100.9, 0.3, 103.0, 1.4)  # lon_min, lat_min, lon_max, lat_max (the test grid reaches 102.9)


@pytest.fixture
def client(make_client: Callable[..., TestClient], tmp_path: Path) -> TestClient:
    return make_client(f"sqlite:///{tmp_path / 'siaga.db'}")


def test_page_loads_every_asset_from_the_app_itself(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert '<html lang="id">' in page.text, "Bahasa Indonesia first"
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert any(a.endswith("leaflet.js") for a in assets)
    assert all(a.startswith("/") or a.startswith("data:") for a in assets), assets
    assert "cdn" not in page.text.lower()
    for asset in assets:
        if not asset.startswith("data:"):
            assert client.get(asset).status_code == 200, asset
    # the schematic flag reaches the page (JSON in <body data-config>), so the banner shows
    config = re.search(r'data-config="([^"]*)"', page.text)
    assert config is not None
    assert json.loads(html.unescape(config.group(1)))["schematic"] is True


def console_modules(client: TestClient) -> dict[str, str]:
    """Every script the console page loads, following the ES module imports as the browser does."""
    page = client.get("/").text
    pending = [src for src in re.findall(r'<script type="module" src="([^"]+)"', page)]
    assert pending == ["/static/console.js"]
    seen: dict[str, str] = {}
    while pending:
        url = pending.pop()
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        assert "javascript" in response.headers["content-type"], url  # browsers refuse modules otherwise
        seen[url] = response.text
        for spec in re.findall(r'^import .*?from "([^"]+)";|^import "([^"]+)";', response.text, flags=re.M):
            target = spec[0] or spec[1]
            assert target.startswith("./") or target.startswith("../"), f"{url}: bare import {target}"
            pending.append(posixpath.normpath(posixpath.join(posixpath.dirname(url), target)))
    return seen


def test_console_is_es_modules_one_per_concern(client: TestClient) -> None:
    modules = console_modules(client)
    names = {url.removeprefix("/static/js/") for url in modules}
    for wanted in (
        "api.js",
        "i18n.js",
        "store.js",
        "map.js",
        "main.js",
        "panels/intake.js",
        "panels/incident.js",
        "panels/board.js",
        "panels/incidents.js",
    ):
        assert wanted in names, sorted(names)
    for url, js in modules.items():
        assert "style=" not in js, f"{url}: the CSP blocks style attributes in generated HTML"
        for forbidden in ("eval(", "new Function", "window.I18N", "demo-dispatcher-token"):
            assert forbidden not in js, f"{url}: {forbidden}"


def test_page_scripts_reference_no_remote_host_but_the_opt_in_tiles(client: TestClient) -> None:
    hosts = {
        host for js in console_modules(client).values() for host in re.findall(r"https?://([^/\"'`]+)", js)
    }
    assert hosts == {"tile.openstreetmap.org"}, hosts


def test_every_web_file_is_package_data() -> None:
    """The wheel must carry the module subfolders too (``web/static/*`` does not match ``js/panels/``)."""
    root = Path(__file__).resolve().parents[2]
    patterns = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["*"]
    package = root / "siaga"
    for path in (package / "web").rglob("*"):
        if path.is_file():
            relative = path.relative_to(package).as_posix()
            assert any(
                fnmatch.fnmatchcase(relative, p) and relative.count("/") == p.count("/") for p in patterns
            ), f"{relative} is not matched by package-data {patterns}"


def test_main_roads_leave_out_minor_streets_and_say_schematic(client: TestClient) -> None:
    roads = client.get("/api/v1/map/roads.geojson", headers=auth("dispatcher"))
    assert roads.status_code == 200
    assert roads.headers["content-type"].startswith("application/geo+json")
    body = roads.json()
    assert body["schematic"] is True
    assert "SCHEMATIC" in body["label"].upper()
    highways = {f["properties"]["highway"] for f in body["features"]}
    assert highways, "the test grid has primary and tertiary rows"
    assert highways <= {"motorway", "trunk", "primary", "secondary", "tertiary"}
    for feature in body["features"]:
        for lon, lat in feature["geometry"]["coordinates"]:  # RFC 7946 order, inside Siak
            assert SIAK_BBOX[0] < lon < SIAK_BBOX[2]
            assert SIAK_BBOX[1] < lat < SIAK_BBOX[3]
        # the grid's residential streets run north-south; none of them is drawn
        lons = {round(lon, 4) for lon, _ in feature["geometry"]["coordinates"]}
        assert len(lons) > 1


def test_main_roads_are_built_once_per_process(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every console asks for the basemap at start-up: the server builds it once, not per request."""
    from siaga.api import routes_console

    builds: list[int] = []
    build = routes_console._roads
    monkeypatch.setattr(routes_console, "_roads", lambda state: builds.append(1) or build(state))
    first = client.get("/api/v1/map/roads.geojson", headers=auth("dispatcher"))
    second = client.get("/api/v1/map/roads.geojson", headers=auth("planner"))
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert len(builds) <= 1, f"the roads were rebuilt {len(builds)} times"


def test_boundary_layers_have_every_kecamatan_and_desa(client: TestClient) -> None:
    kec = client.get("/api/v1/map/boundaries.geojson?level=kecamatan", headers=auth("dispatcher")).json()
    desa = client.get("/api/v1/map/boundaries.geojson?level=desa", headers=auth("dispatcher")).json()
    assert len(kec["features"]) == 14
    assert len(desa["features"]) == 131
    assert "Siak" in {f["properties"]["nama"] for f in kec["features"]}
    bad = client.get("/api/v1/map/boundaries.geojson?level=rt", headers=auth("dispatcher"))
    assert bad.status_code == 422


def test_place_autocomplete_finds_a_village_by_a_partial_misspelt_name(client: TestClient) -> None:
    found = client.get("/api/v1/places", params={"q": "kampung dalm"}, headers=auth("dispatcher"))
    assert found.status_code == 200
    first = found.json()[0]
    assert first["nama"] == "Kampung Dalam"
    assert first["level"] == "desa"
    assert first["kecamatan"] == "Siak"
    assert SIAK_BBOX[0] < first["lon"] < SIAK_BBOX[2]
    assert SIAK_BBOX[1] < first["lat"] < SIAK_BBOX[3]


def test_place_autocomplete_needs_a_token_and_a_query(client: TestClient) -> None:
    assert client.get("/api/v1/places", params={"q": "siak"}).status_code == 401
    assert client.get("/api/v1/places", params={"q": ""}, headers=auth("dispatcher")).status_code == 422


def test_stations_tell_the_map_which_posts_are_approximate(client: TestClient) -> None:
    stations = client.get("/api/v1/stations", headers=auth("dispatcher")).json()
    assert stations
    psc = next(s for s in stations if s["id"] == "psc119-siak")
    assert psc["approximate"] is True
    assert "approximate" in psc["note"]


def test_replay_map_downloads_as_one_offline_file(client: TestClient) -> None:
    created = client.post(
        "/api/v1/incidents",
        json={"incident_type": "medical", "priority": 1, "place": "Kampung Dalam"},
        headers=auth("dispatcher"),
    )
    assert created.status_code == 201, created.text
    incident_id = created.json()["id"]
    assert (
        client.post(f"/api/v1/incidents/{incident_id}/cancel", headers=auth("dispatcher")).status_code == 200
    )
    download = client.get(f"/api/v1/incidents/{incident_id}/replay-map.html", headers=auth("dispatcher"))
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/html")
    assert f'filename="siaga-replay-{incident_id}.html"' in download.headers["content-disposition"]
    assert remote_assets(download.text) == []
    assert f"Incident #{incident_id}" in download.text
    assert "WIB" in download.text
    assert "SKEMATIK / SCHEMATIC" in download.text
    assert client.get("/api/v1/incidents/999/replay-map.html", headers=auth("dispatcher")).status_code == 404
    assert client.get(f"/api/v1/incidents/{incident_id}/replay-map.html").status_code == 401
