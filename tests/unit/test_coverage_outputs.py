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
from maps.coverage_map import write_html
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
    }
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert ("SKEMATIK / SCHEMATIC" in text) == schematic, path.name
        if path.suffix == ".csv":
            assert text.startswith("# graph: ")
            frame = pd.read_csv(path, comment="#")
            assert "schematic" in frame.columns
            assert (frame["schematic"] == schematic).all()
        if path.suffix == ".geojson":
            doc = json.loads(text)
            assert doc["schematic"] is schematic
            assert all(f["properties"]["schematic"] is schematic for f in doc["features"])
    page = (tmp_path / "coverage_report.html").read_text(encoding="utf-8")
    assert ('class="siaga-schematic-banner"' in page) == schematic
    assert "Beta" in page
    assert "Gap list" in page
    assert "add 1 post(s)" in page


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
