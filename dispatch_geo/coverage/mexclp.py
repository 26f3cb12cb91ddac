"""Expected coverage with busy units: Daskin's maximum expected covering location problem (MEXCLP).

A demand point within the standard of ``n`` units is served in time unless all ``n`` are busy. With
each unit busy a fraction ``q`` of the time, independently (Daskin 1983's assumption), the point is
covered with probability ``1 − qⁿ``; the expected covered population is ``Σᵢ wᵢ (1 − q^{nᵢ})``.
Plain coverage is the same sum with ``q = 0`` (one free unit in reach is enough).

:func:`solve_mexclp` places ``p`` units on candidate sites (several on one site allowed) to maximise
the expected covered weight, on PuLP/CBC like :mod:`dispatch_geo.coverage.siting`::

    max  Σᵢ Σₖ wᵢ (1 − q) q^(k−1) yᵢₖ          k = 1..p: "i is covered at least k times"
    s.t. Σₖ yᵢₖ ≤ Σ_{j ∈ Nᵢ} xⱼ   for every i  (Nᵢ: candidates within the standard of i)
         Σⱼ xⱼ = p,  xⱼ ∈ {0, 1, …},  xⱼ ≥ fixedⱼ,  0 ≤ yᵢₖ ≤ 1

The weights ``(1 − q) q^(k−1)`` decrease in ``k``, so for integer ``x`` the optimal ``y`` fills the
first levels and is integral by itself: ``y`` stays continuous, only ``x`` is integer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pulp  # type: ignore[import-untyped]

from dispatch_geo.coverage.siting import DEFAULT_SOLVER_TIME_LIMIT_S
from dispatch_geo.errors import InputError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MAX_BUSY_FRACTION = 0.95
"""Busy fractions above this are refused: expected coverage would be about nil whatever the siting."""


def check_busy_fraction(q: float) -> float:
    """``q`` as a float within ``[0, MAX_BUSY_FRACTION]``, else an :class:`InputError`."""
    value = float(q)
    if not 0.0 <= value <= MAX_BUSY_FRACTION:
        raise InputError(f"busy fraction must be within [0, {MAX_BUSY_FRACTION}], got {q}").coded(
            "busy_fraction_out_of_range", value=q, max=MAX_BUSY_FRACTION
        )
    return value


def covered_probability(units_in_reach: npt.ArrayLike, q: float) -> FloatArray:
    """``1 − q**n`` per demand point: the chance that at least one of its ``n`` units is free."""
    n = np.asarray(units_in_reach, dtype=np.float64)
    if (n < 0).any():
        raise InputError("a unit count is negative")
    return np.asarray(1.0 - np.power(check_busy_fraction(q), n), dtype=np.float64)


def expected_coverage(units_in_reach: npt.ArrayLike, weights: npt.ArrayLike, q: float) -> float:
    """Expected covered weight ``Σ w (1 − qⁿ)``."""
    w = np.asarray(weights, dtype=np.float64).ravel()
    p = covered_probability(units_in_reach, q).ravel()
    if w.shape != p.shape:
        raise InputError(f"{p.size} unit counts for {w.size} weights")
    return float(np.sum(w * p))


def units_in_reach(cost: FloatArray, radius_s: float, units: npt.ArrayLike) -> IntArray:
    """Per demand row, the number of units (``units[j]`` at candidate ``j``) within ``radius_s``."""
    x = np.asarray(units, dtype=np.int64).ravel()
    if x.size != cost.shape[1]:
        raise InputError(f"{x.size} unit counts for {cost.shape[1]} candidates")
    return np.asarray((cost <= radius_s).astype(np.int64) @ x, dtype=np.int64)


@dataclass(frozen=True)
class MexclpSolution:
    """Units per candidate column, and what they cover (expected and plain)."""

    units: IntArray
    expected_weight: float
    covered_weight: float
    total_weight: float
    busy_fraction: float
    status: str

    @property
    def sites(self) -> IntArray:
        """Columns with at least one unit."""
        return np.flatnonzero(self.units > 0).astype(np.int64)


def evaluate_units(
    cost: FloatArray, weights: npt.ArrayLike, radius_s: float, units: npt.ArrayLike, q: float
) -> MexclpSolution:
    """The figures of a given placement (no optimisation)."""
    w = np.asarray(weights, dtype=np.float64).ravel()
    x = np.asarray(units, dtype=np.int64).ravel()
    n = units_in_reach(cost, radius_s, x)
    return MexclpSolution(
        units=x,
        expected_weight=expected_coverage(n, w, q),
        covered_weight=float(w[n > 0].sum()),
        total_weight=float(w.sum()),
        busy_fraction=float(q),
        status="evaluated",
    )


def solve_mexclp(
    cost: FloatArray,
    weights: npt.ArrayLike,
    radius_s: float,
    p: int,
    q: float,
    *,
    fixed: npt.ArrayLike | None = None,
    max_per_site: int | None = None,
    time_limit_s: int = DEFAULT_SOLVER_TIME_LIMIT_S,
) -> MexclpSolution:
    """Place ``p`` units on the candidate columns of ``cost`` to maximise expected coverage.

    Parameters
    ----------
    cost
        ``(n_demand, n_candidates)`` travel times in seconds (``inf`` beyond reach).
    weights
        Demand weight per row (people).
    radius_s
        The standard.
    p
        Units to place in total (including the ``fixed`` ones).
    q
        Busy fraction of a unit, ``[0, 0.95]``.
    fixed
        Optional units that stay where they are: ``fixed[j]`` is a lower bound on column ``j``.
    max_per_site
        Optional upper bound on units per site.
    """
    w = np.asarray(weights, dtype=np.float64).ravel()
    q = check_busy_fraction(q)
    n_demand, n_cand = cost.shape
    problems = []
    if w.size != n_demand:
        problems.append(f"{w.size} weights for {n_demand} demand rows")
    if (w < 0).any():
        problems.append("a demand weight is negative")
    low = np.zeros(n_cand, dtype=np.int64) if fixed is None else np.asarray(fixed, dtype=np.int64).ravel()
    if low.size != n_cand:
        problems.append(f"{low.size} fixed counts for {n_cand} candidates")
    elif (low < 0).any():
        problems.append("a fixed unit count is negative")
    elif int(low.sum()) > p:
        problems.append(f"{int(low.sum())} fixed units exceed p = {p}")
    if p < 1:
        problems.append(f"p must be at least 1, got {p}")
    if max_per_site is not None and max_per_site < 1:
        problems.append(f"max_per_site must be at least 1, got {max_per_site}")
    if problems:
        raise InputError("cannot solve MEXCLP: " + "; ".join(problems))

    model = pulp.LpProblem("mexclp", pulp.LpMaximize)
    up = p if max_per_site is None else max_per_site
    x = [
        pulp.LpVariable(f"x{j}", lowBound=int(low[j]), upBound=max(up, int(low[j])), cat="Integer")
        for j in range(n_cand)
    ]
    reach = cost <= radius_s
    level_weight = (1.0 - q) * np.power(q, np.arange(p)) if q > 0 else np.r_[1.0, np.zeros(p - 1)]
    objective = []
    for i in range(n_demand):
        near = np.flatnonzero(reach[i])
        levels = min(p, near.size * up) if max_per_site is not None else p
        if near.size == 0 or w[i] <= 0 or levels == 0:
            continue
        # levels worth nothing (q = 0: only the first) are left out
        levels = min(levels, int(np.count_nonzero(level_weight[:levels] > 0)))
        y = [pulp.LpVariable(f"y{i}_{k}", lowBound=0, upBound=1) for k in range(levels)]
        objective += [float(w[i] * level_weight[k]) * y[k] for k in range(levels)]
        model += pulp.lpSum(y) <= pulp.lpSum(x[int(j)] for j in near), f"levels_{i}"
    model += pulp.lpSum(objective)
    model += pulp.lpSum(x) == p, "p_units"
    model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit_s))
    units = np.array([round(v.value() or 0) for v in x], dtype=np.int64)
    solution = evaluate_units(cost, w, radius_s, units, q)
    return MexclpSolution(
        units=solution.units,
        expected_weight=solution.expected_weight,
        covered_weight=solution.covered_weight,
        total_weight=solution.total_weight,
        busy_fraction=q,
        status=str(pulp.LpStatus[model.status]),
    )
