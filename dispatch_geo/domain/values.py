"""Small immutable value types shared by every package."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from dispatch_geo.errors import InputError

WIB = ZoneInfo("Asia/Jakarta")
"""Western Indonesia Time, the zone every user-facing time is shown in."""


@dataclass(frozen=True, slots=True)
class LonLat:
    """A WGS84 position, longitude first as in GeoJSON (RFC 7946).

    Construction validates the ranges, so a ``LonLat`` in hand is always a real place on Earth.
    """

    lon: float
    lat: float

    def __post_init__(self) -> None:
        problems = []
        if not (isinstance(self.lon, int | float) and math.isfinite(self.lon) and -180 <= self.lon <= 180):
            problems.append(f"longitude {self.lon!r} must be a finite number in [-180, 180]")
        if not (isinstance(self.lat, int | float) and math.isfinite(self.lat) and -90 <= self.lat <= 90):
            problems.append(f"latitude {self.lat!r} must be a finite number in [-90, 90]")
        if problems:
            raise InputError("; ".join(problems))

    def as_geojson(self) -> list[float]:
        """``[lon, lat]`` as RFC 7946 wants it."""
        return [self.lon, self.lat]


def require_aware(moment: datetime, what: str = "time") -> datetime:
    """Return ``moment`` if it carries a timezone, else raise :class:`InputError`."""
    if moment.tzinfo is None or moment.tzinfo.utcoffset(moment) is None:
        raise InputError(f"{what} {moment.isoformat()} has no timezone; expected a timezone-aware datetime")
    return moment


def to_wib(moment: datetime) -> datetime:
    """Convert an aware datetime to WIB (Asia/Jakarta) for display."""
    return require_aware(moment).astimezone(WIB)
