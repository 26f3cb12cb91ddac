"""Which unit carries which device: the device registry, and the unknown devices an admin should enrol."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping

from dispatch_geo.storage.device_repo import UnknownSighting, login_of
from tracking.fix import PositionFix

MAX_UNKNOWN = 10_000
"""Unknown devices remembered per process between flushes to the database."""


UnknownDevice = UnknownSighting
"""A device that sent positions but is paired with no unit (what the database's list records)."""


class DeviceRegistry:
    """Maps device ids (OwnTracks ``user/device``, Traccar ``id``, native ``id``) to unit ids.

    A device is found by its full id first, then by its login (the OwnTracks user, the part before the
    ``/``) when the unit was paired with the login alone. The OwnTracks tracker id (``tid``) is only a
    display label, never an identity: any device may write any ``tid`` into its payload, while the
    topic's user is the broker-authenticated username. ``loader`` returns the current pairing;
    :meth:`refresh` re-reads it, so enrolling a device needs no restart. Thread-safe.
    """

    def __init__(self, loader: Callable[[], Mapping[str, str]], *, refresh_on_miss_s: float = 1.0) -> None:
        self._loader = loader
        self._lock = threading.Lock()
        self.refresh_on_miss_s = refresh_on_miss_s
        self._refreshed_at = 0.0
        self._units: dict[str, str] = {}
        self._unknown: dict[tuple[str, str], UnknownDevice] = {}
        self._unflushed: dict[tuple[str, str], UnknownDevice] = {}
        self.refresh()

    def refresh(self) -> None:
        pairing = dict(self._loader())
        with self._lock:
            self._units = pairing
            self._refreshed_at = time.monotonic()

    def unit_for(self, fix: PositionFix) -> str | None:
        """The unit carrying the fix's device. On a miss the pairing is re-read (at most once per
        ``refresh_on_miss_s``), so a device enrolled a moment ago is found without a restart."""
        units = self._units  # replaced whole by refresh(), never mutated: a lock-free read is safe
        unit = units.get(fix.device_id) or units.get(login_of(fix.device_id))
        if unit is not None:
            return unit
        if not self._known(fix) and time.monotonic() - self._refreshed_at >= self.refresh_on_miss_s:
            try:
                self.refresh()
            except Exception:  # database unreachable: keep the pairing we have
                self._refreshed_at = time.monotonic()
        with self._lock:
            unit = self._units.get(fix.device_id) or self._units.get(login_of(fix.device_id))
            if unit is None:
                self._sighted(fix)
            return unit

    def _sighted(self, fix: PositionFix) -> None:
        key = (str(fix.source), fix.device_id)
        for table in (self._unknown, self._unflushed):
            seen = table.get(key)
            table[key] = UnknownDevice(
                device_id=fix.device_id,
                source=str(fix.source),
                tracker_id=fix.tracker_id,
                messages=(seen.messages if seen else 0) + 1,
                first_seen=seen.first_seen if seen else fix.received_at,
                last_seen=fix.received_at,
                last_fix_time=fix.fix_time,
            )
        while len(self._unknown) > MAX_UNKNOWN:  # bounded: a flood of invented ids cannot fill memory
            self._unknown.pop(next(iter(self._unknown)))
        while len(self._unflushed) > MAX_UNKNOWN:
            self._unflushed.pop(next(iter(self._unflushed)))

    def drain_unknown(self) -> list[UnknownDevice]:
        """Sightings of unknown devices since the last call (to be added to the database's list)."""
        with self._lock:
            drained, self._unflushed = list(self._unflushed.values()), {}
        return drained

    def _known(self, fix: PositionFix) -> bool:
        with self._lock:
            return fix.device_id in self._units or login_of(fix.device_id) in self._units

    def unknown_devices(self) -> list[UnknownDevice]:
        """Devices seen but not enrolled, most recent first."""
        with self._lock:
            return sorted(self._unknown.values(), key=lambda d: d.last_seen, reverse=True)
