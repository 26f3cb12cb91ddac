"""OSM → routable road graph with Siak travel times.

One pipeline for every source, so the schematic stand-in and real OpenStreetMap data are treated
exactly alike:

1. get the emergency-vehicle network (Overpass via osmnx, or a local file via pyosmium, see
   :mod:`dispatch_geo.graph.osm_input`), clipped to the service area;
2. osmnx builds and simplifies the graph (edge ``length`` in metres);
3. every edge gets ``speed_kph`` from the speed profile and ``travel_time_s``;
4. only the largest strongly connected component is kept (a unit must be able to drive there *and*
   back); what was dropped is reported;
5. the result is validated (collecting every problem, raising once) and packed into a
   :class:`~dispatch_geo.graph.roadgraph.RoadGraph`.
"""

from __future__ import annotations

import hashlib
import logging
import math
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import networkx as nx
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from dispatch_geo.errors import GraphBuildError
from dispatch_geo.graph.osm_input import (
    OVERPASS_FILTERS,
    extract_network_xml,
    is_emergency_drivable,
)
from dispatch_geo.graph.pack import pack_graph
from dispatch_geo.graph.profile import SpeedProfile
from dispatch_geo.graph.roadgraph import GraphMeta, RoadGraph

log = logging.getLogger(__name__)

NETWORK_FILTER_NAME = "emergency: drive + service + track, emergency=yes overrides access=no"
EXTRA_WAY_TAGS = ("surface", "source", "note", "emergency", "motor_vehicle", "motorcar")
SCHEMATIC_SOURCE_TAG = "schematic"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildResult:
    """The built graph in both forms: networkx (for GraphML and GIS users) and CSR (for routing)."""

    graph: nx.MultiDiGraph
    road: RoadGraph


def build_from_file(
    source: Path,
    profile: SpeedProfile,
    *,
    clip_polygon: BaseGeometry | None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build from a local ``.osm``, ``.osm.bz2`` or ``.osm.pbf`` extract, clipped to ``clip_polygon``."""
    import osmnx as ox  # here, not at the top: ~1.7 s to import, and loading a cached graph needs none of it

    say = progress or _quiet
    with tempfile.TemporaryDirectory(prefix="siaga-osm-") as tmp:
        xml_path = Path(tmp) / "network.osm"
        say(f"Reading {source.name} and keeping the emergency road network")
        summary = extract_network_xml(source, xml_path, clip_polygon=clip_polygon)
        say(f"Building the graph from {summary.ways_kept:,} ways ({summary.nodes_kept:,} nodes)")
        with _way_tags():
            raw = ox.graph_from_xml(xml_path, simplify=False, retain_all=True)
    return _finish(
        raw,
        profile,
        source=str(source),
        source_kind="file",
        osm_timestamp=summary.osm_timestamp,
        osm_timestamp_source=summary.osm_timestamp_source,
        ways=(summary.ways_read, summary.ways_kept),
        say=say,
        extra={"source_sha256": file_sha256(source)},
    )


def build_from_overpass(
    polygon: Polygon | MultiPolygon,
    profile: SpeedProfile,
    *,
    progress: Progress | None = None,
) -> BuildResult:
    """Download the network inside ``polygon`` from the Overpass API (needs internet) and build it.

    The request goes to ``osmnx.settings.overpass_url``. Overpass serves live data, so the OSM
    timestamp recorded is the time of the query.
    """
    import osmnx as ox  # here, not at the top: ~1.7 s to import, and loading a cached graph needs none of it

    say = progress or _quiet
    say("Downloading roads from the Overpass API (this can take minutes)")
    queried_at = datetime.now(UTC)
    try:
        with _way_tags():
            raw = ox.graph_from_polygon(
                polygon,
                custom_filter=list(OVERPASS_FILTERS),
                simplify=False,
                retain_all=True,
                truncate_by_edge=True,
            )
    except ox._errors.InsufficientResponseError as exc:
        raise GraphBuildError(f"Overpass returned no roads for the service area: {exc}") from None
    # Overpass applied the filter server-side; apply the same rule here so that a proxy or a
    # recorded response cannot smuggle footways into the emergency network.
    raw = _drop_non_emergency(raw)
    return _finish(
        raw,
        profile,
        source=ox.settings.overpass_url,
        source_kind="overpass",
        osm_timestamp=queried_at,
        osm_timestamp_source="Overpass query time (live data)",
        ways=None,
        say=say,
    )


def _finish(
    raw: nx.MultiDiGraph,
    profile: SpeedProfile,
    *,
    source: str,
    source_kind: str,
    osm_timestamp: datetime | None,
    osm_timestamp_source: str,
    ways: tuple[int, int] | None,
    say: Progress,
    extra: dict[str, Any] | None = None,
) -> BuildResult:
    import osmnx as ox  # here, not at the top: ~1.7 s to import, and loading a cached graph needs none of it

    if raw.number_of_edges() == 0:
        raise GraphBuildError(f"{source} gave no drivable roads")
    schematic = _is_schematic(raw)
    say(f"Simplifying {raw.number_of_nodes():,} nodes")
    graph = ox.simplify_graph(raw)
    say("Adding speeds and travel times")
    add_speeds(graph, profile)
    say("Keeping the largest strongly connected component")
    graph, dropped_nodes, dropped_edges = largest_strong_component(graph)
    if dropped_nodes:
        log.warning(
            "dropped %d nodes and %d edges outside the largest strongly connected component",
            dropped_nodes,
            dropped_edges,
        )
    validate_graph(graph)
    total_km = sum(float(d["length"]) for _, _, d in graph.edges(data=True)) / 1000.0
    meta = GraphMeta(
        source=source,
        source_kind=source_kind,
        osm_timestamp=osm_timestamp.isoformat() if osm_timestamp else None,
        osm_timestamp_source=osm_timestamp_source,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        profile_name=profile.name,
        profile_hash=profile.hash,
        schematic=schematic,
        network_filter=NETWORK_FILTER_NAME,
        n_nodes=graph.number_of_nodes(),
        n_edges=graph.number_of_edges(),
        total_length_km=round(total_km, 3),
        dropped_nodes=dropped_nodes,
        dropped_edges=dropped_edges,
        ways_read=ways[0] if ways else None,
        ways_kept=ways[1] if ways else None,
        osmnx_version=version("osmnx"),
        extra=extra or {},
    )
    graph.graph["schematic"] = schematic
    graph.graph["siaga_label"] = meta.label
    say("Packing the routing arrays")
    return BuildResult(graph=graph, road=pack_graph(graph, meta))


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, to recognise a cache built from the same input."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def add_speeds(graph: nx.MultiDiGraph, profile: SpeedProfile) -> None:
    """Set ``speed_kph`` and ``travel_time_s`` on every edge from its tags and ``length``."""
    for _, _, data in graph.edges(data=True):
        speed = profile.edge_speed_kph(data.get("highway"), data.get("maxspeed"), data.get("surface"))
        data["speed_kph"] = speed
        length = data.get("length")
        data["travel_time_s"] = float(length) / (speed / 3.6) if _finite(length) else math.nan


def largest_strong_component(graph: nx.MultiDiGraph) -> tuple[nx.MultiDiGraph, int, int]:
    """The largest strongly connected component, and how many nodes and edges were dropped."""
    if graph.number_of_nodes() == 0:
        return graph, 0, 0
    biggest = max(nx.strongly_connected_components(graph), key=len)
    kept = graph.subgraph(biggest).copy()
    return (
        kept,
        graph.number_of_nodes() - kept.number_of_nodes(),
        graph.number_of_edges() - kept.number_of_edges(),
    )


def validate_graph(graph: nx.MultiDiGraph) -> None:
    """Check the finished graph; collect every problem and raise :class:`GraphBuildError` once."""
    problems: list[str] = []
    if graph.number_of_nodes() == 0:
        problems.append("the graph has no nodes")
    if graph.number_of_edges() == 0:
        problems.append("the graph has no edges")
    crs = str(graph.graph.get("crs", "")).lower()
    if crs not in {"epsg:4326", "wgs84"}:
        problems.append(f"CRS is {crs or 'missing'}; expected EPSG:4326 (unprojected WGS84)")
    bad_xy = [n for n, d in graph.nodes(data=True) if not _valid_lonlat(d.get("x"), d.get("y"))]
    if bad_xy:
        problems.append(f"{len(bad_xy)} nodes have missing or out-of-range coordinates, e.g. {bad_xy[:3]}")
    checks: dict[str, list[tuple[Any, Any]]] = {
        "missing or non-positive length": [],
        "missing, NaN or zero speed_kph": [],
        "missing, NaN or non-positive travel_time_s": [],
    }
    for u, v, d in graph.edges(data=True):
        length = d.get("length")
        if not _finite(length) or length < 0:
            checks["missing or non-positive length"].append((u, v))
        if not _finite(d.get("speed_kph")) or d["speed_kph"] <= 0:
            checks["missing, NaN or zero speed_kph"].append((u, v))
        if not _finite(d.get("travel_time_s")) or d["travel_time_s"] < 0:
            checks["missing, NaN or non-positive travel_time_s"].append((u, v))
    for what, edges in checks.items():
        if edges:
            problems.append(f"{len(edges)} edges have {what}, e.g. {edges[:3]}")
    if problems:
        raise GraphBuildError("the road graph failed validation", problems)


def _is_schematic(graph: nx.MultiDiGraph) -> bool:
    """A graph containing any schematic way is schematic as a whole: never pass it off as real."""
    return any(_has_value(d.get("source"), SCHEMATIC_SOURCE_TAG) for _, _, d in graph.edges(data=True))


def _drop_non_emergency(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    drop = [
        (u, v, k)
        for u, v, k, d in graph.edges(keys=True, data=True)
        if not is_emergency_drivable({t: str(d[t]) for t in d if isinstance(d[t], str)})
    ]
    graph.remove_edges_from(drop)
    graph.remove_nodes_from([n for n in list(graph.nodes) if graph.degree(n) == 0])
    return graph


@contextmanager
def _way_tags() -> Iterator[None]:
    """Ask osmnx to keep the extra way tags we need (surface, emergency access, schematic marker)."""
    import osmnx as ox  # here, not at the top: ~1.7 s to import, and loading a cached graph needs none of it

    saved = list(ox.settings.useful_tags_way)
    ox.settings.useful_tags_way = saved + [t for t in EXTRA_WAY_TAGS if t not in saved]
    try:
        yield
    finally:
        ox.settings.useful_tags_way = saved


def _has_value(value: Any, wanted: str) -> bool:
    if isinstance(value, list):
        return wanted in value
    return bool(value == wanted)


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _valid_lonlat(lon: Any, lat: Any) -> bool:
    return _finite(lon) and _finite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90


def _quiet(_: str) -> None:
    return None
