"""How often a service's units are busy, from dispatch history: the ``q`` of expected coverage.

busy fraction = unit-hours assigned / unit-hours on duty, over a chosen period. Unit-hours assigned
are the assignments (``assigned_at`` → ``released_at``, or the period's end while still open) clipped to
the period; unit-hours on duty are the service's units × the period's length (every unit counted on duty
all the time: the database keeps no shift roster, so the fraction is a lower bound when units are off
duty part of the time).

When the history is too thin (fewer than :data:`MIN_ASSIGNMENTS` assignments in the period) the
documented default :data:`DEFAULT_BUSY_FRACTION` is used instead and labelled ``assumed``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from dispatch_geo.coverage.mexclp import MAX_BUSY_FRACTION
from dispatch_geo.domain.values import require_aware
from dispatch_geo.errors import InputError

DEFAULT_BUSY_FRACTION = 0.1
"""Assumed when history is thin: a unit busy 10 % of the time (2.4 h a day), a round figure of the order
reported for rural EMS; not measured in Siak."""
MIN_ASSIGNMENTS = 20
"""Fewer assignments than this in the period and the fraction is not trusted."""


class BusySource(StrEnum):
    """Where a busy fraction comes from."""

    HISTORY = "history"
    ASSUMED = "assumed"
    GIVEN = "given"


@dataclass(frozen=True)
class BusyFraction:
    """A busy fraction, where it comes from, and the figures behind it."""

    q: float
    source: BusySource
    assignments: int
    unit_hours_assigned: float
    unit_hours_on_duty: float
    measured: float | None
    """The fraction the history gives (also when too thin to be used), ``None`` without units."""

    def as_dict(self) -> dict[str, object]:
        return {
            "busy_fraction": round(self.q, 4),
            "source": str(self.source),
            "assignments": self.assignments,
            "unit_hours_assigned": round(self.unit_hours_assigned, 1),
            "unit_hours_on_duty": round(self.unit_hours_on_duty, 1),
            "measured": None if self.measured is None else round(self.measured, 4),
            "min_assignments": MIN_ASSIGNMENTS,
            "default": DEFAULT_BUSY_FRACTION,
        }


def busy_fraction(
    intervals: Sequence[tuple[datetime, datetime | None]],
    *,
    n_units: int,
    since: datetime,
    until: datetime,
    min_assignments: int = MIN_ASSIGNMENTS,
    default: float = DEFAULT_BUSY_FRACTION,
) -> BusyFraction:
    """The busy fraction of ``n_units`` units over ``[since, until)`` from their assignment intervals.

    ``intervals`` are ``(assigned_at, released_at)`` pairs (``released_at`` ``None``: still assigned).
    """
    require_aware(since, "since")
    require_aware(until, "until")
    if until <= since:
        raise InputError("the period must end after it starts").coded("empty_time_range")
    if n_units < 0:
        raise InputError(f"n_units must not be negative, got {n_units}")
    assigned_h = 0.0
    count = 0
    for start, end in intervals:
        lo = max(start, since)
        hi = min(end or until, until)
        if hi > lo:
            assigned_h += (hi - lo).total_seconds() / 3600.0
            count += 1
    duty_h = n_units * (until - since).total_seconds() / 3600.0
    measured = min(assigned_h / duty_h, 1.0) if duty_h > 0 else None
    if measured is not None and count >= min_assignments:
        return BusyFraction(
            min(measured, MAX_BUSY_FRACTION), BusySource.HISTORY, count, assigned_h, duty_h, measured
        )
    return BusyFraction(default, BusySource.ASSUMED, count, assigned_h, duty_h, measured)
