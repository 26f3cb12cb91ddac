"""Everything a coverage report shows, computed in one pure call (no files, no settings).

:func:`build_report` snaps the posts, spreads the population (:mod:`~dispatch_geo.coverage.demand`),
runs one multi-source search, tabulates coverage per desa and kecamatan, draws the isochrones and runs
the siting scenarios. Writing files is :mod:`dispatch_geo.coverage.export`; the HTML page is
``maps.coverage_map``.

Siting works at desa level: one demand point per desa (its centre node, weighted by its population),
candidates = every desa centre plus ``n_candidates`` road nodes spread over the area, plus the existing
posts. The optimiser counts a desa as covered when its centre is within the standard (a proxy that
keeps the model small); every figure the report *shows* is then recomputed on the same node-level
demand as the headline (one multi-source search per scenario, milliseconds), so "covered before" is
the headline figure and "after" is comparable with it. The proxy's own figures are kept
(``*_centres``) and shown beside them. "Relocate" pairs each post that moves with the site it moves
to (nearest first) and gives the gain of that move alone.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
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
class Move:
    """One post of a "relocate" scenario that moves: from the post to the site, and what that alone gains."""

    post_id: str
    post_name: str
    to_lon: float
    to_lat: float
    to_desa: str | None
    to_kecamatan: str | None
    gained_population: float


@dataclass(frozen=True)
class ScenarioRow:
    """A siting scenario in report form: covered population before/after and the proposed sites.

    ``covered_before``/``covered_after`` use the node-level demand of the headline figures;
    ``*_centres`` are the optimiser's desa-centre proxy (a desa counts whole when its centre is covered).
    """

    name: str
    kind: str
    k: int
    posts: int
    covered_before: float
    covered_after: float
    total: float
    sites: gpd.GeoDataFrame
    covered_before_centres: float = 0.0
    covered_after_centres: float = 0.0
    removed_posts: tuple[str, ...] = ()
    moves: tuple[Move, ...] = ()

    @property
    def gained(self) -> float:
        return self.covered_after - self.covered_before

    @property
    def gained_centres(self) -> float:
        return self.covered_after_centres - self.covered_before_centres


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
    osm_timestamp: str | None = None
    """When the OSM data was current (``None`` on the schematic graph or when unknown)."""

    def summary(self) -> dict[str, Any]:
        """Plain JSON-able headline figures."""
        return {
            "service": self.standard.service,
            "standard": self.standard.describe(),
            "travel_time_standard_s": self.standard.travel_time_s,
            "schematic": self.schematic,
            "graph_label": self.graph_label,
            "graph_source": self.graph_source,
            "osm_timestamp": self.osm_timestamp,
            "posts": len(self.posts),
            "demand_method": self.demand.method,
            **planner_units(self.overall),
            "scenarios": [
                {
                    "name": s.name,
                    "kind": s.kind,
                    "posts": s.posts,
                    "covered_before": round(s.covered_before),
                    "covered_after": round(s.covered_after),
                    "gained": round(s.gained),
                    "covered_before_desa_centres": round(s.covered_before_centres),
                    "covered_after_desa_centres": round(s.covered_after_centres),
                    "moves": [
                        {
                            "from_post_id": m.post_id,
                            "from_post": m.post_name,
                            "to_desa": m.to_desa,
                            "to_kecamatan": m.to_kecamatan,
                            "to_lon": round(m.to_lon, 6),
                            "to_lat": round(m.to_lat, 6),
                            "gained": round(m.gained_population),
                        }
                        for m in s.moves
                    ],
                }
                for s in self.scenarios
            ],
            "lscp_posts_for_full_cover": self.lscp_posts,
            "timings_s": self.timings_s,
        }


def planner_units(figures: dict[str, Any]) -> dict[str, Any]:
    """``figures`` with people as whole numbers and each ``*_time_s`` joined by ``*_time_min``
    (1 decimal); non-finite values become ``None``."""
    out: dict[str, Any] = {}
    for key, value in figures.items():
        number = isinstance(value, float | int | np.floating | np.integer) and not isinstance(value, bool)
        finite = number and bool(np.isfinite(value))
        if number and not finite:
            value = None
        if key.endswith("_time_s"):
            out[key] = value
            out[key[: -len("_s")] + "_min"] = round(float(value) / 60.0, 1) if finite else None
        elif "population" in key and finite:
            out[key] = round(float(value))
        else:
            out[key] = value.item() if hasattr(value, "item") else value
    return out


def build_report(
    road: RoadGraph,
    boundaries: Boundaries,
    posts: Sequence[Post],
    standard: ServiceStandard,
    *,
    options: ReportOptions | None = None,
    snapper: EdgeSnapper | None = None,
    progress: Callable[[str], None] | None = None,
) -> CoverageReport:
    """Compute a full coverage report for one service (see the module docstring).

    ``progress`` is called with the name of each step as it starts (``demand``, ``travel_times``,
    ``isochrones``, ``siting``), for a progress bar.
    """
    step = progress or (lambda _name: None)
    opts = options or ReportOptions()
    if not posts:
        raise InputError(f"no {standard.service} posts given; a coverage report needs at least one")
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    step("demand")
    snapper = snapper or EdgeSnapper(road)
    post_points = snap_posts(snapper, posts)
    snap = snapper.snap([p.lon for p in posts], [p.lat for p in posts])
    demand = allocate_demand(road, boundaries.desa, boundaries.kecamatan, method=opts.demand_method)
    timings["prepare_s"] = time.perf_counter() - clock

    clock = time.perf_counter()
    step("travel_times")
    base = road.weight_matrix("travel_time_s")
    times = multi_source_times(road, post_points, base=base)
    timings["multi_source_s"] = time.perf_counter() - clock
    ids = [p.id for p in posts]
    standard_s = standard.travel_time_s
    desa_table = analysis.desa_coverage(demand, times, standard_s, ids)
    names = {p.id: p.name for p in posts}
    desa_table["nearest_post_name"] = [names.get(v) if v else None for v in desa_table["nearest_post"]]
    if "area_km2" in demand.desa.columns:
        desa_table["area_km2"] = demand.desa["area_km2"].to_numpy()
    desa = gpd.GeoDataFrame(desa_table, geometry=demand.desa.geometry.to_numpy(), crs="EPSG:4326")
    kec = analysis.kecamatan_coverage(demand, times, standard_s)
    overall = analysis.overall_coverage(demand, times, standard_s)
    gaps = analysis.gap_list(desa_table)

    clock = time.perf_counter()
    step("isochrones")
    isos = isochrones(road, times, opts.thresholds_s, buffer_m=opts.buffer_m)
    timings["isochrones_s"] = time.perf_counter() - clock

    scenarios: list[ScenarioRow] = []
    lscp_posts: int | None = None
    uncoverable: tuple[str, ...] = ()
    if opts.siting:
        clock = time.perf_counter()
        step("siting")
        scenarios, lscp_posts, uncoverable = _siting(
            road, demand, posts, post_points, standard_s, opts, snapper, base
        )
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
        osm_timestamp=None if road.meta.schematic else road.meta.osm_timestamp,
    )


def _siting(
    road: RoadGraph,
    demand: Demand,
    posts: Sequence[Post],
    post_points: Sequence[EdgePoint],
    standard_s: float,
    opts: ReportOptions,
    snapper: EdgeSnapper,
    base: Any,
) -> tuple[list[ScenarioRow], int | None, tuple[str, ...]]:
    centres = demand.desa["centre_node"].to_numpy().astype(np.int64)
    weights = demand.desa["population"].to_numpy().astype(np.float64)
    nodes = siting.candidate_sample(road, opts.n_candidates, seed=opts.seed, must=centres)
    cost = siting.cost_matrix(
        road, centres, candidate_nodes=nodes, candidate_points=post_points, limit_s=standard_s * 1.01
    )
    existing = np.arange(nodes.size, nodes.size + len(post_points))
    ctx = _Context(road, demand, posts, post_points, standard_s, snapper, base, nodes)
    rows: list[ScenarioRow] = []
    kwargs = {"time_limit_s": opts.solver_time_limit_s}
    for k in opts.add_k:
        sc = siting.add_posts(cost, weights, standard_s, existing, k, **kwargs)
        rows.append(_row(sc, "add", k, ctx, cost, weights))
    if opts.relocate:
        sc = siting.relocate_posts(cost, weights, standard_s, existing, **kwargs)
        rows.append(_row(sc, "relocate", int(sc.removed.size), ctx, cost, weights))
    lscp_posts = None
    uncoverable: tuple[str, ...] = ()
    if opts.lscp:
        solution, missing = siting.solve_lscp(
            cost, standard_s, fixed=existing, time_limit_s=opts.solver_time_limit_s
        )
        lscp_posts = int(solution.selected.size)
        uncoverable = tuple(str(demand.desa["kode"].iloc[i]) for i in missing)
    return rows, lscp_posts, uncoverable


@dataclass(frozen=True)
class _Context:
    road: RoadGraph
    demand: Demand
    posts: Sequence[Post]
    post_points: Sequence[EdgePoint]
    standard_s: float
    snapper: EdgeSnapper
    base: Any
    nodes: npt.NDArray[np.int64]

    def column_point(self, col: int) -> tuple[EdgePoint, float, float]:
        """The road point, lon and lat of candidate column ``col`` (a node, or an existing post)."""
        if col >= self.nodes.size:
            post = self.posts[col - self.nodes.size]
            return self.post_points[col - self.nodes.size], post.lon, post.lat
        node = int(self.nodes[col])
        incoming = np.flatnonzero(self.road.head == node)
        if incoming.size:
            point = EdgePoint(int(incoming[0]), 1.0)
        else:  # a node nobody drives into: sit at the start of a road leaving it
            point = EdgePoint(int(np.flatnonzero(self.road.tail == node)[0]), 0.0)
        return point, float(self.road.node_lon[node]), float(self.road.node_lat[node])

    def covered(self, points: Sequence[EdgePoint]) -> npt.NDArray[np.bool_]:
        """Which demand points are within the standard of any of ``points`` (node-level demand)."""
        if not points:
            return np.zeros(self.demand.node.size, dtype=bool)
        t = multi_source_times(self.road, points, limit_s=self.standard_s, base=self.base).time_s
        return np.asarray(t[self.demand.node] <= self.standard_s, dtype=bool)

    def place(self, lon: float, lat: float) -> tuple[str | None, str | None, str | None]:
        """Desa kode, desa name and kecamatan name of a point (``None`` outside every desa)."""
        hit = self.demand.desa.geometry.contains(Point(lon, lat)).to_numpy()
        where = self.demand.desa[hit]
        if not len(where):
            return None, None, None
        row = where.iloc[0]
        return str(row["kode"]), str(row["nama"]), str(row["kecamatan_nama"])

    def road_class(self, lon: float, lat: float) -> str | None:
        snap = self.snapper.snap([lon], [lat])
        code = int(self.road.highway[int(snap.edge[0])])
        name = self.road.highway_names[code] if 0 <= code < len(self.road.highway_names) else ""
        return name or None


def _row(
    sc: siting.Scenario, kind: str, k: int, ctx: _Context, cost: FloatArray, weights: FloatArray
) -> ScenarioRow:
    pop = ctx.demand.population
    existing_points = list(ctx.post_points)
    # "relocate 15 post(s)" lets every post move; say how many actually do
    name = f"move {k} of {len(existing_points)} post(s)" if kind == "relocate" else sc.name
    before = ctx.covered(existing_points)
    kept = [p for i, p in enumerate(existing_points) if (ctx.nodes.size + i) not in set(sc.removed.tolist())]
    added = [ctx.column_point(int(c)) for c in sc.added]
    after = ctx.covered(kept + [a[0] for a in added])
    removed_ids = [ctx.posts[int(c) - ctx.nodes.size].id for c in sc.removed]
    # relocate: pair each post that moves with the nearest new site (one-to-one)
    pairs: dict[int, int] = {}
    if sc.removed.size and sc.added.size:
        from scipy.optimize import linear_sum_assignment

        rem = [ctx.posts[int(c) - ctx.nodes.size] for c in sc.removed]
        dist = np.array([[np.hypot(r.lon - a[1], r.lat - a[2]) for a in added] for r in rem])
        for r, a in zip(*linear_sum_assignment(dist), strict=True):
            pairs[int(a)] = int(r)
    records = []
    moves: list[Move] = []
    for j, col in enumerate(sc.added):
        point, lon, lat = added[j]
        kode, desa_nama, kec_nama = ctx.place(lon, lat)
        alone = (cost[:, col] <= ctx.standard_s) & ~sc.before.covered
        new_people = float(pop[ctx.covered([point]) & ~before].sum())
        record: dict[str, Any] = {
            "scenario": name,
            "site_lon": lon,
            "site_lat": lat,
            "desa_kode": kode,
            "desa_nama": desa_nama,
            "kecamatan_nama": kec_nama,
            "road_class": ctx.road_class(lon, lat),
            "newly_covered_desa_centres": int(alone.sum()),
            "newly_covered_population": new_people,
            "replaces_post_id": None,
            "replaces_post_name": None,
            "move_gain_population": None,
            "geometry": Point(lon, lat),
        }
        if j in pairs:
            r = pairs[j]
            old_col = int(sc.removed[r]) - ctx.nodes.size
            moved = [p for i, p in enumerate(existing_points) if i != old_col] + [point]
            gain = float(pop[ctx.covered(moved)].sum() - pop[before].sum())
            post = ctx.posts[old_col]
            record.update(replaces_post_id=post.id, replaces_post_name=post.name, move_gain_population=gain)
            moves.append(Move(post.id, post.name, lon, lat, desa_nama, kec_nama, gain))
        records.append(record)
    columns = [
        "scenario", "site_lon", "site_lat", "desa_kode", "desa_nama", "kecamatan_nama", "road_class",
        "newly_covered_desa_centres", "newly_covered_population", "replaces_post_id", "replaces_post_name",
        "move_gain_population", "geometry",
    ]  # fmt: skip
    sites = gpd.GeoDataFrame(pd.DataFrame(records, columns=columns), geometry="geometry", crs="EPSG:4326")
    return ScenarioRow(
        name=name,
        kind=kind,
        k=k,
        posts=int(sc.after.selected.size),
        covered_before=float(pop[before].sum()),
        covered_after=float(pop[after].sum()),
        total=float(pop.sum()),
        sites=sites,
        covered_before_centres=sc.before.covered_weight,
        covered_after_centres=sc.after.covered_weight,
        removed_posts=tuple(removed_ids),
        moves=tuple(sorted(moves, key=lambda m: -m.gained_population)),
    )
