"""The shipped schematic stand-in through the real graph pipeline (osmnx, speed profile, packing).

Kept out of the unit suite because it builds the whole regency graph (several seconds; the session
fixture ``schematic_build`` builds it once and shares it with the place-resolution tests).
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from dispatch_geo.graph.build import BuildResult
from dispatch_geo.graph.profile import load_profile
from dispatch_geo.graph.roadgraph import SCHEMATIC_LABEL


def test_shipped_schematic_goes_through_the_real_pipeline(schematic_build: BuildResult) -> None:
    profile = load_profile()
    result = schematic_build
    road = result.road
    assert road.meta.schematic is True
    assert road.meta.label == SCHEMATIC_LABEL
    assert 15_000 <= road.n_nodes <= 60_000
    assert road.meta.dropped_nodes / (road.n_nodes + road.meta.dropped_nodes) < 0.02
    assert nx.is_strongly_connected(result.graph)
    assert {"trunk", "primary", "secondary", "tertiary", "residential", "track"} <= set(road.highway_names)
    assert road.meta.osm_timestamp == "2026-01-01T00:00:00+00:00"
    # earth roads are slow whatever their class: the surface cap reaches the routing speeds
    earth = [i for i, name in enumerate(road.surface_names) if name in {"ground", "dirt", "earth", "unpaved"}]
    assert earth
    on_earth = np.isin(road.surface, earth)
    assert on_earth.any()
    assert road.speed_kph[on_earth].max() <= profile.surface_cap_kph["ground"]
    assert (road.twin == -1).any(), "one-way streets stay one-way"
