"""What the dispatch services need from the geography, built once at start-up and shared (read-only)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from dispatch_geo.gazetteer import Gazetteer
from dispatch_geo.graph.roadgraph import RoadGraph
from dispatch_geo.graph.snap import EdgeSnapper
from dispatch_geo.places import PlaceIndex
from dispatch_geo.routing.nearest import DEFAULT_STALE_AFTER_S, SnapCache
from dispatch_geo.routing.travel_time import TravelTimeRouter
from dispatch_geo.seats import KecamatanSeat, load_kecamatan_seats


@dataclass
class ClosureState:
    """The ids of the active road closures the router currently has applied (None: not yet synced)."""

    applied: frozenset[int] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class GeoContext:
    """Road graph, its router and snapper, the gazetteer, and the recommendation defaults.

    Parameters
    ----------
    road
        The road graph every ETA is computed on.
    router, snapper
        Built once from ``road`` (:class:`TravelTimeRouter` is thread-safe).
    gazetteer
        Desa/kecamatan lookup, with the outside-the-regency buffer.
    places
        The point every desa (settlement core) and kecamatan (seat) resolves to on ``road``.
    stale_after_s
        A unit position older than this is stale (REFERENCE.md §4: ranked separately).
    k
        Units ranked per requirement.
    """

    road: RoadGraph
    router: TravelTimeRouter
    snapper: EdgeSnapper
    gazetteer: Gazetteer
    places: PlaceIndex
    stale_after_s: float = DEFAULT_STALE_AFTER_S
    k: int = 5
    eta_cache: dict[tuple[Any, ...], Any] = field(default_factory=dict, compare=False, repr=False)
    """Road ETAs already computed for a unit's last fix (see :func:`dispatch.facilities.eta_from_unit`)."""
    snap_cache: SnapCache = field(default_factory=dict, compare=False, repr=False)
    """Unit positions already snapped on ``road`` (see :func:`dispatch_geo.routing.nearest.recommend`)."""
    closure_state: ClosureState = field(default_factory=lambda: ClosureState(), compare=False, repr=False)
    """Which road closures the router has applied (see :func:`dispatch.closures.sync_closures`)."""

    @classmethod
    def build(
        cls,
        road: RoadGraph,
        gazetteer: Gazetteer,
        *,
        snap_max_distance_m: float,
        stale_after_s: float = DEFAULT_STALE_AFTER_S,
        k: int = 5,
        seats: Sequence[KecamatanSeat] | None = None,
        router: TravelTimeRouter | None = None,
    ) -> GeoContext:
        """Build the router, snapper and place points for ``road`` (seconds on a regency-scale graph).

        ``seats`` defaults to ``data/siak_kecamatan_seats.csv`` (:func:`load_kecamatan_seats`);
        ``router`` to the Dijkstra :class:`TravelTimeRouter` (the composition root picks the engine).
        """
        snapper = EdgeSnapper(road, max_distance_m=snap_max_distance_m)
        seats = load_kecamatan_seats() if seats is None else seats
        return cls(
            road=road,
            router=router if router is not None else TravelTimeRouter(road),
            snapper=snapper,
            gazetteer=gazetteer,
            places=PlaceIndex.build(road=road, gazetteer=gazetteer, snapper=snapper, seats=seats),
            stale_after_s=stale_after_s,
            k=k,
        )

    @property
    def schematic(self) -> bool:
        """True when the graph is the schematic stand-in, not real roads."""
        return bool(self.road.meta.schematic)

    @property
    def label(self) -> str:
        """The SCHEMATIC warning or the OSM attribution, to show with every result."""
        return str(self.road.meta.label)

    def graph_flags(self) -> dict[str, Any]:
        """``{"schematic": ..., "label": ...}`` for every response built on the graph."""
        return {"schematic": self.schematic, "label": self.label}
