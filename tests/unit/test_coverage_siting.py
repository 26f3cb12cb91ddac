"""Station siting on tiny instances whose optimum is obvious, and the graph-built cost matrix."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dispatch_geo.coverage.siting import (
    add_posts,
    candidate_sample,
    cost_matrix,
    relocate_posts,
    solve_lscp,
    solve_mclp,
)
from dispatch_geo.errors import InputError
from dispatch_geo.routing.travel_time import EdgePoint
from tests.unit.coverage_graphs import edge_between, line_road, node_index

INF = math.inf
# demand rows d0..d3, candidate columns c0..c2 (travel time, s); radius 100 s
# c0 covers d0; c1 covers d1 and d2; c2 covers d2; nobody reaches d3
COST = np.array(
    [
        [50.0, 300.0, 300.0],
        [300.0, 80.0, 300.0],
        [300.0, 90.0, 60.0],
        [INF, INF, INF],
    ]
)
WEIGHTS = np.array([10.0, 6.0, 5.0, 100.0])


def test_mclp_picks_the_site_covering_most_people():
    one = solve_mclp(COST, WEIGHTS, 100.0, 1)
    assert one.selected.tolist() == [1]
    assert one.covered_weight == pytest.approx(11.0)
    two = solve_mclp(COST, WEIGHTS, 100.0, 2)
    assert two.selected.tolist() == [0, 1]
    assert two.covered.tolist() == [True, True, True, False]


def test_add_posts_keeps_existing_posts():
    scenario = add_posts(COST, WEIGHTS, 100.0, existing=[2], k=1)
    assert scenario.before.covered_weight == pytest.approx(5.0)
    # c2 stays; c0 (10 new people) beats c1 (only d1 = 6 new, d2 is already covered)
    assert sorted(scenario.after.selected.tolist()) == [0, 2]
    assert scenario.added.tolist() == [0]
    assert scenario.gained_weight == pytest.approx(10.0)


def test_relocate_moves_a_post_to_a_better_site():
    scenario = relocate_posts(COST, WEIGHTS, 100.0, existing=[2])
    assert scenario.after.selected.tolist() == [1]
    assert scenario.removed.tolist() == [2]
    assert scenario.added.tolist() == [1]
    assert scenario.gained_weight == pytest.approx(6.0)


def test_lscp_covers_every_reachable_demand_with_fewest_sites():
    solution, uncoverable = solve_lscp(COST, 100.0)
    assert solution.selected.tolist() == [0, 1]
    assert uncoverable.tolist() == [3]


def test_mclp_refuses_impossible_p():
    with pytest.raises(InputError, match="p=5"):
        solve_mclp(COST, WEIGHTS, 100.0, 5)


def test_cost_matrix_from_the_graph():
    road = line_road()  # 1 - 2 - 3 - 4 - 5, 60 s per segment
    demand = [node_index(road, 1), node_index(road, 5)]
    point = EdgePoint(edge_between(road, 2, 3), 0.5)
    cost = cost_matrix(road, demand, candidate_nodes=[node_index(road, 3)], candidate_points=[point])
    assert cost == pytest.approx(np.array([[120.0, 90.0], [120.0, 150.0]]))
    bounded = cost_matrix(road, demand, candidate_nodes=[node_index(road, 3)], limit_s=100.0)
    assert np.isinf(bounded).all()


def test_candidate_sample_spreads_and_keeps_required_nodes():
    road = line_road(n=5)
    picked = candidate_sample(road, 3, must=[node_index(road, 5)])
    assert picked[0] == node_index(road, 5)
    assert len(set(picked.tolist())) == picked.size <= 4


def test_relocate_leaves_a_post_in_place_when_moving_it_gains_nobody():
    # c0 and c3 cover exactly the same demand: the post at c3 must stay, c2 must move to c1
    cost = np.column_stack([COST, COST[:, 0]])
    scenario = relocate_posts(cost, WEIGHTS, 100.0, existing=[2, 3])
    assert sorted(scenario.after.selected.tolist()) == [1, 3]
    assert scenario.removed.tolist() == [2]
    assert scenario.added.tolist() == [1]
