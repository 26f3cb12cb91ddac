"""The shipped schematic stand-in (``data/siak_schematic.osm.bz2``) built through the real graph pipeline.

Several seconds: the session fixtures ``schematic_build`` / ``schematic_road`` in ``tests/conftest.py``
build it once per test run and share it.
"""

from __future__ import annotations

from pathlib import Path

from dispatch_geo.boundaries import load_boundaries
from dispatch_geo.graph.build import BuildResult, build_from_file
from dispatch_geo.graph.profile import load_profile
from siaga.graphs import buffer_m

SHIPPED_SCHEMATIC = Path(__file__).resolve().parents[2] / "data" / "siak_schematic.osm.bz2"
CLIP_BUFFER_M = 5_000.0


def build_shipped_schematic() -> BuildResult:
    """The shipped schematic file, clipped to the regency plus 5 km, with the default speed profile."""
    clip = buffer_m(load_boundaries().outline, CLIP_BUFFER_M)
    return build_from_file(SHIPPED_SCHEMATIC, load_profile(), clip_polygon=clip)
