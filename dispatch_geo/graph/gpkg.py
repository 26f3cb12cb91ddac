"""The GIS copy of the road graph: a GeoPackage with ``nodes`` and ``edges`` layers, for QGIS.

Written straight from the routing arrays in chunks of :data:`CHUNK_ROWS` (GDAL appends each chunk
to the layer), so at no point is there a second whole copy of the graph in memory — the GraphML copy
it replaces held the whole graph as networkx objects and then as one XML string (13 GiB peak at 442k
nodes). Never read at start-up.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio  # type: ignore[import-untyped]
import shapely

from dispatch_geo.graph.roadgraph import RoadGraph

log = logging.getLogger(__name__)

GPKG_FILE = "graph.gpkg"
CHUNK_ROWS = 50_000


def write_geopackage(
    road: RoadGraph,
    path: Path,
    *,
    chunk_rows: int = CHUNK_ROWS,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Write ``road`` as a GeoPackage at ``path`` (replaced atomically), layer by layer, chunk by chunk."""
    tmp = path.with_name(path.name + ".tmp.gpkg")
    tmp.unlink(missing_ok=True)
    names_hw = np.asarray(road.highway_names, dtype=object)
    names_sf = np.asarray(road.surface_names, dtype=object)
    meta = {"label": road.meta.label, "schematic": str(road.meta.schematic).lower()}
    for start in range(0, max(road.n_nodes, 1), chunk_rows):
        stop = min(start + chunk_rows, road.n_nodes)
        nodes = pd.DataFrame(
            {
                "node": np.arange(start, stop),
                "osmid": road.node_osmid[start:stop],
                "schematic": road.meta.schematic,
            }
        )
        points = shapely.points(road.node_lon[start:stop], road.node_lat[start:stop])
        _append(tmp, "nodes", nodes, points, start == 0, meta)
    if progress is not None:
        progress(f"GeoPackage: {road.n_nodes:,} nodes written; writing {road.n_edges:,} edges")
    for start in range(0, max(road.n_edges, 1), chunk_rows):
        stop = min(start + chunk_rows, road.n_edges)
        tail, head = road.tail[start:stop], road.head[start:stop]
        edges = pd.DataFrame(
            {
                "edge": np.arange(start, stop),
                "u_osmid": road.node_osmid[tail],
                "v_osmid": road.node_osmid[head],
                "length_m": road.length_m[start:stop],
                "travel_time_s": road.travel_time_s[start:stop],
                "speed_kph": road.speed_kph[start:stop],
                "highway": names_hw[road.highway[start:stop]],
                "surface": names_sf[road.surface[start:stop]],
                "oneway": road.twin[start:stop] < 0,
                "schematic": road.meta.schematic,
            }
        )
        offsets = road.geom_offsets[start : stop + 1]
        first, last = int(offsets[0]), int(offsets[-1])
        coords = np.column_stack((road.geom_lon[first:last], road.geom_lat[first:last]))
        parts = np.repeat(np.arange(stop - start), np.diff(offsets))
        geometry = shapely.linestrings(coords, indices=parts)
        _append(tmp, "edges", edges, geometry, start == 0, meta)
    os.replace(tmp, path)
    log.info("wrote GeoPackage %s (%d nodes, %d edges)", path, road.n_nodes, road.n_edges)
    return path


def _append(
    path: Path, layer: str, frame: pd.DataFrame, geometry: object, first: bool, meta: dict[str, str]
) -> None:
    import geopandas as gpd

    gdf = gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")  # type: ignore[arg-type]
    pyogrio.write_dataframe(
        gdf,
        path,
        layer=layer,
        driver="GPKG",
        append=not first,
        layer_metadata=meta if first else None,
    )
