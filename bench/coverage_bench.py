"""Coverage and siting benchmark on the graph in use (real OSM if cached, else the schematic one).

Prints one JSON object:

- ``multi_source``: full-regency travel times from every post of a service to every node in one
  multi-source Dijkstra (ours; the forward weight matrix built once, as the server does), against
  ``networkx_per_station``: one ``single_source_dijkstra_path_length`` per post then the minimum —
  both in this run, with the largest difference between their node times;
- ``coverage_report_core``: demand allocation + multi-source + per-desa tables (no isochrones);
- ``isochrones``: the five default thresholds;
- ``mclp``: cost matrix for the 131 desa centres × (``--candidates`` road nodes + desa centres +
  posts) and one MCLP "add 3 posts" solve with CBC.

Usage: ``python bench/coverage_bench.py [--service ambulance] [--candidates 600] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import networkx as nx
import numpy as np

from dispatch_geo.boundaries import load_boundaries
from dispatch_geo.coverage import analysis, siting
from dispatch_geo.coverage.demand import allocate_demand
from dispatch_geo.coverage.isochrones import DEFAULT_THRESHOLDS_MIN, isochrones
from dispatch_geo.coverage.multisource import multi_source_times
from dispatch_geo.coverage.posts import posts_from_fleet, snap_posts
from dispatch_geo.coverage.standards import service_standard
from dispatch_geo.domain.fleet_csv import load_fleet_csv
from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.graph.snap import EdgeSnapper
from dispatch_geo.routing.travel_time import EdgePoint
from siaga.graphs import resolve_graph
from siaga.settings import Settings


def networkx_per_station(road: RoadGraph, points: list[EdgePoint]) -> tuple[np.ndarray, float]:
    """Node times by one networkx Dijkstra per post (each post split into its edge as a real node)."""
    g = nx.DiGraph()
    tt = road.travel_time_s
    for e in range(road.n_edges):
        u, v = int(road.tail[e]), int(road.head[e])
        if not g.has_edge(u, v) or g[u][v]["w"] > tt[e]:
            g.add_edge(u, v, w=float(tt[e]))
    start = time.perf_counter()
    best = np.full(road.n_nodes, np.inf)
    for p in points:
        g.add_edge("POST", int(road.head[p.edge]), w=(1 - p.fraction) * tt[p.edge])
        twin = int(road.twin[p.edge])
        if twin >= 0:
            g.add_edge("POST", int(road.tail[p.edge]), w=p.fraction * tt[twin])
        lengths = nx.single_source_dijkstra_path_length(g, "POST", weight="w")
        g.remove_node("POST")
        for node, t in lengths.items():
            if node != "POST" and t < best[node]:
                best[node] = t
    return best, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--service", default="ambulance")
    parser.add_argument("--candidates", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    settings = Settings()
    road, directory = resolve_graph(settings)
    boundaries = load_boundaries(settings.boundaries_path)
    assert settings.fleet_csv_path is not None
    posts = posts_from_fleet(load_fleet_csv(settings.fleet_csv_path), args.service)
    points = snap_posts(EdgeSnapper(road), posts)
    standard = service_standard(args.service)
    out: dict[str, Any] = {
        "graph": str(directory),
        "schematic": road.meta.schematic,
        "graph_label": road.meta.label,
        "nodes": road.n_nodes,
        "edges": road.n_edges,
        "service": args.service,
        "posts": len(posts),
    }

    base = road.weight_matrix("travel_time_s")
    samples = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        times = multi_source_times(road, points, base=base)
        samples.append(time.perf_counter() - t0)
    nx_times, nx_s = networkx_per_station(road, points)
    finite = np.isfinite(nx_times)
    out["multi_source"] = {
        "ours_median_s": float(np.median(samples)),
        "networkx_per_station_s": nx_s,
        "speedup": nx_s / float(np.median(samples)),
        "max_abs_diff_s": float(np.max(np.abs(times.time_s[finite] - nx_times[finite]))),
        "same_reachability": bool(np.array_equal(finite, np.isfinite(times.time_s))),
    }

    t0 = time.perf_counter()
    demand = allocate_demand(road, boundaries.desa, boundaries.kecamatan)
    times = multi_source_times(road, points, base=base)
    table = analysis.desa_coverage(demand, times, standard.travel_time_s, [p.id for p in posts])
    out["coverage_report_core_s"] = time.perf_counter() - t0
    out["coverage_share"] = analysis.overall_coverage(demand, times, standard.travel_time_s)["coverage_share"]
    out["desa_fully_uncovered"] = int((table["coverage_share"] == 0).sum())

    t0 = time.perf_counter()
    isochrones(road, times, [m * 60 for m in DEFAULT_THRESHOLDS_MIN])
    out["isochrones_5_thresholds_s"] = time.perf_counter() - t0

    centres = demand.desa["centre_node"].to_numpy()
    weights = demand.desa["population"].to_numpy()
    t0 = time.perf_counter()
    nodes = siting.candidate_sample(road, args.candidates, must=centres)
    cost = siting.cost_matrix(
        road, centres, candidate_nodes=nodes, candidate_points=points, limit_s=standard.travel_time_s * 1.01
    )
    matrix_s = time.perf_counter() - t0
    existing = np.arange(nodes.size, nodes.size + len(points))
    t0 = time.perf_counter()
    scenario = siting.add_posts(cost, weights, standard.travel_time_s, existing, 3)
    out["mclp"] = {
        "demand_points": int(cost.shape[0]),
        "candidates": int(cost.shape[1]),
        "cost_matrix_s": matrix_s,
        "solve_add_3_s": time.perf_counter() - t0,
        "covered_before": scenario.before.covered_weight,
        "covered_after": scenario.after.covered_weight,
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
