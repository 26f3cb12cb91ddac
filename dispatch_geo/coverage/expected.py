"""Expected coverage beside plain coverage for the coverage report, and MEXCLP "add k units" scenarios.

Plain coverage counts a person covered when one post with a unit is within the standard; expected
coverage (:mod:`dispatch_geo.coverage.mexclp`) weighs that by the chance a unit in reach is free,
``1 − qⁿ``. Both are computed on the same node-level demand as the report's headline. The "add k units"
scenarios place k more units with MEXCLP at desa level (:mod:`dispatch_geo.coverage.suggest`) and give
the node-level expected coverage after them, each new site named by desa and kecamatan.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from dispatch_geo.coverage.demand import Demand
from dispatch_geo.coverage.posts import Post
from dispatch_geo.coverage.suggest import Candidates, suggest_units
from dispatch_geo.coverage.whatif import PlannedPost, WhatIfModel
from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.graph.snap import EdgeSnapper

Namer = Callable[[float, float], tuple[str | None, str | None]]
"""(lon, lat) → (desa name, kecamatan name)."""


def expected_summary(
    road: RoadGraph,
    demand: Demand,
    posts: Sequence[Post],
    units: Mapping[str, int],
    standard_s: float,
    *,
    busy_fraction: float,
    busy_source: str,
    place: Namer,
    add_units: Sequence[int] = (1, 2, 3),
    n_candidates: int = 500,
    snapper: EdgeSnapper | None = None,
) -> dict[str, Any]:
    """Plain and expected covered people of ``posts`` (``units[post.id]`` units each); MEXCLP scenarios."""
    model = WhatIfModel(road, demand, standard_s, snapper or EdgeSnapper(road))
    planned = [PlannedPost(p.id, p.name, p.lon, p.lat, int(units.get(p.id, 1))) for p in posts]
    today = model.evaluate(planned, busy_fraction)
    scenarios = []
    candidates = Candidates(model, n_candidates=n_candidates) if add_units else None
    for k in add_units:
        assert candidates is not None
        found = suggest_units(candidates, planned, busy_fraction, k)
        after_posts = list(planned)
        sites = []
        for n, site in enumerate(found.sites, start=1):
            if site.post_id is not None:
                after_posts = [
                    PlannedPost(p.id, p.name, p.lon, p.lat, p.units + site.units)
                    if p.id == site.post_id
                    else p
                    for p in after_posts
                ]
                sites.append({"post_id": site.post_id, "units": site.units})
                continue
            desa, kecamatan = place(site.lon, site.lat)
            after_posts.append(PlannedPost(f"usulan-{n}", f"usulan {n}", site.lon, site.lat, site.units))
            sites.append(
                {
                    "lon": round(site.lon, 6),
                    "lat": round(site.lat, 6),
                    "units": site.units,
                    "desa": desa,
                    "kecamatan": kecamatan,
                }
            )
        after = model.evaluate(after_posts, busy_fraction)
        scenarios.append(
            {
                "name": f"add {k} unit(s) (MEXCLP)",
                "expected_before": round(today.expected),
                "expected_after": round(after.expected),
                "covered_after": round(after.covered),
                "expected_before_desa_centres": round(found.before.expected_weight),
                "expected_after_desa_centres": round(found.after.expected_weight),
                "sites": sites,
            }
        )
    return {
        "busy_fraction": busy_fraction,
        "busy_source": busy_source,
        "model": "MEXCLP (Daskin 1983): a person within reach of n units is covered with probability 1 - q^n",
        "units": sum(p.units for p in planned),
        "population": round(today.population),
        "covered_population": round(today.covered),
        "expected_covered_population": round(today.expected),
        "scenarios": scenarios,
    }
