"""The standard intervals of one incident, per responding agency, from its stored milestones.

Milestones (all aware UTC, any may be missing): the call received (the intake form's start time), the
incident created, and per agency group the *first* of its units to be dispatched, to report en route,
on scene, transporting and at hospital; then the incident closed. Intervals are the differences of
consecutive milestones (:data:`INTERVALS`); an interval whose end comes before its start (a clock
correction, a status set late by hand) is dropped, never counted as negative.

Agency groups (:data:`AGENCY_GROUP`): PSC 119 with the RSUD and puskesmas ambulances (medical), Damkar
(fire), Polres with the Polsek (police), BPBD. Each group is held to the same standard the coverage
report uses (:mod:`dispatch_geo.coverage.standards`): a *response-time* standard (fire: report to
acting on scene) is compared with the response interval (call received, else created → first on
scene); a *travel-time* standard (ambulance, police) with the travel interval (first en route, else
dispatched → first on scene). BPBD has no numeric standard: its share is not computed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from dispatch_geo.coverage.standards import ServiceStandard, service_standard
from dispatch_geo.domain.units import Agency

AGENCY_GROUPS: tuple[str, ...] = ("psc_119", "damkar", "polres", "bpbd")
"""The agencies (OPD) the Kinerja page reports on, in display order."""

AGENCY_GROUP: Mapping[Agency, str] = {
    Agency.PSC_119: "psc_119",
    Agency.RSUD: "psc_119",
    Agency.PUSKESMAS: "psc_119",
    Agency.DAMKAR: "damkar",
    Agency.POLRES: "polres",
    Agency.POLSEK: "polres",
    Agency.BPBD: "bpbd",
}
"""Which KPI group a unit's agency counts under."""

SERVICE_OF_GROUP: Mapping[str, str | None] = {
    "psc_119": "ambulance",
    "damkar": "fire",
    "polres": "police",
    "bpbd": None,
}
"""The coverage service whose standard a group is held to (None: no numeric standard)."""

INTERVALS: tuple[str, ...] = (
    "call_to_create",
    "create_to_dispatch",
    "dispatch_to_en_route",
    "en_route_to_on_scene",
    "on_scene_to_transport",
    "transport_to_hospital",
    "response",
    "travel",
    "call_to_close",
)
"""Interval names, in timeline order; ``response`` and ``travel`` are the ones standards judge."""


@dataclass(frozen=True)
class Milestones:
    """When things first happened for one incident and one agency group."""

    incident_id: int
    agency: str
    kecamatan_kode: str | None
    kecamatan_nama: str | None
    created_at: datetime
    call_received_at: datetime | None = None
    dispatched_at: datetime | None = None
    en_route_at: datetime | None = None
    on_scene_at: datetime | None = None
    transporting_at: datetime | None = None
    at_hospital_at: datetime | None = None
    closed_at: datetime | None = None
    simulated: bool = False


def _span(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None or end < start:
        return None
    return (end - start).total_seconds()


def incident_intervals(m: Milestones) -> dict[str, float | None]:
    """Seconds of each interval of :data:`INTERVALS` (None where a milestone is missing)."""
    call = m.call_received_at or m.created_at
    return {
        "call_to_create": _span(m.call_received_at, m.created_at),
        "create_to_dispatch": _span(m.created_at, m.dispatched_at),
        "dispatch_to_en_route": _span(m.dispatched_at, m.en_route_at),
        "en_route_to_on_scene": _span(m.en_route_at, m.on_scene_at),
        "on_scene_to_transport": _span(m.on_scene_at, m.transporting_at),
        "transport_to_hospital": _span(m.transporting_at, m.at_hospital_at),
        "response": _span(call, m.on_scene_at),
        "travel": _span(m.en_route_at or m.dispatched_at, m.on_scene_at),
        "call_to_close": _span(call, m.closed_at),
    }


def group_standard(agency: str) -> ServiceStandard | None:
    """The standard of an agency group (the coverage report's defaults), or None."""
    service = SERVICE_OF_GROUP.get(agency)
    return None if service is None else service_standard(service)


def judged_interval(standard: ServiceStandard) -> tuple[str, float]:
    """Which interval a standard judges and its limit in seconds."""
    if standard.response_time_s is not None:
        return "response", standard.response_time_s
    return "travel", standard.travel_time_s


TIME_COLUMNS: tuple[str, ...] = (
    "call",
    "created",
    "dispatched",
    "en_route",
    "on_scene",
    "transporting",
    "at_hospital",
    "closed",
)
"""Milestone columns of a milestone frame, in seconds since the epoch (NaN where missing)."""


def _spans(start: pd.Series, end: pd.Series) -> pd.Series:
    span = (end - start).round(3)
    return span.where(span >= 0)


def interval_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`incident_intervals` for every row of a milestone frame at once (columns
    :data:`TIME_COLUMNS`), one column per interval of :data:`INTERVALS`, in seconds (NaN: missing)."""
    call = frame["call"].fillna(frame["created"])
    return pd.DataFrame(
        {
            "call_to_create": _spans(frame["call"], frame["created"]),
            "create_to_dispatch": _spans(frame["created"], frame["dispatched"]),
            "dispatch_to_en_route": _spans(frame["dispatched"], frame["en_route"]),
            "en_route_to_on_scene": _spans(frame["en_route"], frame["on_scene"]),
            "on_scene_to_transport": _spans(frame["on_scene"], frame["transporting"]),
            "transport_to_hospital": _spans(frame["transporting"], frame["at_hospital"]),
            "response": _spans(call, frame["on_scene"]),
            "travel": _spans(frame["en_route"].fillna(frame["dispatched"]), frame["on_scene"]),
            "call_to_close": _spans(call, frame["closed"]),
        },
        index=frame.index,
    )[list(INTERVALS)]
