"""A rural road grid for the routing oracle tests: long slow roads and many one-way streets.

The OSM test extract is a city: its longest edge takes about two minutes, so a search radius of
15 minutes holds everything and a bounded search is never put to the test. On this grid some roads
take up to an hour, as an earth road across a plantation does in Siak.
"""

from __future__ import annotations

import numpy as np

from dispatch_geo.graph.roadgraph import RoadGraph
from tests.unit.coverage_graphs import LAT0, LON0, STEP_DEG, make_road


def rural_grid(*, size: int = 6, seed: int = 11) -> RoadGraph:
    """``size`` × ``size`` junctions about 1.1 km apart; a fifth of the roads are missing.

    Of the rest, one in four is a long road (15–60 min), one in four is one-way, the others take
    1–4 min. Built from a fixed seed, so every run sees the same graph.
    """
    rng = np.random.default_rng(seed)
    nodes = {
        1 + i * size + j: (LON0 + j * STEP_DEG, LAT0 + i * STEP_DEG) for i in range(size) for j in range(size)
    }
    roads: list[tuple[int, int, float]] = []
    one_way: list[tuple[int, int, float]] = []
    for i in range(size):
        for j in range(size):
            here = 1 + i * size + j
            for di, dj in ((0, 1), (1, 0)):
                if i + di >= size or j + dj >= size or rng.random() < 0.2:
                    continue
                there = 1 + (i + di) * size + (j + dj)
                long_road = rng.random() < 0.25
                time_s = float(rng.uniform(900, 3600) if long_road else rng.uniform(60, 240))
                if rng.random() < 0.25:
                    one_way.append((here, there, time_s) if rng.random() < 0.5 else (there, here, time_s))
                else:
                    roads.append((here, there, time_s))
    return make_road(nodes, roads, one_way=one_way)
