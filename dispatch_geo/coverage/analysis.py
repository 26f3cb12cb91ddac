"""Coverage per desa and per kecamatan, the gap list and the move-up hint.

Coverage of an area = the population-weighted share of its demand points (road nodes, see
:mod:`dispatch_geo.coverage.demand`) whose travel time from the nearest post is within the standard.
Mean and 90th-percentile travel times are population-weighted over the *reachable* demand; people no
post reaches by road are counted in ``unreachable_population`` (and are never covered).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

from dispatch_geo.coverage.demand import Demand
from dispatch_geo.coverage.multisource import NO_ORIGIN, NodeTimes, multi_source_times
from dispatch_geo.errors import InputError
from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.routing.travel_time import EdgePoint

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_STAT_COLUMNS = [
    "population",
    "covered_population",
    "uncovered_population",
    "coverage_share",
    "mean_time_s",
    "p90_time_s",
    "unreachable_population",
]


def weighted_quantile(values: FloatArray, weights: FloatArray, q: float) -> float:
    """The smallest value whose cumulative weight reaches ``q`` of the total (``nan`` if no weight)."""
    ok = np.isfinite(values) & (weights > 0)
    if not ok.any():
        return float("nan")
    order = np.argsort(values[ok], kind="stable")
    v, w = values[ok][order], weights[ok][order]
    cum = np.cumsum(w)
    return float(v[int(np.searchsorted(cum, q * cum[-1] - 1e-9 * cum[-1]))])


def _stats(time_s: FloatArray, population: FloatArray, standard_s: float) -> dict[str, float]:
    total = float(population.sum())
    covered = float(population[time_s <= standard_s].sum())
    reach = np.isfinite(time_s)
    reach_pop = float(population[reach].sum())
    mean = float(np.sum(time_s[reach] * population[reach]) / reach_pop) if reach_pop > 0 else float("nan")
    return {
        "population": total,
        "covered_population": covered,
        "uncovered_population": total - covered,
        "coverage_share": covered / total if total > 0 else float("nan"),
        "mean_time_s": mean,
        "p90_time_s": weighted_quantile(time_s, population, 0.9),
        "unreachable_population": total - reach_pop,
    }


def demand_times(demand: Demand, times: NodeTimes) -> tuple[FloatArray, IntArray]:
    """Travel time and nearest-origin index of every demand point."""
    return times.time_s[demand.node], times.origin[demand.node]


def desa_coverage(
    demand: Demand, times: NodeTimes, standard_s: float, post_ids: Sequence[str]
) -> pd.DataFrame:
    """One row per desa: ``kode``, ``nama``, ``kecamatan_kode``, ``kecamatan_nama``, the coverage
    statistics, and ``nearest_post``/``centre_time_s`` (the post nearest the desa's centre node).
    """
    if len(post_ids) != len(times.origins):
        raise InputError(f"{len(post_ids)} post ids for {len(times.origins)} origins")
    t, _ = demand_times(demand, times)
    rows = []
    desa = demand.desa
    for i in range(len(desa)):
        mask = demand.desa_row == i
        stats = _stats(t[mask], demand.population[mask], standard_s)
        centre = int(desa["centre_node"].iloc[i])
        origin = int(times.origin[centre])
        rows.append(
            {
                "kode": desa["kode"].iloc[i],
                "nama": desa["nama"].iloc[i],
                "kecamatan_kode": desa["kecamatan_kode"].iloc[i],
                "kecamatan_nama": desa["kecamatan_nama"].iloc[i],
                **stats,
                "nearest_post": post_ids[origin] if origin != NO_ORIGIN else None,
                "centre_time_s": float(times.time_s[centre]),
            }
        )
    return pd.DataFrame(rows)


def kecamatan_coverage(demand: Demand, times: NodeTimes, standard_s: float) -> pd.DataFrame:
    """One row per kecamatan (``kecamatan_kode``, ``kecamatan_nama`` and the coverage statistics)."""
    t, _ = demand_times(demand, times)
    kec_of_point = demand.desa["kecamatan_kode"].to_numpy()[demand.desa_row]
    names = dict(zip(demand.desa["kecamatan_kode"], demand.desa["kecamatan_nama"], strict=True))
    rows = []
    for kode in sorted(names):
        mask = kec_of_point == kode
        rows.append(
            {
                "kecamatan_kode": kode,
                "kecamatan_nama": names[kode],
                **_stats(t[mask], demand.population[mask], standard_s),
            }
        )
    return pd.DataFrame(rows)


def overall_coverage(demand: Demand, times: NodeTimes, standard_s: float) -> dict[str, float]:
    """The coverage statistics of the whole area."""
    t, _ = demand_times(demand, times)
    return _stats(t, demand.population, standard_s)


def gap_list(desa_table: pd.DataFrame, *, min_uncovered: float = 0.5) -> pd.DataFrame:
    """Desa ranked by uncovered population (most first), with their nearest post and its travel time."""
    gaps = desa_table[desa_table["uncovered_population"] >= min_uncovered]
    gaps = gaps.sort_values(["uncovered_population", "kode"], ascending=[False, True]).reset_index(drop=True)
    gaps.insert(0, "rank", np.arange(1, len(gaps) + 1))
    return gaps


def cover_loss(
    road: RoadGraph,
    demand: Demand,
    origins: Sequence[EdgePoint],
    origin_ids: Sequence[str],
    dispatched: str,
    standard_s: float,
    *,
    base: sp.csr_matrix | None = None,
    min_lost: float = 0.5,
) -> pd.DataFrame:
    """Move-up hint: the desa that lose cover if the unit/post ``dispatched`` leaves.

    Coverage is computed with every origin and again without ``dispatched``; the result lists the desa
    whose covered population drops by at least ``min_lost`` people, most lost first, with columns
    ``kode``, ``nama``, ``kecamatan_nama``, ``population``, ``covered_before``, ``covered_after``,
    ``lost_population``, ``share_before``, ``share_after`` and ``next_nearest`` (the post that would
    then be nearest to the desa centre) and ``next_time_s``.
    """
    if len(origins) != len(origin_ids):
        raise InputError(f"{len(origin_ids)} ids for {len(origins)} origins")
    if dispatched not in origin_ids:
        raise InputError(f"unknown unit or post {dispatched!r}; expected one of {', '.join(origin_ids)}")
    limit = standard_s * 4
    before = multi_source_times(road, origins, limit_s=limit, base=base)
    keep = [i for i, oid in enumerate(origin_ids) if oid != dispatched]
    after = multi_source_times(road, [origins[i] for i in keep], limit_s=limit, base=base)
    ids_after = [origin_ids[i] for i in keep]
    table_before = desa_coverage(demand, before, standard_s, list(origin_ids))
    table_after = desa_coverage(demand, after, standard_s, ids_after)
    out = pd.DataFrame(
        {
            "kode": table_before["kode"],
            "nama": table_before["nama"],
            "kecamatan_nama": table_before["kecamatan_nama"],
            "population": table_before["population"],
            "covered_before": table_before["covered_population"],
            "covered_after": table_after["covered_population"],
            "share_before": table_before["coverage_share"],
            "share_after": table_after["coverage_share"],
            "next_nearest": table_after["nearest_post"],
            "next_time_s": table_after["centre_time_s"],
        }
    )
    out["lost_population"] = out["covered_before"] - out["covered_after"]
    out = out[out["lost_population"] >= min_lost]
    return out.sort_values(["lost_population", "kode"], ascending=[False, True]).reset_index(drop=True)
