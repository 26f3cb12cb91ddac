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
not be alive while the metric changes: every RoutingKit call runs on the router's own thread
(:class:`_Owner`), which keeps one many-to-one query (its entry nodes pinned until a ranking asks for
others) and one point-to-point query between rankings and drops them before a re-weighting.
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import routingkit_cch as rk

from dispatch_geo.errors import InputError
from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.routing.travel_time import EdgePoint, TimesToTarget, TravelTimeRouter

log = logging.getLogger(__name__)
T = TypeVar("T")

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

    ``order`` is the cached :func:`node_order` of ``road`` (computed here when not given). With
    ``background`` the hierarchy is built only once :meth:`prepare` is called, on the router's own
    thread, and until it is customised every query is answered by the exact Dijkstra search of the
    base class (a server is ready seconds sooner; RoutingKit holds the GIL while it builds, so a
    query in that window waits for it).
    """

    _built: Future[None] | None = None

    def __init__(self, road: RoadGraph, order: IntArray | None = None, *, background: bool = False) -> None:
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
        self._owner = _Owner()
        self._ready = threading.Event()
        self._order: IntArray | None = order
        if not background:
            self.prepare().result()

    def prepare(self) -> Future[None]:
        """Start building the hierarchy on the router's own thread (once); until it is ready the
        queries are answered by the Dijkstra search. A server calls it once it answers requests."""
        with self._lock:
            if self._built is None:
                self._built = self._owner.submit(self._build, self._order)
                self._built.add_done_callback(_log_failure)
                self._order = None
            return self._built

    @property
    def ready(self) -> bool:
        """True once the hierarchy answers the queries (always, unless built in the background)."""
        return self._ready.is_set()

    def wait_ready(self, timeout_s: float | None = None) -> bool:
        """Wait until the hierarchy answers the queries; False when ``timeout_s`` passed first."""
        return self._ready.wait(timeout_s)

    def _build(self, order: IntArray | None) -> None:
        """Contract and customise (on the owner thread), then apply the closures set meanwhile."""
        road, held = self.road, self._owner.held
        assert order is not None
        held["cch"] = rk.CCH(order.tolist(), road.tail.tolist(), road.head.tolist(), False)
        held["metric"] = rk.CCHMetric(held["cch"], self.weights.tolist())
        with self._lock:  # set_closed waits on the owner thread only once ready: no deadlock
            if self._closed:
                self._reweight({e: INF_WEIGHT for e in self._closed})
            self._matrix = None  # the Dijkstra fallback's matrix is not needed any more
            self._ready.set()

    def times_to(
        self,
        target: EdgePoint,
        sources: list[EdgePoint] | tuple[EdgePoint, ...],
        *,
        need: int | None = None,
        initial_limit_s: float = 900.0,
    ) -> TimesToTarget:
        """Exact travel time of every source to ``target``; with ``need`` = k only of those that can
        be among the k fastest (the others come back ``inf``, as from the bounded Dijkstra).

        A sweep costs about the union of the pinned units' search spaces, so for a ranking the units
        are timed in order of a lower bound (:meth:`lower_bounds_s`): first the :attr:`first_timed`
        nearest, then every other unit whose bound does not exceed the k-th time found.
        """
        if not self._ready.is_set():
            return super().times_to(target, sources, need=need, initial_limit_s=initial_limit_s)
        target = self.at_junction(target)
        src_edge, src_frac = self._source_arrays(sources)
        ends = _target_ends(*self.target_entries(target))
        wanted = min(need or 0, src_edge.shape[0])
        first = max(self.first_timed, wanted)
        if not wanted or src_edge.shape[0] <= first:
            times, via, node_time = self._timed(src_edge, src_frac, target, ends)
            return TimesToTarget(times, via, node_time, _NO_TREE, np.inf, target)
        lower = self.lower_bounds_s(src_edge, target)
        by_bound = np.argsort(lower, kind="stable")
        timed = by_bound[:first]
        times, via, node_time = self._timed(src_edge[timed], src_frac[timed], target, ends)
        kth = float(np.sort(times)[wanted - 1])
        rest = by_bound[first:]
        rest = rest[lower[rest] <= kth]
        if rest.shape[0]:
            more = self._timed(src_edge[rest], src_frac[rest], target, ends)
            timed = np.concatenate([timed, rest])
            times, via = np.concatenate([times, more[0]]), np.concatenate([via, more[1]])
            node_time = np.minimum(node_time, more[2])
        all_times = np.full(src_edge.shape[0], np.inf)
        all_via = np.full(src_edge.shape[0], -3, dtype=np.int64)
        all_times[timed], all_via[timed] = times, via
        limit = np.inf if timed.shape[0] == src_edge.shape[0] else kth
        return TimesToTarget(all_times, all_via, node_time, _NO_TREE, limit, target)

    first_timed = 20
    """Units a ranking times first (the nearest by :meth:`lower_bounds_s`); then those that may still
    beat the k-th."""

    def lower_bounds_s(self, src_edge: IntArray, target: EdgePoint) -> FloatArray:
        """A time no source can beat: the great-circle distance from its edge's nearer end to the
        nearer end of the target's edge at the fastest straight-line speed of any road segment
        (:attr:`max_speed_mps`); 0 for a source on the target's own road. Closures only add time."""
        road = self.road
        ends = np.array([road.tail[target.edge], road.head[target.edge]])
        metres = np.min(
            [
                _great_circle_m(road, node, end)
                for node in (road.tail[src_edge], road.head[src_edge])
                for end in ends
            ],
            axis=0,
        )
        bound = metres / self.max_speed_mps * (1.0 - 1e-3) - 0.01  # slack for rounding
        same_road = (src_edge == target.edge) | (src_edge == road.twin[target.edge])
        return np.where(same_road, 0.0, np.maximum(bound, 0.0))

    @functools.cached_property
    def max_speed_mps(self) -> float:
        """The highest great-circle speed between an edge's ends over its travel time (any route
        between two nodes is at least their great-circle distance at this speed)."""
        road = self.road
        metres = _great_circle_m(road, road.tail, road.head)
        with np.errstate(divide="ignore", invalid="ignore"):
            speed = np.where(metres > 0, metres / road.travel_time_s, 0.0)  # a zero-time segment: inf
        return float(np.max(speed, initial=0.0))

    def _timed(
        self, src_edge: IntArray, src_frac: FloatArray, target: EdgePoint, ends: list[tuple[int, int]]
    ) -> tuple[FloatArray, IntArray, FloatArray]:
        """Times and entry nodes of these sources (one sweep), and the times of their entry nodes."""
        road = self.road
        entry = np.unique(np.concatenate([road.head[src_edge], road.tail[src_edge]]))
        entry_time = (
            _seconds(self._owner.call(self._entry_distances, entry, ends)) if entry.shape[0] else np.empty(0)
        )
        node_time = np.full(road.n_nodes, np.inf)
        node_time[entry] = entry_time
        times, via, _ = self._finish(node_time, src_edge, src_frac, target, np.inf)
        return times, via, node_time

    def _entry_distances(self, entry: IntArray, ends: list[tuple[int, int]]) -> list[int | None]:
        """Distances from the entry nodes to the target's ends (on the owner thread). The entry
        nodes stay pinned until the next ranking asks for others (units did not move: no pinning)."""
        held = self._owner.held
        key = entry.tobytes()
        many_to_one = held.get("many_to_one")
        if many_to_one is None:
            held["pinned"] = None
            many_to_one = held["many_to_one"] = rk.CCHManyToOne(held["metric"], entry.tolist())
        elif held["pinned"] != key:
            held["pinned"] = None
            many_to_one.repin_sources(entry.tolist())
        held["pinned"] = key
        distances: list[int | None] = many_to_one.distances_to_multi(ends)
        return distances

    def path_edges(self, result: TimesToTarget, start_node: int) -> list[int]:
        """Edges from ``start_node`` to the target's edge, unpacked from the hierarchy (one query)."""
        if result.next_node.shape[0]:  # answered by the Dijkstra search while the hierarchy was built
            return super().path_edges(result, start_node)
        if result.target is None:
            raise InputError("a route needs the target the travel times were computed for")
        ends = _target_ends(*self.target_entries(result.target))
        distance, arcs = self._owner.call(self._unpack, int(start_node), ends)
        if distance is None or distance >= INF_WEIGHT:
            raise InputError(f"node {start_node} cannot reach the target")
        return arcs

    def _unpack(self, start_node: int, ends: list[tuple[int, int]]) -> tuple[int | None, list[int]]:
        """One point-to-point query with its path (on the owner thread, reusing its query object)."""
        held = self._owner.held
        query = held.get("query")
        if query is None:
            query = held["query"] = rk.CCHQuery(held["metric"])
        found = query.run_multi([(start_node, 0)], ends)
        distance, arcs = found.distance, list(found.arc_path)
        del found  # the query is reusable once its result is dropped
        return distance, arcs

    def path_nodes(self, result: TimesToTarget, start_node: int) -> list[int]:
        """Graph nodes from ``start_node`` to the target's edge."""
        if result.next_node.shape[0]:
            return super().path_nodes(result, start_node)
        return [start_node] + [int(self.road.head[e]) for e in self.path_edges(result, start_node)]

    def _apply_closed(self, before: frozenset[int], after: frozenset[int]) -> None:
        """Re-weight only the edges whose state changed (called under the base lock)."""
        super()._apply_closed(before, after)
        if not self._ready.is_set():
            return  # the build applies the closures in force when it ends
        updates = {e: INF_WEIGHT for e in after - before}
        updates.update({e: int(self.weights[e]) for e in before - after})
        self._owner.call(self._reweight, updates)

    def _reweight(self, updates: dict[int, int]) -> None:
        """Drop the query objects (none may be alive while the metric changes), then re-weight."""
        held = self._owner.held
        for name in ("many_to_one", "pinned", "query"):
            held.pop(name, None)
        updater = held.get("updater")
        if updater is None:
            updater = held["updater"] = rk.CCHMetricPartialUpdater(held["cch"])
        updater.apply(held["metric"], updates)


class _Owner:
    """The one thread that makes, uses and drops a router's RoutingKit objects.

    RoutingKit's query objects are *unsendable* (used and dropped on the thread that made them) and
    the metric may change only while none is alive. Kept on one thread, they live between queries:
    a query object allocates labels for every node (milliseconds at 400k nodes) and pinning the
    units' entry nodes walks their search spaces, so both are done once, not per ranking, and they
    are dropped on this thread before a re-weighting. ``held`` is touched only on this thread.
    """

    def __init__(self) -> None:
        self.held: dict[str, Any] = {}
        self._tasks: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]] | None] = (
            queue.SimpleQueue()
        )
        done = threading.Event()
        thread = threading.Thread(target=_serve, args=(self._tasks, self.held, done), name="cch", daemon=True)
        thread.start()
        weakref.finalize(self, _release, self._tasks, done, thread)

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        future: Future[T] = Future()
        self._tasks.put((future, fn, args))
        return future

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        return self.submit(fn, *args).result()


def _serve(
    tasks: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]] | None],
    held: dict[str, Any],
    done: threading.Event,
) -> None:
    """The owner thread: run the tasks in order; at the end drop the objects here (queries first)."""
    while (task := tasks.get()) is not None:
        future, fn, args = task
        if future.set_running_or_notify_cancel():
            try:
                future.set_result(fn(*args))
            except BaseException as exc:  # RoutingKit's panics are BaseExceptions; the caller gets it
                future.set_exception(exc)
        del task, future, fn, args
    for name in ("many_to_one", "pinned", "query", "updater", "metric", "cch"):
        held.pop(name, None)
    done.set()


def _log_failure(built: Future[None]) -> None:
    failure = None if built.cancelled() else built.exception()
    if failure is not None:
        log.error("the contraction hierarchy could not be built; routing stays on Dijkstra: %s", failure)


def _release(tasks: queue.SimpleQueue[Any], done: threading.Event, thread: threading.Thread) -> None:
    """End the owner thread when its router is gone (and wait briefly, so that at interpreter exit
    the objects are dropped on their thread, not left to the interpreter's teardown)."""
    tasks.put(None)
    if threading.current_thread() is not thread:
        done.wait(2.0)


_NO_TREE = np.empty(0, dtype=np.int64)
"""``next_node`` of a CCH answer: no search tree (routes are unpacked from the hierarchy)."""


def check_order(order: IntArray, n_nodes: int) -> None:
    """Raise :class:`InputError` unless ``order`` is a permutation of ``0..n_nodes-1``."""
    if order.shape != (n_nodes,) or not np.array_equal(np.sort(order), np.arange(n_nodes)):
        raise InputError(
            f"the cached CCH node order does not fit this graph ({order.shape[0]} entries for {n_nodes} "
            "nodes); rebuild the graph with `dispatch-geo graph build`"
        )


def _great_circle_m(road: RoadGraph, a: IntArray, b: IntArray) -> FloatArray:
    """Great-circle distance in metres between nodes ``a`` and ``b`` (haversine, mean Earth radius)."""
    lon_a, lat_a = np.radians(road.node_lon[a]), np.radians(road.node_lat[a])
    lon_b, lat_b = np.radians(road.node_lon[b]), np.radians(road.node_lat[b])
    h = np.sin((lat_b - lat_a) / 2) ** 2 + np.cos(lat_a) * np.cos(lat_b) * np.sin((lon_b - lon_a) / 2) ** 2
    return np.asarray(2 * 6_371_000.0 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))), dtype=np.float64)


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
