"""Population spread to desa and road nodes, coverage shares, gap list and the move-up hint.

Two desa of one kecamatan (1,000 people) on the line road 1 - 2 - 3 - 4 - 5 (60 s per segment):
desa A holds nodes 1-2 (0.02° wide), desa B nodes 3-5 (0.03° wide), both equally tall.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

from dispatch_geo.coverage.analysis import cover_loss, desa_coverage, gap_list, kecamatan_coverage
from dispatch_geo.coverage.demand import allocate_demand
from dispatch_geo.coverage.multisource import multi_source_times
from dispatch_geo.errors import InputError
from dispatch_geo.routing.travel_time import EdgePoint
from tests.unit.coverage_graphs import LAT0, LON0, edge_between, line_road, node_index


def frames() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    a = box(LON0 - 0.005, LAT0 - 0.01, LON0 + 0.015, LAT0 + 0.01)
    b = box(LON0 + 0.015, LAT0 - 0.01, LON0 + 0.045, LAT0 + 0.01)
    desa = gpd.GeoDataFrame(
        {
            "kode": ["14.08.99.2001", "14.08.99.2002"],
            "nama": ["Alpha", "Beta"],
            "parent_kode": ["14.08.99"] * 2,
        },
        geometry=[a, b],
        crs="EPSG:4326",
    )
    kec = gpd.GeoDataFrame(
        {"kode": ["14.08.99"], "nama": ["Kec"], "population_bps_2022": [1000]},
        geometry=[a.union(b)],
        crs="EPSG:4326",
    )
    return desa, kec


def test_area_method_and_road_length_share_per_node():
    road = line_road()
    desa, kec = frames()
    demand = allocate_demand(road, desa, kec, method="area")
    assert demand.desa["population"].tolist() == pytest.approx([400.0, 600.0], rel=2e-3)
    by_node = {int(road.node_osmid[n]): p for n, p in zip(demand.node, demand.population, strict=True)}
    pa, pb = demand.desa["population"]
    # node 1 is an end (half a segment of road), node 2 a middle node (a whole segment); same in B
    assert by_node == pytest.approx({1: pa / 3, 2: 2 * pa / 3, 3: 0.4 * pb, 4: 0.4 * pb, 5: 0.2 * pb})
    assert demand.total_population == pytest.approx(1000.0)


def test_road_length_method_follows_the_roads():
    road = line_road()
    desa, kec = frames()
    demand = allocate_demand(road, desa, kec, method="road_length")
    # A holds 1.5 segments of road, B 2.5 (the 2-3 segment is split at the border)
    assert demand.desa["population"].tolist() == pytest.approx([375.0, 625.0])


def test_a_desa_without_a_road_still_has_people():
    road = line_road()
    desa, kec = frames()
    empty = box(LON0, LAT0 + 0.02, LON0 + 0.01, LAT0 + 0.03)  # north of the road
    desa = gpd.GeoDataFrame(
        {
            "kode": [*desa["kode"], "14.08.99.2003"],
            "nama": [*desa["nama"], "Gamma"],
            "parent_kode": ["14.08.99"] * 3,
        },
        geometry=[*desa.geometry, empty],
        crs="EPSG:4326",
    )
    demand = allocate_demand(road, desa, kec, method="blend")
    gamma = demand.desa.iloc[2]
    assert gamma["fallback"]
    assert gamma["population"] > 0
    assert gamma["n_nodes"] == 0
    assert demand.total_population == pytest.approx(1000.0)


def test_bad_arguments_are_reported_together():
    road = line_road()
    desa, kec = frames()
    with pytest.raises(InputError, match=r"method 'people'.*road_weight"):
        allocate_demand(road, desa, kec, method="people", road_weight=2.0)


def test_coverage_shares_mean_and_p90_are_population_weighted():
    road = line_road()
    desa, kec = frames()
    demand = allocate_demand(road, desa, kec, method="area")
    times = multi_source_times(road, [EdgePoint(edge_between(road, 1, 2), 0.0)])  # at node 1
    table = desa_coverage(demand, times, 150.0, ["post-west"])
    pa, pb = demand.desa["population"]
    # A: nodes at 0 and 60 s, all covered. B: node 3 (120 s, 40 %) covered; 4 (180 s) and 5 (240 s) not
    assert table["coverage_share"].tolist() == pytest.approx([1.0, 0.4])
    assert table["mean_time_s"].iloc[1] == pytest.approx(0.4 * 120 + 0.4 * 180 + 0.2 * 240)
    assert table["p90_time_s"].iloc[1] == pytest.approx(240.0)
    assert table["nearest_post"].tolist() == ["post-west", "post-west"]
    kec_table = kecamatan_coverage(demand, times, 150.0)
    assert kec_table["covered_population"].iloc[0] == pytest.approx(pa + 0.4 * pb)
    gaps = gap_list(table)
    assert gaps["nama"].tolist() == ["Beta"]
    assert gaps["uncovered_population"].iloc[0] == pytest.approx(0.6 * pb)


def test_move_up_hint_lists_the_villages_that_lose_cover():
    road = line_road()
    desa, kec = frames()
    demand = allocate_demand(road, desa, kec, method="area")
    origins = [EdgePoint(edge_between(road, 1, 2), 0.0), EdgePoint(edge_between(road, 4, 5), 1.0)]
    lost = cover_loss(road, demand, origins, ["AMB-W", "AMB-E"], "AMB-E", 70.0)
    pb = demand.desa["population"].iloc[1]
    # without the east unit, nodes 4 (60 s) and 5 (0 s) of Beta are no longer within 70 s
    assert lost["nama"].tolist() == ["Beta"]
    assert lost["lost_population"].iloc[0] == pytest.approx(0.6 * pb)
    assert lost["next_nearest"].iloc[0] == "AMB-W"
    assert cover_loss(road, demand, origins, ["AMB-W", "AMB-E"], "AMB-W", 70.0)["nama"].tolist() == ["Alpha"]
    with pytest.raises(InputError, match="unknown unit"):
        cover_loss(road, demand, origins, ["AMB-W", "AMB-E"], "AMB-X", 70.0)
    assert np.isfinite(lost["share_after"]).all()
    assert node_index(road, 5) in demand.node
