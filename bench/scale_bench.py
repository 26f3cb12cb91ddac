"""Routing at regency scale: scale fixtures of growing size, CCH against the Dijkstra baseline, same run.

For each size (SCALE FIXTURES: synthetic road-like OSM inside the regency, labelled schematic, cached
under ``var/fixtures``; see :mod:`dispatch_geo.graph.scale_fixture`) it prints, in one JSON object:

- ``build``: wall time per stage and peak RSS of ``build + GeoPackage + node order`` (child process);
- ``ready_s``: graph load + router + snapper + place points until the first recommendation is
  answered (what a server start waits for): ``cch`` building the hierarchy first, ``cch_background``
  as the server does (answering with Dijkstra until the hierarchy is built), and ``dijkstra``;
  ``while_cch_builds``: when the hierarchy took over (from the start) and what the rankings answered
  meanwhile cost;
- ``ranking``: top-5 of 80 eligible units (of 200) plus the top-1 route, p50/p95 ms, CCH and Dijkstra
  alternating query by query (wall time, and ``cpu_``: CPU time of the process, less moved by load),
  with other units every ranking (``ranking_top5_plus_route``) and with the same units every ranking
  (``..._units_unmoved``: positions arrive every 5 s, rankings come faster); and the full
  ``recommend`` (which still draws all five routes) for both;
- ``agreement``: share of queries whose top-5 matches Dijkstra's exact times (ties within 10 ms
  count as the same), and the largest difference of any unit's time;
- ``isochrones_5_s``: multi-source times from 10 posts and the five isochrones (5/8/10/15/30 min), as
  the product draws them (distance field, APPROXIMATE); ``isochrones_5_vector_s`` the exact buffered
  construction as the baseline in the same run, and the IoU of each band between the two;
- ``closure``: close 200 arcs around the incident, then the first ranking that respects them (ms).

Usage: ``python bench/scale_bench.py [--sizes 20000,100000] [--large] [--queries 100] [--reuse]
[--no-isochrones]``
(``--reuse``: measure the graphs already built under ``var/bench/scale``, no new build); ``--large``
adds 200k and 400k (peak RSS must stay under 8 GiB; run it only on a machine with room).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph_bench import _in_child, _rss_mib  # noqa: E402  (bench/ is the script's directory)

WORK = ROOT / "var" / "bench" / "scale"
FIXTURES = ROOT / "var" / "fixtures"
THRESHOLDS_MIN = (5, 8, 10, 15, 30)
BLOCK = 20
"""Rankings per engine before the other engine takes its turn."""


def _child_build(n_nodes: int, out_dir: str, queue: Any) -> None:
    from dispatch_geo.boundaries import load_boundaries
    from dispatch_geo.graph.scale_fixture import scale_fixture
    from siaga.graphs import build_and_cache
    from siaga.settings import Settings

    started = time.perf_counter()
    source = scale_fixture(FIXTURES, load_boundaries().outline, n_nodes)
    fixture_s = time.perf_counter() - started
    stages: list[tuple[str, float]] = []
    clock = time.perf_counter()
    result, _ = build_and_cache(
        source,
        Settings(),
        directory=Path(out_dir),
        progress=lambda s: stages.append((s, time.perf_counter())),
    )
    total = time.perf_counter() - clock
    marks = [t for _, t in stages] + [clock + total]
    queue.put(
        {
            "fixture_s": round(fixture_s, 1),
            "wall_s": round(total, 1),
            "peak_rss_mib": round(_rss_mib(), 0),
            "stages_s": {s: round(marks[i + 1] - marks[i], 1) for i, (s, _) in enumerate(stages)},
            "nodes": result.road.n_nodes,
            "edges": result.road.n_edges,
        }
    )


def _percentiles(samples_s: list[float]) -> dict[str, float]:
    ms = np.asarray(samples_s) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
    }


def _child_measure(directory: str, queries: int, isochrones: bool, queue: Any) -> None:
    from dispatch_geo.boundaries import load_boundaries
    from dispatch_geo.dispatch.context import GeoContext
    from dispatch_geo.domain.values import LonLat
    from dispatch_geo.gazetteer import Gazetteer
    from dispatch_geo.graph.cache import load_graph
    from dispatch_geo.routing.nearest import UnitCandidate, recommend, route_geojson
    from dispatch_geo.routing.travel_time import EdgePoint, TravelTimeRouter
    from siaga.graphs import make_router
    from siaga.settings import Settings

    report: dict[str, Any] = {}
    geos: dict[str, GeoContext] = {}
    rng = np.random.default_rng(15)
    starts: list[tuple[Literal["cch", "dijkstra"], bool]] = [
        ("cch", False),
        ("cch", True),
        ("dijkstra", False),
    ]
    for kind_of_engine, background in starts:
        started, cpu = time.perf_counter(), time.process_time()
        road = load_graph(Path(directory))
        gazetteer = Gazetteer.from_boundaries(load_boundaries(), outside_buffer_m=2000.0)
        settings = Settings(routing_engine=kind_of_engine, routing_cch_background=background)
        router = make_router(road, Path(directory), settings)
        geo = GeoContext.build(road, gazetteer, snap_max_distance_m=250.0, router=router)
        router.times_to(EdgePoint(0, 0.5), [EdgePoint(1, 0.5)], need=1)
        name = kind_of_engine + ("_background" if background else "")
        report.setdefault("ready_s", {})[name] = round(time.perf_counter() - started, 2)
        report.setdefault("ready_cpu_s", {})[name] = round(time.process_time() - cpu, 2)
        if background:  # the server's way: Dijkstra answers until the hierarchy takes over
            router.prepare()
            report["while_cch_builds"] = _rankings_until_ready(router, road, started)
        geos[name] = geo
    geos.pop("cch_background")
    road = geos["cch"].road
    now = datetime(2026, 11, 30, tzinfo=UTC)

    def unit_points() -> list[EdgePoint]:
        return [
            EdgePoint(int(e), float(f))
            for e, f in zip(rng.integers(0, road.n_edges, 200), rng.random(200), strict=True)
        ]

    cases = [
        (EdgePoint(int(rng.integers(road.n_edges)), float(rng.random())), unit_points())
        for _ in range(queries)
    ]
    # wall and CPU time (all threads of this process: the CCH's own thread too) per ranking; the
    # engines alternate by blocks of BLOCK queries, so that the load of other processes falls on both
    # alike, while each engine runs warm as in a server (query by query, each Dijkstra sweep over the
    # whole graph pushed the hierarchy out of the CPU caches: +5 ms per CCH ranking at 405k)
    samples: dict[str, dict[str, list[tuple[float, float]]]] = {
        kind: {"cch": [], "dijkstra": []} for kind in ("moved", "unmoved")
    }
    tops: dict[str, list[np.ndarray[Any, Any]]] = {"cch": [], "dijkstra": []}
    blocks = [cases[i : i + BLOCK] for i in range(0, len(cases), BLOCK)]
    for kind in ("moved", "unmoved"):
        for block, (engine, geo) in itertools.product(blocks, geos.items()):
            for target, units in block:
                eligible = (units if kind == "moved" else cases[0][1])[:80]
                clock, cpu = time.perf_counter(), time.process_time()
                result = geo.router.times_to(target, eligible, need=5)
                best = int(np.argmin(result.time_s))
                if np.isfinite(result.time_s[best]):
                    route_geojson(geo.router, result, eligible[best], int(result.via_node[best]), target)
                samples[kind][engine].append((time.perf_counter() - clock, time.process_time() - cpu))
                if kind == "moved":
                    tops[engine].append(np.sort(result.time_s)[:5])
    for kind, key in (
        ("moved", "ranking_top5_plus_route"),
        ("unmoved", "ranking_top5_plus_route_units_unmoved"),
    ):
        report[key] = {engine: _wall_and_cpu(pairs) for engine, pairs in samples[kind].items()}

    exact = TravelTimeRouter(road)
    agree, worst = 0, 0.0
    for (target, units), top in zip(cases, tops["cch"], strict=True):
        truth = exact.times_to(target, units[:80]).time_s
        cch = geos["cch"].router.times_to(target, units[:80]).time_s
        both = np.isfinite(truth) & np.isfinite(cch)
        same_reach = bool(np.array_equal(np.isfinite(truth), np.isfinite(cch)))
        worst = max(worst, float(np.max(np.abs(truth[both] - cch[both]), initial=0.0)))
        agree += same_reach and bool(np.allclose(top, np.sort(truth)[:5], atol=0.01))
    report["agreement"] = {
        "top5_equal_share": round(agree / len(cases), 4),
        "max_abs_diff_s": round(worst, 4),
    }

    full: dict[str, list[float]] = {"cch": [], "dijkstra": []}
    for engine, geo in geos.items():
        for target, units in cases[: max(queries // 4, 5)]:
            lon, lat = road.edge_coords(target.edge)[0]
            candidates = [
                UnitCandidate(
                    f"u{i}",
                    f"U{i}",
                    "ambulance" if i < 80 else "fire",
                    "available",
                    LonLat(0, 0),
                    now - timedelta(seconds=10),
                    p.edge,
                    p.fraction,
                )
                for i, p in enumerate(units)
            ]
            started = time.perf_counter()
            recommend(
                router=geo.router,
                snapper=geo.snapper,
                incident=LonLat(float(lon), float(lat)),
                units=candidates,
                needed_types={"ambulance"},
                now=now,
            )
            full[engine].append(time.perf_counter() - started)
    report["recommend_top5_with_5_routes"] = {k: _percentiles(v) for k, v in full.items()}

    posts = [EdgePoint(int(e), 0.5) for e in rng.integers(0, road.n_edges, 10)]
    if isochrones:
        report.update(_isochrone_figures(road, posts))

    closure: dict[str, list[float]] = {"cch": [], "dijkstra": []}
    for engine, geo in geos.items():
        for target, units in cases[:10]:
            near = np.argsort(
                np.hypot(
                    road.node_lon[road.tail] - road.node_lon[road.tail[target.edge]],
                    road.node_lat[road.tail] - road.node_lat[road.tail[target.edge]],
                )
            )
            arcs = [int(e) for e in near[:200] if e != target.edge]
            started = time.perf_counter()
            geo.router.set_closed(arcs)
            result = geo.router.times_to(target, units[:80], need=5)
            closure[engine].append(time.perf_counter() - started)
            best = int(np.argmin(result.time_s))
            if np.isfinite(result.time_s[best]) and result.via_node[best] >= 0:
                assert not set(geo.router.path_edges(result, int(result.via_node[best]))) & set(arcs)
            geo.router.set_closed([])
    report["closure_200_arcs_to_first_ranking"] = {k: _percentiles(v) for k, v in closure.items()}
    report["peak_rss_mib"] = round(_rss_mib(), 0)
    queue.put(report)


def _wall_and_cpu(pairs: list[tuple[float, float]]) -> dict[str, float]:
    wall, cpu = _percentiles([w for w, _ in pairs]), _percentiles([c for _, c in pairs])
    return {**wall, "cpu_p50_ms": cpu["p50_ms"], "cpu_p95_ms": cpu["p95_ms"]}


def _rankings_until_ready(router: Any, road: Any, started: float) -> dict[str, Any]:
    """Rank 80 random units, one ranking after the other, until the hierarchy built in the background
    takes over: how long that takes from the start, and what a ranking costs meanwhile (RoutingKit
    holds the GIL while it contracts and customises, so a ranking may wait for it)."""
    from dispatch_geo.routing.travel_time import EdgePoint

    rng = np.random.default_rng(16)
    samples = []
    while not router.ready:
        target = EdgePoint(int(rng.integers(road.n_edges)), 0.5)
        units = [EdgePoint(int(e), 0.5) for e in rng.integers(0, road.n_edges, 80)]
        clock = time.perf_counter()
        router.times_to(target, units, need=5)
        samples.append(time.perf_counter() - clock)
    return {
        "cch_active_s": round(time.perf_counter() - started, 2),
        "rankings": len(samples),
        **(_percentiles(samples) if samples else {}),
        "max_ms": round(max(samples, default=0.0) * 1000, 1),
    }


def _isochrone_figures(road: Any, posts: list[Any]) -> dict[str, Any]:
    """The five bands from 10 posts, raster (the product's default) against the exact vector baseline
    measured in the same run, with the IoU of each band (the documented tolerance is IoU >= 0.95)."""
    import shapely
    from pyproj import Transformer

    from dispatch_geo.boundaries import METRIC_CRS
    from dispatch_geo.coverage.isochrones import isochrones
    from dispatch_geo.coverage.multisource import multi_source_times

    thresholds = [m * 60.0 for m in THRESHOLDS_MIN]
    seconds: dict[str, float] = {}
    bands: dict[str, Any] = {}
    for method in ("raster", "vector"):
        started = time.perf_counter()
        times = multi_source_times(road, posts, limit_s=max(thresholds))
        bands[method] = isochrones(road, times, thresholds, method=method)
        seconds[method] = round(time.perf_counter() - started, 2)
    fwd = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)

    def metric(g: Any) -> Any:
        return shapely.transform(g, lambda c: np.column_stack(fwd.transform(c[:, 0], c[:, 1])))

    iou = [
        round(float(shapely.intersection(a, b).area / shapely.union(a, b).area), 4)
        for a, b in (
            (metric(r.geometry), metric(v.geometry))
            for r, v in zip(bands["raster"], bands["vector"], strict=True)
        )
    ]
    return {
        "isochrones_5_s": seconds["raster"],
        "isochrones_5_vector_s": seconds["vector"],
        "isochrones_iou_raster_vs_vector": iou,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="20000,100000", help="comma-separated node counts")
    parser.add_argument("--large", action="store_true", help="add 200000 and 400000 nodes")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument(
        "--reuse", action="store_true", help="measure a graph already built under var/bench/scale (no build)"
    )
    parser.add_argument("--no-isochrones", action="store_true", help="leave the isochrone figures out")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s] + ([200_000, 400_000] if args.large else [])
    report: dict[str, Any] = {
        "benchmark": "scale",
        "note": "SCALE FIXTURES: synthetic road-like OSM inside the regency, not real roads",
        "units": 200,
        "eligible_units": 80,
        "queries": args.queries,
        "sizes": {},
    }
    for n in sizes:
        directory = WORK / str(n)
        reused = args.reuse and (directory / "meta.json").exists()
        build = {"reused": str(directory)} if reused else _in_child(_child_build, n, str(directory))
        measured = _in_child(_child_measure, str(directory), args.queries, not args.no_isochrones)
        report["sizes"][str(n)] = {"build": build, **measured}
        print(json.dumps({str(n): report["sizes"][str(n)]}), file=sys.stderr)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
