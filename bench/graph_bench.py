"""Road graph benchmark: build, cache load and snapping, each against an osmnx baseline in the same run.

Prints one JSON object. Figures:

- ``build``: our full pipeline on the schematic Siak extract (read + filter + clip + osmnx build +
  speeds + SCC + validate + pack) versus plain ``osmnx.graph_from_xml`` on the same file; peak RSS of
  each, measured in its own child process.
- ``cache_load``: our CSR cache versus ``osmnx.load_graphml`` of the same graph (target < 2 s).
- ``snapping``: points per second of :class:`EdgeSnapper` versus ``osmnx.distance.nearest_edges`` on
  the same random points inside the graph's extent, plus how often both pick the same road.

Usage: ``python bench/graph_bench.py [--source data/siak_schematic.osm.bz2] [--points 20000]``
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def _child_build(source: str, out_dir: str, queue: Any) -> None:
    from dispatch_geo.boundaries import load_boundaries
    from dispatch_geo.graph.build import build_from_file
    from dispatch_geo.graph.cache import save_graph
    from dispatch_geo.graph.profile import load_profile
    from siaga.graphs import buffer_m

    clip = buffer_m(load_boundaries().outline, 5000.0)
    started = time.perf_counter()
    result = build_from_file(Path(source), load_profile(), clip_polygon=clip)
    elapsed = time.perf_counter() - started
    save_graph(result.road, Path(out_dir))
    peak_rss_mib = _rss_mib()
    import osmnx as ox  # the osmnx load_graphml baseline below reads a GraphML copy of the same graph

    ox.save_graphml(result.graph, Path(out_dir) / "graph.graphml")
    queue.put({"seconds": elapsed, "peak_rss_mib": peak_rss_mib, "meta": result.road.meta.to_dict()})


def _child_osmnx(source: str, queue: Any) -> None:
    import osmnx as ox

    started = time.perf_counter()
    graph = ox.graph_from_xml(source, simplify=True, retain_all=True)
    elapsed = time.perf_counter() - started
    queue.put(
        {"seconds": elapsed, "peak_rss_mib": _rss_mib(), "nodes": len(graph), "edges": len(graph.edges)}
    )


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _in_child(target: Any, *args: Any) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    result: dict[str, Any] = queue.get()
    proc.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, default=ROOT / "data" / "siak_schematic.osm.bz2")
    parser.add_argument("--points", type=int, default=20_000)
    args = parser.parse_args()

    import osmnx as ox

    from dispatch_geo.graph.cache import load_graph
    from dispatch_geo.graph.snap import EdgeSnapper

    report: dict[str, Any] = {
        "benchmark": "graph",
        "source": str(args.source),
        "python": sys.version.split()[0],
    }
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        ours = _in_child(_child_build, str(args.source), str(cache))
        base = _in_child(_child_osmnx, str(args.source))
        meta = ours.pop("meta")
        keys = ("schematic", "n_nodes", "n_edges", "total_length_km", "dropped_nodes", "label")
        report["graph"] = {k: meta[k] for k in keys}
        report["build"] = {
            "ours_s": round(ours["seconds"], 2),
            "ours_peak_rss_mib": round(ours["peak_rss_mib"], 1),
            "osmnx_graph_from_xml_s": round(base["seconds"], 2),
            "osmnx_peak_rss_mib": round(base["peak_rss_mib"], 1),
            "osmnx_nodes": base["nodes"],
        }

        loads = []
        for _ in range(5):
            started = time.perf_counter()
            road = load_graph(cache)
            loads.append(time.perf_counter() - started)
        started = time.perf_counter()
        graphml = ox.load_graphml(cache / "graph.graphml")
        graphml_s = time.perf_counter() - started
        report["cache_load"] = {
            "ours_median_s": round(float(np.median(loads)), 4),
            "target_s": 2.0,
            "osmnx_load_graphml_s": round(graphml_s, 2),
            "speedup": round(graphml_s / float(np.median(loads)), 1),
        }

        rng = np.random.default_rng(112)
        lon = rng.uniform(road.node_lon.min(), road.node_lon.max(), args.points)
        lat = rng.uniform(road.node_lat.min(), road.node_lat.max(), args.points)
        started = time.perf_counter()
        snapper = EdgeSnapper(road)
        index_s = time.perf_counter() - started
        started = time.perf_counter()
        snapped = snapper.snap(lon, lat)
        ours_s = time.perf_counter() - started
        started = time.perf_counter()
        nearest = ox.distance.nearest_edges(graphml, lon, lat)
        osmnx_s = time.perf_counter() - started
        same = sum(
            {int(road.node_osmid[road.tail[e]]), int(road.node_osmid[road.head[e]])} == {int(u), int(v)}
            for e, (u, v, _) in zip(snapped.edge, nearest, strict=True)
        )
        report["snapping"] = {
            "points": args.points,
            "index_build_s": round(index_s, 3),
            "ours_points_per_s": round(args.points / ours_s),
            "osmnx_nearest_edges_points_per_s": round(args.points / osmnx_s),
            "speedup": round(osmnx_s / ours_s, 1),
            "same_road_share": round(same / args.points, 4),
            "note": "osmnx measures in degrees on an unprojected graph; ours in metres, so near-ties differ",
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
