"""Where the next units should go to gain the most *expected* coverage (MEXCLP on the what-if posts).

Desa level, like the report's siting (:mod:`dispatch_geo.coverage.report`): one demand point per desa
(its centre node, weighted by its population); candidates = every desa centre plus ``n_candidates`` road
nodes spread over the area (cached: they do not change), plus the scenario's posts, whose units stay
(lower bounds). :func:`suggest_units` returns the candidate sites that receive the extra units; the
caller evaluates the scenario with them on the node-level demand for figures comparable with the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dispatch_geo.coverage import siting
from dispatch_geo.coverage.mexclp import MexclpSolution, evaluate_units, solve_mexclp
from dispatch_geo.coverage.whatif import PlannedPost, WhatIfModel, check_posts

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class SuggestedSite:
    """A site that receives ``units`` more units: a road node, or an existing post (``post_id``)."""

    lon: float
    lat: float
    units: int
    post_id: str | None


@dataclass(frozen=True)
class Suggestion:
    sites: tuple[SuggestedSite, ...]
    before: MexclpSolution
    after: MexclpSolution
    n_demand: int
    n_candidates: int


class Candidates:
    """Candidate road nodes and their travel times to every desa centre (built once per service)."""

    def __init__(self, model: WhatIfModel, *, n_candidates: int = 500, seed: int = 0) -> None:
        self.model = model
        self.centres = model.centres
        self.weights = np.asarray(model.desa_population, dtype=np.float64)
        self.limit_s = model.standard_s * 1.01
        self.nodes = siting.candidate_sample(model.road, n_candidates, seed=seed, must=self.centres)
        self.cost = siting.cost_matrix(
            model.road, self.centres, candidate_nodes=self.nodes, limit_s=self.limit_s
        )

    def with_posts(self, posts: Sequence[PlannedPost]) -> FloatArray:
        """The cost matrix with one more column per post (after the candidate nodes)."""
        points, _ = self.model.snap(posts)
        if not points:
            return self.cost
        extra = siting.cost_matrix(
            self.model.road, self.centres, candidate_points=points, limit_s=self.limit_s
        )
        return np.hstack([self.cost, extra])


def suggest_units(
    candidates: Candidates, posts: Sequence[PlannedPost], busy_fraction: float, add_units: int
) -> Suggestion:
    """MEXCLP with the posts' units fixed and ``add_units`` more to place anywhere."""
    check_posts(posts)
    cost = candidates.with_posts(posts)
    n_nodes = candidates.nodes.size
    fixed = np.zeros(cost.shape[1], dtype=np.int64)
    fixed[n_nodes:] = [p.units for p in posts]
    p = int(fixed.sum()) + add_units
    radius = candidates.model.standard_s
    before = evaluate_units(cost, candidates.weights, radius, fixed, busy_fraction)
    after = solve_mexclp(cost, candidates.weights, radius, p, busy_fraction, fixed=fixed)
    road = candidates.model.road
    sites = []
    for col in np.flatnonzero(after.units > fixed):
        extra = int(after.units[col] - fixed[col])
        if col >= n_nodes:
            post = posts[int(col) - n_nodes]
            sites.append(SuggestedSite(post.lon, post.lat, extra, post.id))
        else:
            node = int(candidates.nodes[col])
            sites.append(SuggestedSite(float(road.node_lon[node]), float(road.node_lat[node]), extra, None))
    return Suggestion(tuple(sites), before, after, cost.shape[0], cost.shape[1])
