"""Travel times many-to-one with a Customizable Contraction Hierarchy (CCH), behind the router interface.

The one module that imports ``routingkit_cch`` (RoutingKit's CCH through Rust/Python bindings; a young
package, pinned exactly in ``pyproject.toml``). :class:`CchRouter` answers exactly what
:class:`~dispatch_geo.routing.travel_time.TravelTimeRouter` answers — units and the incident on
edges, offsets along their edges, junction tolerance, one-way streets, turning round on two-way roads
— so dispatch, coverage and the API do not change; only the search in the middle is different:

- the *node order* (inertial nested dissection, seconds at 400k nodes) depends on the graph alone; it
  is computed when the graph is built and cached with it (:func:`node_order`);
- the *metric* holds the travel times as whole multiples of :data:`QUANTUM_S` (RoutingKit's weights
  are 32-bit integers); every time returned is the exact shortest time over those rounded road
  segments, which differs from the unrounded sum by at most half a quantum per segment;
- a query pins the nodes where the units enter the network (each unit's edge head and tail), sweeps
  once towards the (at most two) nodes the incident is reached from, each with its rounded time to
  the incident, and finishes each unit's own part of its edge in floating point, as the Dijkstra
  router does — so a time differs from the unrounded one by at most half a quantum per segment, plus
  half a quantum for the incident's own edge;
- a route is unpacked only when asked (:meth:`CchRouter.path_edges`), by one point-to-point query.

RoutingKit's query objects are *unsendable* (used and dropped on the thread that made them) and must
not be alive while the metric changes; each query makes its own (microseconds) under one lock.
"""

from __future__ import annotations

import logging
import threading

import numpy as np
import numpy.typing as npt
import routingkit_cch as rk

from dispatch_geo.errors import InputError
from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.routing.travel_time import EdgePoint, TimesToTarget, TravelTimeRouter

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

QUANTUM_S = 1e-4
"""Travel times are held in the CCH as whole tenths of a millisecond."""
INF_WEIGHT = 2**31 - 2
"""RoutingKit's ``inf_weight``: an arc of this weight is never used (a closed road)."""
MAX_SEGMENT_S = 6 * 3600.0
"""The longest single road segment a CCH router accepts (a route may sum to about 59 h)."""


def node_order(road: RoadGraph) -> IntArray:
    """The CCH node order of ``road`` (inertial nested dissection on the node coordinates)."""
    order = rk.compute_order_inertial(
        road.n_nodes, road.tail.tolist(), road.head.tolist(), road.node_lat.tolist(), road.node_lon.tolist()
    )
    return np.asarray(order, dtype=np.int64)


def quantise(travel_time_s: FloatArray) -> IntArray:
    """Travel times as CCH weights (whole :data:`QUANTUM_S`)."""
    return np.rint(np.asarray(travel_time_s, dtype=np.float64) / QUANTUM_S).astype(np.int64)


class CchRouter(TravelTimeRouter):
    """:class:`TravelTimeRouter` with a CCH search instead of a bounded Dijkstra. Thread-safe.

    ``order`` is the cached :func:`node_order` of ``road`` (computed here when not given).
    """

    def __init__(self, road: RoadGraph, order: IntArray | None = None) -> None:
        super().__init__(road)
        if order is None:
            log.info("no cached CCH node order for this graph; computing it (%d nodes)", road.n_nodes)
            order = node_order(road)
        check_order(order, road.n_nodes)
        too_long = np.flatnonzero(~(road.travel_time_s <= MAX_SEGMENT_S))
        if too_long.shape[0]:
            raise InputError(
                f"{too_long.shape[0]} road segment(s) take longer than {MAX_SEGMENT_S:.0f} s (edge "
                f"{int(too_long[0])}: {float(road.travel_time_s[too_long[0]]):.0f} s); set "
                "SIAGA_ROUTING_ENGINE=dijkstra or check the speed profile"
            )
        self.weights = quantise(road.travel_time_s)
        self._cch = rk.CCH(order.tolist(), road.tail.tolist(), road.head.tolist(), False)
        self._metric = rk.CCHMetric(self._cch, self.weights.tolist())
        self._cch_lock = threading.Lock()

    def times_to(
        self,
        target: EdgePoint,
        sources: list[EdgePoint] | tuple[EdgePoint, ...],
        *,
        need: int | None = None,
        initial_limit_s: float = 900.0,
    ) -> TimesToTarget:
        """Exact travel time of every source to ``target`` (``need`` and the limit are not needed:
        a CCH sweep times every source at once)."""
        road = self.road
        target = self.at_junction(target)
        tail, to_tail, head, to_head = self.target_entries(target)
        src_edge, src_frac = self._source_arrays(sources)
        entry = np.unique(np.concatenate([road.head[src_edge], road.tail[src_edge]]))
        ends = _target_ends(tail, to_tail, head, to_head)
        with self._cch_lock:
            many_to_one = rk.CCHManyToOne(self._metric, entry.tolist())
            entry_time = _seconds(many_to_one.distances_to_multi(ends))
            del many_to_one  # created, used and dropped on this thread (RoutingKit's are unsendable)
        node_time = np.full(road.n_nodes, np.inf)
        node_time[entry] = entry_time
        times, via, _ = self._finish(node_time, src_edge, src_frac, target, np.inf)
        return TimesToTarget(times, via, node_time, np.empty(0, dtype=np.int64), np.inf, target)

    def path_edges(self, result: TimesToTarget, start_node: int) -> list[int]:
        """Edges from ``start_node`` to the target's edge, unpacked from the hierarchy (one query)."""
        if result.target is None:
            raise InputError("a route needs the target the travel times were computed for")
        ends = _target_ends(*self.target_entries(result.target))
        with self._cch_lock:
            query = rk.CCHQuery(self._metric)
            found = query.run_multi([(int(start_node), 0)], ends)
            distance, arcs = found.distance, list(found.arc_path)
            del found, query  # dropped on this thread, before the metric may change
        if distance is None or distance >= INF_WEIGHT:
            raise InputError(f"node {start_node} cannot reach the target")
        return arcs

    def path_nodes(self, result: TimesToTarget, start_node: int) -> list[int]:
        """Graph nodes from ``start_node`` to the target's edge."""
        return [start_node] + [int(self.road.head[e]) for e in self.path_edges(result, start_node)]

    def _apply_closed(self, before: frozenset[int], after: frozenset[int]) -> None:
        """Re-weight only the edges whose state changed (called under the base lock)."""
        super()._apply_closed(before, after)
        updates = {e: INF_WEIGHT for e in after - before}
        updates.update({e: int(self.weights[e]) for e in before - after})
        with self._cch_lock:  # no query object is alive outside this lock
            updater = rk.CCHMetricPartialUpdater(self._cch)
            updater.apply(self._metric, updates)
            del updater


def check_order(order: IntArray, n_nodes: int) -> None:
    """Raise :class:`InputError` unless ``order`` is a permutation of ``0..n_nodes-1``."""
    if order.shape != (n_nodes,) or not np.array_equal(np.sort(order), np.arange(n_nodes)):
        raise InputError(
            f"the cached CCH node order does not fit this graph ({order.shape[0]} entries for {n_nodes} "
            "nodes); rebuild the graph with `dispatch-geo graph build`"
        )


def _target_ends(tail: int, to_tail_s: float, head: int, to_head_s: float) -> list[tuple[int, int]]:
    """The nodes the target is reached from, with the (rounded) time from each to the target."""
    ends = [(tail, int(quantise(np.array([to_tail_s]))[0]))]
    if np.isfinite(to_head_s):
        ends.append((head, int(quantise(np.array([to_head_s]))[0])))
    return ends


def _seconds(distances: list[int | None]) -> FloatArray:
    """RoutingKit distances (None = unreachable) in seconds."""
    out = np.array([INF_WEIGHT if d is None else d for d in distances], dtype=np.float64)
    out[out >= INF_WEIGHT] = np.inf
    return out * QUANTUM_S
