"""Which unit carries which device: the device registry, and the unknown devices an admin should enrol."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from tracking.fix import PositionFix


@dataclass(frozen=True)
class UnknownDevice:
    """A device that sent positions but is paired with no unit."""

    device_id: str
    source: str
    tracker_id: str | None
    messages: int
    first_seen: datetime
    last_seen: datetime


class DeviceRegistry:
    """Maps device ids (OwnTracks ``user/device``, Traccar ``id``, native ``id``) to unit ids.

    A device is found by its full id first, then by its OwnTracks tracker id (``tid``) when a unit was
    enrolled by that short label. ``loader`` returns the current pairing (e.g. from the units table);
    :meth:`refresh` re-reads it, so enrolling a device needs no restart. Thread-safe.
    """

    def __init__(self, loader: Callable[[], Mapping[str, str]]) -> None:
        self._loader = loader
        self._lock = threading.Lock()
        self._units: dict[str, str] = {}
        self._unknown: dict[tuple[str, str], UnknownDevice] = {}
        self.refresh()

    def refresh(self) -> None:
        pairing = dict(self._loader())
        with self._lock:
            self._units = pairing

    def unit_for(self, fix: PositionFix) -> str | None:
        with self._lock:
            unit = self._units.get(fix.device_id)
            if unit is None and fix.tracker_id:
                unit = self._units.get(fix.tracker_id)
            if unit is None:
                key = (str(fix.source), fix.device_id)
                seen = self._unknown.get(key)
                self._unknown[key] = UnknownDevice(
                    device_id=fix.device_id,
                    source=str(fix.source),
                    tracker_id=fix.tracker_id,
                    messages=(seen.messages if seen else 0) + 1,
                    first_seen=seen.first_seen if seen else fix.received_at,
                    last_seen=fix.received_at,
                )
            return unit

    def unknown_devices(self) -> list[UnknownDevice]:
        """Devices seen but not enrolled, most recent first."""
        with self._lock:
            return sorted(self._unknown.values(), key=lambda d: d.last_seen, reverse=True)
