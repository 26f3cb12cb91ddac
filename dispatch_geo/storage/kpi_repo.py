"""The milestones of the incidents of a period, read for the response-time KPIs. Never commits.

Two queries, whatever the period's length: the incidents created in ``[since, until)`` (with their
call, creation and close times and kecamatan), and the first time a unit of each agency reached each
status for them (``unit_status_changes`` grouped by incident, agency and status; ``dispatched`` is
written by the assignment itself). The KPI groups (:data:`~dispatch_geo.kpi.intervals.AGENCY_GROUP`)
are formed in Python from the handful of agencies.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch_geo.domain.incidents import IncidentStatus
from dispatch_geo.domain.units import Agency, UnitStatus
from dispatch_geo.domain.values import require_aware
from dispatch_geo.kpi.intervals import AGENCY_GROUP, Milestones
from dispatch_geo.kpi.summary import ALL_AGENCIES, KpiReport, summarise
from dispatch_geo.storage.models import IncidentRow, UnitRow, UnitStatusChangeRow

MILESTONE_STATUSES = {
    UnitStatus.DISPATCHED: "dispatched_at",
    UnitStatus.EN_ROUTE: "en_route_at",
    UnitStatus.ON_SCENE: "on_scene_at",
    UnitStatus.TRANSPORTING: "transporting_at",
    UnitStatus.AT_HOSPITAL: "at_hospital_at",
}
"""Unit statuses whose first time per agency is a milestone, and the :class:`Milestones` field."""


def period_milestones(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    agency: str | None = None,
    kecamatan_kode: str | None = None,
) -> tuple[list[Milestones], int, int]:
    """Milestones of the incidents created in ``[since, until)``: one per incident and agency group
    that responded, plus one per incident for :data:`ALL_AGENCIES` (the first unit of any agency).

    Returns ``(milestones, incidents, simulated)``: the counts are of every incident in the period
    (also those no unit was sent to). ``agency`` keeps only that group's rows (and the incident-wide
    ones of the incidents it responded to).
    """
    since, until = require_aware(since, "period start"), require_aware(until, "period end")
    in_period = [IncidentRow.created_at >= since, IncidentRow.created_at < until]
    if kecamatan_kode is not None:
        in_period.append(IncidentRow.kecamatan_kode == kecamatan_kode)
    incidents = session.execute(
        select(
            IncidentRow.id,
            IncidentRow.created_at,
            IncidentRow.call_received_at,
            IncidentRow.closed_at,
            IncidentRow.status,
            IncidentRow.kecamatan_kode,
            IncidentRow.kecamatan_nama,
            IncidentRow.simulated,
        ).where(*in_period)
    ).all()
    firsts = session.execute(
        select(
            UnitStatusChangeRow.incident_id,
            UnitRow.agency,
            UnitStatusChangeRow.to_status,
            func.min(UnitStatusChangeRow.changed_at),
        )
        .join(UnitRow, UnitRow.id == UnitStatusChangeRow.unit_id)
        .join(IncidentRow, IncidentRow.id == UnitStatusChangeRow.incident_id)
        .where(*in_period, UnitStatusChangeRow.to_status.in_(sorted(MILESTONE_STATUSES)))
        .group_by(UnitStatusChangeRow.incident_id, UnitRow.agency, UnitStatusChangeRow.to_status)
    ).all()
    times: dict[int, dict[str, dict[str, datetime]]] = defaultdict(lambda: defaultdict(dict))
    for incident_id, unit_agency, status, at in firsts:
        if incident_id is None:
            continue
        field = MILESTONE_STATUSES[UnitStatus(status)]
        for group in (AGENCY_GROUP[Agency(unit_agency)], ALL_AGENCIES):
            known = times[incident_id][group].get(field)
            if known is None or at < known:
                times[incident_id][group][field] = at
    milestones = []
    simulated = 0
    for row in incidents:
        simulated += bool(row.simulated)
        groups = times.get(row.id, {})
        if agency is not None and agency not in groups:
            continue
        closed_at = row.closed_at if row.status == IncidentStatus.CLOSED else None
        wanted = [ALL_AGENCIES, *sorted(g for g in groups if g != ALL_AGENCIES)]
        for group in wanted:
            if agency is not None and group not in (agency, ALL_AGENCIES):
                continue
            milestones.append(
                Milestones(
                    incident_id=row.id,
                    agency=group,
                    kecamatan_kode=row.kecamatan_kode,
                    kecamatan_nama=row.kecamatan_nama,
                    created_at=row.created_at,
                    call_received_at=row.call_received_at,
                    closed_at=closed_at,
                    simulated=bool(row.simulated),
                    **groups.get(group, {}),
                )
            )
    return milestones, len(incidents), simulated


def kpi_report(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    agency: str | None = None,
    kecamatan_kode: str | None = None,
) -> KpiReport:
    """The KPI report of the incidents created in ``[since, until)`` (see :func:`period_milestones`)."""
    milestones, incidents, simulated = period_milestones(
        session, since=since, until=until, agency=agency, kecamatan_kode=kecamatan_kode
    )
    return summarise(milestones, period_from=since, period_to=until, incidents=incidents, simulated=simulated)
