"""A whole coverage report on a tiny graph: files, the schematic label on every page and file."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from dispatch_geo.boundaries import Boundaries
from dispatch_geo.coverage.export import write_report_files
from dispatch_geo.coverage.posts import Post
from dispatch_geo.coverage.report import ReportOptions, build_report
from dispatch_geo.coverage.standards import service_standard
from dispatch_geo.errors import InputError
from maps.coverage_page import write_html
from tests.unit.coverage_graphs import LAT0, LON0, line_road
from tests.unit.test_coverage_demand import frames


def boundaries() -> Boundaries:
    desa, kec = frames()
    regency = gpd.GeoDataFrame(
        {"kode": ["14.08"], "nama": ["Test"], "population_bps_2022": [1000]},
        geometry=[box(LON0 - 0.005, LAT0 - 0.01, LON0 + 0.045, LAT0 + 0.01)],
        crs="EPSG:4326",
    )
    return Boundaries(regency=regency, kecamatan=kec, desa=desa)


POSTS = [Post("psc-west", "PSC West", "psc_119", LON0, LAT0 + 0.0005, approximate=True)]
OPTIONS = ReportOptions(thresholds_s=(60.0, 150.0), add_k=(1,), n_candidates=5)


@pytest.mark.parametrize("schematic", [True, False])
def test_report_files_say_whether_the_graph_is_schematic(tmp_path, schematic):
    road = line_road(schematic=schematic)
    report = build_report(
        road, boundaries(), POSTS, service_standard("ambulance", ambulance_travel_s=150.0), options=OPTIONS
    )
    paths = write_html(report, tmp_path, tiles=None) + write_report_files(report, tmp_path)
    assert {p.name for p in paths} >= {
        "coverage_report.html",
        "coverage_map.html",
        "gaps.csv",
        "isochrones.geojson",
        "metadata.json",
    }
    for path in paths:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".csv":
            # a plain header row for spreadsheets; the label lives in metadata.json
            assert text.split(",")[0].isidentifier(), text[:40]
            frame = pd.read_csv(path)
            assert "schematic" in frame.columns
            assert (frame["schematic"] == schematic).all()
            assert not [c for c in frame.columns if c.endswith("_s")], "times are in minutes"
        else:
            assert ("SKEMATIK / SCHEMATIC" in text) == schematic, path.name
        if path.suffix == ".geojson":
            doc = json.loads(text)
            assert doc["schematic"] is schematic
            assert all(f["properties"]["schematic"] is schematic for f in doc["features"])
    page = (tmp_path / "coverage_report.html").read_text(encoding="utf-8")
    assert ('class="siaga-schematic-banner"' in page) == schematic
    assert "Beta" in page
    assert "Desa dengan penduduk tidak terjangkau terbanyak" in page
    assert "Tambah 1 pos" in page
    assert "PSC West" in page


def test_report_figures_match_the_hand_computed_case(tmp_path):
    report = build_report(
        line_road(),
        boundaries(),
        POSTS,
        service_standard("ambulance", ambulance_travel_s=150.0),
        options=OPTIONS,
    )
    # post at node 1: Alpha (nodes 1-2) fully covered, Beta only at node 3 (40 % of its people)
    assert report.desa["coverage_share"].tolist() == pytest.approx([1.0, 0.4], abs=0.02)
    assert report.gaps["nama"].tolist() == ["Beta"]
    (scenario,) = [s for s in report.scenarios if s.name.startswith("add")]
    assert scenario.covered_after >= scenario.covered_before
    summary = json.loads((write_report_files(report, tmp_path)[0]).read_text())
    assert summary["service"] == "ambulance"
    assert summary["posts"] == 1


def test_a_report_needs_posts():
    with pytest.raises(InputError, match="no ambulance posts"):
        build_report(line_road(), boundaries(), [], service_standard("ambulance"), options=OPTIONS)


def test_fire_standard_subtracts_the_preparation_allowance():
    assert service_standard("fire").travel_time_s == 600.0
    assert service_standard("fire", fire_preparation_s=600.0).travel_time_s == 300.0
    with pytest.raises(InputError, match="positive"):
        service_standard("fire", fire_preparation_s=900.0)
    with pytest.raises(InputError, match="unknown service"):
        service_standard("coast_guard")


def test_posts_of_a_service_come_from_the_fleet_file():
    from pathlib import Path

    from dispatch_geo.coverage.posts import posts_from_fleet
    from dispatch_geo.domain.fleet_csv import load_fleet_csv

    fleet = load_fleet_csv(Path(__file__).resolve().parents[2] / "data" / "siak_fleet_example.csv")
    fire = posts_from_fleet(fleet, "fire")
    with_engines = {u.station_id for u in fleet.units if u.unit_type == "fire_engine"}
    assert fire
    assert {p.id for p in fire} == with_engines
    assert all(p.agency == "damkar" for p in fire)


def test_csv_files_give_minutes_and_whole_people_and_metadata_says_where_they_come_from(tmp_path):
    report = build_report(
        line_road(schematic=True),
        boundaries(),
        POSTS,
        service_standard("ambulance", ambulance_travel_s=150.0),
        options=OPTIONS,
    )
    write_report_files(report, tmp_path)
    desa = pd.read_csv(tmp_path / "desa_coverage.csv")
    assert list(desa.columns[:2]) == ["kode", "nama"]
    assert desa["population"].dtype.kind == "i"
    assert desa["mean_time_min"].tolist() == pytest.approx(
        [round(v / 60, 1) for v in report.desa["mean_time_s"]]
    )
    assert desa["nearest_post_name"].tolist() == ["PSC West", "PSC West"]
    meta = json.loads((tmp_path / "metadata.json").read_text(encoding="utf-8"))
    assert meta["schematic"] is True
    assert "SKEMATIK" in meta["graph_label"]
    assert meta["population_year"] == 2022
    assert meta["travel_time_standard_min"] == 2.5
    assert meta["demand_model"].startswith("blend")


def test_the_report_is_indonesian_first_with_an_english_version(tmp_path):
    from datetime import UTC, datetime

    report = build_report(
        line_road(),
        boundaries(),
        POSTS,
        service_standard("ambulance", ambulance_travel_s=150.0),
        options=OPTIONS,
    )
    now = datetime(2026, 11, 29, 17, 30, tzinfo=UTC)
    paths = write_html(report, tmp_path, now=now) + write_html(report, tmp_path, lang="en", now=now)
    assert [p.name for p in paths] == [
        "coverage_report.html",
        "coverage_map.html",
        "coverage_report_en.html",
        "coverage_map_en.html",
    ]
    page_id, map_id, page_en, _map_en = (p.read_text(encoding="utf-8") for p in paths)
    assert '<html lang="id">' in page_id
    assert "30-11-2026 00:30 WIB" in page_id, "the date is shown in WIB"
    assert "Penduduk terjangkau" in page_id
    assert "Population covered" in page_en
    assert "mnt" in page_id
    assert "Pos saat ini" in map_id
    assert "psc-west" not in page_id, "posts by their names, not slugs"


def test_report_text_catalogues_match_and_numbers_read_as_in_indonesia():
    from maps.report_text import TEXT, fmt_int, fmt_minutes, fmt_pct

    assert set(TEXT["id"]) == set(TEXT["en"])
    assert fmt_int(10864.6, "id") == "10.865"
    assert fmt_int(10864.6, "en") == "10,865"
    assert fmt_pct(0.281, "id") == "28,1 %"
    assert fmt_minutes(480.0, "id") == "8,0 mnt"
    assert fmt_minutes(float("inf"), "en") == "unreachable"


def test_generated_maps_load_nothing_from_the_internet(tmp_path):
    from maps.offline import remote_assets

    report = build_report(
        line_road(),
        boundaries(),
        POSTS,
        service_standard("ambulance", ambulance_travel_s=150.0),
        options=OPTIONS,
    )
    for path in write_html(report, tmp_path):
        text = path.read_text(encoding="utf-8")
        assert remote_assets(text) == [], path.name
        assert "cdn" not in text.lower(), path.name


def test_siting_names_each_site_and_uses_the_headline_demand_model():
    report = build_report(
        line_road(),
        boundaries(),
        POSTS,
        service_standard("ambulance", ambulance_travel_s=150.0),
        options=OPTIONS,
    )
    (add,) = [s for s in report.scenarios if s.kind == "add"]
    assert add.covered_before == pytest.approx(report.overall["covered_population"])
    (site,) = add.sites.to_dict(orient="records")
    assert site["desa_nama"] == "Beta"
    assert site["kecamatan_nama"]
    assert site["road_class"] == "tertiary"
    assert site["newly_covered_population"] > 0
    assert add.covered_after == pytest.approx(add.covered_before + site["newly_covered_population"])
    (relocate,) = [s for s in report.scenarios if s.kind == "relocate"]
    assert len(relocate.moves) == len(relocate.removed_posts) <= 1
    assert relocate.name == f"move {len(relocate.moves)} of 1 post(s)"
    for move in relocate.moves:
        assert move.post_name == "PSC West"


def test_answers_give_minutes_and_whole_people_and_keep_seconds():
    from dispatch_geo.coverage.report import planner_units

    row = planner_units(
        {"population": 10864.6, "mean_time_s": 483.0, "p90_time_s": float("inf"), "nama": "Alpha"}
    )
    assert row == {
        "population": 10865,
        "mean_time_s": 483.0,
        "mean_time_min": 8.1,
        "p90_time_s": None,
        "p90_time_min": None,
        "nama": "Alpha",
    }


def test_a_real_graph_report_gives_the_osm_date_and_no_schematic_banner(tmp_path):
    import dataclasses

    road = line_road()
    road = dataclasses.replace(
        road, meta=dataclasses.replace(road.meta, osm_timestamp="2026-11-01T00:00:00Z")
    )
    report = build_report(
        road, boundaries(), POSTS, service_standard("ambulance", ambulance_travel_s=150.0), options=OPTIONS
    )
    page = write_html(report, tmp_path)[0].read_text(encoding="utf-8")
    assert "Data OpenStreetMap per 2026-11-01T00:00:00Z" in page
    assert "siaga-schematic-banner" not in page
