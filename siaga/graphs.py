"""Which road graph the running system uses, and building it on first use.

A graph built from real OpenStreetMap data (``dispatch-geo graph build``) always wins. Without one,
the schematic stand-in shipped in ``data/`` is built once and cached; everything derived from it is
labelled schematic.
"""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from dispatch_geo.boundaries import METRIC_CRS, load_boundaries
from dispatch_geo.errors import GraphCacheError, InputError
from dispatch_geo.graph.build import BuildResult, Progress, build_from_file, file_sha256
from dispatch_geo.graph.cache import load_graph, load_order, read_meta, save_graph, save_order
from dispatch_geo.graph.profile import load_profile
from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.routing.travel_time import TravelTimeRouter
from siaga.settings import Settings

log = logging.getLogger(__name__)


def service_area(settings: Settings) -> Polygon | MultiPolygon:
    """The regency outline buffered by ``graph_border_buffer_m`` (roads just across the border count)."""
    boundaries = load_boundaries(settings.boundaries_path)
    area = buffer_m(boundaries.outline, settings.graph_border_buffer_m)
    if not isinstance(area, Polygon | MultiPolygon):
        raise InputError(f"the service area is a {area.geom_type}, expected a (multi)polygon")
    return area


def buffer_m(geometry: BaseGeometry, distance_m: float) -> BaseGeometry:
    """Buffer a WGS84 geometry by metres (through UTM 47N, see dispatch_geo.boundaries.METRIC_CRS)."""
    series = gpd.GeoSeries([geometry], crs="EPSG:4326").to_crs(METRIC_CRS).buffer(distance_m)
    result: BaseGeometry = series.to_crs("EPSG:4326").iloc[0]
    return result


def cache_dir_for(result: BuildResult, settings: Settings) -> Path:
    """Real and schematic graphs live in separate caches so one is never taken for the other."""
    return settings.schematic_graph_dir if result.road.meta.schematic else settings.osm_graph_dir


def build_and_cache(
    source: Path, settings: Settings, *, progress: Progress | None = None, directory: Path | None = None
) -> tuple[BuildResult, Path]:
    """Build a graph from a local OSM file, clipped to the service area, and cache it (in ``directory``
    when given, else where the server looks)."""
    profile = load_profile(settings.speed_profile_path)
    result = build_from_file(source, profile, clip_polygon=service_area(settings), progress=progress)
    directory = directory or cache_dir_for(result, settings)
    save_graph(result.road, directory, gis=True, progress=progress)
    save_node_order(result.road, directory, progress=progress)
    return result, directory


def save_node_order(road: RoadGraph, directory: Path, *, progress: Progress | None = None) -> None:
    """Compute the CCH node order of a freshly built graph and cache it beside the graph."""
    from dispatch_geo.routing.cch import node_order

    if progress is not None:
        progress(f"Ordering {road.n_nodes:,} nodes for the contraction hierarchy")
    save_order(directory, node_order(road), road)


def make_router(road: RoadGraph, directory: Path | None, settings: Settings) -> TravelTimeRouter:
    """The router ``settings.routing_engine`` asks for: CCH with the node order cached in ``directory``
    (computed and cached there when missing; built in the background when
    ``settings.routing_cch_background``, answering with Dijkstra until then), or the Dijkstra fallback."""
    if settings.routing_engine == "dijkstra":
        return TravelTimeRouter(road)
    from dispatch_geo.routing.cch import CchRouter, node_order

    order = load_order(directory, road) if directory is not None else None
    if order is None:
        order = node_order(road)
        if directory is not None:
            save_order(directory, order, road)
    return CchRouter(road, order, background=settings.routing_cch_background)


def resolve_graph(settings: Settings, *, progress: Progress | None = None) -> tuple[RoadGraph, Path]:
    """The graph to run with: the cached real OSM graph, else the (cached) schematic stand-in."""
    try:
        meta = read_meta(settings.osm_graph_dir)
        if not meta.schematic:
            return load_graph(settings.osm_graph_dir), settings.osm_graph_dir
    except GraphCacheError:
        pass
    schematic_source = settings.schematic_osm_path
    if not schematic_source.exists():
        raise InputError(
            f"no road graph: neither a real OSM graph cache in {settings.osm_graph_dir} nor the "
            f"schematic source {schematic_source}"
        )
    profile = load_profile(settings.speed_profile_path)
    try:
        meta = read_meta(settings.schematic_graph_dir)
        fresh = (
            meta.extra.get("source_sha256") == file_sha256(schematic_source)
            and meta.profile_hash == profile.hash
        )
        if fresh:
            return load_graph(settings.schematic_graph_dir), settings.schematic_graph_dir
        log.info("schematic graph cache is out of date; rebuilding")
    except GraphCacheError:
        log.info("no schematic graph cache yet; building it")
    result, directory = build_and_cache(schematic_source, settings, progress=progress)
    return result.road, directory
