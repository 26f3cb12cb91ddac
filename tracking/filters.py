"""An ordered chain of small, pure plausibility checks on a decoded fix (as Traccar's ``FilterHandler``).

:func:`apply_filters` runs :data:`CHAIN` in order and stops at the first check that rejects, returning its
reason; then it adds *flags*, which mark a fix without dropping it. Reasons:

``out_of_range``
    Coordinates not finite or outside [-90, 90] / [-180, 180] (a :class:`~dispatch_geo.domain.values.LonLat`
    cannot normally hold them; kept so the chain is total), or a fix time before ``min_fix_time``: a tracker
    whose clock is unset reports 1970, or 1980-01-06 (the GPS epoch), or a date ~19.6 years back after a GPS
    week-number rollover.
``null_island``
    (0, 0) within ``null_island_tolerance_deg``: the device had no fix and sent zeros.
``future_fix``
    Fix time more than ``max_future_s`` after the server received it (device clock ahead).
``duplicate``
    Same device, fix time and position as ``prev``: an MQTT retained message replayed on re-subscribe, or a
    QoS 1 redelivery.
``outside_service_area``
    Outside the service area (a bounding box plus a buffer, or any predicate): a sign or hemisphere error.
``implausible_jump``
    Reaching this fix from ``prev`` needs more than ``max_speed_kph`` (after allowing ``jump_slack_m`` plus
    both fixes' accuracy radii for GPS noise). Skipped when the fixes are more than ``jump_window_s`` apart,
    so one bad fix that got through cannot freeze a unit for longer than that.

Flags: ``low_accuracy`` when ``accuracy_m`` exceeds ``low_accuracy_m`` (shown, but not trusted for
recommending the nearest unit).

``prev`` is the same device's previous *accepted* fix (or ``None``). "Now" is ``fix.received_at``, so the
chain needs no clock and replays deterministically.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from dispatch_geo.domain.values import LonLat
from dispatch_geo.errors import InputError
from tracking.fix import PositionFix

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), for haversine distances."""
_M_PER_DEG_LAT = 111_320.0


def haversine_m(a: LonLat, b: LonLat) -> float:
    """Great-circle distance between two points, metres."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat = lat2 - lat1
    dlon = math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True, slots=True)
class BBox:
    """A lon/lat bounding box (WGS84 degrees, not crossing the antimeridian)."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def __post_init__(self) -> None:
        if not (self.min_lon <= self.max_lon and self.min_lat <= self.max_lat):
            raise InputError(
                f"bounding box {self} has min > max; expected min_lon <= max_lon, min_lat <= max_lat"
            )

    def contains(self, point: LonLat, buffer_m: float = 0.0) -> bool:
        """Whether ``point`` lies in the box grown by about ``buffer_m`` metres on every side."""
        min_lon, min_lat, max_lon, max_lat = _grown(self, buffer_m)
        return min_lon <= point.lon <= max_lon and min_lat <= point.lat <= max_lat


@functools.lru_cache(maxsize=64)
def _grown(box: BBox, buffer_m: float) -> tuple[float, float, float, float]:
    """``box`` grown by about ``buffer_m`` metres on every side (cached: ingest asks for every fix)."""
    dlat = buffer_m / _M_PER_DEG_LAT
    widest = max(abs(box.min_lat), abs(box.max_lat)) + dlat
    dlon = buffer_m / (_M_PER_DEG_LAT * max(math.cos(math.radians(min(widest, 89.0))), 1e-6))
    return (box.min_lon - dlon, box.min_lat - dlat, box.max_lon + dlon, box.max_lat + dlat)


SIAK_BBOX = BBox(min_lon=100.98, min_lat=0.41, max_lon=102.90, max_lat=1.23)
"""Extent of Kabupaten Siak (siak-data README: lon 100.98-102.90 E, lat 0.41-1.23 N)."""

ServiceArea = BBox | Callable[[LonLat], bool]


@dataclass(frozen=True, slots=True)
class FilterConfig:
    """Thresholds of the filter chain; every one configurable.

    Attributes
    ----------
    max_future_s
        Largest tolerated lead of ``fix_time`` over ``received_at`` (device clock drift).
    max_speed_kph
        Fastest implied speed between consecutive fixes; 250 km/h is beyond any ambulance or fire engine on
        Siak's roads (legal limits ≤ 100 km/h, REFERENCE.md §2) yet tolerant of a quick dash on the toll road.
    jump_slack_m
        Distance always allowed between two fixes regardless of time (GPS noise), added to both fixes'
        accuracy radii.
    jump_window_s
        Fixes further apart in time than this are not compared for speed.
    service_area
        A :class:`BBox` (grown by ``service_area_buffer_m``), a predicate on the position, or ``None`` to
        switch the check off. Default: :data:`SIAK_BBOX`.
    service_area_buffer_m
        Buffer around a bounding-box service area. 75 km keeps referral trips to Pekanbaru and Dumai
        hospitals while still catching sign and hemisphere errors (−0.7° is ~120 km off).
    low_accuracy_m
        Accuracy radius above which a fix is flagged ``low_accuracy``.
    min_fix_time
        Earliest plausible fix time.
    null_island_tolerance_deg
        How close to (0, 0) counts as "no fix".
    """

    max_future_s: float = 300.0
    max_speed_kph: float = 250.0
    jump_slack_m: float = 50.0
    jump_window_s: float = 900.0
    service_area: ServiceArea | None = SIAK_BBOX
    service_area_buffer_m: float = 75_000.0
    low_accuracy_m: float = 100.0
    min_fix_time: datetime = field(default=datetime(2000, 1, 1, tzinfo=UTC))
    null_island_tolerance_deg: float = 1e-4

    def __post_init__(self) -> None:
        problems = [
            f"{name} {getattr(self, name)!r} must be a finite number >= 0"
            for name in (
                "max_future_s",
                "max_speed_kph",
                "jump_slack_m",
                "jump_window_s",
                "service_area_buffer_m",
                "low_accuracy_m",
                "null_island_tolerance_deg",
            )
            if not (math.isfinite(getattr(self, name)) and getattr(self, name) >= 0)
        ]
        if self.max_speed_kph <= 0:
            problems.append("max_speed_kph must be > 0")
        if self.min_fix_time.tzinfo is None:
            problems.append("min_fix_time must be timezone-aware")
        if problems:
            raise InputError("invalid FilterConfig: " + "; ".join(problems))


@dataclass(frozen=True, slots=True)
class FilterResult:
    """Verdict on one fix: ``accepted``, the first ``reason`` it was rejected for, and its ``flags``."""

    accepted: bool
    reason: str | None
    flags: frozenset[str]


Check = Callable[[PositionFix, PositionFix | None, FilterConfig], bool]
"""A check answers "reject?" for a fix, the device's previous accepted fix, and the configuration."""


def _out_of_range(fix: PositionFix, prev: PositionFix | None, cfg: FilterConfig) -> bool:
    lon, lat = fix.position.lon, fix.position.lat
    coordinates_ok = math.isfinite(lon) and math.isfinite(lat) and abs(lat) <= 90.0 and abs(lon) <= 180.0
    return not coordinates_ok or fix.fix_time < cfg.min_fix_time


def _null_island(fix: PositionFix, prev: PositionFix | None, cfg: FilterConfig) -> bool:
    tolerance = cfg.null_island_tolerance_deg
    return abs(fix.position.lat) <= tolerance and abs(fix.position.lon) <= tolerance


def _future_fix(fix: PositionFix, prev: PositionFix | None, cfg: FilterConfig) -> bool:
    return (fix.fix_time - fix.received_at).total_seconds() > cfg.max_future_s


def _duplicate(fix: PositionFix, prev: PositionFix | None, cfg: FilterConfig) -> bool:
    return prev is not None and prev.fix_time == fix.fix_time and prev.position == fix.position


def _outside_service_area(fix: PositionFix, prev: PositionFix | None, cfg: FilterConfig) -> bool:
    area = cfg.service_area
    if area is None:
        return False
    if isinstance(area, BBox):
        return not area.contains(fix.position, cfg.service_area_buffer_m)
    return not area(fix.position)


def implied_speed_kph(fix: PositionFix, prev: PositionFix, cfg: FilterConfig) -> float:
    """Speed needed to get from ``prev`` to ``fix`` beyond the noise allowance; ``inf`` for no time at all."""
    slack_m = cfg.jump_slack_m + (fix.accuracy_m or 0.0) + (prev.accuracy_m or 0.0)
    excess_m = max(0.0, haversine_m(prev.position, fix.position) - slack_m)
    if excess_m == 0.0:
        return 0.0
    dt_s = abs((fix.fix_time - prev.fix_time).total_seconds())
    return math.inf if dt_s == 0 else excess_m / dt_s * 3.6


def _implausible_jump(fix: PositionFix, prev: PositionFix | None, cfg: FilterConfig) -> bool:
    if prev is None or abs((fix.fix_time - prev.fix_time).total_seconds()) > cfg.jump_window_s:
        return False
    return implied_speed_kph(fix, prev, cfg) > cfg.max_speed_kph


CHAIN: tuple[tuple[str, Check], ...] = (
    ("out_of_range", _out_of_range),
    ("null_island", _null_island),
    ("future_fix", _future_fix),
    ("duplicate", _duplicate),
    ("outside_service_area", _outside_service_area),
    ("implausible_jump", _implausible_jump),
)
"""The checks in the order they run; the first that rejects names the reason."""


def fix_flags(fix: PositionFix, cfg: FilterConfig) -> frozenset[str]:
    """Marks that do not drop a fix: currently ``low_accuracy``."""
    if fix.accuracy_m is not None and fix.accuracy_m > cfg.low_accuracy_m:
        return frozenset({"low_accuracy"})
    return frozenset()


def apply_filters(
    fix: PositionFix,
    prev: PositionFix | None,
    cfg: FilterConfig,
    *,
    chain: tuple[tuple[str, Check], ...] = CHAIN,
) -> FilterResult:
    """Run the chain on ``fix`` given the same device's previous accepted fix ``prev``.

    Raises
    ------
    InputError
        If ``prev`` belongs to another device (a caller bug: the comparison would be meaningless).
    """
    if prev is not None and (prev.source, prev.device_id) != (fix.source, fix.device_id):
        raise InputError(
            f"prev fix is from {prev.source}:{prev.device_id}, not {fix.source}:{fix.device_id}; "
            "pass the same device's previous accepted fix"
        )
    flags = fix_flags(fix, cfg)
    for reason, rejects in chain:
        if rejects(fix, prev, cfg):
            return FilterResult(accepted=False, reason=reason, flags=flags)
    return FilterResult(accepted=True, reason=None, flags=flags)
