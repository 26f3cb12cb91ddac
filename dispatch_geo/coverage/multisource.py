"""Travel times from many origins (posts, unit positions) to every road node in one search.

Each origin sits *on an edge* (see :mod:`dispatch_geo.graph.snap`) and becomes a virtual node joined to
the road network: forwards along its edge to the edge's head, and — on a two-way road — backwards along
the twin to the tail. One multi-source Dijkstra (``scipy.sparse.csgraph.dijkstra`` with all virtual
nodes as ``indices`` and ``min_only=True``) then gives every node its travel time from the *nearest*
origin and which origin that is. This is the forward graph (origins outwards), unlike
:mod:`dispatch_geo.routing.travel_time`, which searches the reversed graph towards one incident.

A point partway along an edge is reached at ``min(T[tail] + f·t_e, T[head] + (1−f)·t_twin)``, or
straight along the edge when an origin sits on the same road behind it
(:func:`time_at_edge_points`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from dispatch_geo.errors import InputError
from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.routing.travel_time import EdgePoint

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_MIN_WEIGHT = 1e-9  # csgraph drops explicit zeros
NO_ORIGIN = -1
"""``origin`` code of a node no origin reaches (within the limit)."""


@dataclass(frozen=True)
class NodeTimes:
    """Result of :func:`multi_source_times`.

    ``time_s[v]`` is the travel time from the nearest origin to node ``v`` (``inf`` when unreachable
    or beyond ``limit_s``); ``origin[v]`` the index (into the origins given) of that origin, or
    :data:`NO_ORIGIN`. ``origins`` are the origins themselves, in the order given.
    """

    time_s: FloatArray
    origin: IntArray
    origins: tuple[EdgePoint, ...]
    limit_s: float


def check_origins(road: RoadGraph, origins: Sequence[EdgePoint]) -> None:
    """Raise one :class:`InputError` listing every origin that is not a valid point of ``road``."""
    problems = [
        f"origin {i}: edge {p.edge} not in 0..{road.n_edges - 1} or fraction {p.fraction} not in [0, 1]"
        for i, p in enumerate(origins)
        if not (0 <= p.edge < road.n_edges and 0.0 <= p.fraction <= 1.0)
    ]
    if problems:
        raise InputError(f"{len(problems)} invalid origin(s): " + "; ".join(problems))


def with_virtual_origins(
    road: RoadGraph, origins: Sequence[EdgePoint], *, base: sp.csr_matrix | None = None
) -> sp.csr_matrix:
    """The forward travel-time matrix plus one virtual node per origin (indices ``n .. n+k-1``).

    ``base`` may pass a precomputed ``road.weight_matrix("travel_time_s")`` to save rebuilding it.
    """
    n, k = road.n_nodes, len(origins)
    forward = base if base is not None else road.weight_matrix("travel_time_s")
    tt = road.travel_time_s
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for i, p in enumerate(origins):
        e, f = p.edge, float(p.fraction)
        rows.append(n + i)
        cols.append(int(road.head[e]))
        vals.append(max((1.0 - f) * tt[e], _MIN_WEIGHT))
        twin = int(road.twin[e])
        if twin >= 0:
            rows.append(n + i)
            cols.append(int(road.tail[e]))
            vals.append(max(f * tt[twin], _MIN_WEIGHT))
    extra = sp.csr_matrix((vals, (rows, cols)), shape=(n + k, n + k))
    grown = sp.csr_matrix(
        (forward.data, forward.indices, np.concatenate([forward.indptr, np.full(k, forward.indptr[-1])])),
        shape=(n + k, n + k),
    )
    return sp.csr_matrix(grown + extra)


def multi_source_times(
    road: RoadGraph,
    origins: Sequence[EdgePoint],
    *,
    limit_s: float = np.inf,
    base: sp.csr_matrix | None = None,
) -> NodeTimes:
    """Every node's travel time from its nearest origin, in one multi-source Dijkstra.

    Parameters
    ----------
    road
        The road graph.
    origins
        Points on edges (posts or units, already snapped).
    limit_s
        Stop the search at this travel time; farther nodes get ``inf`` (faster for short standards).
    base
        Optional precomputed forward weight matrix of ``road`` (``road.weight_matrix()``).

    Returns
    -------
    NodeTimes
        Per-node time and nearest-origin index.
    """
    check_origins(road, origins)
    n = road.n_nodes
    if not origins:
        return NodeTimes(np.full(n, np.inf), np.full(n, NO_ORIGIN, dtype=np.int64), (), float(limit_s))
    matrix = with_virtual_origins(road, origins, base=base)
    dist, _pred, sources = dijkstra(
        matrix,
        directed=True,
        indices=np.arange(n, n + len(origins)),
        min_only=True,
        limit=limit_s,
        return_predecessors=True,
    )
    time_s = np.asarray(dist[:n], dtype=np.float64)
    src = np.asarray(sources[:n], dtype=np.int64)
    origin = np.where((src >= n) & np.isfinite(time_s), src - n, NO_ORIGIN).astype(np.int64)
    return NodeTimes(time_s=time_s, origin=origin, origins=tuple(origins), limit_s=float(limit_s))


def time_at_edge_points(
    road: RoadGraph, times: NodeTimes, edges: npt.ArrayLike, fractions: npt.ArrayLike
) -> tuple[FloatArray, IntArray]:
    """Travel time (and nearest origin) to points partway along edges.

    A point at fraction ``f`` of edge ``e`` (tail ``u`` → head ``v``) is reached through ``u`` and
    ``f`` of the edge, through ``v`` and ``1 − f`` of the twin on a two-way road, or straight along the
    road from an origin on the same road behind it (in the direction of travel allowed).
    """
    e = np.asarray(edges, dtype=np.int64).ravel()
    f = np.asarray(fractions, dtype=np.float64).ravel()
    tt = road.travel_time_s
    best = times.time_s[road.tail[e]] + f * tt[e]
    who = times.origin[road.tail[e]].copy()
    twin = road.twin[e]
    has = twin >= 0
    back = np.full(e.shape[0], np.inf)
    back[has] = times.time_s[road.head[e[has]]] + (1.0 - f[has]) * tt[twin[has]]
    use = back < best
    best = np.where(use, back, best)
    who = np.where(use, times.origin[road.head[e]], who)
    for i, p in enumerate(times.origins):
        # along the origin's own edge (forwards) or its twin (backwards)
        for oe, of in ((p.edge, p.fraction), (int(road.twin[p.edge]), 1.0 - p.fraction)):
            if oe < 0:
                continue
            same = e == oe
            ahead = same & (f >= of)
            direct = np.where(ahead, (f - of) * tt[oe], np.inf)
            twin_oe = int(road.twin[oe])
            if twin_oe >= 0:
                on_twin = e == twin_oe
                g = 1.0 - f  # position along oe of a point on its twin
                direct = np.where(on_twin & (g >= of), (g - of) * tt[oe], direct)
            use = direct < best
            best = np.where(use, direct, best)
            who = np.where(use, i, who)
    best = np.where(best <= times.limit_s, best, np.inf)
    who = np.where(np.isfinite(best), who, NO_ORIGIN)
    return best, who.astype(np.int64)
