"""What-if planning: coverage of a set of posts, recomputed in milliseconds after every change.

:class:`WhatIfModel` holds, per service, what does not change while a planner drags posts around: the
road graph's weight matrix, the demand (people on road nodes, desa rows), the standard, and a cache of
each post position's *reach* (the demand points within the standard of that position, one bounded
search each). :meth:`WhatIfModel.evaluate` then needs one multi-source search (nearest post and travel
time for every node, ~3 ms on the regency graph) plus the reach of any post it has not seen at that
spot, and tabulates with ``bincount``:

- plain coverage (people within the standard of at least one post with units), as the report's headline;
- expected coverage (MEXCLP, :mod:`dispatch_geo.coverage.mexclp`): a point within reach of ``n`` units
  is covered with probability ``1 − qⁿ``, so the number of units at a post matters;
- per desa: covered and expected share, the post nearest its centre and that time, the isochrone band
  of that time; the gap list (desa by uncovered people).

Posts with no units serve nobody and are left out of the figures.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from dispatch_geo.coverage.analysis import weighted_quantile
from dispatch_geo.coverage.demand import Demand
from dispatch_geo.coverage.isochrones import DEFAULT_THRESHOLDS_MIN
from dispatch_geo.coverage.mexclp import check_busy_fraction, covered_probability
from dispatch_geo.coverage.multisource import NO_ORIGIN, multi_source_times
from dispatch_geo.errors import InputError
from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.graph.snap import EdgeSnapper
from dispatch_geo.routing.travel_time import EdgePoint

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

MAX_UNITS_PER_POST = 20
MAX_POSTS = 200
REACH_CACHE_SIZE = 2048


@dataclass(frozen=True)
class PlannedPost:
    """A post of a what-if scenario: where it is and how many units it has."""

    id: str
    name: str
    lon: float
    lat: float
    units: int = 1


@dataclass(frozen=True)
class WhatIfResult:
    """Figures of one scenario (see the module docstring). Arrays are per desa row."""

    population: float
    covered: float
    expected: float
    unreachable: float
    mean_time_s: float
    p90_time_s: float
    busy_fraction: float
    desa_population: FloatArray
    desa_covered: FloatArray
    desa_expected: FloatArray
    desa_nearest: tuple[str | None, ...]
    desa_centre_time_s: FloatArray
    posts: tuple[PlannedPost, ...]
    post_snap_m: FloatArray
    post_alone: FloatArray
    """People within the standard of this post and of no other."""


class WhatIfModel:
    """The cache of one service's what-if page (see the module docstring)."""

    def __init__(
        self,
        road: RoadGraph,
        demand: Demand,
        standard_s: float,
        snapper: EdgeSnapper,
        *,
        bands_min: Sequence[float] = DEFAULT_THRESHOLDS_MIN,
    ) -> None:
        if not standard_s > 0:
            raise InputError(f"standard must be positive, got {standard_s}")
        self.road = road
        self.demand = demand
        self.standard_s = float(standard_s)
        self.snapper = snapper
        self.bands_s = np.asarray(sorted(float(b) * 60.0 for b in bands_min))
        self.base = road.weight_matrix("travel_time_s")
        self.n_desa = len(demand.desa)
        self.desa_population = self._by_desa(demand.population)
        self.centres = demand.desa["centre_node"].to_numpy().astype(np.int64)
        # desa labels as plain lists: reading a GeoDataFrame cell by cell cost ~60 ms per update
        self.desa_kode = [str(v) for v in demand.desa["kode"]]
        self.desa_nama = [str(v) for v in demand.desa["nama"]]
        self.desa_kecamatan = [str(v) for v in demand.desa["kecamatan_nama"]]
        self._reach: OrderedDict[tuple[int, float], BoolArray] = OrderedDict()
        self._reach_lock = threading.Lock()  # the API evaluates scenarios from several threads

    def snap(self, posts: Sequence[PlannedPost]) -> tuple[list[EdgePoint], FloatArray]:
        """Each post's place on the road network and its distance from the road (m)."""
        if not posts:
            return [], np.zeros(0)
        snapped = self.snapper.snap([p.lon for p in posts], [p.lat for p in posts])
        points = [EdgePoint(int(e), float(f)) for e, f in zip(snapped.edge, snapped.fraction, strict=True)]
        return points, np.asarray(snapped.distance_m, dtype=np.float64)

    def reach(self, point: EdgePoint) -> BoolArray:
        """Demand points within the standard of ``point`` (cached per position)."""
        key = (point.edge, round(point.fraction, 6))
        with self._reach_lock:
            hit = self._reach.get(key)
            if hit is not None:
                self._reach.move_to_end(key)
                return hit
        times = multi_source_times(self.road, [point], limit_s=self.standard_s, base=self.base)
        reach = np.asarray(times.time_s[self.demand.node] <= self.standard_s, dtype=bool)
        with self._reach_lock:
            self._reach[key] = reach
            if len(self._reach) > REACH_CACHE_SIZE:
                self._reach.popitem(last=False)
        return reach

    def evaluate(self, posts: Sequence[PlannedPost], busy_fraction: float) -> WhatIfResult:
        """The figures of ``posts`` with units busy ``busy_fraction`` of the time."""
        check_posts(posts)
        q = check_busy_fraction(busy_fraction)
        demand = self.demand
        pop = demand.population
        active = [p for p in posts if p.units > 0]
        points, snap_m = self.snap(posts)
        active_points = [pt for pt, p in zip(points, posts, strict=True) if p.units > 0]
        times = multi_source_times(self.road, active_points, base=self.base)
        t = times.time_s[demand.node]
        covered = t <= self.standard_s
        reaches = [self.reach(pt) for pt in active_points]
        units = np.zeros(demand.node.size, dtype=np.int64)
        posts_in_reach = np.zeros(demand.node.size, dtype=np.int64)
        for reach, post in zip(reaches, active, strict=True):
            units += reach * post.units
            posts_in_reach += reach
        expected_pt = np.where(covered, covered_probability(units, q), 0.0)
        alone = np.zeros(len(posts))
        k = 0
        for i, post in enumerate(posts):
            if post.units > 0:
                alone[i] = float(pop[reaches[k] & (posts_in_reach == 1)].sum())
                k += 1
        reachable = np.isfinite(t)
        reach_pop = float(pop[reachable].sum())
        origin = times.origin[self.centres]
        ids = [p.id for p in active]
        return WhatIfResult(
            population=float(pop.sum()),
            covered=float(pop[covered].sum()),
            expected=float(np.sum(pop * expected_pt)),
            unreachable=float(pop.sum()) - reach_pop,
            mean_time_s=float(np.sum(t[reachable] * pop[reachable]) / reach_pop)
            if reach_pop
            else float("nan"),
            p90_time_s=weighted_quantile(t, pop, 0.9),
            busy_fraction=q,
            desa_population=self.desa_population,
            desa_covered=self._by_desa(np.where(covered, pop, 0.0)),
            desa_expected=self._by_desa(pop * expected_pt),
            desa_nearest=tuple(ids[int(o)] if o != NO_ORIGIN else None for o in origin),
            desa_centre_time_s=np.asarray(times.time_s[self.centres], dtype=np.float64),
            posts=tuple(posts),
            post_snap_m=snap_m,
            post_alone=alone,
        )

    def band_min(self, time_s: FloatArray) -> list[float | None]:
        """The isochrone band (minutes) each time falls in; ``None`` beyond the last band."""
        idx = np.searchsorted(self.bands_s, time_s, side="left")
        return [float(self.bands_s[i] / 60.0) if i < self.bands_s.size else None for i in idx]

    def _by_desa(self, values: FloatArray) -> FloatArray:
        return np.asarray(
            np.bincount(self.demand.desa_row, weights=values, minlength=self.n_desa), dtype=np.float64
        )


def check_posts(posts: Sequence[PlannedPost]) -> None:
    """One :class:`InputError` naming every post that is not valid (ids unique, units 0..20)."""
    problems = []
    if len(posts) > MAX_POSTS:
        problems.append(f"{len(posts)} posts; at most {MAX_POSTS}")
    seen: set[str] = set()
    for post in posts:
        if post.id in seen:
            problems.append(f"post id {post.id!r} appears twice")
        seen.add(post.id)
        if not 0 <= post.units <= MAX_UNITS_PER_POST:
            problems.append(
                f"post {post.id!r}: units must be within 0..{MAX_UNITS_PER_POST}, got {post.units}"
            )
        if not (-180 <= post.lon <= 180 and -90 <= post.lat <= 90):
            problems.append(f"post {post.id!r}: ({post.lon}, {post.lat}) is not a WGS84 position")
    if problems:
        raise InputError("invalid scenario: " + "; ".join(problems)).coded(
            "invalid_scenario", problems=problems
        )


def result_dict(model: WhatIfModel, result: WhatIfResult, *, gaps: int = 30) -> dict[str, Any]:
    """JSON-able figures: people as whole numbers, times in seconds and minutes (1 decimal)."""
    pop = result.desa_population
    some = pop > 0
    share = np.round(np.divide(result.desa_covered, pop, out=np.zeros(model.n_desa), where=some), 4).tolist()
    expected_share = np.round(
        np.divide(result.desa_expected, pop, out=np.zeros(model.n_desa), where=some), 4
    ).tolist()
    population = np.round(pop).astype(np.int64).tolist()
    covered = np.round(result.desa_covered).astype(np.int64).tolist()
    uncovered = np.round(pop - result.desa_covered).astype(np.int64).tolist()
    expected = np.round(result.desa_expected).astype(np.int64).tolist()
    t = result.desa_centre_time_s
    finite = np.isfinite(t)
    time_s = [v if ok else None for v, ok in zip(np.round(t, 1).tolist(), finite.tolist(), strict=True)]
    time_min = [
        v if ok else None for v, ok in zip(np.round(t / 60.0, 1).tolist(), finite.tolist(), strict=True)
    ]
    bands = model.band_min(t)
    rows: list[dict[str, Any]] = [
        {
            "kode": model.desa_kode[i],
            "nama": model.desa_nama[i],
            "kecamatan_nama": model.desa_kecamatan[i],
            "population": population[i],
            "covered_population": covered[i],
            "uncovered_population": uncovered[i],
            "expected_covered_population": expected[i],
            "coverage_share": share[i],
            "expected_share": expected_share[i],
            "nearest_post_id": result.desa_nearest[i],
            "centre_time_s": time_s[i],
            "centre_time_min": time_min[i],
            "band_min": bands[i],
        }
        for i in range(model.n_desa)
    ]
    gap_rows = sorted(
        (r for r in rows if r["uncovered_population"] >= 1),
        key=lambda r: (-r["uncovered_population"], r["kode"]),
    )
    total = result.population
    return {
        "population": round(total),
        "covered_population": round(result.covered),
        "coverage_share": round(result.covered / total, 4) if total else None,
        "expected_covered_population": round(result.expected),
        "expected_share": round(result.expected / total, 4) if total else None,
        "unreachable_population": round(result.unreachable),
        "mean_time_min": round(result.mean_time_s / 60.0, 1) if np.isfinite(result.mean_time_s) else None,
        "p90_time_min": round(result.p90_time_s / 60.0, 1) if np.isfinite(result.p90_time_s) else None,
        "busy_fraction": round(result.busy_fraction, 4),
        "posts": [
            {
                "id": p.id,
                "name": p.name,
                "lon": p.lon,
                "lat": p.lat,
                "units": p.units,
                "road_distance_m": round(float(result.post_snap_m[i])),
                "covers_alone_population": round(float(result.post_alone[i])),
            }
            for i, p in enumerate(result.posts)
        ],
        "desa": rows,
        "gap_count": len(gap_rows),
        "gaps": gap_rows[:gaps],
    }
