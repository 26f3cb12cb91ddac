"""Which desa is this point in, and where is the place the caller named?"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pytest
import shapely

from dispatch_geo.boundaries import METRIC_CRS, Boundaries, load_boundaries
from dispatch_geo.domain.values import LonLat
from dispatch_geo.errors import InputError, OutsideServiceAreaError
from dispatch_geo.gazetteer import Gazetteer, Location
from dispatch_geo.place_names import normalise

PEKANBARU_CENTRE = LonLat(101.4478, 0.5071)  # city centre of Pekanbaru, south-west of Siak


@pytest.fixture(scope="module")
def boundaries() -> Boundaries:
    return load_boundaries()


@pytest.fixture(scope="module")
def gazetteer(boundaries: Boundaries) -> Gazetteer:
    return Gazetteer.from_boundaries(boundaries)


def _outside_by(boundaries: Boundaries, distance_m: float) -> tuple[LonLat, shapely.Point]:
    """A point ``distance_m`` outside the regency border (the northernmost one), in WGS84 and metric."""
    outline_m = boundaries.regency.to_crs(METRIC_CRS).geometry.iloc[0]
    ring = outline_m.buffer(distance_m, quad_segs=32).exterior
    coords = np.asarray(ring.coords)
    x, y = coords[coords[:, 1].argmax()]
    lonlat = gpd.GeoSeries([shapely.Point(x, y)], crs=METRIC_CRS).to_crs("EPSG:4326").iloc[0]
    return LonLat(float(lonlat.x), float(lonlat.y)), shapely.Point(x, y)


# ------------------------------------------------------------------------------------------ by point


def test_every_desa_representative_point_locates_to_that_desa(
    boundaries: Boundaries, gazetteer: Gazetteer
) -> None:
    kecamatan_names = dict(zip(boundaries.kecamatan["kode"], boundaries.kecamatan["nama"], strict=True))
    for row in boundaries.desa.itertuples():
        point = row.geometry.representative_point()
        location = gazetteer.locate(LonLat(point.x, point.y))
        assert location == Location(
            desa_kode=row.kode,
            desa_nama=row.nama,
            kecamatan_kode=row.parent_kode,
            kecamatan_nama=kecamatan_names[row.parent_kode],
            inside=True,
            distance_m=0.0,
        )


def test_siak_palace_is_in_kampung_dalam(gazetteer: Gazetteer) -> None:
    location = gazetteer.locate(LonLat(102.0505, 0.8005))  # Istana Siak Sri Indrapura
    assert (location.desa_nama, location.kecamatan_nama, location.inside) == ("Kampung Dalam", "Siak", True)


def test_pekanbaru_is_outside_the_service_area(gazetteer: Gazetteer) -> None:
    with pytest.raises(OutsideServiceAreaError) as excinfo:
        gazetteer.locate(PEKANBARU_CENTRE)
    message = str(excinfo.value)
    assert "lon 101.447800, lat 0.507100" in message
    match = re.search(r"is (\d+\.\d) km outside Kabupaten Siak", message)
    assert match is not None, message
    assert 12.0 < float(match.group(1)) < 17.0


@pytest.mark.parametrize(
    "far",
    [LonLat(0.0, 0.0), LonLat(10.0, 0.0), LonLat(-80.0, 0.0), LonLat(180.0, 90.0), LonLat(-180.0, -90.0)],
    ids=["null-island", "projection-infinite", "antipode", "north-pole", "south-pole"],
)
def test_points_far_from_siak_are_outside_the_service_area(gazetteer: Gazetteer, far: LonLat) -> None:
    # (0, 0) projects to infinity in UTM 47N: it used to end in an IndexError (a 500 over HTTP)
    with pytest.raises(OutsideServiceAreaError, match="outside the service area"):
        gazetteer.locate(far)
    assert gazetteer.locate_many([far.lon], [far.lat]) == [None]


def test_point_500_m_outside_the_border_gets_the_nearest_desa(
    boundaries: Boundaries, gazetteer: Gazetteer
) -> None:
    point, point_m = _outside_by(boundaries, 500.0)
    location = gazetteer.locate(point)

    assert location.inside is False
    assert location.distance_m == pytest.approx(500.0, abs=5.0)
    desa_m = boundaries.desa.to_crs(METRIC_CRS).set_index("kode").geometry
    assert desa_m[location.desa_kode].distance(point_m) == pytest.approx(location.distance_m, abs=1.0)
    assert desa_m.distance(point_m).min() == pytest.approx(location.distance_m, abs=1.0)
    assert location.desa_kode.startswith(location.kecamatan_kode + ".")


def test_a_smaller_buffer_rejects_the_same_point(boundaries: Boundaries) -> None:
    point, _ = _outside_by(boundaries, 500.0)
    strict = Gazetteer.from_boundaries(boundaries, outside_buffer_m=200.0)
    with pytest.raises(OutsideServiceAreaError, match=r"0\.5 km outside"):
        strict.locate(point)


def test_locate_many_agrees_with_locate(boundaries: Boundaries, gazetteer: Gazetteer) -> None:
    near, _ = _outside_by(boundaries, 500.0)
    inside = [row.geometry.representative_point() for row in boundaries.desa.itertuples()]
    lons = [p.x for p in inside] + [near.lon, PEKANBARU_CENTRE.lon]
    lats = [p.y for p in inside] + [near.lat, PEKANBARU_CENTRE.lat]

    results = gazetteer.locate_many(np.array(lons), np.array(lats))

    assert len(results) == len(lons)
    expected: list[Location | None] = [
        gazetteer.locate(LonLat(x, y)) for x, y in zip(lons[:-1], lats[:-1], strict=True)
    ]
    assert results[:-2] == expected[:-1]
    assert results[-2] is not None
    assert results[-2].inside is False
    assert results[-2].desa_kode == expected[-1].desa_kode  # type: ignore[union-attr]
    assert results[-2].distance_m == pytest.approx(500.0, abs=5.0)
    assert results[-1] is None  # Pekanbaru


def test_locate_many_handles_empty_input(gazetteer: Gazetteer) -> None:
    assert gazetteer.locate_many([], []) == []


@pytest.mark.parametrize(
    ("lons", "lats", "message"),
    [
        ([101.5, 101.6], [0.7], "lons has 2 values but lats has 1"),
        ([101.5, float("nan")], [0.7, 0.7], "1 longitude"),
        ([101.5], [100.0], "latitude"),
    ],
)
def test_locate_many_rejects_bad_coordinates(
    gazetteer: Gazetteer, lons: list[float], lats: list[float], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        gazetteer.locate_many(lons, lats)


def test_negative_buffer_is_refused(boundaries: Boundaries) -> None:
    with pytest.raises(InputError, match="outside_buffer_m"):
        Gazetteer.from_boundaries(boundaries, outside_buffer_m=-1.0)


# ------------------------------------------------------------------------------------------ by name


def _top(gazetteer: Gazetteer, query: str, n: int = 1) -> list[tuple[str, str]]:
    return [(m.nama, m.level) for m in gazetteer.search(query)[:n]]


@pytest.mark.parametrize(
    "query", ["kampung dalam", "Kp Dalam", "Kp. Dalam", "  KAMPUNG   dalam!! ", "kampung dlam"]
)
def test_kampung_dalam_is_found_first(gazetteer: Gazetteer, query: str) -> None:
    assert _top(gazetteer, query) == [("Kampung Dalam", "desa")]


def test_perawang_places_in_tualang_come_first(gazetteer: Gazetteer) -> None:
    matches = gazetteer.search("perawang")
    assert [m.nama for m in matches[:2]] == ["Perawang", "Perawang Barat"]
    assert {m.kecamatan_nama for m in matches[:2]} == {"Tualang"}
    assert matches[0].score == 100.0


def test_sungai_apit_finds_both_kecamatan_and_desa(gazetteer: Gazetteer) -> None:
    assert set(_top(gazetteer, "sungai apit", 2)) == {("Sungai Apit", "kecamatan"), ("Sungai Apit", "desa")}


def test_sei_is_read_as_sungai(gazetteer: Gazetteer) -> None:
    assert set(_top(gazetteer, "sei apit", 2)) == {("Sungai Apit", "kecamatan"), ("Sungai Apit", "desa")}


def test_level_prefix_prefers_that_level(gazetteer: Gazetteer) -> None:
    assert _top(gazetteer, "kec sungai apit") == [("Sungai Apit", "kecamatan")]
    assert _top(gazetteer, "desa sungai apit") == [("Sungai Apit", "desa")]
    assert _top(gazetteer, "kampung tumang") == [("Tumang", "desa")]


def test_level_filter(gazetteer: Gazetteer) -> None:
    matches = gazetteer.search("sungai apit", level="desa")
    assert matches
    assert {m.level for m in matches} == {"desa"}


def test_misspelt_kecamatan_is_found(gazetteer: Gazetteer) -> None:
    assert _top(gazetteer, "Minass") == [("Minas", "kecamatan")]


def test_other_spellings_of_names(gazetteer: Gazetteer) -> None:
    assert _top(gazetteer, "sungai mempura") == [("Sungaimempura", "desa")]
    assert _top(gazetteer, "buatan 2") == [("Buatan II", "desa")]
    assert _top(gazetteer, "sp belutu") == [("Simpang Belutu", "desa")]
    assert _top(gazetteer, "telaga samsam") == [("Telaga Sam-Sam", "desa")]


@pytest.mark.parametrize("query", ["xqzvw", "qwerty", "dumai"])
def test_gibberish_returns_nothing(gazetteer: Gazetteer, query: str) -> None:
    assert gazetteer.search(query) == []


def test_regency_is_never_returned(gazetteer: Gazetteer) -> None:
    assert all(m.level in {"desa", "kecamatan"} for m in gazetteer.search("kabupaten siak"))
    assert _top(gazetteer, "kabupaten siak") == [("Siak", "kecamatan")]


def test_scores_are_sorted_bounded_and_limited(gazetteer: Gazetteer) -> None:
    matches = gazetteer.search("sungai", limit=4)
    assert len(matches) == 4
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 100 for s in scores)


def test_match_centroid_lies_in_the_place(gazetteer: Gazetteer) -> None:
    match = gazetteer.search("Kp Dalam")[0]
    location = gazetteer.locate(match.centroid)
    assert (location.desa_kode, location.inside) == (match.kode, True)


@pytest.mark.parametrize(
    ("query", "kwargs"),
    [("", {}), ("   ", {}), (" .,- ", {}), ("siak", {"limit": 0}), ("siak", {"level": "dusun"})],
)
def test_bad_search_input_is_refused(gazetteer: Gazetteer, query: str, kwargs: dict[str, object]) -> None:
    with pytest.raises(InputError):
        gazetteer.search(query, **kwargs)  # type: ignore[arg-type]


def test_normalise_expands_abbreviations() -> None:
    assert normalise("Kp. Dalam") == "kampung dalam"
    assert normalise("  SEI   Apit!! ") == "sungai apit"
    assert normalise("Tlk. Merbau") == "teluk merbau"
    assert normalise("Kec. Siak") == "kecamatan siak"
    assert normalise("Desa Sp. Perak Jaya") == "desa simpang perak jaya"
