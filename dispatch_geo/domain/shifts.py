"""Shift times of the call centre (pure): parse the configured slots, propose the shift for a moment.

The centre works in fixed slots of the local day, e.g. ``07:00-15:00,15:00-23:00,23:00-07:00`` in WIB;
a slot may run past midnight. A supervisor opening a shift gets the slot that contains the moment as the
proposed name (``07-15``) and planned bounds (aware UTC datetimes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from dispatch_geo.domain.values import WIB, require_aware
from dispatch_geo.errors import InputError

_SLOT = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class ShiftSlot:
    """One slot of the local day: ``start`` to ``end`` (``end <= start`` means it ends the next day)."""

    start: time
    end: time

    @property
    def name(self) -> str:
        """``07-15`` (minutes shown only when they are not zero: ``07:30-15:30``)."""

        def part(t: time) -> str:
            return f"{t.hour:02d}" if t.minute == 0 else f"{t.hour:02d}:{t.minute:02d}"

        return f"{part(self.start)}-{part(self.end)}"


@dataclass(frozen=True)
class ProposedShift:
    """The slot containing a moment, with its bounds on that day."""

    name: str
    start: datetime
    end: datetime


def _clock(hour: str, minute: str, text: str) -> time:
    h, m = int(hour), int(minute)
    if h == 24 and m == 0:
        return time(0, 0)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        raise InputError(f"shift time {text!r}: {hour}:{minute} is not a time of day")
    return time(h, m)


def parse_shift_times(text: str) -> tuple[ShiftSlot, ...]:
    """Slots from ``"07:00-15:00,15:00-23:00,23:00-07:00"``; every problem named in one InputError."""
    slots: list[ShiftSlot] = []
    problems: list[str] = []
    for part in text.split(","):
        match = _SLOT.match(part)
        if match is None:
            problems.append(f"{part.strip()!r} is not HH:MM-HH:MM")
            continue
        try:
            start = _clock(match[1], match[2], part)
            end = _clock(match[3], match[4], part)
        except InputError as exc:
            problems.append(str(exc))
            continue
        if start == end:
            problems.append(f"{part.strip()!r} starts and ends at the same time")
            continue
        slots.append(ShiftSlot(start, end))
    if problems or not slots:
        raise InputError("shift times: " + ("; ".join(problems) or "none given"))
    return tuple(slots)


def propose_shift(slots: tuple[ShiftSlot, ...], at: datetime, tz: ZoneInfo = WIB) -> ProposedShift:
    """The first slot containing ``at`` (local time in ``tz``), with its bounds as aware datetimes.

    A moment in no slot (the slots leave a gap) gets the gap's own bounds up to the next slot's start,
    named after it, so a supervisor can always open a shift.
    """
    local = require_aware(at, "shift time").astimezone(tz)
    day = local.date()
    best: tuple[datetime, datetime, str] | None = None
    for slot in slots:
        for offset in (-1, 0):
            start = datetime.combine(day + timedelta(days=offset), slot.start, tz)
            end_day = start.date() + timedelta(days=1 if slot.end <= slot.start else 0)
            end = datetime.combine(end_day, slot.end, tz)
            if start <= local < end:
                return ProposedShift(slot.name, start, end)
            if start > local and (best is None or start < best[0]):
                best = (start, end, slot.name)
        tomorrow = datetime.combine(day + timedelta(days=1), slot.start, tz)
        if best is None or tomorrow < best[0]:
            best = (tomorrow, tomorrow, slot.name)
    assert best is not None
    return ProposedShift(best[2], local.replace(second=0, microsecond=0), best[0])
