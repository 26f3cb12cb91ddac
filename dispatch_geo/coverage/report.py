"""Everything a coverage report shows, computed in one pure call (no files, no settings).

:func:`build_report` snaps the posts, spreads the population (:mod:`~dispatch_geo.coverage.demand`),
runs one multi-source search, tabulates coverage per desa and kecamatan, draws the isochrones and runs
the siting scenarios. Writing files is :mod:`dispatch_geo.coverage.export`; the HTML page is
``maps.coverage_map``.

Siting works at desa level: one demand point per desa (its centre node, weighted by its population),
candidates = every desa centre plus ``n_candidates`` road nodes spread over the area, plus the existing
posts. A desa counts as covered in siting when its centre is within the standard.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
from shapely.geometry import Point

from dispatch_geo.boundaries import Boundaries
from dispatch_geo.coverage import analysis, siting
from dispatch_geo.coverage.demand import Demand, allocate_demand
from dispatch_geo.coverage.isochrones import DEFAULT_BUFFER_M, DEFAULT_THRESHOLDS_MIN, Isochrone, isochrones
from dispatch_geo.coverage.multisource import NodeTimes, multi_source_times
from dispatch_geo.coverage.posts import Post, snap_posts
from dispatch_geo.coverage.standards import ServiceStandard
from dispatch_geo.errors import InputError
from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.graph.snap import EdgeSnapper
from dispatch_geo.routing.travel_time import EdgePoint

log = logging.getLogger(__name__)
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ReportOptions:
    """Knobs of :func:`build_report` (defaults suit the planners' meeting report)."""

    thresholds_s: tuple[float, ...] = tuple(m * 60.0 for m in DEFAULT_THRESHOLDS_MIN)
    buffer_m: float = DEFAULT_BUFFER_M
    demand_method: str = "blend"
    add_k: tuple[int, ...] = (1, 2, 3)
    relocate: bool = True
    lscp: bool = True
    siting: bool = True
    n_candidates: int = 600
    seed: int = 0
    solver_time_limit_s: int = 120


@dataclass(frozen=True)
class ScenarioRow:
    """A siting scenario in report form: covered population before/after and the proposed sites."""

    name: str
    posts: int
    covered_before: float
    covered_after: float
    total: float
    sites: gpd.GeoDataFrame
    removed_posts: tuple[str, ...] = ()

    @property
    def gained(self) -> float:
        return self.covered_after - self.covered_before


@dataclass(frozen=True)
class CoverageReport:
    """The numbers, tables and geometries of one service's coverage report."""

    standard: ServiceStandard
    schematic: bool
    graph_label: str
    graph_source: str
    posts: tuple[Post, ...]
    post_points: tuple[EdgePoint, ...]
    post_snap_m: FloatArray
    demand: Demand
    times: NodeTimes
    desa: gpd.GeoDataFrame
    kecamatan: pd.DataFrame
    overall: dict[str, float]
    gaps: pd.DataFrame
    isochrones: tuple[Isochrone, ...]
    scenarios: tuple[ScenarioRow, ...]
    lscp_posts: int | None
    lscp_uncoverable: tuple[str, ...]
    timings_s: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """Plain JSON-able headline figures."""
        return {
            "service": self.standard.service,
            "standard": self.standard.describe(),
            "travel_time_standard_s": self.standard.travel_time_s,
            "schematic": self.schematic,
            "graph_label": self.graph_label,
            "graph_source": self.graph_source,
            "posts": len(self.posts),
            "demand_method": self.demand.method,
            **{
                k: (None if isinstance(v, float) and not np.isfinite(v) else v)
                for k, v in self.overall.items()
            },
            "scenarios": [
                {
                    "name": s.name,
                    "covered_before": s.covered_before,
                    "covered_after": s.covered_after,
                    "gained": s.gained,
                }
                for s in self.scenarios
            ],
            "lscp_posts_for_full_cover": self.lscp_posts,
            "timings_s": self.timings_s,
        }


def build_report(
    road: RoadGraph,
    boundaries: Boundaries,
    posts: Sequence[Post],
    standard: ServiceStandard,
    *,
    options: ReportOptions | None = None,
    snapper: EdgeSnapper | None = None,
) -> CoverageReport:
    """Compute a full coverage report for one service (see the module docstring)."""
    opts = options or ReportOptions()
    if not posts:
        raise InputError(f"no {standard.service} posts given; a coverage report needs at least one")
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    snapper = snapper or EdgeSnapper(road)
    post_points = snap_posts(snapper, posts)
    snap = snapper.snap([p.lon for p in posts], [p.lat for p in posts])
    demand = allocate_demand(road, boundaries.desa, boundaries.kecamatan, method=opts.demand_method)
    timings["prepare_s"] = time.perf_counter() - clock

    clock = time.perf_counter()
    base = road.weight_matrix("travel_time_s")
    times = multi_source_times(road, post_points, base=base)
    timings["multi_source_s"] = time.perf_counter() - clock
    ids = [p.id for p in posts]
    standard_s = standard.travel_time_s
    desa_table = analysis.desa_coverage(demand, times, standard_s, ids)
    desa = gpd.GeoDataFrame(desa_table, geometry=demand.desa.geometry.to_numpy(), crs="EPSG:4326")
    kec = analysis.kecamatan_coverage(demand, times, standard_s)
    overall = analysis.overall_coverage(demand, times, standard_s)
    gaps = analysis.gap_list(desa_table)

    clock = time.perf_counter()
    isos = isochrones(road, times, opts.thresholds_s, buffer_m=opts.buffer_m)
    timings["isochrones_s"] = time.perf_counter() - clock

    scenarios: list[ScenarioRow] = []
    lscp_posts: int | None = None
    uncoverable: tuple[str, ...] = ()
    if opts.siting:
        clock = time.perf_counter()
        scenarios, lscp_posts, uncoverable = _siting(road, demand, posts, post_points, standard_s, opts)
        timings["siting_s"] = time.perf_counter() - clock
    return CoverageReport(
        standard=standard,
        schematic=road.meta.schematic,
        graph_label=road.meta.label,
        graph_source=road.meta.source,
        posts=tuple(posts),
        post_points=tuple(post_points),
        post_snap_m=snap.distance_m,
        demand=demand,
        times=times,
        desa=desa,
        kecamatan=kec,
        overall=overall,
        gaps=gaps,
        isochrones=tuple(isos),
        scenarios=tuple(scenarios),
        lscp_posts=lscp_posts,
        lscp_uncoverable=uncoverable,
        timings_s=timings,
    )


def _siting(
    road: RoadGraph,
    demand: Demand,
    posts: Sequence[Post],
    post_points: Sequence[EdgePoint],
    standard_s: float,
    opts: ReportOptions,
) -> tuple[list[ScenarioRow], int | None, tuple[str, ...]]:
    centres = demand.desa["centre_node"].to_numpy().astype(np.int64)
    weights = demand.desa["population"].to_numpy().astype(np.float64)
    nodes = siting.candidate_sample(road, opts.n_candidates, seed=opts.seed, must=centres)
    cost = siting.cost_matrix(
        road, centres, candidate_nodes=nodes, candidate_points=post_points, limit_s=standard_s * 1.01
    )
    existing = np.arange(nodes.size, nodes.size + len(post_points))
    lon = np.concatenate([road.node_lon[nodes], [p.lon for p in posts]])
    lat = np.concatenate([road.node_lat[nodes], [p.lat for p in posts]])
    rows: list[ScenarioRow] = []
    kwargs = {"time_limit_s": opts.solver_time_limit_s}
    for k in opts.add_k:
        sc = siting.add_posts(cost, weights, standard_s, existing, k, **kwargs)
        rows.append(_row(sc, demand, cost, weights, standard_s, lon, lat, existing, posts))
    if opts.relocate:
        sc = siting.relocate_posts(cost, weights, standard_s, existing, **kwargs)
        rows.append(_row(sc, demand, cost, weights, standard_s, lon, lat, existing, posts))
    lscp_posts = None
    uncoverable: tuple[str, ...] = ()
    if opts.lscp:
        solution, missing = siting.solve_lscp(
            cost, standard_s, fixed=existing, time_limit_s=opts.solver_time_limit_s
        )
        lscp_posts = int(solution.selected.size)
        uncoverable = tuple(str(demand.desa["kode"].iloc[i]) for i in missing)
    return rows, lscp_posts, uncoverable


def _row(
    sc: siting.Scenario,
    demand: Demand,
    cost: FloatArray,
    weights: FloatArray,
    standard_s: float,
    lon: FloatArray,
    lat: FloatArray,
    existing: npt.NDArray[np.int64],
    posts: Sequence[Post],
) -> ScenarioRow:
    records = []
    for col in sc.added:
        alone = (cost[:, col] <= standard_s) & ~sc.before.covered
        point = Point(float(lon[col]), float(lat[col]))
        hit = demand.desa.geometry.contains(point).to_numpy()
        where = demand.desa[hit]
        records.append(
            {
                "scenario": sc.name,
                "site_lon": float(lon[col]),
                "site_lat": float(lat[col]),
                "desa_kode": str(where["kode"].iloc[0]) if len(where) else None,
                "desa_nama": str(where["nama"].iloc[0]) if len(where) else None,
                "kecamatan_nama": str(where["kecamatan_nama"].iloc[0]) if len(where) else None,
                "newly_covered_desa": int(alone.sum()),
                "newly_covered_population": float(weights[alone].sum()),
                "geometry": point,
            }
        )
    columns = [
        "scenario", "site_lon", "site_lat", "desa_kode", "desa_nama", "kecamatan_nama",
        "newly_covered_desa", "newly_covered_population", "geometry",
    ]  # fmt: skip
    sites = gpd.GeoDataFrame(pd.DataFrame(records, columns=columns), geometry="geometry", crs="EPSG:4326")
    removed = tuple(posts[int(c - existing[0])].id for c in sc.removed)
    return ScenarioRow(
        name=sc.name,
        posts=int(sc.after.selected.size),
        covered_before=sc.before.covered_weight,
        covered_after=sc.after.covered_weight,
        total=sc.before.total_weight,
        sites=sites,
        removed_posts=removed,
    )
