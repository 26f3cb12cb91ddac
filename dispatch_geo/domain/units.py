"""Response units, their home posts and the unit status model.

Everything here is pure: values in, values out, no I/O.

Status model
------------
The statuses follow the base states that professional CAD systems use (Resgrid's Available /
Dispatched / Responding / On Scene / Transporting / At Hospital / Returning / Out of Service, grouped
into availability classes; see REFERENCE.md §4). The allowed moves are one table,
:data:`UNIT_TRANSITIONS`, and :func:`transition` is the only way to change a status. Decisions:

* **Out of service from anywhere.** A vehicle can break down, crash or lose its crew at any moment
  (on the way to a call too), so every status may go to ``out_of_service``; ``out_of_service`` goes
  back to ``available`` only (after a check, never straight into a job).
* **Stand-down.** ``dispatched``, ``en_route`` and ``on_scene`` may go straight to ``available`` when the
  call is cancelled or the job is finished near the post; ``returning`` is the normal way home.
* **Returning units can be re-dispatched.** A unit driving home is free ("available on radio"): it
  belongs to the *available* class and may go to ``dispatched``. In rural Siak a return trip can take
  an hour, so locking those units out would waste the nearest unit.
* **Patient transport is for ambulances only.** ``transporting`` and ``at_hospital`` are refused for
  every unit type not in :data:`PATIENT_TRANSPORT_TYPES` (enforced by :func:`allowed_next`).
* **No self-transitions.** Setting the status a unit already has is a conflict (two dispatchers
  dispatching the same unit must not both "succeed").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from dispatch_geo.domain.values import LonLat, require_aware
from dispatch_geo.errors import InputError, InvalidTransition


class Agency(StrEnum):
    """Organisations that own response units in Kabupaten Siak."""

    PSC_119 = "psc_119"
    """Public Safety Center 119: the regency's emergency ambulance service (Permenkes 19/2016)."""
    RSUD = "rsud"
    """Regional public hospital (RSUD Tengku Rafian, Siak Sri Indrapura) and its ambulances."""
    PUSKESMAS = "puskesmas"
    """Community health centres; most kecamatan have one with an ambulance."""
    DAMKAR = "damkar"
    """Dinas Pemadam Kebakaran dan Penyelamatan (fire and rescue service)."""
    POLRES = "polres"
    """Kepolisian Resor Siak (regency police command)."""
    POLSEK = "polsek"
    """Kepolisian Sektor (police station of one kecamatan)."""
    BPBD = "bpbd"
    """Badan Penanggulangan Bencana Daerah (regional disaster management agency)."""


class UnitType(StrEnum):
    """Kinds of vehicle a dispatcher can send."""

    AMBULANCE = "ambulance"
    FIRE_ENGINE = "fire_engine"
    WATER_TANKER = "water_tanker"
    POLICE_CAR = "police_car"
    POLICE_MOTORBIKE = "police_motorbike"
    RESCUE = "rescue"


DEFAULT_AGENCY: Mapping[UnitType, Agency] = {
    UnitType.AMBULANCE: Agency.PSC_119,
    UnitType.FIRE_ENGINE: Agency.DAMKAR,
    UnitType.WATER_TANKER: Agency.DAMKAR,
    UnitType.POLICE_CAR: Agency.POLRES,
    UnitType.POLICE_MOTORBIKE: Agency.POLSEK,
    UnitType.RESCUE: Agency.BPBD,
}
"""The agency a unit of each type belongs to when nothing else is said."""

AGENCIES_FOR_TYPE: Mapping[UnitType, frozenset[Agency]] = {
    UnitType.AMBULANCE: frozenset({Agency.PSC_119, Agency.RSUD, Agency.PUSKESMAS, Agency.BPBD}),
    UnitType.FIRE_ENGINE: frozenset({Agency.DAMKAR}),
    UnitType.WATER_TANKER: frozenset({Agency.DAMKAR, Agency.BPBD}),
    UnitType.POLICE_CAR: frozenset({Agency.POLRES, Agency.POLSEK}),
    UnitType.POLICE_MOTORBIKE: frozenset({Agency.POLRES, Agency.POLSEK}),
    UnitType.RESCUE: frozenset({Agency.BPBD, Agency.DAMKAR}),
}
"""Agencies that may operate each unit type (a police car never belongs to the fire service)."""


def default_agency(unit_type: UnitType) -> Agency:
    """The agency a unit of ``unit_type`` belongs to by default."""
    return DEFAULT_AGENCY[unit_type]


@dataclass(frozen=True, slots=True)
class Station:
    """A home post: fire station, hospital, puskesmas, police post, BPBD depot.

    Parameters
    ----------
    id
        Stable identifier, e.g. ``"damkar-siak"``.
    name
        Human name, e.g. ``"Pos Damkar Siak"``.
    agency
        Agency running the post.
    location
        Where the post is.
    approximate
        True when ``location`` is a stand-in (e.g. a desa centroid) rather than a surveyed point.
    note
        Free text, e.g. where an approximate position came from.
    """

    id: str
    name: str
    agency: Agency
    location: LonLat
    approximate: bool
    note: str = ""


class UnitStatus(StrEnum):
    """Operational status of a unit (REFERENCE.md §4)."""

    AVAILABLE = "available"
    DISPATCHED = "dispatched"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    TRANSPORTING = "transporting"
    AT_HOSPITAL = "at_hospital"
    RETURNING = "returning"
    OUT_OF_SERVICE = "out_of_service"


class Availability(StrEnum):
    """Coarse availability class of a status, as CAD boards colour them."""

    AVAILABLE = "available"
    """Can take a new call (at the post or driving home)."""
    COMMITTED = "committed"
    """Working a call."""
    UNAVAILABLE = "unavailable"
    """Out of service."""


AVAILABILITY: Mapping[UnitStatus, Availability] = {
    UnitStatus.AVAILABLE: Availability.AVAILABLE,
    UnitStatus.DISPATCHED: Availability.COMMITTED,
    UnitStatus.EN_ROUTE: Availability.COMMITTED,
    UnitStatus.ON_SCENE: Availability.COMMITTED,
    UnitStatus.TRANSPORTING: Availability.COMMITTED,
    UnitStatus.AT_HOSPITAL: Availability.COMMITTED,
    UnitStatus.RETURNING: Availability.AVAILABLE,
    UnitStatus.OUT_OF_SERVICE: Availability.UNAVAILABLE,
}
"""Availability class of every status."""

_S = UnitStatus
UNIT_TRANSITIONS: Mapping[UnitStatus, frozenset[UnitStatus]] = {
    _S.AVAILABLE: frozenset({_S.DISPATCHED, _S.OUT_OF_SERVICE}),
    _S.DISPATCHED: frozenset({_S.EN_ROUTE, _S.AVAILABLE, _S.OUT_OF_SERVICE}),
    _S.EN_ROUTE: frozenset({_S.ON_SCENE, _S.AVAILABLE, _S.RETURNING, _S.OUT_OF_SERVICE}),
    _S.ON_SCENE: frozenset({_S.TRANSPORTING, _S.RETURNING, _S.AVAILABLE, _S.OUT_OF_SERVICE}),
    _S.TRANSPORTING: frozenset({_S.AT_HOSPITAL, _S.OUT_OF_SERVICE}),
    _S.AT_HOSPITAL: frozenset({_S.RETURNING, _S.AVAILABLE, _S.OUT_OF_SERVICE}),
    _S.RETURNING: frozenset({_S.AVAILABLE, _S.DISPATCHED, _S.OUT_OF_SERVICE}),
    _S.OUT_OF_SERVICE: frozenset({_S.AVAILABLE}),
}
"""Allowed next statuses for every status (before the unit-type rule of :func:`allowed_next`)."""
del _S

PATIENT_TRANSPORT_TYPES: frozenset[UnitType] = frozenset({UnitType.AMBULANCE})
"""Unit types that may carry a patient (and so enter ``transporting`` / ``at_hospital``)."""

PATIENT_TRANSPORT_STATUSES: frozenset[UnitStatus] = frozenset(
    {UnitStatus.TRANSPORTING, UnitStatus.AT_HOSPITAL}
)
"""Statuses reserved for :data:`PATIENT_TRANSPORT_TYPES`."""


def availability(status: UnitStatus) -> Availability:
    """Availability class of ``status``."""
    return AVAILABILITY[status]


def allowed_next(unit_type: UnitType, current: UnitStatus) -> frozenset[UnitStatus]:
    """Statuses a unit of ``unit_type`` may move to from ``current``."""
    allowed = UNIT_TRANSITIONS[UnitStatus(current)]
    if UnitType(unit_type) not in PATIENT_TRANSPORT_TYPES:
        allowed = allowed - PATIENT_TRANSPORT_STATUSES
    return allowed


def transition(unit_type: UnitType, current: UnitStatus, new: UnitStatus) -> UnitStatus:
    """Check the move ``current`` → ``new`` for a unit of ``unit_type`` and return ``new``.

    Raises
    ------
    InvalidTransition
        If the table does not allow it; the message names the current status and the allowed ones.
    """
    allowed = allowed_next(unit_type, current)
    new = UnitStatus(new)
    if new not in allowed:
        allowed_text = ", ".join(sorted(allowed)) or "none"
        raise InvalidTransition(
            f"a {UnitType(unit_type)} cannot go from {UnitStatus(current)} to {new}; "
            f"allowed from {UnitStatus(current)}: {allowed_text}"
        ).coded(
            subject="unit",
            unit_type=str(UnitType(unit_type)),
            from_status=str(UnitStatus(current)),
            to_status=str(new),
            allowed=[str(s) for s in UnitStatus if s in allowed],
        )
    return new


@dataclass(frozen=True, slots=True)
class Unit:
    """A response vehicle.

    Parameters
    ----------
    id
        The call sign, e.g. ``"AMB-SIAK-01"``; it is the unit's id everywhere (``unit_id``).
    unit_type
        Kind of vehicle.
    agency
        Owning agency; must be one of :data:`AGENCIES_FOR_TYPE` for ``unit_type``.
    station_id
        Id of the home :class:`Station`.
    status
        Current status.
    """

    id: str
    unit_type: UnitType
    agency: Agency
    station_id: str
    status: UnitStatus = UnitStatus.AVAILABLE

    def __post_init__(self) -> None:
        if self.agency not in AGENCIES_FOR_TYPE[self.unit_type]:
            allowed = ", ".join(sorted(AGENCIES_FOR_TYPE[self.unit_type]))
            raise InputError(
                f"unit {self.id}: a {self.unit_type} cannot belong to agency {self.agency}; "
                f"expected one of {allowed}"
            )


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One status change of one unit, as written to the audit trail.

    ``at`` must be timezone-aware; ``by`` says who made the change (a dispatcher's login, ``"device"``,
    ``"system"``...).
    """

    unit_id: str
    from_status: UnitStatus
    to_status: UnitStatus
    at: datetime
    by: str

    def __post_init__(self) -> None:
        require_aware(self.at, "status change time")
        if not self.by.strip():
            raise InputError(f"status change of unit {self.unit_id}: 'by' must name who made the change")


def change_status(unit: Unit, new: UnitStatus, *, at: datetime, by: str) -> tuple[Unit, StatusChange]:
    """Apply :func:`transition` to ``unit`` and return the updated unit and the audit record."""
    to_status = transition(unit.unit_type, unit.status, new)
    change = StatusChange(unit_id=unit.id, from_status=unit.status, to_status=to_status, at=at, by=by)
    return replace(unit, status=to_status), change
