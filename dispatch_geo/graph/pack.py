"""networkx MultiDiGraph (osmnx conventions) → compact :class:`RoadGraph` arrays."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np

from dispatch_geo.graph.roadgraph import GraphMeta, RoadGraph


def pack_graph(graph: nx.MultiDiGraph, meta: GraphMeta) -> RoadGraph:
    """Number the nodes by OSM id, sort edges by tail into CSR order and flatten their geometry.

    Edge attributes used: ``length``, ``speed_kph``, ``travel_time_s``, ``highway``, ``surface`` and
    an optional shapely ``geometry`` (osmnx sets it on simplified edges; a straight line otherwise).
    """
    osmids = np.array(sorted(graph.nodes), dtype=np.int64)
    index = {int(n): i for i, n in enumerate(osmids)}
    node_lon = np.array([graph.nodes[int(n)]["x"] for n in osmids], dtype=np.float64)
    node_lat = np.array([graph.nodes[int(n)]["y"] for n in osmids], dtype=np.float64)

    highway_names: dict[str, int] = {"": 0}
    surface_names: dict[str, int] = {"": 0}
    tails: list[int] = []
    heads: list[int] = []
    lengths: list[float] = []
    times: list[float] = []
    speeds: list[float] = []
    highways: list[int] = []
    surfaces: list[int] = []
    geoms: list[np.ndarray[Any, np.dtype[np.float64]]] = []
    for u, v, data in graph.edges(data=True):
        ui, vi = index[int(u)], index[int(v)]
        tails.append(ui)
        heads.append(vi)
        lengths.append(float(data["length"]))
        times.append(float(data["travel_time_s"]))
        speeds.append(float(data["speed_kph"]))
        highways.append(highway_names.setdefault(main_class(data.get("highway")), len(highway_names)))
        surfaces.append(surface_names.setdefault(_first(data.get("surface")), len(surface_names)))
        geom = data.get("geometry")
        if geom is not None:
            coords = np.asarray(geom.coords, dtype=np.float64)[:, :2]
        else:
            coords = np.array([[node_lon[ui], node_lat[ui]], [node_lon[vi], node_lat[vi]]])
        geoms.append(coords)

    tail = np.asarray(tails, dtype=np.int64)
    order = np.argsort(tail, kind="stable")
    tail = tail[order]
    head = np.asarray(heads, dtype=np.int64)[order]
    geoms = [geoms[i] for i in order]
    counts = np.array([g.shape[0] for g in geoms], dtype=np.int64)
    geom_offsets = np.zeros(len(geoms) + 1, dtype=np.int64)
    np.cumsum(counts, out=geom_offsets[1:])
    flat = np.concatenate(geoms) if geoms else np.zeros((0, 2))
    indptr = np.zeros(len(osmids) + 1, dtype=np.int64)
    np.cumsum(np.bincount(tail, minlength=len(osmids)), out=indptr[1:])
    length_m = np.asarray(lengths, dtype=np.float64)[order]

    return RoadGraph(
        meta=meta,
        node_osmid=osmids,
        node_lon=node_lon,
        node_lat=node_lat,
        indptr=indptr,
        tail=tail,
        head=head,
        length_m=length_m,
        travel_time_s=np.asarray(times, dtype=np.float64)[order],
        speed_kph=np.asarray(speeds, dtype=np.float64)[order],
        highway=np.asarray(highways, dtype=np.int64)[order],
        surface=np.asarray(surfaces, dtype=np.int64)[order],
        highway_names=tuple(highway_names),
        surface_names=tuple(surface_names),
        twin=find_twins(tail, head, length_m),
        geom_offsets=geom_offsets,
        geom_lon=np.ascontiguousarray(flat[:, 0]),
        geom_lat=np.ascontiguousarray(flat[:, 1]),
    )


def find_twins(
    tail: np.ndarray[Any, np.dtype[np.int64]],
    head: np.ndarray[Any, np.dtype[np.int64]],
    length_m: np.ndarray[Any, np.dtype[np.float64]],
) -> np.ndarray[Any, np.dtype[np.int64]]:
    """For each edge u→v, the edge v→u of (nearly) the same length — the same road driven back — or -1.

    Pairs are symmetric: ``twin[twin[e]] == e`` whenever ``twin[e] >= 0``.
    """
    by_pair: dict[tuple[int, int], list[int]] = {}
    for e, (u, v) in enumerate(zip(tail.tolist(), head.tolist(), strict=True)):
        by_pair.setdefault((u, v), []).append(e)
    twin = np.full(tail.shape[0], -1, dtype=np.int64)
    for e, (u, v) in enumerate(zip(tail.tolist(), head.tolist(), strict=True)):
        if twin[e] >= 0 or u == v:
            continue
        candidates = [c for c in by_pair.get((v, u), []) if twin[c] < 0]
        best = min(candidates, key=lambda c: abs(length_m[c] - length_m[e]), default=-1)
        if best >= 0 and abs(length_m[best] - length_m[e]) <= max(1.0, 0.01 * length_m[e]):
            twin[e], twin[best] = best, e
    return twin


_CLASS_RANK = (
    "motorway",
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "unclassified",
    "residential",
    "living_street",
    "road",
    "busway",
    "service",
    "track",
)


def main_class(value: Any) -> str:
    """The most important highway class of an edge whose ``highway`` may be a list after merging."""
    values = [str(v) for v in value] if isinstance(value, list) else [str(value or "")]

    def rank(name: str) -> tuple[int, str]:
        base = name.removesuffix("_link")
        return (_CLASS_RANK.index(base) if base in _CLASS_RANK else len(_CLASS_RANK), name)

    return min(values, key=rank) if values else ""


def _first(value: Any) -> str:
    """The first value of a possibly list-valued tag (osmnx merges tags on simplified edges)."""
    if isinstance(value, list):
        value = sorted(str(v) for v in value)[0] if value else ""
    return "" if value is None else str(value)
