"""Tiny hand-checkable road graphs for the coverage tests (real Siak coordinates, chosen travel times)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import networkx as nx
from pyproj import Geod

from dispatch_geo.graph.pack import pack_graph
from dispatch_geo.graph.roadgraph import GraphMeta, RoadGraph

GEOD = Geod(ellps="WGS84")
STEP_DEG = 0.01  # about 1.11 km at the equator
LON0, LAT0 = 102.0, 0.8


def meta(*, schematic: bool, n_nodes: int = 0, n_edges: int = 0) -> GraphMeta:
    return GraphMeta(
        source="tests",
        source_kind="test",
        osm_timestamp=None,
        osm_timestamp_source="none",
        built_at="2026-01-01T00:00:00+00:00",
        profile_name="test",
        profile_hash="0",
        schematic=schematic,
        network_filter="test",
        n_nodes=n_nodes,
        n_edges=n_edges,
        total_length_km=0.0,
    )


def make_road(
    nodes: Mapping[int, tuple[float, float]],
    roads: Sequence[tuple[int, int, float]],
    *,
    one_way: Sequence[tuple[int, int, float]] = (),
    schematic: bool = False,
) -> RoadGraph:
    """Two-way ``roads`` and ``one_way`` roads as ``(u, v, travel_time_s)``; nodes ``id -> (lon, lat)``."""
    g = nx.MultiDiGraph()
    for node, (lon, lat) in nodes.items():
        g.add_node(node, x=lon, y=lat)

    def add(u: int, v: int, time_s: float) -> None:
        (lon1, lat1), (lon2, lat2) = nodes[u], nodes[v]
        length = GEOD.inv(lon1, lat1, lon2, lat2)[2]
        g.add_edge(
            u, v, length=length, travel_time_s=time_s, speed_kph=length / time_s * 3.6, highway="tertiary"
        )

    for u, v, t in roads:
        add(u, v, t)
        add(v, u, t)
    for u, v, t in one_way:
        add(u, v, t)
    return pack_graph(g, meta(schematic=schematic, n_nodes=len(nodes), n_edges=g.number_of_edges()))


def line_road(n: int = 5, time_s: float = 60.0, *, schematic: bool = False) -> RoadGraph:
    """Nodes 1..n west to east along one two-way road, ``time_s`` per segment."""
    nodes = {i: (LON0 + (i - 1) * STEP_DEG, LAT0) for i in range(1, n + 1)}
    return make_road(nodes, [(i, i + 1, time_s) for i in range(1, n)], schematic=schematic)


def edge_between(road: RoadGraph, u_osm: int, v_osm: int) -> int:
    """Index of the directed edge from OSM node ``u_osm`` to ``v_osm``."""
    u = int((road.node_osmid == u_osm).nonzero()[0][0])
    v = int((road.node_osmid == v_osm).nonzero()[0][0])
    for e in range(int(road.indptr[u]), int(road.indptr[u + 1])):
        if int(road.head[e]) == v:
            return e
    raise KeyError((u_osm, v_osm))


def node_index(road: RoadGraph, osm: int) -> int:
    return int((road.node_osmid == osm).nonzero()[0][0])
