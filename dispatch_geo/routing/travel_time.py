"""Travel times from many vehicles to one place, over the road graph, in one C-level search.

Both the vehicles and the incident sit *on edges* (see :mod:`dispatch_geo.graph.snap`), not on
nodes. The incident becomes a virtual node joined to the nodes around it in the **reversed** graph,
so one Dijkstra from it (scipy.sparse.csgraph, bounded by a time limit that grows until no vehicle
outside it could beat the k-th inside) gives every node's travel time *to* the incident. Each
vehicle then finishes its own edge: forwards to the edge's head, or — on a two-way road — turning
round to its tail.

A point within :data:`JUNCTION_TOLERANCE_M` of either end of its edge is *at the junction*: it is
routed as that node, reachable from and leaving by every road that meets there — also when the
snapper happened to put it at the far end of a one-way street (which alone could only be entered
from its start) or at the start of one (which alone could only be left by driving it).
"""

from __future__ import annotations

import dataclasses
import itertools
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from dispatch_geo.errors import InputError
from dispatch_geo.graph.roadgraph import RoadGraph

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_MIN_WEIGHT = 1e-9  # csgraph drops explicit zeros; keep zero-length edges connected
ALONG_TARGET_EDGE = -1
"""``via_node`` code: the source drives straight along the target's own edge."""
ALONG_TARGET_TWIN = -2
"""``via_node`` code: the source drives straight along the twin of the target's edge."""
JUNCTION_TOLERANCE_M = 1.0
"""A point this close (road metres) to an end of its edge is at that junction and routed as the node."""


@dataclass(frozen=True)
class EdgePoint:
    """A place on a directed edge: ``fraction`` of the way from its tail (0) to its head (1)."""

    edge: int
    fraction: float


@dataclass(frozen=True)
class TimesToTarget:
    """Result of :meth:`TravelTimeRouter.times_to`.

    ``time_s[i]`` is source ``i``'s exact travel time to the target (``inf`` when unreachable, or
    when a bounded search stopped before it could time it exactly) and ``via_node[i]`` the graph
    node it enters the shared network at. ``node_time_s`` and ``next_node`` describe the search
    tree: every node's time to the target and the next node on its way (-1 at the end).
    ``via_node`` is :data:`ALONG_TARGET_EDGE` or :data:`ALONG_TARGET_TWIN` for a source already on
    the target's road and ahead of it.
    """

    time_s: FloatArray
    via_node: IntArray
    node_time_s: FloatArray
    next_node: IntArray
    limit_s: float
    target: EdgePoint | None = None
    """The target as the router saw it (after :meth:`TravelTimeRouter.at_junction`)."""


class TravelTimeRouter:
    """One-to-many travel times towards a target on a :class:`RoadGraph`. Build once; thread-safe."""

    def __init__(self, road: RoadGraph) -> None:
        self.road = road
        self._matrix: sp.csr_matrix | None = None  # built on the first search (a CCH router never needs it)
        self._slot = 0
        self._virtual = road.n_nodes
        self._lock = threading.Lock()
        self._closed: frozenset[int] = frozenset()
        # the fastest edge between each ordered node pair, to turn node paths into edge paths: sorted
        # pair keys and their edge (of equally fast parallel edges, the higher-numbered one), looked up
        # by binary search; array operations, as a dict of every pair took seconds to build at 400k nodes
        keys = road.tail.astype(np.int64) * road.n_nodes + road.head
        order = np.lexsort((-np.arange(road.n_edges), road.travel_time_s, keys))
        self._pair_keys, first = np.unique(keys[order], return_index=True)
        self._pair_edge = order[first]
        self._osm_edges: dict[tuple[int, int], int | None] = {}
        """(tail, head) OSM node ids → the fastest edge between them (None: not in this graph), as
        found: a recommendation asks for every candidate unit's snapped edge, mostly the same ones."""

    def _reverse_matrix(self) -> sp.csr_matrix:
        """The reversed travel-time matrix with one extra row for the virtual target (call under the lock)."""
        if self._matrix is None:
            road = self.road
            n = road.n_nodes
            reverse = self.road_now().weight_matrix("travel_time_s", reverse=True)
            # one extra row for the virtual target node, with two slots rewritten per query
            indptr = np.concatenate([reverse.indptr, [reverse.indptr[-1] + 2]])
            indices = np.concatenate([reverse.indices, [0, 0]]).astype(np.int32)
            data = np.concatenate([reverse.data, [1.0, 1.0]])
            self._matrix = sp.csr_matrix((data, indices, indptr), shape=(n + 1, n + 1))
            self._slot = int(reverse.indptr[-1])
        return self._matrix

    def prepare(self) -> object:
        """Start any preparation left for the background once the caller answers requests (a
        :class:`~dispatch_geo.routing.cch.CchRouter` builds its hierarchy); nothing here."""
        return None

    @property
    def closed_edges(self) -> frozenset[int]:
        """Edges closed to traffic (road closures); no route passes through them."""
        return self._closed

    def set_closed(self, edges: Iterable[int]) -> None:
        """Close exactly ``edges`` (reopening any other); the next query respects it.

        A closure stops traffic *through* a road: a unit or an incident on the closed road itself is
        still timed along its own stretch of it.
        """
        closed = frozenset(int(e) for e in edges)
        bad = [e for e in closed if not 0 <= e < self.road.n_edges]
        if bad:
            raise InputError(f"edge {bad[0]} does not exist in a graph of {self.road.n_edges} edges")
        with self._lock:
            if closed != self._closed:
                self._apply_closed(self._closed, closed)
                self._closed = closed

    def _apply_closed(self, before: frozenset[int], after: frozenset[int]) -> None:
        """Make the search see ``after`` closed instead of ``before`` (called under the lock)."""
        self._matrix = None  # rebuilt on the next search

    def road_now(self) -> RoadGraph:
        """The road graph with closed roads' travel times infinite (the same arrays otherwise)."""
        if not self._closed:
            return self.road
        times = self.road.travel_time_s.copy()
        times[list(self._closed)] = np.inf
        return dataclasses.replace(self.road, travel_time_s=times)

    def times_to(
        self,
        target: EdgePoint,
        sources: list[EdgePoint] | tuple[EdgePoint, ...],
        *,
        need: int | None = None,
        initial_limit_s: float = 900.0,
    ) -> TimesToTarget:
        """Travel time of every source to ``target``.

        With ``need`` = k the search is bounded: it grows from ``initial_limit_s`` until no source
        it has not timed exactly could still beat the k-th. A source whose road leads to a node past
        the radius may have a faster way round through that node, so its time is only an upper
        bound, and the radius plus its own part of the road to that node a lower bound; the search
        stops when every source whose lower bound is below the k-th time is exact. Every finite
        time returned is exact; the others come back ``inf``. Without ``need`` every reachable
        source gets its exact time.
        """
        target = self.at_junction(target)
        tail, to_tail, head, to_head = self.target_entries(target)
        src_edge, src_frac = self._source_arrays(sources)
        limit = float(initial_limit_s) if need else np.inf
        wanted = min(need or 0, len(sources))
        while True:
            node_time, nxt = self._search(tail, to_tail, head, to_head, limit)
            times, via, lower = self._finish(node_time, src_edge, src_frac, target, limit)
            if not np.isfinite(limit):
                return TimesToTarget(times, via, node_time, nxt, limit, target)
            ranked = np.sort(times[np.isfinite(times)])
            if ranked.shape[0] >= wanted:
                kth = float(ranked[wanted - 1]) if wanted else 0.0
                exact = times <= lower
                if not np.any(~exact & (lower < kth)):
                    return TimesToTarget(np.where(exact, times, np.inf), via, node_time, nxt, limit, target)
                # a search to the k-th time settles the k (and any that could beat them) at once
                limit = min(2.0 * limit, kth)
            elif limit > 4 * 24 * 3600:
                limit = np.inf
            else:
                limit *= 2

    def target_entries(self, target: EdgePoint) -> tuple[int, float, int, float]:
        """How a target (already :meth:`at_junction`) is reached: ``(tail, time from tail, head, time from
        head)``; the time from the head is ``inf`` on a one-way street (entered only at its tail)."""
        road = self.road
        e, g = target.edge, float(target.fraction)
        tt = road.travel_time_s
        twin = int(road.twin[e])
        to_tail = max(g * tt[e], _MIN_WEIGHT)
        # a one-way street is entered only at its tail, unless the target is its head node
        back_s = (1.0 - g) * tt[twin] if twin >= 0 else (0.0 if g == 1.0 else np.inf)
        return int(road.tail[e]), to_tail, int(road.head[e]), max(back_s, _MIN_WEIGHT)

    def _source_arrays(self, sources: list[EdgePoint] | tuple[EdgePoint, ...]) -> tuple[IntArray, FloatArray]:
        """Sources as edge and fraction arrays, checked, with junction points set to 0 or 1."""
        src_edge = np.fromiter((s.edge for s in sources), dtype=np.int64, count=len(sources))
        src_frac = np.fromiter((s.fraction for s in sources), dtype=np.float64, count=len(sources))
        self._check_many(src_edge, src_frac)
        return src_edge, self._junction_fractions(src_edge, src_frac)

    def edge_point_from_osm(self, u_osmid: int, v_osmid: int, offset_m: float) -> EdgePoint | None:
        """The place ``offset_m`` along the edge between two OSM nodes, or None if this graph lacks it.

        Ingest stores a unit's snapped edge by OSM node ids, which stay valid across graph rebuilds
        as long as the road is still there.
        """
        key = (u_osmid, v_osmid)
        if key in self._osm_edges:
            edge = self._osm_edges[key]
        else:
            edge = self._osm_edge(u_osmid, v_osmid)
            self._osm_edges[key] = edge  # at most one entry per road edge of the graph
        if edge is None:
            return None
        length = float(self.road.length_m[edge])
        return EdgePoint(edge, min(max(offset_m / length, 0.0), 1.0) if length > 0 else 0.0)

    def _osm_edge(self, u_osmid: int, v_osmid: int) -> int | None:
        ids = self.road.node_osmid
        ui, vi = (int(i) for i in np.searchsorted(ids, [u_osmid, v_osmid]))
        if ui >= ids.shape[0] or vi >= ids.shape[0] or ids[ui] != u_osmid or ids[vi] != v_osmid:
            return None
        return self._fastest_or_none(ui, vi)

    def at_junction(self, point: EdgePoint) -> EdgePoint:
        """``point`` checked, with its fraction set to exactly 0 or 1 when it lies at a junction.

        A point within :data:`JUNCTION_TOLERANCE_M` of its edge's tail (head) is that node; the
        router treats such a point as the node itself, whatever edge it was snapped to.
        """
        if not 0 <= point.edge < self.road.n_edges:
            raise InputError(f"edge {point.edge} does not exist in a graph of {self.road.n_edges} edges")
        if not 0.0 <= point.fraction <= 1.0:
            raise InputError(f"fraction {point.fraction} must be between 0 and 1")
        length = float(self.road.length_m[point.edge])
        from_tail, from_head = point.fraction * length, (1.0 - point.fraction) * length
        if from_tail <= JUNCTION_TOLERANCE_M and from_tail <= from_head:
            return point if point.fraction == 0.0 else EdgePoint(point.edge, 0.0)
        if from_head <= JUNCTION_TOLERANCE_M:
            return point if point.fraction == 1.0 else EdgePoint(point.edge, 1.0)
        return point

    def _junction_fractions(self, edges: IntArray, fractions: FloatArray) -> FloatArray:
        """``fractions`` with those within the junction tolerance of an edge's end set to 0 or 1.

        The vectorised twin of :meth:`at_junction` (same rule, same arithmetic).
        """
        length = self.road.length_m[edges]
        from_tail, from_head = fractions * length, (1.0 - fractions) * length
        at_tail = (from_tail <= JUNCTION_TOLERANCE_M) & (from_tail <= from_head)
        at_head = ~at_tail & (from_head <= JUNCTION_TOLERANCE_M)
        return np.where(at_tail, 0.0, np.where(at_head, 1.0, fractions))

    def fastest_edge(self, u: int, v: int) -> int:
        """Index of the fastest edge from node ``u`` to node ``v`` (KeyError if there is none)."""
        edge = self._fastest_or_none(u, v)
        if edge is None:
            raise KeyError((u, v))
        return edge

    def _fastest_or_none(self, u: int, v: int) -> int | None:
        n = self.road.n_nodes
        if not (0 <= u < n and 0 <= v < n):
            return None
        key = u * n + v
        i = int(np.searchsorted(self._pair_keys, key))
        if i < self._pair_keys.shape[0] and int(self._pair_keys[i]) == key:
            return int(self._pair_edge[i])
        return None

    def path_edges(self, result: TimesToTarget, start_node: int) -> list[int]:
        """Edges from ``start_node`` to the target's edge (the fastest open one of parallel edges)."""
        edges = []
        for u, v in itertools.pairwise(self.path_nodes(result, start_node)):
            edge = self.fastest_edge(u, v)
            if edge in self._closed:
                road = self.road
                open_ = [
                    e
                    for e in range(int(road.indptr[u]), int(road.indptr[u + 1]))
                    if int(road.head[e]) == v and e not in self._closed
                ]
                edge = min(open_, key=lambda e: float(road.travel_time_s[e]))
            edges.append(edge)
        return edges

    def path_nodes(self, result: TimesToTarget, start_node: int) -> list[int]:
        """Graph nodes from ``start_node`` to the target's edge, following the search tree."""
        nodes = [start_node]
        while True:
            nxt = int(result.next_node[nodes[-1]])
            if nxt < 0 or nxt == self._virtual:
                return nodes
            nodes.append(nxt)
            if len(nodes) > self.road.n_nodes:
                raise RuntimeError("routing tree has a cycle")

    def _search(
        self, tail: int, to_tail: float, head: int, to_head: float, limit: float
    ) -> tuple[FloatArray, IntArray]:
        with self._lock:
            matrix = self._reverse_matrix()
            slot = self._slot
            matrix.indices[slot] = tail
            matrix.data[slot] = to_tail
            # no way in at the head: a harmless self-loop (a huge weight would reach nodes that
            # cannot reach the target, with a huge but finite time)
            matrix.indices[slot + 1] = head if np.isfinite(to_head) else self._virtual
            matrix.data[slot + 1] = to_head if np.isfinite(to_head) else 1.0
            dist, pred = dijkstra(
                matrix,
                directed=True,
                indices=self._virtual,
                limit=limit,
                return_predecessors=True,
            )
        return np.asarray(dist[:-1], dtype=np.float64), np.asarray(pred[:-1], dtype=np.int64)

    def _finish(
        self,
        node_time: FloatArray,
        src_edge: IntArray,
        src_frac: FloatArray,
        target: EdgePoint,
        limit: float,
    ) -> tuple[FloatArray, IntArray, FloatArray]:
        """Each source's best time (exact over the nodes reached), its entry node, and a lower bound.

        A node past the search ``limit`` is at least ``limit`` from the target, so a way through it
        takes at least the source's own part of the road to it plus ``limit``.
        """
        road = self.road
        tt = road.travel_time_s
        # forwards along the source's edge to its head
        heads = road.head[src_edge]
        own_forward = (1.0 - src_frac) * tt[src_edge]
        forward = own_forward + node_time[heads]
        best = forward
        via = heads.copy()
        lower = np.where(np.isfinite(forward), forward, own_forward + limit)
        # turning round on a two-way road: along the twin to the edge's tail; a source at the
        # tail node (even of a one-way street) is already there
        twins = road.twin[src_edge]
        has_twin = twins >= 0
        at_tail = src_frac == 0.0
        own_back = np.full(src_edge.shape[0], np.inf)
        own_back[at_tail] = 0.0
        own_back[has_twin] = src_frac[has_twin] * tt[twins[has_twin]]
        back = own_back + node_time[road.tail[src_edge]]
        lower = np.minimum(lower, np.where(np.isfinite(back), back, own_back + limit))
        use_back = back < best
        best = np.where(use_back, back, best)
        via = np.where(use_back, road.tail[src_edge], via)
        # already on the target's road: drive straight along it, forwards or (two-way) backwards
        e, g = target.edge, target.fraction
        twin_e = int(road.twin[e])
        on_road = src_edge == e
        pos = np.where(on_road, src_frac, np.nan)  # position along the target's edge
        if twin_e >= 0:
            on_twin = src_edge == twin_e
            pos = np.where(on_twin, 1.0 - src_frac, pos)
            on_road |= on_twin
        ahead = on_road & (pos <= g)
        direct = np.where(ahead, (g - pos) * tt[e], np.inf)
        via_direct = np.where(ahead, ALONG_TARGET_EDGE, ALONG_TARGET_TWIN)
        if twin_e >= 0:
            behind = on_road & (pos > g)
            direct = np.where(behind, (pos - g) * tt[twin_e], direct)
        use_direct = direct < best
        best = np.where(use_direct, direct, best)
        via = np.where(use_direct, via_direct, via)
        return best, via, np.minimum(lower, direct)

    def _check_many(self, edges: IntArray, fractions: FloatArray) -> None:
        bad_edge = (edges < 0) | (edges >= self.road.n_edges)
        if bad_edge.any():
            first = int(edges[np.flatnonzero(bad_edge)[0]])
            raise InputError(f"edge {first} does not exist in a graph of {self.road.n_edges} edges")
        bad_fraction = ~((fractions >= 0.0) & (fractions <= 1.0))
        if bad_fraction.any():
            first_f = float(fractions[np.flatnonzero(bad_fraction)[0]])
            raise InputError(f"fraction {first_f} must be between 0 and 1")
