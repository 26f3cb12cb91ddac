"""Multi-source travel times and road-following isochrones on a hand-checkable line of roads."""

from __future__ import annotations

import math

import numpy as np
import pytest
from shapely.geometry import Point

from dispatch_geo.coverage.isochrones import isochrones, isochrones_geojson
from dispatch_geo.coverage.multisource import NO_ORIGIN, multi_source_times, time_at_edge_points
from dispatch_geo.errors import InputError
from dispatch_geo.routing.travel_time import EdgePoint
from tests.unit.coverage_graphs import LAT0, LON0, STEP_DEG, edge_between, line_road, make_road, node_index


def test_each_node_gets_the_time_from_its_nearest_origin():
    road = line_road()  # 1 - 2 - 3 - 4 - 5, 60 s per segment
    west = EdgePoint(edge_between(road, 1, 2), 0.0)  # at node 1
    east = EdgePoint(edge_between(road, 4, 5), 0.5)  # halfway between 4 and 5
    times = multi_source_times(road, [west, east])
    got = {osm: times.time_s[node_index(road, osm)] for osm in range(1, 6)}
    assert got == pytest.approx({1: 0.0, 2: 60.0, 3: 90.0, 4: 30.0, 5: 30.0}, abs=1e-6)
    assert [int(times.origin[node_index(road, osm)]) for osm in range(1, 6)] == [0, 0, 1, 1, 1]


def test_points_on_edges_and_the_origins_own_road():
    road = line_road()
    times = multi_source_times(road, [EdgePoint(edge_between(road, 2, 3), 0.25)])  # 15 s east of node 2
    e23, e32 = edge_between(road, 2, 3), edge_between(road, 3, 2)
    t, who = time_at_edge_points(
        road, times, [e23, e23, e32, edge_between(road, 1, 2)], [0.75, 0.0, 0.5, 0.5]
    )
    # straight along its own road ahead (30 s), back to node 2 (15 s), the twin's midpoint (15 s),
    # and halfway between nodes 1 and 2 (15 s to node 2, then 30 s)
    assert t == pytest.approx([30.0, 15.0, 15.0, 45.0])
    assert who.tolist() == [0, 0, 0, 0]


def test_one_way_roads_are_only_driven_forwards():
    nodes = {1: (LON0, LAT0), 2: (LON0 + STEP_DEG, LAT0), 3: (LON0 + 2 * STEP_DEG, LAT0)}
    road = make_road(nodes, [(1, 2, 60.0)], one_way=[(3, 2, 100.0)])
    times = multi_source_times(road, [EdgePoint(edge_between(road, 1, 2), 0.0)])
    assert times.time_s[node_index(road, 2)] == pytest.approx(60.0)
    assert math.isinf(times.time_s[node_index(road, 3)])  # 2 -> 3 is against the one-way
    assert times.origin[node_index(road, 3)] == NO_ORIGIN


def test_limit_cuts_the_search_and_no_origins_reach_nothing():
    road = line_road()
    times = multi_source_times(road, [EdgePoint(edge_between(road, 1, 2), 0.0)], limit_s=100.0)
    assert np.isinf(times.time_s[[node_index(road, 3), node_index(road, 5)]]).all()
    assert np.isinf(multi_source_times(road, []).time_s).all()


def test_invalid_origins_are_listed_together():
    road = line_road()
    with pytest.raises(InputError, match="2 invalid origin"):
        multi_source_times(road, [EdgePoint(road.n_edges, 0.0), EdgePoint(0, 1.5)])


def test_isochrone_follows_the_road_and_stops_at_the_threshold():
    road = line_road()  # segments of ~1113 m at 60 s: 18.55 m/s
    times = multi_source_times(road, [EdgePoint(edge_between(road, 1, 2), 0.0)], limit_s=200)
    (iso,) = isochrones(road, times, [90.0], buffer_m=100.0)
    # 90 s reaches node 2 and half of the next segment: lon 102.015
    just_inside = Point(LON0 + 1.45 * STEP_DEG, LAT0)
    just_outside = Point(LON0 + 1.6 * STEP_DEG, LAT0)  # 1.5 steps + 100 m ends at 1.59
    off_road = Point(
        LON0 + 0.5 * STEP_DEG, LAT0 + 0.01
    )  # 1.1 km north of the road, well within 90 s "as the crow flies"
    assert iso.geometry.contains(just_inside)
    assert not iso.geometry.contains(just_outside)
    assert not iso.geometry.contains(off_road)
    assert iso.road_length_m == pytest.approx(1.5 * road.length_m[0], rel=1e-6)
    assert iso.label == "≤ 1.5 min"


def test_isochrone_geojson_carries_threshold_and_schematic_label():
    road = line_road(schematic=True)
    times = multi_source_times(road, [EdgePoint(edge_between(road, 1, 2), 0.0)])
    doc = isochrones_geojson(isochrones(road, times, [120.0, 60.0]), label=road.meta.label, schematic=True)
    props = [f["properties"] for f in doc["features"]]
    assert [p["threshold_min"] for p in props] == [1.0, 2.0]
    assert all(p["schematic"] and "SCHEMATIC" in p["graph_label"] for p in props)
    assert doc["schematic"] is True
