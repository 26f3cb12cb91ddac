"""Coverage and siting benchmark on the graph in use (real OSM if cached, else the schematic one).

Prints one JSON object:

- ``multi_source``: full-regency travel times from every post of a service to every node in one
  multi-source Dijkstra (ours; the forward weight matrix built once, as the server does), against
  ``networkx_per_station``: one ``single_source_dijkstra_path_length`` per post then the minimum —
  both in this run, with the largest difference between their node times;
- ``coverage_report_core``: demand allocation + multi-source + per-desa tables (no isochrones);
- ``isochrones``: the five default thresholds;
- ``mclp``: cost matrix for the 131 desa centres × (``--candidates`` road nodes + desa centres +
  posts) and one MCLP "add 3 posts" solve with CBC — ours (sparse PuLP model) against spopt's
  ``MCLP.from_cost_matrix`` on the same matrix, same run (``spopt_solve_add_3_s``, same optimum);
- ``isochrones_single_union_s``: the previous isochrone method (every threshold from scratch, one
  union of all buffers) in the same run, as the baseline of ``isochrones_5_thresholds_s``;
- ``whole_report``: ``build_report`` (all scenarios) + the ID HTML pages + the CSV/GeoJSON/JSON files,
  in process (graph already loaded), median of ``--repeat``; and ``cli_whole_report_s``: the
  ``dispatch-geo coverage report`` command once in a fresh interpreter (imports, graph load and all),
  which is what a planner waits for.

Usage: ``python bench/coverage_bench.py [--service ambulance] [--candidates 600] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
from planning_figures import mexclp_figures, whatif_figures  # bench/ (run as a script)

from dispatch_geo.boundaries import load_boundaries
from dispatch_geo.coverage import analysis, siting
from dispatch_geo.coverage.demand import allocate_demand
from dispatch_geo.coverage.export import write_report_files
from dispatch_geo.coverage.isochrones import DEFAULT_THRESHOLDS_MIN, isochrones
from dispatch_geo.coverage.multisource import multi_source_times
from dispatch_geo.coverage.posts import posts_from_fleet, snap_posts
from dispatch_geo.coverage.report import build_report
from dispatch_geo.coverage.standards import service_standard
from dispatch_geo.domain.fleet_csv import load_fleet_csv
from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.graph.snap import EdgeSnapper
from dispatch_geo.routing.travel_time import EdgePoint
from maps.coverage_page import write_html
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
    t0 = time.perf_counter()
    spopt_after = _spopt_add(cost, weights, standard.travel_time_s, existing, 3)
    out["mclp"]["spopt_solve_add_3_s"] = time.perf_counter() - t0
    out["mclp"]["spopt_covered_after"] = spopt_after

    t0 = time.perf_counter()
    _isochrones_single_union(road, times, [m * 60 for m in DEFAULT_THRESHOLDS_MIN])
    out["isochrones_single_union_s"] = time.perf_counter() - t0

    # issue 14 §2-§3: what-if updates and MEXCLP (bench/planning_figures.py)
    out["whatif"] = whatif_figures(road, demand, posts, standard.travel_time_s)
    out["mexclp"] = mexclp_figures(road, demand, points, standard.travel_time_s, candidates=args.candidates)

    samples = []
    with tempfile.TemporaryDirectory(prefix="siaga-bench-") as tmp:
        for _ in range(max(1, min(args.repeat, 3))):
            t0 = time.perf_counter()
            report = build_report(road, boundaries, posts, standard)
            write_html(report, Path(tmp))
            write_report_files(report, Path(tmp))
            samples.append(time.perf_counter() - t0)
        out["whole_report"] = {
            "median_s": float(np.median(samples)),
            "steps_s": report.timings_s,
        }
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", "from siaga.cli import main; main()", "coverage", "report",
             "--agency", args.service, "--out", str(Path(tmp) / "cli")],
            check=True, capture_output=True,
        )  # fmt: skip
        out["cli_whole_report_s"] = time.perf_counter() - t0
    print(json.dumps(out, indent=2))


def _spopt_add(cost: np.ndarray, weights: np.ndarray, radius_s: float, existing: np.ndarray, k: int) -> float:
    """The previous solver path: spopt's MCLP on the dense matrix (one PuLP term per cell)."""
    import pulp
    from spopt.locate import MCLP

    predefined = np.zeros(cost.shape[1], dtype=np.int64)
    predefined[existing] = 1
    finite = np.where(np.isfinite(cost), cost, radius_s * 10 + 1e9)
    model = MCLP.from_cost_matrix(
        finite, weights, service_radius=radius_s, p_facilities=existing.size + k,
        predefined_facilities_arr=predefined,
    )  # fmt: skip
    model.solve(pulp.PULP_CBC_CMD(msg=False), results=False)
    selected = [j for j, v in enumerate(model.fac_vars) if (v.value() or 0) > 0.5]
    return float(siting.coverage_of(cost, weights, radius_s, selected).covered_weight)


def _isochrones_single_union(road: RoadGraph, times: Any, thresholds_s: list[float]) -> None:
    """The previous isochrone method: each threshold from scratch, one union of all its buffers."""
    import shapely
    from pyproj import Transformer

    from dispatch_geo.boundaries import METRIC_CRS
    from dispatch_geo.coverage.isochrones import _piece_line, reachable_pieces

    fwd = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    x, y = fwd.transform(road.geom_lon, road.geom_lat)
    xy = np.column_stack((np.asarray(x), np.asarray(y)))
    for threshold in thresholds_s:
        lines = [_piece_line(road, xy, e, a, b) for e, a, b in reachable_pieces(road, times, threshold)]
        arr = shapely.simplify(np.asarray([g for g in lines if g is not None], dtype=object), 10.0)
        shapely.union_all(shapely.buffer(arr, 200.0, quad_segs=4))


if __name__ == "__main__":
    main()
