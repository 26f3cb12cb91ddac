"""Graph cache on disk: a directory that loads in well under two seconds.

Layout of a cache directory::

    roadgraph.npz   CSR arrays (uncompressed .npz, read without pickle)
    meta.json       GraphMeta: source, OSM timestamp, build time, profile hash, schematic, counts
    graph.gpkg      the same graph for GIS users (QGIS): ``nodes`` and ``edges`` layers, written in
                    chunks from the arrays (see :mod:`dispatch_geo.graph.gpkg`); never read at start-up
    cch_order.npy   the contraction-hierarchy node order of this graph (computed at build time)
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from dispatch_geo.errors import GraphCacheError
from dispatch_geo.graph.gpkg import GPKG_FILE, write_geopackage
from dispatch_geo.graph.roadgraph import GraphMeta, RoadGraph

log = logging.getLogger(__name__)

ARRAYS_FILE = "roadgraph.npz"
META_FILE = "meta.json"
GRAPHML_FILE = "graph.graphml"
"""Written by builds before the GeoPackage; removed when a GeoPackage replaces it."""
ORDER_FILE = "cch_order.npy"
FORMAT_VERSION = 1


def save_graph(
    road: RoadGraph, directory: Path, *, gis: bool = False, progress: Callable[[str], None] | None = None
) -> Path:
    """Write ``road`` (and with ``gis`` its GeoPackage copy) to ``directory``, replacing any previous cache.

    Files are written to temporary names first and renamed, so a crash never leaves a half-written
    cache that a dispatcher's server would load.
    """
    directory.mkdir(parents=True, exist_ok=True)
    payload: dict[str, Any] = dict(road.arrays())
    payload["highway_names"] = np.array(road.highway_names)
    payload["surface_names"] = np.array(road.surface_names)
    savez: Any = np.savez
    with tempfile.NamedTemporaryFile(dir=directory, suffix=".npz", delete=False) as tmp:
        savez(tmp, **payload)
    os.replace(tmp.name, directory / ARRAYS_FILE)
    meta_tmp = directory / (META_FILE + ".tmp")
    meta_tmp.write_text(json.dumps(road.meta.to_dict(), indent=2, sort_keys=True), encoding="utf-8")
    os.replace(meta_tmp, directory / META_FILE)
    if gis:
        if progress is not None:
            progress(f"Writing the GeoPackage for GIS ({road.n_nodes:,} nodes, {road.n_edges:,} edges)")
        write_geopackage(road, directory / GPKG_FILE, progress=progress)
        (directory / GRAPHML_FILE).unlink(missing_ok=True)  # an older build's copy would mislead
    log.info("saved road graph (%d nodes, %d edges) to %s", road.n_nodes, road.n_edges, directory)
    return directory


def save_order(directory: Path, order: npt.NDArray[np.int64], road: RoadGraph) -> Path:
    """Store a node order for ``road`` beside its arrays (with the graph's counts, to refuse a stale one)."""
    path = directory / ORDER_FILE
    with tempfile.NamedTemporaryFile(dir=directory, suffix=".npy", delete=False) as tmp:
        np.save(tmp, np.asarray(order, dtype=np.int64), allow_pickle=False)
    os.replace(tmp.name, path)
    stamp = directory / (ORDER_FILE + ".json")
    stamp.write_text(json.dumps(_order_stamp(road)), encoding="utf-8")
    return path


def load_order(directory: Path, road: RoadGraph) -> npt.NDArray[np.int64] | None:
    """The cached node order of ``road``, or None when there is none or it belongs to another build."""
    try:
        stamp = json.loads((directory / (ORDER_FILE + ".json")).read_text(encoding="utf-8"))
        order = np.load(directory / ORDER_FILE, allow_pickle=False)
    except (OSError, ValueError):
        return None
    if stamp != _order_stamp(road) or order.shape != (road.n_nodes,):
        log.warning(
            "the cached node order in %s belongs to another build of the graph; ignoring it", directory
        )
        return None
    return np.asarray(order, dtype=np.int64)


def _order_stamp(road: RoadGraph) -> dict[str, Any]:
    return {"built_at": road.meta.built_at, "n_nodes": road.n_nodes, "n_edges": road.n_edges}


def read_meta(directory: Path) -> GraphMeta:
    """Read only the metadata of a cached graph."""
    path = directory / META_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GraphCacheError(f"no road graph cache at {directory} (missing {META_FILE})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise GraphCacheError(f"{path} is not valid JSON: {exc}") from None
    if data.get("format_version") != FORMAT_VERSION:
        raise GraphCacheError(
            f"{path} has cache format {data.get('format_version')!r}; this version reads {FORMAT_VERSION}. "
            "Rebuild it with `dispatch-geo graph build`."
        )
    return GraphMeta.from_dict(data)


def load_graph(directory: Path) -> RoadGraph:
    """Load a cached graph; raise :class:`GraphCacheError` naming what is wrong."""
    meta = read_meta(directory)
    path = directory / ARRAYS_FILE
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except FileNotFoundError:
        raise GraphCacheError(f"no road graph arrays at {path}") from None
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise GraphCacheError(
            f"{path} is unreadable ({exc}); rebuild with `dispatch-geo graph build`"
        ) from None
    try:
        road = RoadGraph(
            meta=meta,
            highway_names=tuple(str(s) for s in arrays.pop("highway_names")),
            surface_names=tuple(str(s) for s in arrays.pop("surface_names")),
            **arrays,
        )
    except TypeError as exc:
        raise GraphCacheError(f"{path} does not hold the expected arrays ({exc})") from None
    problems = _consistency_problems(road)
    if problems:
        raise GraphCacheError(f"{path} is inconsistent: " + "; ".join(problems))
    return road


def _consistency_problems(road: RoadGraph) -> list[str]:
    problems = []
    n, m = road.n_nodes, road.n_edges
    if road.indptr.shape[0] != n + 1 or road.indptr[-1] != m:
        problems.append("indptr does not match the node and edge counts")
    if road.geom_offsets.shape[0] != m + 1 or road.geom_offsets[-1] != road.geom_lon.shape[0]:
        problems.append("geometry offsets do not match the coordinates")
    if m and (road.head.max() >= n or road.tail.max() >= n):
        problems.append("an edge points to a node that does not exist")
    if road.meta.n_nodes != n or road.meta.n_edges != m:
        problems.append(f"metadata says {road.meta.n_nodes}/{road.meta.n_edges} nodes/edges, arrays {n}/{m}")
    return problems
