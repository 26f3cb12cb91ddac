"""What-if and MEXCLP figures for ``bench/coverage_bench.py`` (each with a baseline measured in the same run).

- ``whatif``: 100 random drags of one post (up to ~5 km, a different post each time) on the what-if
  model the server keeps per service, each a full server-side update (evaluate + the JSON figures):
  p50/p95/max ms, with the reach cache cold for every dragged position (a new spot each time). Baseline:
  the same update done the way ``GET /coverage`` builds its figures (per-desa pandas tables from one
  multi-source search, no cache), on the same drags.
- ``mexclp``: the desa-centre cost matrix (131 desa × ``candidates`` sampled road nodes + desa centres +
  posts) and MEXCLP solves with CBC: "add 3 units" (today's units fixed) and "place all units freely",
  against the MCLP "add 3 posts" solve on the same matrix (baseline, same run).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from dispatch_geo.coverage import analysis, siting
from dispatch_geo.coverage.busy import DEFAULT_BUSY_FRACTION
from dispatch_geo.coverage.demand import Demand
from dispatch_geo.coverage.mexclp import solve_mexclp
from dispatch_geo.coverage.multisource import multi_source_times
from dispatch_geo.coverage.posts import Post
from dispatch_geo.coverage.whatif import PlannedPost, WhatIfModel, result_dict
from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.graph.snap import EdgeSnapper
from dispatch_geo.routing.travel_time import EdgePoint

DRAGS = 100
DRAG_DEG = 0.05


def whatif_figures(
    road: RoadGraph, demand: Demand, posts: list[Post], standard_s: float, *, seed: int = 0
) -> dict[str, Any]:
    snapper = EdgeSnapper(road)
    t0 = time.perf_counter()
    model = WhatIfModel(road, demand, standard_s, snapper)
    planned = [PlannedPost(p.id, p.name, p.lon, p.lat, 1) for p in posts]
    result_dict(model, model.evaluate(planned, DEFAULT_BUSY_FRACTION))  # every post's reach, once
    build_s = time.perf_counter() - t0
    rng = np.random.default_rng(seed)
    lon_lo, lon_hi = float(road.node_lon.min()), float(road.node_lon.max())
    lat_lo, lat_hi = float(road.node_lat.min()), float(road.node_lat.max())
    scenarios = []
    for _ in range(DRAGS):
        k = int(rng.integers(len(planned)))
        p = planned[k]
        lon = float(np.clip(p.lon + rng.uniform(-DRAG_DEG, DRAG_DEG), lon_lo, lon_hi))
        lat = float(np.clip(p.lat + rng.uniform(-DRAG_DEG, DRAG_DEG), lat_lo, lat_hi))
        planned = [*planned[:k], PlannedPost(p.id, p.name, lon, lat, p.units), *planned[k + 1 :]]
        scenarios.append(planned)
    ours = []
    for scenario in scenarios:
        t0 = time.perf_counter()
        result_dict(model, model.evaluate(scenario, DEFAULT_BUSY_FRACTION))
        ours.append((time.perf_counter() - t0) * 1000)
    base = road.weight_matrix("travel_time_s")
    naive = []
    for scenario in scenarios[:20]:
        t0 = time.perf_counter()
        snapped = snapper.snap([p.lon for p in scenario], [p.lat for p in scenario])
        points = [EdgePoint(int(e), float(f)) for e, f in zip(snapped.edge, snapped.fraction, strict=True)]
        times = multi_source_times(road, points, base=base)
        table = analysis.desa_coverage(demand, times, standard_s, [p.id for p in scenario])
        analysis.gap_list(table)
        analysis.overall_coverage(demand, times, standard_s)
        naive.append((time.perf_counter() - t0) * 1000)
    return {
        "drags": DRAGS,
        "model_build_s": build_s,
        "update_p50_ms": float(np.percentile(ours, 50)),
        "update_p95_ms": float(np.percentile(ours, 95)),
        "update_max_ms": float(np.max(ours)),
        "target_p95_ms": 100.0,
        "baseline_report_tables_p50_ms": float(np.percentile(naive, 50)),
        "baseline_report_tables_p95_ms": float(np.percentile(naive, 95)),
        "baseline_drags": len(naive),
    }


def mexclp_figures(
    road: RoadGraph,
    demand: Demand,
    points: list[Any],
    standard_s: float,
    *,
    candidates: int,
    q: float = DEFAULT_BUSY_FRACTION,
) -> dict[str, Any]:
    centres = demand.desa["centre_node"].to_numpy()
    weights = demand.desa["population"].to_numpy().astype(np.float64)
    t0 = time.perf_counter()
    nodes = siting.candidate_sample(road, candidates, must=centres)
    cost = siting.cost_matrix(
        road, centres, candidate_nodes=nodes, candidate_points=points, limit_s=standard_s * 1.01
    )
    matrix_s = time.perf_counter() - t0
    fixed = np.zeros(cost.shape[1], dtype=np.int64)
    fixed[nodes.size :] = 1
    n_units = int(fixed.sum())
    t0 = time.perf_counter()
    add3 = solve_mexclp(cost, weights, standard_s, n_units + 3, q, fixed=fixed)
    add3_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    free = solve_mexclp(cost, weights, standard_s, n_units, q)
    free_s = time.perf_counter() - t0
    existing = np.arange(nodes.size, cost.shape[1])
    t0 = time.perf_counter()
    mclp = siting.add_posts(cost, weights, standard_s, existing, 3)
    mclp_s = time.perf_counter() - t0
    today = solve_mexclp(cost, weights, standard_s, n_units, q, fixed=fixed)
    return {
        "demand_points": int(cost.shape[0]),
        "candidate_sites": int(cost.shape[1]),
        "busy_fraction": q,
        "cost_matrix_s": matrix_s,
        "solve_add_3_units_s": add3_s,
        "solve_place_all_units_freely_s": free_s,
        "target_s": 30.0,
        "status_add_3": add3.status,
        "status_free": free.status,
        "expected_today_desa_centres": today.expected_weight,
        "expected_add_3_desa_centres": add3.expected_weight,
        "expected_free_desa_centres": free.expected_weight,
        "baseline_mclp_add_3_posts_s": mclp_s,
        "mclp_add_3_covered_after_desa_centres": mclp.after.covered_weight,
    }
