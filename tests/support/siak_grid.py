"""A coarse, hand-checkable road grid laid over Kabupaten Siak, for API and service tests.

Real Siak coordinates (so gazetteer and service-area checks behave as in production) with a
regular lattice of two-way roads every ``step_deg``; one horizontal line is a primary road. Built
through the same pipeline as real OSM. Labelled schematic (``source=schematic``) like any stand-in.
"""

from __future__ import annotations

from pathlib import Path

from dispatch_geo.graph.build import build_from_file
from dispatch_geo.graph.profile import load_profile
from dispatch_geo.graph.roadgraph import RoadGraph
from tests.unit.osm_xml import write_osm

WEST, EAST, SOUTH, NORTH = 101.00, 102.90, 0.42, 1.22


def siak_grid_road(directory: Path, *, step_deg: float = 0.04) -> RoadGraph:
    """Build the grid (about 48 × 21 intersections at the default step) and return its RoadGraph."""
    path = write_siak_grid_osm(directory, step_deg=step_deg)
    return build_from_file(path, load_profile(), clip_polygon=None).road


def write_siak_grid_osm(directory: Path, *, step_deg: float = 0.04) -> Path:
    """Write the grid as an OSM XML file (``siak_grid.osm`` in ``directory``) and return its path."""
    cols = round((EAST - WEST) / step_deg) + 1
    rows = round((NORTH - SOUTH) / step_deg) + 1

    def node_id(r: int, c: int) -> int:
        return 1 + r * cols + c

    nodes = [
        (node_id(r, c), WEST + c * step_deg, SOUTH + r * step_deg) for r in range(rows) for c in range(cols)
    ]
    ways = []
    way_id = 1
    for r in range(rows):
        highway = "primary" if r == rows // 2 else "tertiary"
        ways.append(
            (way_id, [node_id(r, c) for c in range(cols)], {"highway": highway, "source": "schematic"})
        )
        way_id += 1
    for c in range(cols):
        ways.append(
            (way_id, [node_id(r, c) for r in range(rows)], {"highway": "residential", "source": "schematic"})
        )
        way_id += 1
    return write_osm(directory / "siak_grid.osm", nodes, ways)
