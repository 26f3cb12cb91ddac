"""Station siting: MCLP and LSCP on a travel-time matrix from the graph, solved by CBC through PuLP.

The matrix is ``cost[i, j]`` = travel time from candidate site ``j`` to demand point ``i`` (a road
node). It is built with one bounded Dijkstra per demand point on the *reversed* graph (in chunks, so
memory stays ``chunk × n_nodes``); candidates are road nodes or points on edges (existing posts).

Scenarios (:func:`add_posts`, :func:`relocate_posts`) report the demand covered before and after.
"add k posts" keeps every existing post through spopt's ``predefined_facilities_arr`` (their columns
are fixed to 1) with ``p = existing + k``; "relocate" solves MCLP freely with ``p = existing``, with a
tie-break that keeps a post where it is unless moving it covers more people.

The models are the textbook ones spopt's ``MCLP``/``LSCP.from_cost_matrix`` build (Church & ReVelle
1974; Toregas et al. 1971), written here on the sparse coverage sets (only the candidate-demand pairs
within the standard): spopt builds one PuLP term per matrix cell in Python, which took ~2 s per model
on 131 desa x 748 candidates, and importing spopt (pointpats, libpysal, scipy.stats) took ~5 s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pulp  # type: ignore[import-untyped]  # no stubs; spopt's solver layer
from scipy.sparse.csgraph import dijkstra

from dispatch_geo.errors import InputError
from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.routing.travel_time import EdgePoint

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

DEFAULT_SOLVER_TIME_LIMIT_S = 120


@dataclass(frozen=True)
class SitingSolution:
    """Chosen candidate columns, the demand they cover and the covered weight."""

    selected: IntArray
    covered: BoolArray
    covered_weight: float
    total_weight: float

    @property
    def share(self) -> float:
        return self.covered_weight / self.total_weight if self.total_weight > 0 else float("nan")


@dataclass(frozen=True)
class Scenario:
    """A siting scenario: ``before`` (current posts) and ``after`` (the solution), ``added`` columns."""

    name: str
    before: SitingSolution
    after: SitingSolution
    added: IntArray
    removed: IntArray

    @property
    def gained_weight(self) -> float:
        return self.after.covered_weight - self.before.covered_weight


def cost_matrix(
    road: RoadGraph,
    demand_nodes: npt.ArrayLike,
    *,
    candidate_nodes: npt.ArrayLike = (),
    candidate_points: Sequence[EdgePoint] = (),
    limit_s: float = np.inf,
    chunk: int = 32,
) -> FloatArray:
    """Travel time from each candidate to each demand node, ``(n_demand, n_nodes_cand + n_points)``.

    Columns are the candidate nodes first, then the candidate points (e.g. existing posts on edges).
    Times beyond ``limit_s`` are ``inf``.
    """
    demand = np.asarray(demand_nodes, dtype=np.int64).ravel()
    nodes = np.asarray(candidate_nodes, dtype=np.int64).ravel()
    bad = [int(v) for v in np.concatenate([demand, nodes]) if not 0 <= v < road.n_nodes]
    if bad:
        raise InputError(f"{len(bad)} node index(es) outside 0..{road.n_nodes - 1}, e.g. {bad[0]}")
    pe = np.array([p.edge for p in candidate_points], dtype=np.int64)
    pf = np.array([p.fraction for p in candidate_points], dtype=np.float64)
    if pe.size and (pe.min() < 0 or pe.max() >= road.n_edges):
        raise InputError("a candidate point lies on an edge that does not exist")
    tt = road.travel_time_s
    twin = road.twin[pe] if pe.size else np.zeros(0, dtype=np.int64)
    head_cost = (1.0 - pf) * tt[pe] if pe.size else np.zeros(0)
    tail_cost = np.where(twin >= 0, pf * tt[np.maximum(twin, 0)], np.inf) if pe.size else np.zeros(0)
    reverse = road.weight_matrix("travel_time_s", reverse=True)
    out = np.full((demand.size, nodes.size + pe.size), np.inf)
    for start in range(0, demand.size, chunk):
        idx = demand[start : start + chunk]
        dist = np.atleast_2d(dijkstra(reverse, directed=True, indices=idx, limit=limit_s))
        out[start : start + idx.size, : nodes.size] = dist[:, nodes]
        if pe.size:
            via_head = head_cost + dist[:, road.head[pe]]
            via_tail = tail_cost + dist[:, road.tail[pe]]
            out[start : start + idx.size, nodes.size :] = np.minimum(via_head, via_tail)
    out[out > limit_s] = np.inf
    return out


def candidate_sample(road: RoadGraph, n: int, *, seed: int = 0, must: npt.ArrayLike = ()) -> IntArray:
    """About ``n`` road nodes spread evenly over the area (one per grid cell, cells chosen at random).

    ``must`` nodes (e.g. village centres) are always included and come first.
    """
    must_arr = np.unique(np.asarray(must, dtype=np.int64))
    rng = np.random.default_rng(seed)
    side = max(1, int(np.ceil(np.sqrt(max(n, 1)))))
    span_lon = float(np.ptp(road.node_lon)) or 1.0
    span_lat = float(np.ptp(road.node_lat)) or 1.0
    for _ in range(8):
        cx = np.minimum(((road.node_lon - road.node_lon.min()) / span_lon * side).astype(np.int64), side - 1)
        cy = np.minimum(((road.node_lat - road.node_lat.min()) / span_lat * side).astype(np.int64), side - 1)
        cell = cy * side + cx
        shuffled = rng.permutation(road.n_nodes)
        _, first = np.unique(cell[shuffled], return_index=True)
        picked = shuffled[first]
        if picked.size >= n or side > 4 * n:
            break
        side = int(side * 1.5) + 1
    if picked.size > n:
        picked = rng.choice(picked, size=n, replace=False)
    rest = np.setdiff1d(picked, must_arr)
    return np.concatenate([must_arr, np.sort(rest)]).astype(np.int64)


def _solver(time_limit_s: int) -> pulp.LpSolver:
    return pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit_s)


def coverage_of(
    cost: FloatArray, weights: FloatArray, radius_s: float, columns: npt.ArrayLike
) -> SitingSolution:
    """The demand covered by a given set of columns (no optimisation)."""
    cols = np.asarray(columns, dtype=np.int64)
    covered: BoolArray = np.zeros(cost.shape[0], dtype=bool)
    if cols.size:
        covered = np.asarray((cost[:, cols] <= radius_s).any(axis=1), dtype=bool)
    return SitingSolution(cols, covered, float(weights[covered].sum()), float(weights.sum()))


def solve_mclp(
    cost: FloatArray,
    weights: npt.ArrayLike,
    radius_s: float,
    p: int,
    *,
    fixed: npt.ArrayLike = (),
    prefer: npt.ArrayLike = (),
    time_limit_s: int = DEFAULT_SOLVER_TIME_LIMIT_S,
) -> SitingSolution:
    """Maximal covering: ``p`` sites (``fixed`` columns included) covering the most demand weight.

    Among equally good solutions, one with more ``prefer`` columns (e.g. today's posts) is chosen.
    """
    w = np.asarray(weights, dtype=np.float64).ravel()
    fixed_arr = np.unique(np.asarray(fixed, dtype=np.int64))
    if w.size != cost.shape[0]:
        raise InputError(f"{w.size} weights for {cost.shape[0]} demand points")
    if not fixed_arr.size <= p <= cost.shape[1]:
        raise InputError(
            f"p={p} must be between the {fixed_arr.size} fixed sites and {cost.shape[1]} candidates"
        )
    cover = cost <= radius_s
    model = pulp.LpProblem("mclp", pulp.LpMaximize)
    x = [pulp.LpVariable(f"x{j}", cat="Binary") for j in range(cost.shape[1])]
    for j in fixed_arr:
        x[int(j)].lowBound = 1
    y = {}
    for i in np.flatnonzero(cover.any(axis=1) & (w > 0)):
        y[int(i)] = pulp.LpVariable(f"y{i}", lowBound=0, upBound=1)
        model += y[int(i)] <= pulp.lpSum(x[int(j)] for j in np.flatnonzero(cover[i])), f"cover_{i}"
    prefer_arr = np.unique(np.asarray(prefer, dtype=np.int64))
    # a bonus worth less than any person, so a tie never moves a post for nothing
    eps = (float(w[w > 0].min()) if (w > 0).any() else 1.0) / (2.0 * (prefer_arr.size + 1))
    model += pulp.lpSum(float(w[i]) * var for i, var in y.items()) + pulp.lpSum(
        eps * x[int(j)] for j in prefer_arr
    )
    model += pulp.lpSum(x) == p, "p_facilities"
    model.solve(_solver(time_limit_s))
    selected = np.array([j for j, v in enumerate(x) if (v.value() or 0) > 0.5], dtype=np.int64)
    return coverage_of(cost, w, radius_s, selected)


def solve_lscp(
    cost: FloatArray,
    radius_s: float,
    *,
    fixed: npt.ArrayLike = (),
    time_limit_s: int = DEFAULT_SOLVER_TIME_LIMIT_S,
) -> tuple[SitingSolution, IntArray]:
    """Set covering: the fewest sites covering every coverable demand point.

    Returns the solution and the demand rows no candidate can reach within ``radius_s`` (left out of
    the model, which would otherwise be infeasible).
    """
    coverable = (cost <= radius_s).any(axis=1)
    rows = np.flatnonzero(coverable)
    fixed_arr = np.unique(np.asarray(fixed, dtype=np.int64))
    ones = np.ones(cost.shape[0])
    if rows.size == 0:
        return coverage_of(cost, ones, radius_s, fixed_arr), np.flatnonzero(~coverable)
    model = pulp.LpProblem("lscp", pulp.LpMinimize)
    x = [pulp.LpVariable(f"x{j}", cat="Binary") for j in range(cost.shape[1])]
    for j in fixed_arr:
        x[int(j)].lowBound = 1
    model += pulp.lpSum(x)
    for i in rows:
        model += pulp.lpSum(x[int(j)] for j in np.flatnonzero(cost[i] <= radius_s)) >= 1, f"cover_{i}"
    model.solve(_solver(time_limit_s))
    selected = np.array([j for j, v in enumerate(x) if (v.value() or 0) > 0.5], dtype=np.int64)
    return coverage_of(cost, ones, radius_s, selected), np.flatnonzero(~coverable).astype(np.int64)


def add_posts(
    cost: FloatArray, weights: npt.ArrayLike, radius_s: float, existing: npt.ArrayLike, k: int, **kwargs: int
) -> Scenario:
    """Scenario "add k posts": existing columns stay, ``k`` new sites maximise the covered weight."""
    w = np.asarray(weights, dtype=np.float64).ravel()
    ex = np.unique(np.asarray(existing, dtype=np.int64))
    before = coverage_of(cost, w, radius_s, ex)
    after = solve_mclp(cost, w, radius_s, ex.size + k, fixed=ex, **kwargs)
    return Scenario(
        f"add {k} post(s)", before, after, np.setdiff1d(after.selected, ex), np.zeros(0, dtype=np.int64)
    )


def relocate_posts(
    cost: FloatArray, weights: npt.ArrayLike, radius_s: float, existing: npt.ArrayLike, **kwargs: int
) -> Scenario:
    """Scenario "relocate": as many posts as today, placed anywhere among the candidates."""
    w = np.asarray(weights, dtype=np.float64).ravel()
    ex = np.unique(np.asarray(existing, dtype=np.int64))
    before = coverage_of(cost, w, radius_s, ex)
    after = solve_mclp(cost, w, radius_s, ex.size, prefer=ex, **kwargs)
    return Scenario(
        f"relocate {ex.size} post(s)",
        before,
        after,
        np.setdiff1d(after.selected, ex),
        np.setdiff1d(ex, after.selected),
    )
