"""Dispatch recommendation benchmark on the Siak-scale graph, against the baselines in the same run.

Prints one JSON object with p50/p95/p99 latencies (milliseconds) of a top-5 recommendation over a
fleet of 200 units, and of three baselines computing the same travel times:

- ``networkx_per_unit_loop``: what osmnx users typically write — nearest node for the incident and
  each unit, then ``networkx.shortest_path_length`` once per unit (measured on a few incidents only;
  it is slow);
- ``networkx_single_source``: one ``single_source_dijkstra_path_length`` on the reversed graph;
- ``scipy_one_to_all``: one unbounded ``scipy.sparse.csgraph.dijkstra`` on the reversed CSR matrix,
  a C-level lower bound for any approach that searches the whole graph.

Usage: ``python bench/dispatch_bench.py [--units 200] [--incidents 200] [--naive-incidents 5]``
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from datetime import UTC, datetime
from typing import Any

import networkx as nx
import numpy as np
from scipy.sparse.csgraph import dijkstra

from dispatch_geo.boundaries import load_boundaries
from dispatch_geo.domain.values import LonLat
from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.graph.snap import EdgeSnapper
from dispatch_geo.routing.nearest import UnitCandidate, recommend
from dispatch_geo.routing.travel_time import TravelTimeRouter
from siaga.graphs import resolve_graph
from siaga.settings import Settings


def percentiles(samples_s: list[float]) -> dict[str, float]:
    ms = np.asarray(samples_s) * 1000
    return {
        "n": len(samples_s),
        "p50_ms": round(float(np.percentile(ms, 50)), 3),
        "p95_ms": round(float(np.percentile(ms, 95)), 3),
        "p99_ms": round(float(np.percentile(ms, 99)), 3),
    }


def random_points(rng: np.random.Generator, n: int) -> list[LonLat]:
    outline = load_boundaries().outline
    minx, miny, maxx, maxy = outline.bounds
    from shapely import contains_xy

    points: list[LonLat] = []
    while len(points) < n:
        x, y = rng.uniform(minx, maxx, 4 * n), rng.uniform(miny, maxy, 4 * n)
        inside = contains_xy(outline, x, y)
        points += [LonLat(float(a), float(b)) for a, b in zip(x[inside], y[inside], strict=True)]
    return points[:n]


def to_networkx(road: RoadGraph) -> nx.DiGraph:
    graph = nx.DiGraph()
    for e in range(road.n_edges):
        u, v, w = int(road.tail[e]), int(road.head[e]), float(road.travel_time_s[e])
        if not graph.has_edge(u, v) or graph[u][v]["travel_time"] > w:
            graph.add_edge(u, v, travel_time=w)
    return graph


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--incidents", type=int, default=200)
    parser.add_argument("--naive-incidents", type=int, default=5)
    args = parser.parse_args()

    road, _ = resolve_graph(Settings())
    router, snapper = TravelTimeRouter(road), EdgeSnapper(road)
    rng = np.random.default_rng(112)
    now = datetime.now(UTC)
    positions = random_points(rng, args.units)
    snapped = snapper.snap([p.lon for p in positions], [p.lat for p in positions])
    types = ["ambulance", "fire_engine", "police_car", "police_motorbike"]
    units = [
        UnitCandidate(
            unit_id=f"U{i:03d}",
            call_sign=f"U{i:03d}",
            unit_type="ambulance" if i % 2 == 0 else types[i % 4],
            status="available" if i % 5 else "en_route",
            position=p,
            fix_time=now,
            edge=int(snapped.edge[i]),
            fraction=float(snapped.fraction[i]),
        )
        for i, p in enumerate(positions)
    ]
    unsnapped = [UnitCandidate(**{**u.__dict__, "edge": None, "fraction": None}) for u in units]
    incidents = random_points(rng, args.incidents)

    def run(fleet: list[UnitCandidate], incident: LonLat) -> None:
        recommend(
            router=router,
            snapper=snapper,
            incident=incident,
            units=fleet,
            needed_types={"ambulance"},
            now=now,
            k=5,
        )

    run(units, incidents[0])  # warm-up
    ours, ours_with_snap = [], []
    for incident in incidents:
        started = time.perf_counter()
        run(units, incident)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        run(unsnapped, incident)
        ours_with_snap.append(time.perf_counter() - started)

    reverse_csr = road.weight_matrix("travel_time_s", reverse=True)
    incident_nodes = [int(road.head[snapper.snap_one(p).edge]) for p in incidents]
    unit_nodes = [int(road.tail[e]) for e in snapped.edge]
    scipy_times = []
    for node in incident_nodes:
        started = time.perf_counter()
        dijkstra(reverse_csr, directed=True, indices=node)
        scipy_times.append(time.perf_counter() - started)

    graph = to_networkx(road)
    reverse = graph.reverse(copy=True)
    nx_single = []
    for node in incident_nodes[:20]:
        started = time.perf_counter()
        nx.single_source_dijkstra_path_length(reverse, node, weight="travel_time")
        nx_single.append(time.perf_counter() - started)
    naive = []
    for node in incident_nodes[: args.naive_incidents]:
        started = time.perf_counter()
        for source, unit in zip(unit_nodes, units, strict=True):
            if unit.unit_type != "ambulance" or unit.status != "available":
                continue
            with contextlib.suppress(nx.NetworkXNoPath):
                nx.shortest_path_length(graph, source, node, weight="travel_time")
        naive.append(time.perf_counter() - started)

    ours_p = percentiles(ours)
    report: dict[str, Any] = {
        "benchmark": "dispatch",
        "graph": {
            "nodes": road.n_nodes,
            "edges": road.n_edges,
            "schematic": road.meta.schematic,
            "label": road.meta.label,
        },
        "fleet_units": args.units,
        "eligible_units": sum(u.unit_type == "ambulance" and u.status == "available" for u in units),
        "ours_top5": ours_p,
        "ours_top5_including_unit_snapping": percentiles(ours_with_snap),
        "scipy_one_to_all": percentiles(scipy_times),
        "networkx_single_source": percentiles(nx_single),
        "networkx_per_unit_loop": percentiles(naive),
        "targets": {"ours_p95_ms": 5.0, "speedup_vs_per_unit_loop": 500},
    }
    report["speedup_vs_per_unit_loop_p50"] = round(
        report["networkx_per_unit_loop"]["p50_ms"] / ours_p["p50_ms"], 1
    )
    report["speedup_vs_networkx_single_source_p50"] = round(
        report["networkx_single_source"]["p50_ms"] / ours_p["p50_ms"], 1
    )
    report["ratio_to_scipy_one_to_all_p50"] = round(
        ours_p["p50_ms"] / report["scipy_one_to_all"]["p50_ms"], 2
    )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
