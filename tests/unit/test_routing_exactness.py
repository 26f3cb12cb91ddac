"""Exact ETAs on tiny hand-built graphs: points on junctions, one-way streets and long roads.

Each graph is small enough to check the expected travel time by hand (times in the comments).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dispatch_geo.domain.values import LonLat
from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.graph.snap import EdgeSnapper
from dispatch_geo.routing.nearest import UnitCandidate, recommend
from dispatch_geo.routing.travel_time import EdgePoint, TravelTimeRouter
from tests.unit.coverage_graphs import LAT0, LON0, STEP_DEG, edge_between, make_road, node_index

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


def grid(x: float, y: float) -> tuple[float, float]:
    return (LON0 + x * STEP_DEG, LAT0 + y * STEP_DEG)


def edges_at(road: RoadGraph, osm: int) -> list[tuple[int, float]]:
    """Every directed edge touching a node, with the fraction at which it touches it."""
    node = node_index(road, osm)
    return [(e, 0.0) for e in range(road.n_edges) if int(road.tail[e]) == node] + [
        (e, 1.0) for e in range(road.n_edges) if int(road.head[e]) == node
    ]


def candidate(uid: str, road: RoadGraph, edge: int, fraction: float) -> UnitCandidate:
    """An available ambulance already snapped at ingest (as the API passes them)."""
    lon = float(road.node_lon[road.tail[edge]])
    lat = float(road.node_lat[road.tail[edge]])
    return UnitCandidate(
        unit_id=uid,
        call_sign=uid.upper(),
        unit_type="ambulance",
        status="available",
        position=LonLat(lon, lat),
        fix_time=NOW - timedelta(seconds=5),
        edge=edge,
        fraction=fraction,
    )


# (a) ------------------------------------------------------------------------------------------
# A ──one-way 100 s──▶ X ──30 s── B, and B ──50 s── A.   The incident is at junction X.
# A unit half-way along X–B needs 15 s. Arriving only along A→X would take 15 + 50 + 100 = 165 s.


@pytest.fixture(scope="module")
def junction_incident() -> RoadGraph:
    nodes = {1: grid(0, 1), 2: grid(0, 0), 3: grid(1, 0)}
    return make_road(nodes, [(2, 3, 30.0), (3, 1, 50.0)], one_way=[(1, 2, 100.0)])


def test_an_incident_on_a_junction_is_reached_from_every_road_at_it(junction_incident):
    road = junction_incident
    router = TravelTimeRouter(road)
    unit = EdgePoint(edge_between(road, 3, 2), 0.5)
    at_x = edges_at(road, 2)
    assert len(at_x) == 3, "A→X (one-way), X→B and B→X"
    for edge, fraction in at_x:
        result = router.times_to(EdgePoint(edge, fraction), [unit])
        assert result.time_s[0] == pytest.approx(15.0), (edge, fraction)


def test_an_incident_a_few_centimetres_before_the_end_of_a_one_way_street_is_at_the_junction(
    junction_incident,
):
    road = junction_incident
    router = TravelTimeRouter(road)
    one_way = edge_between(road, 1, 2)
    near_x = 1.0 - 0.05 / float(road.length_m[one_way])  # 5 cm before X
    result = router.times_to(EdgePoint(one_way, near_x), [EdgePoint(edge_between(road, 3, 2), 0.5)])
    assert result.time_s[0] == pytest.approx(15.0)


def test_recommendation_for_an_incident_on_a_junction(junction_incident):
    road = junction_incident
    router, snapper = TravelTimeRouter(road), EdgeSnapper(road)
    x = node_index(road, 2)
    rec = recommend(
        router=router,
        snapper=snapper,
        incident=LonLat(float(road.node_lon[x]), float(road.node_lat[x])),
        units=[candidate("b", road, edge_between(road, 3, 2), 0.5)],
        needed_types={"ambulance"},
        now=NOW,
    )
    assert [r.eta_s for r in rec.ranked] == [pytest.approx(15.0)]
    end = rec.ranked[0].route["coordinates"][-1]
    assert end == pytest.approx([float(road.node_lon[x]), float(road.node_lat[x])], abs=1e-6)


# (b) ------------------------------------------------------------------------------------------
# Y ──one-way 42 s──▶ Z,  Z ──60 s── T,  Y ──30 s── T,  T ──20 s── W; the incident half-way T–W.
# A unit at junction Y needs 30 + 10 = 40 s; driving Y→Z first would take 42 + 60 + 10 = 112 s.


@pytest.fixture(scope="module")
def junction_unit() -> RoadGraph:
    nodes = {1: grid(0, 0), 2: grid(1, 0), 3: grid(0, -1), 4: grid(1, -1)}
    return make_road(nodes, [(2, 3, 60.0), (1, 3, 30.0), (3, 4, 20.0)], one_way=[(1, 2, 42.0)])


def test_a_unit_on_a_junction_may_leave_by_any_road_at_it(junction_unit):
    road = junction_unit
    router = TravelTimeRouter(road)
    target = EdgePoint(edge_between(road, 3, 4), 0.5)
    at_y = edges_at(road, 1)
    assert len(at_y) == 3, "Y→Z (one-way), Y→T and T→Y"
    result = router.times_to(target, [EdgePoint(e, f) for e, f in at_y])
    assert result.time_s.tolist() == pytest.approx([40.0] * 3)
    # a few centimetres into the one-way street is still the junction
    one_way = edge_between(road, 1, 2)
    near_y = 0.05 / float(road.length_m[one_way])
    assert router.times_to(target, [EdgePoint(one_way, near_y)]).time_s[0] == pytest.approx(40.0)


def test_a_unit_on_a_junction_is_ranked_by_its_true_eta(junction_unit):
    road = junction_unit
    router, snapper = TravelTimeRouter(road), EdgeSnapper(road)
    t, w = node_index(road, 3), node_index(road, 4)
    incident = LonLat(
        float(road.node_lon[t] + road.node_lon[w]) / 2, float(road.node_lat[t] + road.node_lat[w]) / 2
    )
    units = [
        candidate("at_y", road, edge_between(road, 1, 2), 0.0),  # 40 s
        candidate("on_zt", road, edge_between(road, 2, 3), 0.25),  # 45 + 10 = 55 s
    ]
    rec = recommend(
        router=router, snapper=snapper, incident=incident, units=units, needed_types={"ambulance"}, now=NOW
    )
    assert [r.unit_id for r in rec.ranked] == ["at_y", "on_zt"]
    assert [r.eta_s for r in rec.ranked] == pytest.approx([40.0, 55.0], abs=1e-6)
    y = node_index(road, 1)
    start = rec.ranked[0].route["coordinates"][0]
    assert start == pytest.approx([float(road.node_lon[y]), float(road.node_lat[y])], abs=1e-6)
    assert rec.ranked[0].distance_m == pytest.approx(
        float(road.length_m[edge_between(road, 1, 3)] + road.length_m[edge_between(road, 3, 4)] / 2),
        rel=1e-3,
    )


# (c) ------------------------------------------------------------------------------------------
# T ──20 s── D (incident half-way: 10 s from T and from D)
# B ──500 s── T,  A ──1000 s── T,  A ──3000 s── B (the long road),  A ──100 s── F
# H ──one-way 3000 s──▶ B
# Times to the incident: T 10, B 510, A 1010, F 1110.
# - far_along, 2 % of the way from A to B: back to A 60 + 1010 = 1070 s (forwards: 2940 + 510 = 3450)
# - near_f, half-way F–A: 50 + 1010 = 1060 s
# - one_way, 2 % along H→B: 2940 + 510 = 3450 s
# A search stopped at 900 s sees only T, D and B.


@pytest.fixture(scope="module")
def long_roads() -> RoadGraph:
    nodes = {1: grid(0, 0), 2: grid(1, 0), 3: grid(0, 2), 4: grid(-1, 0), 6: grid(1, 2), 7: grid(-1, 2)}
    roads = [(1, 2, 20.0), (4, 1, 500.0), (3, 1, 1000.0), (3, 4, 3000.0), (3, 6, 100.0)]
    return make_road(nodes, roads, one_way=[(7, 4, 3000.0)])


def long_road_units(road: RoadGraph) -> dict[str, EdgePoint]:
    return {
        "far_along": EdgePoint(edge_between(road, 3, 4), 0.02),
        "near_f": EdgePoint(edge_between(road, 6, 3), 0.5),
        "one_way": EdgePoint(edge_between(road, 7, 4), 0.02),
    }


def test_bounded_search_does_not_misroute_a_unit_far_along_a_long_road(long_roads):
    road = long_roads
    router = TravelTimeRouter(road)
    target = EdgePoint(edge_between(road, 1, 2), 0.5)
    far_along = long_road_units(road)["far_along"]
    result = router.times_to(target, [far_along], need=1, initial_limit_s=900.0)
    assert result.time_s[0] == pytest.approx(1070.0)
    assert int(result.via_node[0]) == node_index(road, 3), "back to A, not on to B"


def test_bounded_search_does_not_drop_a_nearer_unit_beyond_its_first_radius(long_roads):
    road = long_roads
    router = TravelTimeRouter(road)
    target = EdgePoint(edge_between(road, 1, 2), 0.5)
    units = long_road_units(road)
    sources = [units["one_way"], units["near_f"]]
    result = router.times_to(target, sources, need=1, initial_limit_s=900.0)
    assert result.time_s[1] == pytest.approx(1060.0)
    assert result.time_s[1] < result.time_s[0]


def test_recommendation_over_long_roads_equals_the_hand_computed_top_two(long_roads):
    road = long_roads
    router, snapper = TravelTimeRouter(road), EdgeSnapper(road)
    t, d = node_index(road, 1), node_index(road, 2)
    incident = LonLat(
        float(road.node_lon[t] + road.node_lon[d]) / 2, float(road.node_lat[t] + road.node_lat[d]) / 2
    )
    units = [candidate(uid, road, p.edge, p.fraction) for uid, p in long_road_units(road).items()]
    rec = recommend(
        router=router,
        snapper=snapper,
        incident=incident,
        units=units,
        needed_types={"ambulance"},
        now=NOW,
        k=2,
    )
    assert [r.unit_id for r in rec.ranked] == ["near_f", "far_along"]
    assert [r.eta_s for r in rec.ranked] == pytest.approx([1060.0, 1070.0], abs=0.01)
    assert {x.unit_id: x.reason for x in rec.excluded} == {"one_way": "farther"}


# unreachable -----------------------------------------------------------------------------------
# 1 ──one-way 60 s──▶ 2 ──30 s── 3; the incident half-way along the one-way street 1→2.
# From 2 or 3 nothing leads back to 1, so a unit on 2–3 cannot get there at all.


def test_a_unit_that_cannot_enter_the_one_way_street_of_the_incident_is_unreachable():
    road = make_road({1: grid(0, 0), 2: grid(1, 0), 3: grid(2, 0)}, [(2, 3, 30.0)], one_way=[(1, 2, 60.0)])
    router, snapper = TravelTimeRouter(road), EdgeSnapper(road)
    one_way = edge_between(road, 1, 2)
    result = router.times_to(EdgePoint(one_way, 0.5), [EdgePoint(edge_between(road, 2, 3), 0.5)])
    assert result.time_s.tolist() == [float("inf")]
    rec = recommend(
        router=router,
        snapper=snapper,
        incident=LonLat(*grid(0.5, 0)),
        units=[candidate("stuck", road, edge_between(road, 2, 3), 0.5)],
        needed_types={"ambulance"},
        now=NOW,
    )
    assert rec.ranked == []
    assert [(x.unit_id, x.reason) for x in rec.excluded] == [("stuck", "unreachable")]
    assert "no available unit can reach the incident by road" in rec.warnings
