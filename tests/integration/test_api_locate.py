"""GET /locate: where the intake pin is (desa, kecamatan, inside, road distance, far-from-road warning).

On the coarse ``siak_grid`` test graph, where many desa have no road, so points far from a road exist.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pyproj import Transformer

from dispatch_geo.boundaries import METRIC_CRS
from dispatch_geo.domain.values import LonLat
from dispatch_geo.gazetteer import Gazetteer
from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.graph.snap import EdgeSnapper
from tests.integration.api_fixtures import auth

API = "/api/v1"


@pytest.fixture
def client(tmp_path: Path, make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(f"sqlite:///{tmp_path / 'siaga.db'}")


def locate(client: TestClient, lon: float, lat: float, role: str = "dispatcher") -> Any:
    return client.get(f"{API}/locate", params={"lon": lon, "lat": lat}, headers=auth(role))


def farthest_desa_point(siak_grid: RoadGraph, gazetteer: Gazetteer) -> tuple[LonLat, str, float]:
    """The inside point of the desa farthest from any road: (point, desa kode, road distance in metres)."""
    to_wgs84 = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)
    snapper = EdgeSnapper(siak_grid)
    best: tuple[LonLat, str, float] | None = None
    for area in gazetteer.desa_areas():
        inside = area.polygon_metric.representative_point()
        lon, lat = to_wgs84.transform(inside.x, inside.y)
        point = LonLat(round(lon, 6), round(lat, 6))
        distance_m = snapper.snap_one(point).distance_m
        if best is None or distance_m > best[2]:
            best = (point, area.kode, distance_m)
    assert best is not None
    return best


def test_a_place_point_is_in_its_desa_on_the_road_without_a_warning(client: TestClient) -> None:
    item = next(
        i
        for i in client.get(f"{API}/places", params={"q": "Kandis"}, headers=auth("dispatcher")).json()
        if i["level"] == "kecamatan"
    )
    response = locate(client, item["lon"], item["lat"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["kecamatan"]["nama"] == "Kandis"
    assert body["kecamatan"]["kode"]
    assert body["desa"]["kode"]
    assert body["desa"]["nama"]
    assert body["inside"] is True
    assert body["outside_distance_m"] == 0
    assert body["road_distance_m"] == pytest.approx(item["road_distance_m"], abs=1.0)
    assert body["warnings"] == []


def test_a_point_far_from_any_road_is_warned_with_its_distance(
    client: TestClient, siak_grid: RoadGraph, gazetteer: Gazetteer
) -> None:
    point, desa_kode, distance_m = farthest_desa_point(siak_grid, gazetteer)
    assert distance_m > 500, "the test graph should have a desa far from its roads"
    body = locate(client, point.lon, point.lat).json()
    assert body["desa"]["kode"] == desa_kode
    assert body["road_distance_m"] == pytest.approx(distance_m, abs=1.0)
    assert body["warnings"] == [
        {
            "code": "far_from_road",
            "params": {"distance_m": round(body["road_distance_m"]), "limit_m": 500},
            "text": body["warnings"][0]["text"],
        }
    ]


def test_the_warning_distance_is_a_setting(
    tmp_path: Path, make_client: Callable[..., TestClient], siak_grid: RoadGraph, gazetteer: Gazetteer
) -> None:
    point, _, distance_m = farthest_desa_point(siak_grid, gazetteer)
    relaxed = make_client(f"sqlite:///{tmp_path / 'relaxed.db'}", far_from_road_m=distance_m + 100)
    assert locate(relaxed, point.lon, point.lat).json()["warnings"] == []


def test_outside_the_regency_is_a_coded_422_and_planners_may_ask_devices_not(client: TestClient) -> None:
    far = locate(client, 100.0, -3.0)
    assert far.status_code == 422
    assert far.json()["code"].startswith("outside_service_area")
    assert locate(client, 102.05, 0.8, role="planner").status_code == 200
    assert locate(client, 102.05, 0.8, role="device").status_code == 403
    bad = locate(client, 200.0, 0.8)
    assert bad.status_code == 422
    assert bad.json()["code"] == "validation_error"
