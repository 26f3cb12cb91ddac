"""Statistics of the intervals: per agency, per agency and kecamatan, per agency and week.

Median: the middle value (the mean of the two middle values for an even count). P90: nearest rank, the
smallest value that at least 90 % of the values do not exceed (how NFPA 1710 states its 90th-percentile
targets; no interpolation, so the figure is always a real incident's time). Weeks run Monday to Sunday
in WIB (Asia/Jakarta), labelled by their Monday.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from dispatch_geo.kpi.intervals import (
    AGENCY_GROUPS,
    INTERVALS,
    TIME_COLUMNS,
    Milestones,
    group_standard,
    interval_frame,
    judged_interval,
)

WIB = ZoneInfo("Asia/Jakarta")
ALL_AGENCIES = "all"
"""The row of the first unit of any agency (the regency as a whole); no standard applies to it."""


@dataclass(frozen=True)
class IntervalStats:
    """How many incidents have the interval, and its median and P90 in seconds."""

    count: int
    median_s: float | None
    p90_s: float | None


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


def _stats(values: np.ndarray) -> IntervalStats:
    """Count, median and nearest-rank P90 of ``values`` (NaN left out)."""
    known = np.sort(values[~np.isnan(values)])
    n = len(known)
    if n == 0:
        return IntervalStats(0, None, None)
    return IntervalStats(n, float(np.median(known)), float(known[math.ceil(0.9 * n) - 1]))


def _row(agency: str, spans: np.ndarray, incidents: int, simulated: int, **where: object) -> KpiRow:
    """``spans``: the group's interval matrix (one row per incident, one column per interval)."""
    intervals = {name: _stats(spans[:, i]) for i, name in enumerate(INTERVALS)}
    standard = None if agency == ALL_AGENCIES else group_standard(agency)
    judged_name, limit_s, within = None, None, None
    judged = 0
    if standard is not None:
        judged_name, limit_s = judged_interval(standard)
        values = spans[:, INTERVALS.index(judged_name)]
        values = values[~np.isnan(values)]
        judged = len(values)
        within = int((values <= limit_s).sum())
    return KpiRow(
        agency=agency,
        incidents=incidents,
        simulated=simulated,
        intervals=intervals,
        standard_interval=judged_name,
        standard_s=limit_s,
        judged=judged,
        within_standard=within,
        **where,  # type: ignore[arg-type]
    )


def _agency_order(agency: str) -> tuple[bool, int, str]:
    rank = AGENCY_GROUPS.index(agency) if agency in AGENCY_GROUPS else len(AGENCY_GROUPS)
    return (agency != ALL_AGENCIES, rank, agency)


def milestones_frame(milestones: Iterable[Milestones]) -> pd.DataFrame:
    """Milestones as a frame: ``incident_id``, ``agency``, ``kecamatan_kode``, ``kecamatan_nama``,
    ``simulated`` and the :data:`~dispatch_geo.kpi.intervals.TIME_COLUMNS` in epoch seconds."""

    def s(at: datetime | None) -> float:
        return float("nan") if at is None else at.timestamp()

    rows = [
        {
            "incident_id": m.incident_id,
            "agency": m.agency,
            "kecamatan_kode": m.kecamatan_kode,
            "kecamatan_nama": m.kecamatan_nama,
            "simulated": m.simulated,
            "call": s(m.call_received_at),
            "created": s(m.created_at),
            "dispatched": s(m.dispatched_at),
            "en_route": s(m.en_route_at),
            "on_scene": s(m.on_scene_at),
            "transporting": s(m.transporting_at),
            "at_hospital": s(m.at_hospital_at),
            "closed": s(m.closed_at),
        }
        for m in milestones
    ]
    columns = ["incident_id", "agency", "kecamatan_kode", "kecamatan_nama", "simulated", *TIME_COLUMNS]
    return pd.DataFrame(rows, columns=columns)


def _week_starts(created_s: pd.Series) -> pd.Series:
    local = pd.to_datetime(created_s, unit="s", utc=True).dt.tz_convert(WIB).dt.normalize()
    return (local - pd.to_timedelta(local.dt.day_of_week, unit="D")).dt.date


def summarise_frame(
    frame: pd.DataFrame, *, period_from: datetime, period_to: datetime, incidents: int, simulated: int
) -> KpiReport:
    """The report of one period from its milestone frame (one row per incident and agency group, plus
    one per incident with agency :data:`ALL_AGENCIES`; see :func:`milestones_frame`)."""
    spans = interval_frame(frame).to_numpy(dtype=float)
    frame = frame.assign(
        week_start=_week_starts(frame["created"]) if len(frame) else pd.Series(dtype=object),
        kecamatan_key=frame["kecamatan_kode"].fillna(""),
    )
    sim = frame["simulated"].to_numpy(dtype=bool)

    def rows(keys: list[str], where: Callable[[tuple[Any, ...]], dict[str, Any]]) -> list[KpiRow]:
        groups = frame.groupby(keys, sort=False, dropna=False).indices
        made = [
            _row(key[0], spans[idx], len(idx), int(sim[idx].sum()), **where(key))
            for key, idx in ((k if isinstance(k, tuple) else (k,), v) for k, v in groups.items())
        ]
        return sorted(
            made, key=lambda r: (*_agency_order(r.agency), r.kecamatan_kode or "", str(r.week_start))
        )

    names = dict(zip(frame["kecamatan_key"], frame["kecamatan_nama"], strict=True))
    return KpiReport(
        period_from=period_from,
        period_to=period_to,
        incidents=incidents,
        simulated=simulated,
        by_agency=rows(["agency"], lambda key: {}),
        by_kecamatan=rows(
            ["agency", "kecamatan_key"],
            lambda key: {"kecamatan_kode": key[1] or None, "kecamatan_nama": names.get(key[1])},
        ),
        weekly=rows(["agency", "week_start"], lambda key: {"week_start": key[1]}),
    )


def summarise(
    milestones: Iterable[Milestones],
    *,
    period_from: datetime,
    period_to: datetime,
    incidents: int,
    simulated: int,
) -> KpiReport:
    """:func:`summarise_frame` of a list of :class:`Milestones`."""
    return summarise_frame(
        milestones_frame(milestones),
        period_from=period_from,
        period_to=period_to,
        incidents=incidents,
        simulated=simulated,
    )
