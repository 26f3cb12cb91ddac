"""Device health as the pipeline sees it: battery, clock offset and rejected fixes per unit, in memory.

The pipeline reports every message it could attribute to a unit (:meth:`HealthTracker.seen`); the
ingest's housekeeping drains the totals about once a second (:func:`flush_device_health`) and adds them
to the ``device_health`` table in one short transaction, the same rhythm as the unknown-device list, so
the per-message cost is one lock and a few attribute writes. A failed flush puts the totals back.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from dispatch_geo.domain.values import WIB
from dispatch_geo.storage.device_health_repo import HealthDelta, record_health
from tracking.fix import PositionFix

log = logging.getLogger(__name__)

NOT_A_READING = frozenset({"duplicate"})
"""Rejections that repeat an earlier message: counted, but their battery and clock are old news."""


class _Pending:
    __slots__ = (
        "app",
        "battery_at",
        "battery_pct",
        "clock_ahead_s",
        "device_id",
        "last_message_at",
        "last_rejection_at",
        "last_rejection_reason",
        "rejected",
    )

    def __init__(self, device_id: str, app: str, at: datetime) -> None:
        self.device_id = device_id
        self.app = app
        self.last_message_at = at
        self.battery_pct: float | None = None
        self.battery_at: datetime | None = None
        self.clock_ahead_s: float | None = None
        self.rejected = 0
        self.last_rejection_reason: str | None = None
        self.last_rejection_at: datetime | None = None

    def delta(self, unit_id: str) -> HealthDelta:
        return HealthDelta(
            unit_id=unit_id,
            device_id=self.device_id,
            app=self.app,
            last_message_at=self.last_message_at,
            battery_pct=self.battery_pct,
            battery_at=self.battery_at,
            clock_ahead_s=self.clock_ahead_s,
            rejected=self.rejected,
            last_rejection_reason=self.last_rejection_reason,
            last_rejection_at=self.last_rejection_at,
        )


class HealthTracker:
    """Per-unit health totals since the last :meth:`drain`. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[str, _Pending] = {}

    def seen(self, fix: PositionFix, *, rejected: str | None = None) -> None:
        """One message of a unit's device: accepted (``rejected`` None) or rejected with that reason."""
        unit_id = fix.unit_id
        if unit_id is None:
            return
        at = fix.received_at
        with self._lock:
            p = self._pending.get(unit_id)
            if p is None or p.device_id != fix.device_id:
                p = self._pending[unit_id] = _Pending(fix.device_id, str(fix.source), at)
            if rejected is not None:
                p.rejected += 1
                if p.last_rejection_at is None or at >= p.last_rejection_at:
                    p.last_rejection_at, p.last_rejection_reason = at, rejected
                if rejected in NOT_A_READING:
                    return
            if at >= p.last_message_at:
                p.last_message_at, p.app = at, str(fix.source)
                p.clock_ahead_s = (fix.fix_time - at).total_seconds()
            if fix.battery_pct is not None and (p.battery_at is None or at >= p.battery_at):
                p.battery_pct, p.battery_at = fix.battery_pct, at

    def drain(self) -> list[HealthDelta]:
        """The totals since the last drain (and forget them)."""
        with self._lock:
            pending, self._pending = self._pending, {}
        return [p.delta(unit_id) for unit_id, p in pending.items()]

    def restore(self, deltas: Iterable[HealthDelta]) -> None:
        """Put back totals a failed flush could not write (newer messages seen meanwhile win)."""
        with self._lock:
            for d in deltas:
                p = self._pending.get(d.unit_id)
                if p is None:
                    p = self._pending[d.unit_id] = _Pending(d.device_id, d.app, d.last_message_at)
                    p.clock_ahead_s = d.clock_ahead_s
                elif p.device_id != d.device_id:
                    continue  # the unit's device changed since: the old totals are moot
                p.rejected += d.rejected
                if d.last_rejection_at is not None and p.last_rejection_at is None:
                    p.last_rejection_at, p.last_rejection_reason = (
                        d.last_rejection_at,
                        d.last_rejection_reason,
                    )
                if d.battery_at is not None and p.battery_at is None:
                    p.battery_pct, p.battery_at = d.battery_pct, d.battery_at


def flush_device_health(
    session_factory: Callable[[], Session], tracker: HealthTracker, *, now: datetime
) -> int:
    """Add the tracker's totals to the ``device_health`` table; returns how many units were written.
    A failed write is logged and the totals are kept for the next flush."""
    deltas = tracker.drain()
    if not deltas:
        return 0
    try:
        with session_factory() as session, session.begin():
            record_health(session, deltas=deltas, day=now.astimezone(WIB).date())
    except Exception as exc:  # database down or a concurrent first insert: try again next time
        log.warning("could not record the health of %d devices: %s", len(deltas), exc)
        tracker.restore(deltas)
        return 0
    return len(deltas)
