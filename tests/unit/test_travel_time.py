"""One-to-many travel times towards an incident equal an exhaustive per-vehicle shortest path.

The oracle is independent of the implementation: it splits the vehicle's and the incident's edges
at their positions, inserting real nodes into a networkx graph, and runs
``networkx.shortest_path_length`` per vehicle. A point within ``JUNCTION_TOLERANCE_M`` of an end of
its edge is that junction (the rule under test): the oracle joins it to the node both ways at no cost.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dispatch_geo.graph.build import build_from_file
from dispatch_geo.graph.profile import load_profile
from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.routing.travel_time import JUNCTION_TOLERANCE_M, EdgePoint, TravelTimeRouter
from tests.unit.routing_graphs import rural_grid

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def road() -> RoadGraph:
    return build_from_file(DATA / "aguascalientes.osm.pbf", load_profile(), clip_polygon=None).road


@pytest.fixture(scope="module")
def router(road) -> TravelTimeRouter:
    return TravelTimeRouter(road)


@pytest.fixture(scope="module", params=["osm_city", "rural_grid"])
def graph(request, road, router) -> tuple[RoadGraph, TravelTimeRouter]:
    """The OSM city extract, and a rural grid with roads of up to an hour (where bounds matter)."""
    if request.param == "osm_city":
        return road, router
    rural = rural_grid()
    return rural, TravelTimeRouter(rural)


def junction_of(road: RoadGraph, point: EdgePoint) -> int | None:
    """The node a point is at (within the tolerance, the nearer end), or None mid-way along its edge."""
    length = float(road.length_m[point.edge])
    from_tail, from_head = point.fraction * length, (1.0 - point.fraction) * length
    if min(from_tail, from_head) > JUNCTION_TOLERANCE_M:
        return None
    return int(road.tail[point.edge]) if from_tail <= from_head else int(road.head[point.edge])


def oracle_time(road: RoadGraph, source: EdgePoint, target: EdgePoint) -> float:
    g = nx.DiGraph()
    tt = road.travel_time_s
    for e in range(road.n_edges):
        u, v = int(road.tail[e]), int(road.head[e])
        if not g.has_edge(u, v) or g[u][v]["w"] > tt[e]:
            g.add_edge(u, v, w=float(tt[e]))

    def split(point: EdgePoint, name: str) -> None:
        node = junction_of(road, point)
        if node is not None:  # at a junction: the node itself, whichever road it was snapped to
            g.add_edge(node, name, w=0.0)
            g.add_edge(name, node, w=0.0)
            return
        # a point on edge e (and on its twin, the same road driven back) as a real node
        for e, f in ((point.edge, point.fraction), (int(road.twin[point.edge]), 1.0 - point.fraction)):
            if e < 0:
                continue
            u, v = int(road.tail[e]), int(road.head[e])
            g.add_edge(u, name, w=f * tt[e])
            g.add_edge(name, v, w=(1 - f) * tt[e])

    split(source, "SOURCE")
    split(target, "TARGET")
    # both on the same road, the source behind the target: straight along it
    on_source = ((source.edge, source.fraction), (int(road.twin[source.edge]), 1.0 - source.fraction))
    on_target = ((target.edge, target.fraction), (int(road.twin[target.edge]), 1.0 - target.fraction))
    mid_way = junction_of(road, source) is None and junction_of(road, target) is None
    for e, fs in on_source:
        for te, ft in on_target:
            if mid_way and e >= 0 and e == te and fs <= ft:
                g.add_edge("SOURCE", "TARGET", w=(ft - fs) * tt[e])
    try:
        return float(nx.shortest_path_length(g, "SOURCE", "TARGET", weight="w"))
    except nx.NetworkXNoPath:
        return float("inf")


PLACES = ("anywhere", "junction", "one_way_end", "near_junction", "long_road", "one_way")
points = st.tuples(
    st.sampled_from(PLACES),
    st.integers(min_value=0, max_value=10**9),
    st.floats(min_value=0.0, max_value=1.0),
)
"""Where a drawn point lies: anywhere; exactly on a junction (at an end of any edge, or of a one-way
street — the snapper's pick at a junction); 0–2 m from a junction (either side of the tolerance);
anywhere along one of the longest roads; anywhere along a one-way street."""


def place(road: RoadGraph, drawn: tuple[str, int, float]) -> EdgePoint:
    kind, index, fraction = drawn
    one_way = np.flatnonzero(road.twin < 0)
    longest = np.argsort(road.travel_time_s)[-40:]
    if kind == "junction":
        return EdgePoint(index % road.n_edges, float(fraction < 0.5))
    if kind == "one_way_end":
        return EdgePoint(int(one_way[index % one_way.shape[0]]), float(fraction < 0.5))
    if kind == "near_junction":
        edge = index % road.n_edges
        share = min(2.0 * JUNCTION_TOLERANCE_M * fraction / max(float(road.length_m[edge]), 1e-9), 0.5)
        return EdgePoint(edge, share if index % 2 else 1.0 - share)
    if kind == "long_road":
        return EdgePoint(int(longest[index % longest.shape[0]]), fraction)
    if kind == "one_way":
        return EdgePoint(int(one_way[index % one_way.shape[0]]), fraction)
    return EdgePoint(index % road.n_edges, fraction)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=points, sources=st.lists(points, min_size=1, max_size=8))
def test_times_equal_exhaustive_shortest_paths(graph, target, sources):
    road, router = graph
    tgt = place(road, target)
    srcs = [place(road, s) for s in sources]
    result = router.times_to(tgt, srcs)
    expected = [oracle_time(road, s, tgt) for s in srcs]
    np.testing.assert_allclose(result.time_s, expected, rtol=1e-9, atol=1e-6)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    target=points,
    sources=st.lists(points, min_size=1, max_size=12),
    need=st.integers(min_value=1, max_value=5),
    initial_limit_s=st.floats(min_value=0.5, max_value=900.0),
)
def test_bounded_search_returns_the_k_nearest_exactly(graph, target, sources, need, initial_limit_s):
    """However small the first radius, the k best are the oracle's k best, and no time is a guess."""
    road, router = graph
    tgt = place(road, target)
    srcs = [place(road, s) for s in sources]
    result = router.times_to(tgt, srcs, need=need, initial_limit_s=initial_limit_s)
    expected = np.array([oracle_time(road, s, tgt) for s in srcs])
    k = min(need, len(srcs))
    np.testing.assert_allclose(np.sort(result.time_s)[:k], np.sort(expected)[:k], rtol=1e-9, atol=1e-6)
    finite = np.isfinite(result.time_s)
    np.testing.assert_allclose(result.time_s[finite], expected[finite], rtol=1e-9, atol=1e-6)


def test_bounded_search_still_finds_the_k_nearest_exactly(road, router):
    rng = np.random.default_rng(3)
    tgt = EdgePoint(int(rng.integers(road.n_edges)), 0.3)
    srcs = [
        EdgePoint(int(e), float(f))
        for e, f in zip(rng.integers(0, road.n_edges, 60), rng.random(60), strict=True)
    ]
    full = router.times_to(tgt, srcs)
    bounded = router.times_to(tgt, srcs, need=5, initial_limit_s=10.0)
    assert bounded.limit_s < np.inf
    best_full = np.sort(full.time_s)[:5]
    best_bounded = np.sort(bounded.time_s)[:5]
    np.testing.assert_allclose(best_bounded, best_full)


def test_path_follows_the_search_tree_to_the_target(road, router):
    tgt = EdgePoint(10, 0.5)
    src = EdgePoint(500, 0.5)
    result = router.times_to(tgt, [src])
    start = int(result.via_node[0])
    nodes = router.path_nodes(result, start)
    assert nodes[-1] in {int(road.tail[10]), int(road.head[10])}
    # consecutive nodes are joined by edges, and times decrease along the way
    for a, b in itertools.pairwise(nodes):
        assert b in road.head[road.indptr[a] : road.indptr[a + 1]]
        assert result.node_time_s[b] < result.node_time_s[a]


def test_a_snapped_edge_stored_by_osm_node_ids_is_found_again(road, router):
    e = 123
    u, v = int(road.node_osmid[road.tail[e]]), int(road.node_osmid[road.head[e]])
    point = router.edge_point_from_osm(u, v, 0.25 * float(road.length_m[e]))
    assert point is not None
    assert (int(road.tail[point.edge]), int(road.head[point.edge])) == (int(road.tail[e]), int(road.head[e]))
    assert point.fraction == pytest.approx(0.25)
    assert router.edge_point_from_osm(u, 999_999_999_999, 10.0) is None, "a road no longer in the graph"
