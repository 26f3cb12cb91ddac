"""The shipped Siak boundaries, their loader's validation, the builder and the kecamatan capitals."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest
import shapely
from shapely.geometry import Polygon, box, mapping

from dispatch_geo.boundaries import (
    DEFAULT_BOUNDARIES_PATH,
    METRIC_CRS,
    Boundaries,
    build_boundaries_geojson,
    kecamatan_capitals,
    load_boundaries,
)
from dispatch_geo.errors import InputError

DATA_DIR = DEFAULT_BOUNDARIES_PATH.parent


@pytest.fixture(scope="module")
def boundaries() -> Boundaries:
    return load_boundaries(DEFAULT_BOUNDARIES_PATH)


def _population_rows() -> list[dict[str, str]]:
    with (DATA_DIR / "siak_population_kecamatan.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# ------------------------------------------------------------------------------------------ shipped file


def test_counts_one_regency_14_kecamatan_131_desa(boundaries: Boundaries) -> None:
    assert len(boundaries.regency) == 1
    assert len(boundaries.kecamatan) == 14
    assert len(boundaries.desa) == 131
    assert boundaries.regency_kode == "14.08"


def test_desa_per_kecamatan_match_bps(boundaries: Boundaries) -> None:
    expected = {
        r["kecamatan_kode"]: int(r["n_desa"]) for r in _population_rows() if r["kecamatan_kode"] != "14.08"
    }
    assert boundaries.desa.groupby("parent_kode").size().to_dict() == expected


def test_parent_links_are_consistent(boundaries: Boundaries) -> None:
    assert boundaries.regency["parent_kode"].iloc[0] is None
    assert set(boundaries.kecamatan["parent_kode"]) == {"14.08"}
    kecamatan_kodes = set(boundaries.kecamatan["kode"])
    for kode, parent in zip(boundaries.desa["kode"], boundaries.desa["parent_kode"], strict=True):
        assert parent in kecamatan_kodes
        assert kode.startswith(parent + ".")


def test_population_total_is_466683(boundaries: Boundaries) -> None:
    assert boundaries.kecamatan["population_bps_2022"].sum() == 466_683
    assert int(boundaries.regency["population_bps_2022"].iloc[0]) == 466_683
    tualang = boundaries.kecamatan.set_index("nama").loc["Tualang", "population_bps_2022"]
    assert tualang == 122_349


def test_every_desa_lies_in_its_kecamatan(boundaries: Boundaries) -> None:
    kecamatan = boundaries.kecamatan.set_index("kode").to_crs(METRIC_CRS).geometry
    for row in boundaries.desa.to_crs(METRIC_CRS).itertuples():
        parent = kecamatan[row.parent_kode]
        assert parent.contains(row.geometry.representative_point()), row.kode
        outside_m2 = row.geometry.difference(parent).area
        assert outside_m2 < 1e-4 * row.geometry.area, (row.kode, outside_m2)


def test_regency_outline_has_no_sliver_holes_and_covers_every_desa(boundaries: Boundaries) -> None:
    outline = boundaries.outline
    assert isinstance(outline, Polygon)
    assert len(outline.interiors) == 0
    assert all(outline.contains(g.representative_point()) for g in boundaries.desa.geometry)


def test_kelurahan_flag_follows_the_code(boundaries: Boundaries) -> None:
    flags = dict(zip(boundaries.desa["nama"], boundaries.desa["kelurahan"], strict=True))
    assert flags["Kampung Dalam"]
    assert not flags["Tumang"]
    kelurahan = sorted(boundaries.desa.loc[boundaries.desa["kelurahan"], "nama"])
    assert kelurahan == sorted(
        [
            "Kampung Dalam",
            "Kampung Rempak",
            "Sungai Apit",
            "Minas Jaya",
            "Perawang",
            "Simpang Belutu",
            "Telaga Sam-Sam",
            "Kandis Kota",
            "Sungaimempura",
        ]
    )


def test_areas_are_plausible(boundaries: Boundaries) -> None:
    regency_km2 = float(boundaries.regency["area_km2"].iloc[0])
    assert 7_800 < regency_km2 < 7_950  # approximate outlines: official figure is 8,556 km²
    assert (boundaries.desa["area_km2"] > 0).all()
    assert boundaries.desa["area_km2"].sum() == pytest.approx(regency_km2, rel=1e-3)
    kampung_dalam = boundaries.desa.set_index("nama").loc["Kampung Dalam", "area_km2"]
    assert kampung_dalam == pytest.approx(2.87, abs=0.05)


def test_file_is_rfc7946_lon_lat_with_six_decimals() -> None:
    data = json.loads(DEFAULT_BOUNDARIES_PATH.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    assert "crs" not in data  # RFC 7946: WGS84 implied
    coords = shapely.get_coordinates([shapely.geometry.shape(f["geometry"]) for f in data["features"]])
    assert coords[:, 0].min() > 100.9
    assert coords[:, 0].max() < 103.0  # longitude first
    assert coords[:, 1].min() > 0.3
    assert coords[:, 1].max() < 1.3
    numbers = re.findall(r"-?\d+\.(\d+)", DEFAULT_BOUNDARIES_PATH.read_text(encoding="utf-8")[:200_000])
    assert max(len(n) for n in numbers) <= 6


def test_roman_numerals_are_restored_in_names(boundaries: Boundaries) -> None:
    names = set(boundaries.desa["nama"])
    assert {"Buatan I", "Buatan II", "Parit I/II"} <= names
    assert not any(re.search(r"\bIi\b", n) for n in names)


# ------------------------------------------------------------------------------------------ capitals


def test_kecamatan_capitals_one_per_kecamatan_inside_its_desa(boundaries: Boundaries) -> None:
    capitals = kecamatan_capitals(boundaries)
    assert sorted(capitals["kecamatan_kode"]) == sorted(boundaries.kecamatan["kode"])
    desa = boundaries.desa.set_index("kode")
    for row in capitals.itertuples():
        assert desa.at[row.kode, "parent_kode"] == row.kecamatan_kode
        assert desa.geometry[row.kode].contains(row.geometry)
    by_kecamatan = dict(zip(capitals["kecamatan_nama"], capitals["nama"], strict=True))
    # the only kelurahan of its kecamatan
    assert by_kecamatan["Tualang"] == "Perawang"
    assert by_kecamatan["Minas"] == "Minas Jaya"
    assert by_kecamatan["Sungai Apit"] == "Sungai Apit"
    # no kelurahan: the desa named like the kecamatan
    assert by_kecamatan["Dayun"] == "Dayun"
    assert by_kecamatan["Bunga Raya"] == "Bunga Raya"
    # several kelurahan: one of them
    assert by_kecamatan["Siak"] in {"Kampung Dalam", "Kampung Rempak"}
    assert by_kecamatan["Kandis"] in {"Simpang Belutu", "Telaga Sam-Sam", "Kandis Kota"}


# ------------------------------------------------------------------------------------------ loader errors


def _square(x0: float, y0: float, size: float = 0.01) -> dict[str, Any]:
    return mapping(box(x0, y0, x0 + size, y0 + size))


def _feature(kode: str, level: str, parent: str | None, geometry: Any, nama: str = "X") -> dict[str, Any]:
    props = {"kode": kode, "nama": nama, "level": level, "parent_kode": parent}
    return {"type": "Feature", "properties": props, "geometry": geometry}


def _valid_features() -> list[dict[str, Any]]:
    return [
        _feature("14.08", "kabupaten", None, _square(101.0, 0.5, 0.02)),
        _feature("14.08.01", "kecamatan", "14.08", _square(101.0, 0.5, 0.02)),
        _feature("14.08.01.1001", "desa", "14.08.01", _square(101.0, 0.5)),
        _feature("14.08.01.2002", "desa", "14.08.01", _square(101.01, 0.5)),
    ]


def _write(tmp_path: Path, content: Any) -> Path:
    path = tmp_path / "b.geojson"
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def test_small_valid_file_loads(tmp_path: Path) -> None:
    b = load_boundaries(_write(tmp_path, {"type": "FeatureCollection", "features": _valid_features()}))
    assert (len(b.regency), len(b.kecamatan), len(b.desa)) == (1, 1, 2)
    assert b.desa["kelurahan"].tolist() == [True, False]
    assert b.desa["area_km2"].iloc[0] == pytest.approx(1.24, abs=0.02)  # 0.01° square at the equator


def test_missing_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"does not exist"):
        load_boundaries(tmp_path / "nope.geojson")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not readable JSON"),
        ({"type": "Feature", "properties": {}, "geometry": None}, "not a GeoJSON FeatureCollection"),
        ({"type": "FeatureCollection", "features": {}}, "'features' must be a list"),
    ],
)
def test_not_a_feature_collection(tmp_path: Path, content: Any, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_boundaries(_write(tmp_path, content))


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    features = _valid_features()
    features[2]["properties"]["level"] = "dusun"  # wrong level
    del features[3]["properties"]["kode"]  # missing kode
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[101, 0.5], [101.01, 0.51], [101.01, 0.5], [101, 0.51], [101, 0.5]]],
    }
    features.append(_feature("14.08.01.2003", "desa", "14.08.01", bowtie))  # invalid geometry
    features.append(_feature("14.08.01.2004", "desa", "14.08.01", _square(0.5, 101.0)))  # [lat, lon]
    features.append(_feature("14.08.02.2001", "desa", "14.08.02", _square(101.0, 0.52)))  # unknown parent
    features.append(
        _feature("14.08.01.2005", "desa", "14.08.01", {"type": "Point", "coordinates": [101, 0.5]})
    )
    features.append(_feature("14.08.01", "kecamatan", "14.08", _square(101.0, 0.5)))  # duplicate
    path = _write(tmp_path, {"type": "FeatureCollection", "features": features})

    with pytest.raises(InputError) as excinfo:
        load_boundaries(path)
    message = str(excinfo.value)
    for expected in [
        "level 'dusun' is not one of",
        "feature 3: missing kode",
        "invalid geometry (Self-intersection",
        "coordinates out of range",
        "parent_kode '14.08.02' is not a known parent",
        "must be a Polygon or MultiPolygon, got 'Point'",
        "duplicate kode 14.08.01",
    ]:
        assert expected in message, message


def test_a_file_without_regency_is_rejected(tmp_path: Path) -> None:
    features = _valid_features()[1:]
    with pytest.raises(InputError, match=r"expected exactly 1 kabupaten feature, found 0"):
        load_boundaries(_write(tmp_path, {"type": "FeatureCollection", "features": features}))


# ------------------------------------------------------------------------------------------ builder


def _write_source(source: Path) -> None:
    source.mkdir()
    desa = [
        ("14.08.01.1001", "Kampung Satu", box(101.0, 0.5, 101.0123456789, 0.51)),
        ("14.08.01.2002", "Buatan Ii", box(101.0123456789, 0.5, 101.03, 0.51)),
        ("14.08.02.2001", "Seberang", box(101.0, 0.51, 101.03, 0.53)),
    ]
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"kode": k, "nama": n, "level": "desa"}, "geometry": mapping(g)}
            for k, n, g in desa
        ],
    }
    (source / "siak_desa_boundaries.geojson").write_text(json.dumps(collection), encoding="utf-8")
    (source / "siak_population_kecamatan.csv").write_text(
        "kecamatan_kode,kecamatan,population_bps_2022,n_desa\n"
        "14.08.01,Hulu,1000,2\n14.08.02,Hilir,500,1\n14.08,TOTAL,1500,3\n",
        encoding="utf-8",
    )


def test_builder_writes_a_loadable_collection(tmp_path: Path) -> None:
    _write_source(tmp_path / "src")
    out = tmp_path / "out" / "b.geojson"
    build_boundaries_geojson(tmp_path / "src", out)

    b = load_boundaries(out)
    assert b.regency["population_bps_2022"].iloc[0] == 1500
    assert dict(zip(b.kecamatan["nama"], b.kecamatan["population_bps_2022"], strict=True)) == {
        "Hulu": 1000,
        "Hilir": 500,
    }
    assert b.desa["nama"].tolist() == ["Kampung Satu", "Buatan II", "Seberang"]
    assert b.desa["kelurahan"].tolist() == [True, False, False]
    assert b.desa["parent_kode"].tolist() == ["14.08.01", "14.08.01", "14.08.02"]
    hulu = b.kecamatan.set_index("nama").geometry["Hulu"]
    assert hulu.equals(box(101.0, 0.5, 101.03, 0.51))  # the two desa dissolved into one rectangle
    assert "101.012346" in out.read_text(encoding="utf-8")
    assert "101.0123456" not in out.read_text(encoding="utf-8")


def test_builder_names_missing_sources(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing source file\(s\).*siak_desa_boundaries.geojson"):
        build_boundaries_geojson(tmp_path, tmp_path / "out.geojson")


def test_builder_rejects_inconsistent_population(tmp_path: Path) -> None:
    _write_source(tmp_path / "src")
    (tmp_path / "src" / "siak_population_kecamatan.csv").write_text(
        "kecamatan_kode,kecamatan,population_bps_2022,n_desa\n14.08.01,Hulu,1000,2\n14.08,TOTAL,999,3\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as excinfo:
        build_boundaries_geojson(tmp_path / "src", tmp_path / "out.geojson")
    assert "kecamatan 14.08.02 has desa but no population" in str(excinfo.value)
    assert "population total 999 != sum of kecamatan 1000" in str(excinfo.value)
    assert not (tmp_path / "out.geojson").exists()
