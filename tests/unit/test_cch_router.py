"""The CCH router against the Dijkstra router (the oracle) on random graphs.

Random graphs have one-way streets, parallel roads between the same junctions (the cheaper must win:
scipy's sparse constructors would *sum* them, a trap the oracle avoids by keeping the minimum), nodes
that cannot reach the incident, and units mid-edge, on junctions and within the junction tolerance.
The CCH holds travel times rounded to :data:`QUANTUM_S`; on a graph whose times already are whole
quanta both routers must agree to that quantum, and on any graph within half a quantum per segment.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.routing.cch import QUANTUM_S, CchRouter
from dispatch_geo.routing.travel_time import EdgePoint, TravelTimeRouter
from tests.unit.coverage_graphs import LAT0, LON0, STEP_DEG, edge_between, line_road, make_road

N_MAX = 9
roads = st.lists(
    st.tuples(
        st.integers(1, N_MAX),
        st.integers(1, N_MAX),
        st.floats(min_value=1.0, max_value=3600.0),
        st.booleans(),  # one-way
    ),
    min_size=1,
    max_size=24,
)
spots = st.tuples(
    st.integers(0, 10**6), st.sampled_from(["mid", "tail", "head", "near"]), st.floats(0.0, 1.0)
)


def random_road(drawn: list[tuple[int, int, float, bool]], *, whole_quanta: bool) -> RoadGraph | None:
    nodes = {i: (LON0 + (i % 3) * STEP_DEG, LAT0 + (i // 3) * STEP_DEG) for i in range(1, N_MAX + 1)}
    two_way, one_way = [], []
    for u, v, t, one in drawn:
        if u == v:
            continue
        time_s = round(t / QUANTUM_S) * QUANTUM_S if whole_quanta else t
        (one_way if one else two_way).append((u, v, time_s))
    if not two_way and not one_way:
        return None
    used = {u for u, _, _ in two_way + one_way} | {v for _, v, _ in two_way + one_way}
    return make_road({i: nodes[i] for i in used}, two_way, one_way=one_way)


def spot(road: RoadGraph, drawn: tuple[int, str, float]) -> EdgePoint:
    index, where, fraction = drawn
    edge = index % road.n_edges
    if where == "tail":
        return EdgePoint(edge, 0.0)
    if where == "head":
        return EdgePoint(edge, 1.0)
    if where == "near":  # within 2 m of a junction: either side of the 1 m tolerance
        share = min(2.0 * fraction / float(road.length_m[edge]), 0.5)
        return EdgePoint(edge, share if index % 2 else 1.0 - share)
    return EdgePoint(edge, fraction)


def assert_same_times(road: RoadGraph, target: EdgePoint, sources: list[EdgePoint], atol: float) -> None:
    oracle = TravelTimeRouter(road).times_to(target, sources)
    cch = CchRouter(road)
    result = cch.times_to(target, sources, need=3)
    assert np.array_equal(np.isfinite(result.time_s), np.isfinite(oracle.time_s)), "same units reachable"
    np.testing.assert_allclose(result.time_s, oracle.time_s, rtol=0, atol=atol)
    # the route unpacked for each reachable unit takes the time reported
    tt = road.travel_time_s
    for i in range(len(sources)):
        via = int(result.via_node[i])
        if not np.isfinite(result.time_s[i]) or via < 0:
            continue
        edges = cch.path_edges(result, via)
        nodes = [via] + [int(road.head[e]) for e in edges]
        assert all(int(road.tail[e]) == a for e, a in zip(edges, nodes, strict=False)), "a connected path"
        assert result.node_time_s[via] == pytest.approx(
            float(tt[edges].sum()) + _rest(cch, result, nodes[-1]), abs=atol + 1e-9
        )


def _rest(router: CchRouter, result, last: int) -> float:
    tail, to_tail, _, to_head = router.target_entries(result.target)
    return to_tail if last == tail else to_head


@pytest.mark.parametrize("whole_quanta", [True, False], ids=["whole_quanta", "any_times"])
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drawn=roads, target=spots, sources=st.lists(spots, min_size=1, max_size=8))
def test_cch_equals_dijkstra(whole_quanta, drawn, target, sources) -> None:
    """Times of whole quanta: equal to the quantum (the incident's own offsets are rounded, at most
    half a quantum); any times: within half a quantum per road segment."""
    road = random_road(drawn, whole_quanta=whole_quanta)
    if road is None:
        return
    bound = QUANTUM_S / 2 * (1 if whole_quanta else road.n_edges + 1) + 1e-9
    assert_same_times(road, spot(road, target), [spot(road, s) for s in sources], atol=bound)


def test_the_cheaper_of_two_parallel_roads_is_taken_not_their_sum() -> None:
    a, b = (LON0, LAT0), (LON0 + STEP_DEG, LAT0)
    road = make_road({1: a, 2: b}, [(1, 2, 300.0), (1, 2, 100.0)])
    slow = int(np.argmax(road.travel_time_s))
    assert road.travel_time_s[slow] == 300.0
    # from junction 1 to junction 2, both given on the slow road
    result = CchRouter(road).times_to(EdgePoint(slow, 1.0), [EdgePoint(slow, 0.0)])
    assert result.time_s[0] == pytest.approx(100.0)


@pytest.mark.parametrize("engine", [CchRouter, TravelTimeRouter])
def test_a_closed_road_is_avoided_and_reopening_restores_it(engine) -> None:
    road = line_road(4, 60.0)
    router = engine(road)
    target, unit = EdgePoint(edge_between(road, 3, 4), 1.0), EdgePoint(edge_between(road, 1, 2), 0.0)
    assert router.times_to(target, [unit]).time_s[0] == pytest.approx(180.0)
    router.set_closed([edge_between(road, 2, 3)])
    assert not np.isfinite(router.times_to(target, [unit]).time_s[0]), "the only road is closed"
    router.set_closed([])
    assert router.times_to(target, [unit]).time_s[0] == pytest.approx(180.0)


@pytest.mark.parametrize("engine", [CchRouter, TravelTimeRouter])
def test_closing_the_faster_of_two_parallel_roads_routes_over_the_slower(engine) -> None:
    nodes = {1: (LON0, LAT0), 2: (LON0 + STEP_DEG, LAT0), 3: (LON0 + 2 * STEP_DEG, LAT0)}
    road = make_road(nodes, [(1, 2, 300.0), (1, 2, 100.0), (2, 3, 50.0)])
    router = engine(road)
    one, two = (int(np.flatnonzero(road.node_osmid == i)[0]) for i in (1, 2))
    pair = [e for e in range(road.n_edges) if (road.tail[e], road.head[e]) == (one, two)]
    fast, slow = sorted(pair, key=lambda e: float(road.travel_time_s[e]))
    onward = edge_between(road, 2, 3)
    target, unit = EdgePoint(onward, 1.0), EdgePoint(slow, 0.0)
    assert router.times_to(target, [unit]).time_s[0] == pytest.approx(150.0)
    router.set_closed([fast])
    result = router.times_to(target, [unit])
    assert result.time_s[0] == pytest.approx(350.0)
    assert router.path_edges(result, one) == [slow]


def test_an_order_for_another_graph_is_refused() -> None:
    road = line_road(4, 60.0)
    with pytest.raises(ValueError, match="does not fit"):
        CchRouter(road, order=np.arange(3))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    drawn=roads,
    steps=st.lists(
        st.tuples(
            spots, st.lists(spots, min_size=1, max_size=6), st.lists(st.integers(0, 10**6), max_size=3)
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_one_router_stays_exact_over_many_rankings_and_closures(drawn, steps) -> None:
    """The router keeps its query objects between rankings (the same units stay pinned, others are
    pinned in their place) and drops them for every re-weighting: each answer, the same units asked
    twice in a row and after a closure, equals a fresh Dijkstra on the roads open at that moment."""
    road = random_road(drawn, whole_quanta=True)
    if road is None:
        return
    cch = CchRouter(road)
    bound = QUANTUM_S / 2 + 1e-9
    for target_drawn, sources_drawn, closed_drawn in steps:
        target, sources = spot(road, target_drawn), [spot(road, s) for s in sources_drawn]
        closed = [c % road.n_edges for c in closed_drawn]
        for _ in range(2):  # a second ranking of the same units reuses the pinned entry nodes
            cch.set_closed(closed)
            oracle = TravelTimeRouter(road)
            oracle.set_closed(closed)
            want = oracle.times_to(target, sources).time_s
            got = cch.times_to(target, sources, need=2).time_s
            assert np.array_equal(np.isfinite(got), np.isfinite(want)), "same units reachable"
            np.testing.assert_allclose(got, want, rtol=0, atol=bound)


def test_built_in_the_background_it_answers_by_dijkstra_until_ready_and_keeps_closures() -> None:
    """A server starts answering before the hierarchy is built: the answers come from the Dijkstra
    search until then, a road closed meanwhile stays closed once the hierarchy takes over."""
    road = line_road(4, 60.0)
    target, unit = EdgePoint(edge_between(road, 3, 4), 1.0), EdgePoint(edge_between(road, 1, 2), 0.0)
    router = CchRouter(road, background=True)
    first = router.times_to(target, [unit])
    assert first.time_s[0] == pytest.approx(180.0)
    router.set_closed([edge_between(road, 2, 3)])
    assert not router.ready, "built only once asked"
    router.prepare()
    assert router.wait_ready(30.0)
    result = router.times_to(target, [unit])
    assert not np.isfinite(result.time_s[0]), "the closure made before the hierarchy was ready holds"
    router.set_closed([])
    reopened = router.times_to(target, [unit])
    assert reopened.time_s[0] == pytest.approx(180.0)
    start = int(road.head[unit.edge])  # the route is unpacked from the search that timed it
    assert (
        router.path_edges(first, start)[0]
        == router.path_edges(reopened, start)[0]
        == edge_between(road, 2, 3)
    )


def test_rankings_from_many_threads_at_once_are_each_exact() -> None:
    """Server requests run on many threads; RoutingKit's query objects live on the router's own."""
    from concurrent.futures import ThreadPoolExecutor

    road = line_road(6, 60.0)
    cch, oracle = CchRouter(road), TravelTimeRouter(road)
    target = EdgePoint(edge_between(road, 5, 6), 1.0)
    cases = [[EdgePoint(edge_between(road, i, i + 1), f)] for i in range(1, 5) for f in (0.0, 0.5)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda s: float(cch.times_to(target, s).time_s[0]), cases * 5))
    want = [float(oracle.times_to(target, s).time_s[0]) for s in cases * 5]
    np.testing.assert_allclose(got, want, rtol=0, atol=QUANTUM_S)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    drawn=roads,
    target=spots,
    sources=st.lists(spots, min_size=1, max_size=12),
    need=st.integers(1, 4),
    first=st.integers(1, 3),
)
def test_a_ranking_times_every_unit_that_can_be_among_the_fastest(
    drawn, target, sources, need, first
) -> None:
    """A ranking times the units nearest by the lower bound first, then only those whose bound does
    not exceed the k-th time: its k fastest are the oracle's, every time it gives is exact, and
    every unit it leaves out is no faster than the k-th."""
    road = random_road(drawn, whole_quanta=True)
    if road is None:
        return
    target_point, points = spot(road, target), [spot(road, s) for s in sources]
    oracle = TravelTimeRouter(road).times_to(target_point, points).time_s
    cch = CchRouter(road)
    cch.first_timed = first
    got = cch.times_to(target_point, points, need=need).time_s
    bound = QUANTUM_S / 2 + 1e-9
    timed = np.isfinite(got)
    np.testing.assert_allclose(got[timed], oracle[timed], rtol=0, atol=bound)
    k = min(need, int(np.isfinite(oracle).sum()))
    np.testing.assert_allclose(np.sort(got)[:k], np.sort(oracle)[:k], rtol=0, atol=bound)
    if k:
        kth = np.sort(oracle)[k - 1]
        assert np.all(oracle[~timed] >= kth - bound), "a unit left out could have been among the fastest"
    lower = cch.lower_bounds_s(np.array([p.edge for p in points]), cch.at_junction(target_point))
    assert np.all(lower <= oracle + bound), "the lower bound never exceeds a unit's time"
