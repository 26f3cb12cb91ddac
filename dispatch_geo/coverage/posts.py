"""Posts (stations) as coverage origins: a small adapter so coverage does not depend on the fleet file.

A :class:`Post` is the plain record the coverage code needs. :func:`posts_from_fleet` picks the posts of
one service from a :class:`~dispatch_geo.domain.fleet_csv.Fleet` (a post counts when at least one of
its units is of a type that serves it, see ``UNIT_TYPES_FOR_SERVICE``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
from shapely.geometry import Point

from dispatch_geo.coverage.standards import SERVICES, UNIT_TYPES_FOR_SERVICE
from dispatch_geo.domain.fleet_csv import Fleet
from dispatch_geo.errors import InputError
from dispatch_geo.graph.snap import EdgeSnapper
from dispatch_geo.routing.travel_time import EdgePoint


@dataclass(frozen=True)
class Post:
    """A station or unit position used as an origin. ``approximate``: the position is a stand-in."""

    id: str
    name: str
    agency: str
    lon: float
    lat: float
    approximate: bool = False


def posts_from_fleet(fleet: Fleet, service: str) -> list[Post]:
    """The fleet's posts that have at least one unit serving ``service``, in file order."""
    if service not in SERVICES:
        raise InputError(f"unknown service {service!r}; expected one of {', '.join(SERVICES)}")
    types = UNIT_TYPES_FOR_SERVICE[service]
    with_units = {u.station_id for u in fleet.units if str(u.unit_type) in types}
    return [
        Post(s.id, s.name, str(s.agency), s.location.lon, s.location.lat, s.approximate)
        for s in fleet.stations
        if s.id in with_units
    ]


def posts_frame(posts: Sequence[Post]) -> gpd.GeoDataFrame:
    """Posts as a GeoDataFrame (EPSG:4326) with ``id``, ``name``, ``agency``, ``approximate``."""
    return gpd.GeoDataFrame(
        {
            "id": [p.id for p in posts],
            "name": [p.name for p in posts],
            "agency": [p.agency for p in posts],
            "approximate": [p.approximate for p in posts],
        },
        geometry=[Point(p.lon, p.lat) for p in posts],
        crs="EPSG:4326",
    )


def snap_posts(snapper: EdgeSnapper, posts: Sequence[Post]) -> list[EdgePoint]:
    """Each post's place on the road network (nearest edge and fraction along it)."""
    if not posts:
        return []
    result = snapper.snap(np.array([p.lon for p in posts]), np.array([p.lat for p in posts]))
    return [EdgePoint(int(e), float(f)) for e, f in zip(result.edge, result.fraction, strict=True)]
