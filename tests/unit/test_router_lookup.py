"""The router's node-pair → fastest-edge lookup (built with array operations at start-up)."""

from __future__ import annotations

import numpy as np
import pytest

from dispatch_geo.routing.travel_time import TravelTimeRouter
from tests.unit.coverage_graphs import LAT0, LON0, STEP_DEG, make_road, node_index
from tests.unit.routing_graphs import rural_grid


def test_every_pair_finds_its_fastest_edge_and_a_missing_pair_none() -> None:
    road = rural_grid(size=6, seed=11)
    router = TravelTimeRouter(road)
    for u, v in set(zip(road.tail.tolist(), road.head.tolist(), strict=True)):
        parallel = np.flatnonzero((road.tail == u) & (road.head == v))
        edge = router.fastest_edge(u, v)
        assert edge in parallel
        assert road.travel_time_s[edge] == road.travel_time_s[parallel].min()
    with pytest.raises(KeyError):
        router.fastest_edge(0, 0)
    with pytest.raises(KeyError):
        router.fastest_edge(road.n_nodes, 0)


def test_of_two_parallel_roads_the_faster_is_taken() -> None:
    nodes = {1: (LON0, LAT0), 2: (LON0 + STEP_DEG, LAT0)}
    road = make_road(nodes, [(1, 2, 90.0), (1, 2, 60.0)])
    router = TravelTimeRouter(road)
    edge = router.fastest_edge(node_index(road, 1), node_index(road, 2))
    assert road.travel_time_s[edge] == pytest.approx(60.0)
    point = router.edge_point_from_osm(1, 2, 0.0)
    assert point is not None
    assert point.edge == edge
    assert router.edge_point_from_osm(1, 99, 0.0) is None
