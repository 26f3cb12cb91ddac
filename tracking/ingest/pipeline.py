"""Decode → identify → filter → fleet state, for one message at a time. No I/O.

The same pipeline serves MQTT (OwnTracks, native trackers) and HTTP (Traccar Client, OwnTracks HTTP
mode). Its only state is in memory: each device's previous accepted fix (for the duplicate and
jump filters) and the :class:`~tracking.state.FleetState`. A bad message never raises: it comes
back as a rejection with its reason, counted in the metrics.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from dispatch_geo.storage.device_repo import login_of
from dispatch_geo.storage.position_repo import PositionFixRecord
from tracking.decoders import decode_native, decode_owntracks, decode_traccar_params
from tracking.filters import FilterConfig, apply_filters
from tracking.fix import Decoded, DecodeResult, FixSource, Ignored, PositionFix, Rejected
from tracking.ingest.health import HealthTracker
from tracking.ingest.metrics import IngestMetrics
from tracking.ingest.registry import DeviceRegistry
from tracking.state import FleetState, Outcome, update

RECENT_FIXES_PER_DEVICE = 4096
"""Fix times remembered per device to recognise repeated fixes (about an hour of 1 s reports)."""

NATIVE_TOPIC_PREFIX = "siaga/trackers/"
"""Native in-vehicle trackers publish on ``siaga/trackers/<device id>``."""


@dataclass(frozen=True)
class Processed:
    """What happened to one message."""

    status: str  # "accepted" | "rejected" | "ignored"
    reason: str | None = None
    fix: PositionFix | None = None
    record: PositionFixRecord | None = None
    latest: bool = False
    """True when the fix became the unit's last known position."""
    flags: frozenset[str] = frozenset()


class IngestPipeline:
    """Turns raw messages into accepted fixes (with history records) or counted rejections. Thread-safe."""

    def __init__(
        self, registry: DeviceRegistry, metrics: IngestMetrics, filters: FilterConfig | None = None
    ) -> None:
        self.registry = registry
        self.metrics = metrics
        self.filters = filters or FilterConfig()
        self._lock = threading.Lock()
        self._prev: dict[tuple[str, str], PositionFix] = {}
        self._seen: dict[tuple[str, str], collections.OrderedDict[datetime, None]] = {}
        self._state = FleetState()
        self.health = HealthTracker()
        """Battery, clock and rejections per unit, drained to the database by the ingest's housekeeping."""

    @property
    def state(self) -> FleetState:
        return self._state

    def process_mqtt(self, topic: str, payload: bytes, received_at: datetime) -> Processed:
        """One MQTT message: OwnTracks on ``owntracks/#``, native trackers on ``siaga/trackers/<id>``."""
        if topic.startswith(NATIVE_TOPIC_PREFIX):
            device = topic[len(NATIVE_TOPIC_PREFIX) :]
            result = decode_native(payload, received_at=received_at, expected_device_id=device or None)
            return self.process_result(result, "native")
        return self.process_result(
            decode_owntracks(payload, topic=topic, received_at=received_at), "owntracks"
        )

    def process_traccar(self, params: Mapping[str, str | Sequence[str]], received_at: datetime) -> Processed:
        """One Traccar Client / OsmAnd HTTP request's parameters."""
        return self.process_result(decode_traccar_params(params, received_at=received_at), "traccar")

    def process_result(self, result: DecodeResult, source: str, *, login: str | None = None) -> Processed:
        """One decoded message. ``login``: the device the transport authenticated (HTTP endpoints); a fix
        claiming another device is then refused as ``wrong_device`` (MQTT relies on the broker's ACL,
        which lets a device publish only under its own username)."""
        self.metrics.count_received(source)
        if isinstance(result, Ignored):
            self.metrics.ignored.labels(result.kind).inc()
            return Processed("ignored", reason=result.kind)
        if isinstance(result, Rejected):
            return self._reject(source, result.reason)
        assert isinstance(result, Decoded)
        fix = result.fix
        if login is not None and login_of(fix.device_id) != login:
            return self._reject(source, "wrong_device", fix)
        unit_id = self.registry.unit_for(fix)
        if unit_id is None:
            return self._reject(source, "unknown_device", fix)
        return self._accept(fix.with_unit(unit_id), source, unit_id)

    def process_fix(self, fix: PositionFix, *, unit_id: str, check_jump: bool = True) -> Processed:
        """A fix whose unit the caller already established (``PUT /units/{id}/position``): the same
        filters, state and history record as every other fix. ``check_jump=False`` for a dispatcher's
        manual position (a radio report is not a GPS track)."""
        source = str(fix.source)
        self.metrics.count_received(source)
        return self._accept(fix.with_unit(unit_id), source, unit_id, check_jump=check_jump)

    def _accept(self, fix: PositionFix, source: str, unit_id: str, *, check_jump: bool = True) -> Processed:
        key = (str(fix.source), fix.device_id)
        with self._lock:
            if self._seen_before(key, fix):
                return self._reject(source, "duplicate", fix)
            prev = self._prev.get(key) if check_jump else None
            verdict = apply_filters(fix, prev, self.filters)
            if not verdict.accepted:
                # Only accepted fixes are remembered as seen: a rejected message (null island, outside
                # the area...) must not make a later valid fix with the same time count as a repeat.
                return self._reject(source, verdict.reason or "filtered", fix)
            self._remember(key, fix)
            if self._newer(key, fix):
                self._prev[key] = fix
            self._state, outcome = update(self._state, fix)
        if outcome is Outcome.DUPLICATE:
            return self._reject(source, "duplicate", fix)
        self.metrics.count_accepted(source)
        if fix.source != FixSource.MANUAL:  # a dispatcher's radio report says nothing of the phone
            self.health.seen(fix)
        if outcome is Outcome.LATE:
            self.metrics.late.inc()
        for flag in verdict.flags:
            self.metrics.flagged.labels(flag).inc()
        self.metrics.fix_delay.observe(max((fix.received_at - fix.fix_time).total_seconds(), 0.0))
        record = PositionFixRecord(
            device_id=fix.device_id,
            fix_time=fix.fix_time,
            received_at=fix.received_at,
            position=fix.position,
            source_protocol=str(fix.source),
            unit_id=unit_id,
            speed_kph=fix.speed_kph,
            course_deg=fix.course_deg,
            accuracy_m=fix.accuracy_m,
            altitude_m=fix.altitude_m,
            flags=tuple(sorted(verdict.flags | ({"late"} if outcome is Outcome.LATE else set()))),
        )
        return Processed(
            "accepted",
            fix=fix,
            record=record,
            latest=outcome in (Outcome.NEW, Outcome.UPDATED),
            flags=verdict.flags,
        )

    def _seen_before(self, key: tuple[str, str], fix: PositionFix) -> bool:
        """Redeliveries, retained-message replays and re-flushed queues repeat fix times: drop them."""
        seen = self._seen.get(key)
        return seen is not None and fix.fix_time in seen

    def _remember(self, key: tuple[str, str], fix: PositionFix) -> None:
        seen = self._seen.setdefault(key, collections.OrderedDict())
        seen[fix.fix_time] = None
        if len(seen) > RECENT_FIXES_PER_DEVICE:
            seen.popitem(last=False)

    def _newer(self, key: tuple[str, str], fix: PositionFix) -> bool:
        prev = self._prev.get(key)
        return prev is None or fix.fix_time >= prev.fix_time

    def _reject(self, source: str, reason: str, fix: PositionFix | None = None) -> Processed:
        self.metrics.rejected.labels(source, reason).inc()
        if fix is not None and fix.source != FixSource.MANUAL:
            self.health.seen(fix, rejected=reason)  # counted only once the unit is known
        return Processed("rejected", reason=reason, fix=fix)
