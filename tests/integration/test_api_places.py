"""Places over HTTP: the autocomplete item is one place (kode + level) and POST /incidents takes its kode.

Runs on the coarse ``siak_grid`` test graph, where most desa have no road node and fall back to their
representative point moved onto a road.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.integration.api_fixtures import auth

API = "/api/v1"


@pytest.fixture
def client(tmp_path: Path, make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(f"sqlite:///{tmp_path / 'siaga.db'}")


def places(client: TestClient, q: str) -> list[dict[str, Any]]:
    response = client.get(f"{API}/places", params={"q": q}, headers=auth("dispatcher"))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()
    return items


def create(client: TestClient, **location: Any) -> Any:
    body = {"incident_type": "medical", "priority": 1, **location}
    return client.post(f"{API}/incidents", headers=auth("dispatcher"), json=body)


def test_kandis_desa_and_kandis_kecamatan_are_two_items_with_their_own_kode_and_point(
    client: TestClient,
) -> None:
    kandis = {item["level"]: item for item in places(client, "Kandis") if item["nama"] == "Kandis"}
    assert set(kandis) == {"desa", "kecamatan"}
    desa, kecamatan = kandis["desa"], kandis["kecamatan"]
    assert desa["kode"] != kecamatan["kode"]
    assert (desa["lon"], desa["lat"]) != (kecamatan["lon"], kecamatan["lat"])
    assert kecamatan["resolved_by"] == "seat"
    assert kecamatan["seat"] == {"kode": "14.08.10.1002", "nama": "Telaga Sam-Sam", "confirmed": True}
    assert desa["resolved_by"] in {"settlement_core", "representative_point"}
    assert "seat" not in desa
    for item in (desa, kecamatan):
        assert item["kecamatan"] == "Kandis"
        assert 0 <= item["road_distance_m"] <= 300


def test_an_incident_placed_by_kode_is_at_that_places_point(client: TestClient) -> None:
    kecamatan = next(i for i in places(client, "Kandis") if i["level"] == "kecamatan")
    desa = next(i for i in places(client, "Kandis") if i["level"] == "desa")
    # the kode wins over the text, which may say anything the dispatcher typed
    by_kode = create(client, place="Kandis", place_kode=kecamatan["kode"])
    assert by_kode.status_code == 201, by_kode.text
    body = by_kode.json()
    assert body["location"] == pytest.approx({"lon": kecamatan["lon"], "lat": kecamatan["lat"]}, abs=1e-6)
    assert body["location_source"] == "place"
    assert body["place_match"]["kode"] == kecamatan["kode"]
    assert body["place_match"]["level"] == "kecamatan"
    assert body["place_match"]["resolved_by"] == "seat"
    assert body["desa"]["nama"] == "Telaga Sam-Sam"
    as_desa = create(client, place_kode=desa["kode"]).json()
    assert as_desa["place_match"]["kode"] == desa["kode"]
    assert as_desa["location"] != body["location"]


def test_a_typed_kecamatan_name_goes_to_its_seat(client: TestClient) -> None:
    created = create(client, place="Sungai Apit")
    assert created.status_code == 201, created.text
    assert created.json()["place_match"]["level"] == "kecamatan"
    assert created.json()["desa"]["nama"] == "Sungai Apit", "the seat, not Penyengat"


def test_an_unknown_kode_is_a_422_naming_it_and_stores_nothing(client: TestClient) -> None:
    refused = create(client, place_kode="14.08.99.9999")
    assert refused.status_code == 422
    assert "14.08.99.9999" in refused.json()["detail"]
    assert create(client, place_kode="14.08.02", lon=102.15, lat=1.12).status_code == 422
    listed = client.get(f"{API}/incidents", headers=auth("dispatcher")).json()
    assert listed == []
