"""Statistics of the intervals: per agency, per agency and kecamatan, per agency and week.

Median: the middle value (the mean of the two middle values for an even count). P90: nearest rank, the
smallest value that at least 90 % of the values do not exceed (how NFPA 1710 states its 90th-percentile
targets; no interpolation, so the figure is always a real incident's time). Weeks run Monday to Sunday
in WIB (Asia/Jakarta), labelled by their Monday.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from dispatch_geo.kpi.intervals import (
    AGENCY_GROUPS,
    INTERVALS,
    Milestones,
    group_standard,
    incident_intervals,
    judged_interval,
)

WIB = ZoneInfo("Asia/Jakarta")
ALL_AGENCIES = "all"
"""The row of the first unit of any agency (the regency as a whole); no standard applies to it."""


def median(values: Sequence[float]) -> float | None:
    """The median of ``values`` (None when empty)."""
    return float(statistics.median(values)) if values else None


def p90(values: Sequence[float]) -> float | None:
    """The 90th percentile by nearest rank (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[math.ceil(0.9 * len(ordered)) - 1])


@dataclass(frozen=True)
class IntervalStats:
    """How many incidents have the interval, and its median and P90 in seconds."""

    count: int
    median_s: float | None
    p90_s: float | None

    @classmethod
    def of(cls, values: Sequence[float]) -> IntervalStats:
        return cls(len(values), median(values), p90(values))


@dataclass(frozen=True)
class KpiRow:
    """Figures of one agency group (and kecamatan, or week) over the period."""

    agency: str
    incidents: int
    simulated: int
    intervals: dict[str, IntervalStats]
    standard_interval: str | None
    standard_s: float | None
    judged: int
    within_standard: int | None
    kecamatan_kode: str | None = None
    kecamatan_nama: str | None = None
    week_start: date | None = None

    @property
    def share_within_standard(self) -> float | None:
        """Share (0–1) of the judged incidents reached within the standard; None without a standard."""
        if self.within_standard is None or self.judged == 0:
            return None
        return self.within_standard / self.judged


@dataclass(frozen=True)
class KpiReport:
    """Everything the Kinerja page, the API and the exports show for one period."""

    period_from: datetime
    period_to: datetime
    incidents: int
    simulated: int
    by_agency: list[KpiRow] = field(default_factory=list)
    by_kecamatan: list[KpiRow] = field(default_factory=list)
    weekly: list[KpiRow] = field(default_factory=list)


def week_start(at: datetime) -> date:
    """The Monday (WIB) of the week ``at`` falls in."""
    day = at.astimezone(WIB).date()
    return day - timedelta(days=day.weekday())


def _row(agency: str, items: Sequence[Milestones], **where: object) -> KpiRow:
    per_interval: dict[str, list[float]] = {name: [] for name in INTERVALS}
    for m in items:
        for name, value in incident_intervals(m).items():
            if value is not None:
                per_interval[name].append(value)
    standard = None if agency == ALL_AGENCIES else group_standard(agency)
    judged_name, limit_s, within = None, None, None
    judged = 0
    if standard is not None:
        judged_name, limit_s = judged_interval(standard)
        values = per_interval[judged_name]
        judged = len(values)
        within = sum(1 for v in values if v <= limit_s)
    return KpiRow(
        agency=agency,
        incidents=len({m.incident_id for m in items}),
        simulated=len({m.incident_id for m in items if m.simulated}),
        intervals={name: IntervalStats.of(v) for name, v in per_interval.items()},
        standard_interval=judged_name,
        standard_s=limit_s,
        judged=judged,
        within_standard=within,
        **where,  # type: ignore[arg-type]
    )


def _agency_order(agency: str) -> int:
    return AGENCY_GROUPS.index(agency) if agency in AGENCY_GROUPS else len(AGENCY_GROUPS)


def summarise(
    milestones: Iterable[Milestones],
    *,
    period_from: datetime,
    period_to: datetime,
    incidents: int,
    simulated: int,
) -> KpiReport:
    """The report of one period from the milestones of its incidents (one per incident and agency
    group, plus one per incident with agency :data:`ALL_AGENCIES`)."""
    by_agency: dict[str, list[Milestones]] = defaultdict(list)
    by_kec: dict[tuple[str, str | None], list[Milestones]] = defaultdict(list)
    by_week: dict[tuple[str, date], list[Milestones]] = defaultdict(list)
    names: dict[str | None, str | None] = {}
    for m in milestones:
        by_agency[m.agency].append(m)
        by_kec[(m.agency, m.kecamatan_kode)].append(m)
        by_week[(m.agency, week_start(m.created_at))].append(m)
        names.setdefault(m.kecamatan_kode, m.kecamatan_nama)
    agencies = sorted(by_agency, key=lambda a: (a != ALL_AGENCIES, _agency_order(a), a))
    return KpiReport(
        period_from=period_from,
        period_to=period_to,
        incidents=incidents,
        simulated=simulated,
        by_agency=[_row(a, by_agency[a]) for a in agencies],
        by_kecamatan=[
            _row(a, by_kec[(a, k)], kecamatan_kode=k, kecamatan_nama=names.get(k))
            for a, k in sorted(by_kec, key=lambda x: (x[0] != ALL_AGENCIES, _agency_order(x[0]), x[1] or ""))
        ],
        weekly=[
            _row(a, by_week[(a, w)], week_start=w)
            for a, w in sorted(by_week, key=lambda x: (x[0] != ALL_AGENCIES, _agency_order(x[0]), x[1]))
        ],
    )
