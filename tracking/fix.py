"""The one normalised position record every device protocol decodes into.

Like Traccar's ``Position``: each decoder turns its own bytes into a :class:`PositionFix`, and everything
downstream (filters, fleet state, storage, maps) knows only this type. Decoding never raises; it returns a
:data:`DecodeResult`, which is exactly one of

* :class:`Decoded` - a usable fix,
* :class:`Ignored` - a well-formed message that deliberately carries no position for us (OwnTracks ``lwt``,
  ``transition``, ``status``, ...), with its ``kind``,
* :class:`Rejected` - a malformed or hostile message, with a short machine-readable ``reason`` code such as
  ``"invalid_json"``, ``"missing_field:lat"`` or ``"bad_type:tst"`` (fit for a metrics label), and a longer
  human ``detail`` for the log.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal

from dispatch_geo.domain.values import LonLat, require_aware
from dispatch_geo.errors import InputError

MAX_PAYLOAD_BYTES = 64 * 1024
"""Payloads larger than this are rejected (``"too_large"``) before any parsing.

A real OwnTracks location message is 200-400 bytes, a Traccar Client JSON body under 1 KiB; 64 KiB leaves
room for any legitimate message while bounding the CPU and memory one message can cost.
"""


class FixSource(StrEnum):
    """Which protocol a fix came in by. Compares equal to its plain string value."""

    OWNTRACKS = "owntracks"
    NATIVE = "native"
    TRACCAR = "traccar"
    API = "api"
    """``PUT /units/{id}/position`` by the unit's own device token."""
    MANUAL = "manual"
    """A position a dispatcher entered (e.g. read out over the radio)."""


def _check_optional(value: float | None, name: str, low: float | None, high: float | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return f"{name} {value!r} must be a finite number or None"
    if (low is not None and value < low) or (high is not None and value > high):
        return f"{name} {value!r} must lie in [{low}, {high}]"
    return None


_OPTIONAL_RANGES: tuple[tuple[str, float | None, float | None], ...] = (
    ("speed_kph", 0.0, None),
    ("course_deg", 0.0, 360.0),
    ("accuracy_m", 0.0, None),
    ("altitude_m", None, None),
    ("battery_pct", 0.0, 100.0),
    ("vertical_accuracy_m", 0.0, None),
)


@dataclass(frozen=True, slots=True)
class PositionFix:
    """One GPS fix of one device, normalised: SI-ish units in the names, UTC times, a validated position.

    Construction validates every field (and converts aware datetimes to UTC), so a ``PositionFix`` in hand
    is always internally consistent; decoders build one only from values they have already checked.

    Attributes
    ----------
    device_id
        Identifier of the sending device *within its source*: ``"<user>/<device>"`` for OwnTracks, the
        ``id`` parameter for Traccar Client, ``id`` for native trackers. The pair ``(source, device_id)`` is
        what a device registry maps to a unit.
    unit_id
        The dispatch unit carrying the device; ``None`` until a registry fills it (``dataclasses.replace``).
    position
        Where the device was.
    fix_time
        When the GPS fix was taken (OwnTracks ``tst``), UTC. Not when the message was sent or received:
        phones queue fixes while offline and flush them later.
    received_at
        When the server received the message, UTC.
    speed_kph, course_deg, accuracy_m, altitude_m, battery_pct
        Optional sensor values; ``None`` when the device did not send them or sent a value meaning
        "unknown" (such as iOS's ``-1``). ``course_deg`` is in [0, 360), clockwise from true north.
    source
        The protocol the fix arrived by.
    tracker_id
        Short display label (OwnTracks ``tid``).
    trigger
        Why the device reported (OwnTracks ``t``: ``p`` ping, ``c`` region, ``u`` manual, ``t`` timer...).
    conn
        Connectivity when the message was built (OwnTracks ``conn``: ``w`` wifi, ``m`` mobile, ``o`` offline).
    created_at
        When the device built the message, if it says (OwnTracks ``created_at``); differs from
        ``fix_time`` for fixes queued while offline.
    vertical_accuracy_m
        Accuracy of ``altitude_m`` (OwnTracks ``vac``/``vacc``).
    charging
        Whether the device is on external power, if known.
    regions
        Names of the device-side regions the device is in (OwnTracks ``inregions``).
    """

    device_id: str
    position: LonLat
    fix_time: datetime
    received_at: datetime
    source: FixSource
    unit_id: str | None = None
    speed_kph: float | None = None
    course_deg: float | None = None
    accuracy_m: float | None = None
    altitude_m: float | None = None
    battery_pct: float | None = None
    tracker_id: str | None = None
    trigger: str | None = None
    conn: str | None = None
    created_at: datetime | None = None
    vertical_accuracy_m: float | None = None
    charging: bool | None = None
    regions: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not isinstance(self.device_id, str) or not self.device_id:
            problems.append(f"device_id {self.device_id!r} must be a non-empty string")
        if self.unit_id is not None and (not isinstance(self.unit_id, str) or not self.unit_id):
            problems.append(f"unit_id {self.unit_id!r} must be a non-empty string or None")
        if not isinstance(self.position, LonLat):
            problems.append(f"position {self.position!r} must be a LonLat")
        if not isinstance(self.source, FixSource):
            try:
                object.__setattr__(self, "source", FixSource(self.source))
            except ValueError:
                problems.append(f"source {self.source!r} must be one of {[s.value for s in FixSource]}")
        for name in ("fix_time", "received_at", "created_at"):
            moment = getattr(self, name)
            if moment is None and name == "created_at":
                continue
            if type(moment) is datetime and moment.tzinfo is UTC:
                continue  # already aware UTC (what every decoder builds): nothing to check or convert
            if not isinstance(moment, datetime):
                problems.append(f"{name} {moment!r} must be a timezone-aware datetime")
                continue
            try:
                require_aware(moment, name)
            except InputError as exc:
                problems.append(str(exc))
                continue
            object.__setattr__(self, name, moment.astimezone(UTC))
        for name, low, high in _OPTIONAL_RANGES:
            value = getattr(self, name)
            if value is None:
                continue
            problem = _check_optional(value, name, low, high)
            if problem:
                problems.append(problem)
        if self.course_deg is not None and self.course_deg == 360.0:
            object.__setattr__(self, "course_deg", 0.0)
        if self.charging is not None and not isinstance(self.charging, bool):
            problems.append(f"charging {self.charging!r} must be a bool or None")
        if not isinstance(self.regions, tuple) or (
            self.regions and not all(isinstance(r, str) for r in self.regions)
        ):
            problems.append(f"regions {self.regions!r} must be a tuple of strings")
        for name in ("tracker_id", "trigger", "conn"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                problems.append(f"{name} {value!r} must be a string or None")
        if problems:
            raise InputError("invalid PositionFix: " + "; ".join(problems))

    def with_unit(self, unit_id: str) -> PositionFix:
        """This fix carried by ``unit_id`` (what a device registry fills in).

        Equal to ``dataclasses.replace(self, unit_id=unit_id)`` without re-validating the fields that
        did not change (ingest calls this for every message).
        """
        if not isinstance(unit_id, str) or not unit_id:
            raise InputError(f"invalid PositionFix: unit_id {unit_id!r} must be a non-empty string")
        copy = object.__new__(PositionFix)
        for name in _FIELD_NAMES:
            object.__setattr__(copy, name, getattr(self, name))
        object.__setattr__(copy, "unit_id", unit_id)
        return copy

    @property
    def unit_key(self) -> str:
        """The key fleet state tracks this fix under: ``unit_id`` when known, else ``device_id``."""
        return self.unit_id if self.unit_id is not None else self.device_id


_FIELD_NAMES = tuple(f.name for f in fields(PositionFix))


@dataclass(frozen=True, slots=True)
class Decoded:
    """A message that yielded a usable fix."""

    fix: PositionFix
    status: Literal["fix"] = "fix"


@dataclass(frozen=True, slots=True)
class Ignored:
    """A well-formed message we deliberately do not turn into a fix.

    ``kind`` names what it was (``"lwt"``, ``"transition"``, ``"status"``, ``"cmd"``, ``"waypoint"``...);
    ``device_id`` is set when the message identified its device (an ``lwt`` tells which phone went away).
    """

    kind: str
    device_id: str | None = None
    status: Literal["ignored"] = "ignored"


@dataclass(frozen=True, slots=True)
class Rejected:
    """A message that could not be used, with a short ``reason`` code and a human ``detail``."""

    reason: str
    detail: str = ""
    status: Literal["rejected"] = "rejected"


DecodeResult = Decoded | Ignored | Rejected
"""What every decoder returns; exactly one of the three. Use ``match`` or ``result.status``."""
