"""The milestones of the incidents of a period, read for the response-time KPIs. Never commits.

Two queries, whatever the period's length: the incidents created in ``[since, until)`` (their call,
creation and close times and kecamatan), and the first time a unit of each agency reached each
status for them (``unit_status_changes`` grouped by incident, agency and status; ``dispatched`` is
written by the assignment itself). Times come back as epoch seconds computed by the database, and
the rest is done on arrays (pandas/numpy): a year of 50,000 incidents is a few hundred thousand
values, not a few hundred thousand Python datetimes. The KPI groups
(:data:`~dispatch_geo.kpi.intervals.AGENCY_GROUP`) are formed from the handful of agencies.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Float, Result, String, case, cast, func, select
from sqlalchemy.orm import Session

from dispatch_geo.domain.incidents import IncidentStatus
from dispatch_geo.domain.units import UnitStatus
from dispatch_geo.domain.values import require_aware
from dispatch_geo.kpi.intervals import AGENCY_GROUP, TIME_COLUMNS
from dispatch_geo.kpi.summary import ALL_AGENCIES, KpiReport, summarise_frame
from dispatch_geo.storage.models import IncidentRow, UnitRow, UnitStatusChangeRow

MILESTONE_STATUSES: dict[UnitStatus, str] = {
    UnitStatus.DISPATCHED: "dispatched",
    UnitStatus.EN_ROUTE: "en_route",
    UnitStatus.ON_SCENE: "on_scene",
    UnitStatus.TRANSPORTING: "transporting",
    UnitStatus.AT_HOSPITAL: "at_hospital",
}
"""Unit statuses whose first time per agency is a milestone, and the frame's column."""


def _epoch_s(column: Any, dialect: str) -> ColumnElement[float]:
    """Seconds since 1970 of a :class:`~dispatch_geo.storage.types.UtcDateTime` column."""
    if dialect == "sqlite":  # stored as UTC text "YYYY-MM-DD HH:MM:SS.ffffff"
        return cast((func.julianday(column) - 2440587.5) * 86400.0, Float)
    return cast(func.extract("epoch", column), Float)


def _frame(result: Result[Any], columns: list[str]) -> pd.DataFrame:
    """A Core query's rows as a frame (plain tuples: no per-row type conversion beyond the driver's);
    the time columns as float64 (NaN where NULL), so pandas aggregates them in C."""
    frame = pd.DataFrame([tuple(row) for row in result], columns=columns)
    times = [c for c in columns if c in TIME_COLUMNS]
    return frame.astype(dict.fromkeys(times, np.float64))


def milestone_frame(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    agency: str | None = None,
    kecamatan_kode: str | None = None,
) -> tuple[pd.DataFrame, int, int]:
    """Milestones of the incidents created in ``[since, until)``, one row per incident and agency
    group that responded plus one per incident for :data:`ALL_AGENCIES` (the first unit of any
    agency); see :func:`dispatch_geo.kpi.summary.milestones_frame` for the columns.

    Returns ``(frame, incidents, simulated)``: the counts are of every incident in the period (also
    those no unit was sent to). ``agency`` keeps only that group's rows and the incident-wide rows of
    the incidents it responded to.
    """
    since, until = require_aware(since, "period start"), require_aware(until, "period end")
    connection = session.connection()  # Core rows: no ORM loading for a few hundred thousand values
    dialect = connection.dialect.name
    in_period = [IncidentRow.created_at >= since, IncidentRow.created_at < until]
    if kecamatan_kode is not None:
        in_period.append(IncidentRow.kecamatan_kode == kecamatan_kode)
    closed_at = case((IncidentRow.status == IncidentStatus.CLOSED.value, IncidentRow.closed_at), else_=None)
    incidents = _frame(
        connection.execute(
            select(
                IncidentRow.id,
                IncidentRow.kecamatan_kode,
                IncidentRow.kecamatan_nama,
                IncidentRow.simulated,
                _epoch_s(IncidentRow.call_received_at, dialect),
                _epoch_s(IncidentRow.created_at, dialect),
                _epoch_s(closed_at, dialect),  # cancelled: no close
            ).where(*in_period)
        ),
        ["incident_id", "kecamatan_kode", "kecamatan_nama", "simulated", "call", "created", "closed"],
    )
    changed_s = _epoch_s(UnitStatusChangeRow.changed_at, dialect)
    status = cast(UnitStatusChangeRow.to_status, String)
    firsts = _frame(
        connection.execute(
            select(
                UnitStatusChangeRow.incident_id,
                cast(UnitRow.agency, String),
                *(func.min(case((status == s.value, changed_s), else_=None)) for s in MILESTONE_STATUSES),
            )
            .join(UnitRow, UnitRow.id == UnitStatusChangeRow.unit_id)
            .join(IncidentRow, IncidentRow.id == UnitStatusChangeRow.incident_id)
            .where(*in_period, status.in_([s.value for s in MILESTONE_STATUSES]))
            .group_by(UnitStatusChangeRow.incident_id, UnitRow.agency)
        ),
        ["incident_id", "agency", *MILESTONE_STATUSES.values()],
    )
    groups = {a.value: g for a, g in AGENCY_GROUP.items()}
    firsts["agency"] = firsts["agency"].map(groups)
    wide = pd.concat(
        [
            firsts.groupby(["incident_id", "agency"], as_index=False).min(),
            firsts.drop(columns="agency")
            .groupby("incident_id", as_index=False)
            .min()
            .assign(agency=ALL_AGENCIES),
        ]
    )
    alone = incidents.loc[~incidents["incident_id"].isin(firsts["incident_id"]), ["incident_id"]]
    wide = pd.concat([wide, alone.assign(agency=ALL_AGENCIES)])  # incidents no unit was sent to
    frame = wide.merge(incidents, on="incident_id")
    if agency is not None:
        responded = frame.loc[frame["agency"] == agency, "incident_id"]
        frame = frame[frame["agency"].isin([agency, ALL_AGENCIES]) & frame["incident_id"].isin(responded)]
    frame = frame.assign(simulated=frame["simulated"].astype(bool))
    simulated = int(incidents["simulated"].astype(bool).sum())
    return frame.reset_index(drop=True), len(incidents), simulated


def kpi_report(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    agency: str | None = None,
    kecamatan_kode: str | None = None,
) -> KpiReport:
    """The KPI report of the incidents created in ``[since, until)`` (see :func:`milestone_frame`)."""
    frame, incidents, simulated = milestone_frame(
        session, since=since, until=until, agency=agency, kecamatan_kode=kecamatan_kode
    )
    return summarise_frame(
        frame, period_from=since, period_to=until, incidents=incidents, simulated=simulated
    )
