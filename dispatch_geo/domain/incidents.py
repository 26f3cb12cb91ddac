"""Incidents: types, priorities, the incident lifecycle and the units each type needs.

Everything here is pure: values in, values out, no I/O.

Lifecycle
---------
``new`` → ``dispatched`` → ``on_scene`` → ``closed``; ``new`` and ``dispatched`` may also end as
``cancelled`` (hoax call, duplicate report, stood down before arrival). ``closed`` and ``cancelled`` are
final. The table is :data:`INCIDENT_TRANSITIONS`; :func:`incident_transition` raises
:class:`~dispatch_geo.errors.InvalidTransition` naming the allowed statuses, like the unit table.

Unit requirements
-----------------
:data:`REQUIRED_UNITS` is the *initial response* the system proposes per incident type; the dispatcher
can always send more. No Indonesian regulation fixes these numbers, so they are assumptions written
down to be reviewed by PSC 119 / Damkar / Polres Siak:

* ``medical``: one ambulance (PSC 119 practice: one ambulance per patient call).
* ``traffic_accident``: one ambulance for the injured and one police unit (car or motorbike) because a
  crash on a public road is a police matter (UU 22/2009 on road traffic: the police handle accidents).
* ``fire`` (building fire): two fire engines. Permen PU 25/PRT/M/2008 and NFPA 1720 (rural: six
  firefighters within 14 minutes) both point at two crews of about three; rural Siak has few hydrants,
  so a water tanker is often added by the dispatcher.
* ``forest_fire`` (karhutla, forest and land fire on peat, the season's main hazard in Riau): one fire
  engine and one water tanker; BPBD / Manggala Agni escalate beyond that.
* ``crime``: one police unit (car or motorbike).
* ``flood``: one rescue unit (BPBD, boats/evacuation) and one ambulance.
* ``other``: nothing proposed; the dispatcher chooses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from dispatch_geo.domain.units import UnitType
from dispatch_geo.errors import InputError, InvalidTransition


class IncidentType(StrEnum):
    """What happened, as the call-taker classifies it."""

    FIRE = "fire"
    """Building or vehicle fire."""
    FOREST_FIRE = "forest_fire"
    """Forest and land fire (karhutla), mostly on peat."""
    MEDICAL = "medical"
    TRAFFIC_ACCIDENT = "traffic_accident"
    CRIME = "crime"
    FLOOD = "flood"
    OTHER = "other"


class Priority(IntEnum):
    """Urgency of an incident: 1 is the most urgent."""

    IMMEDIATE = 1
    """Life at risk now (cardiac arrest, people trapped, fire with people inside)."""
    URGENT = 2
    """Serious but not immediately life-threatening."""
    ROUTINE = 3
    """No immediate danger."""


def parse_priority(value: object) -> Priority:
    """Return ``value`` as a :class:`Priority`, or raise :class:`InputError` unless it is 1, 2 or 3.

    Accepts ints and digit strings; refuses bools, floats with a fraction and everything else.
    """
    number: int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if number is None or number not in {p.value for p in Priority}:
        raise InputError(f"priority {value!r} is invalid; expected 1 (most urgent), 2 or 3")
    return Priority(number)


class IncidentStatus(StrEnum):
    """Where an incident stands in its lifecycle."""

    NEW = "new"
    DISPATCHED = "dispatched"
    ON_SCENE = "on_scene"
    CLOSED = "closed"
    CANCELLED = "cancelled"


_I = IncidentStatus
INCIDENT_TRANSITIONS: Mapping[IncidentStatus, frozenset[IncidentStatus]] = {
    _I.NEW: frozenset({_I.DISPATCHED, _I.CANCELLED}),
    _I.DISPATCHED: frozenset({_I.ON_SCENE, _I.CANCELLED}),
    _I.ON_SCENE: frozenset({_I.CLOSED}),
    _I.CLOSED: frozenset(),
    _I.CANCELLED: frozenset(),
}
"""Allowed next statuses of an incident."""
del _I

FINAL_INCIDENT_STATUSES: frozenset[IncidentStatus] = frozenset(
    status for status, allowed in INCIDENT_TRANSITIONS.items() if not allowed
)
"""Statuses an incident never leaves (``closed``, ``cancelled``)."""


def incident_transition(current: IncidentStatus, new: IncidentStatus) -> IncidentStatus:
    """Check the move ``current`` → ``new`` of an incident and return ``new``.

    Raises
    ------
    InvalidTransition
        If :data:`INCIDENT_TRANSITIONS` does not allow it; the message names the allowed statuses.
    """
    current = IncidentStatus(current)
    new = IncidentStatus(new)
    allowed = INCIDENT_TRANSITIONS[current]
    if new not in allowed:
        allowed_text = ", ".join(sorted(allowed)) or "none (final status)"
        raise InvalidTransition(
            f"an incident cannot go from {current} to {new}; allowed from {current}: {allowed_text}"
        ).coded(
            subject="incident",
            from_status=str(current),
            to_status=str(new),
            allowed=[str(s) for s in IncidentStatus if s in allowed],
        )
    return new


class CloseReason(StrEnum):
    """Why an incident that a unit reached is closed."""

    RESOLVED = "resolved"
    """Handled on scene (treated, extinguished, settled)."""
    TRANSPORTED = "transported"
    """The patient was taken to a hospital or puskesmas."""
    HANDED_OVER = "handed_over"
    """Another agency took over (Manggala Agni, Polres investigation, BPBD)."""
    FALSE_ALARM = "false_alarm"
    """Nothing found that needed a response."""
    NO_PATIENT_FOUND = "no_patient_found"
    """The unit arrived and found nobody."""
    OTHER = "other"
    """Anything else; say what in the note."""


class CancelReason(StrEnum):
    """Why an incident is cancelled before anyone reached it."""

    DUPLICATE = "duplicate"
    """Another incident already covers this event."""
    FALSE_ALARM = "false_alarm"
    """A hoax or a mistaken report."""
    CALLER_CANCELLED = "caller_cancelled"
    """The caller called back: help is no longer needed."""
    RESOLVED_BEFORE_ARRIVAL = "resolved_before_arrival"
    """Handled by people on the spot before a unit arrived."""
    OTHER = "other"
    """Anything else; say what in the note."""


FINISH_REASONS: Mapping[IncidentStatus, frozenset[str]] = {
    IncidentStatus.CLOSED: frozenset(r.value for r in CloseReason),
    IncidentStatus.CANCELLED: frozenset(r.value for r in CancelReason),
}
"""The reason codes each final status accepts."""


def check_finish_reason(new_status: IncidentStatus, reason: str | None) -> str | None:
    """Return ``reason`` if ``new_status`` accepts it (None is always accepted), else raise
    :class:`InputError` naming the allowed codes."""
    if reason is None:
        return None
    allowed = FINISH_REASONS.get(IncidentStatus(new_status), frozenset())
    if reason not in allowed:
        names = ", ".join(sorted(allowed)) or "none"
        raise InputError(
            f"reason {reason!r} does not fit an incident being {new_status}; expected one of {names}"
        ).coded(
            "invalid_reason", field="reason", value=reason, status=str(new_status), allowed=sorted(allowed)
        )
    return reason


@dataclass(frozen=True, slots=True)
class Requirement:
    """``count`` units, each of any type in ``unit_types``."""

    unit_types: frozenset[UnitType]
    count: int

    def __post_init__(self) -> None:
        if not self.unit_types:
            raise InputError("a requirement needs at least one acceptable unit type")
        if self.count < 1:
            raise InputError(f"a requirement needs a count of at least 1, got {self.count}")

    def describe(self) -> str:
        """Readable form, e.g. ``"1 × police_car or police_motorbike"``."""
        return f"{self.count} × " + " or ".join(sorted(self.unit_types))

    LABEL_CODE = "requirement"
    """Message code of :meth:`describe` (its parameters: :meth:`label_params`)."""

    def label_params(self) -> dict[str, object]:
        """Parameters of the label's message code: ``{"count": 1, "unit_types": ["police_car", ...]}``."""
        return {"count": self.count, "unit_types": sorted(str(t) for t in self.unit_types)}


def _need(count: int, *unit_types: UnitType) -> Requirement:
    return Requirement(unit_types=frozenset(unit_types), count=count)


REQUIRED_UNITS: Mapping[IncidentType, tuple[Requirement, ...]] = {
    IncidentType.MEDICAL: (_need(1, UnitType.AMBULANCE),),
    IncidentType.TRAFFIC_ACCIDENT: (
        _need(1, UnitType.AMBULANCE),
        _need(1, UnitType.POLICE_CAR, UnitType.POLICE_MOTORBIKE),
    ),
    IncidentType.FIRE: (_need(2, UnitType.FIRE_ENGINE),),
    IncidentType.FOREST_FIRE: (_need(1, UnitType.FIRE_ENGINE), _need(1, UnitType.WATER_TANKER)),
    IncidentType.CRIME: (_need(1, UnitType.POLICE_CAR, UnitType.POLICE_MOTORBIKE),),
    IncidentType.FLOOD: (_need(1, UnitType.RESCUE), _need(1, UnitType.AMBULANCE)),
    IncidentType.OTHER: (),
}
"""Initial response per incident type (assumptions documented in the module docstring)."""


def outstanding_needs(
    incident_type: IncidentType,
    assigned_unit_types: Iterable[UnitType],
    *,
    table: Mapping[IncidentType, Sequence[Requirement]] = REQUIRED_UNITS,
    extra: Sequence[Requirement] = (),
) -> list[Requirement]:
    """What is still missing for ``incident_type`` once units of ``assigned_unit_types`` are assigned.

    ``extra`` are requirements the dispatcher added to this incident (an ambulance and the police for a
    fire); they follow the table's, each its own requirement.

    Each assigned unit fills at most one slot. When requirements overlap (a slot that takes an engine
    and one that takes an engine or a tanker), the units are matched to fill as many slots as
    possible, narrower requirements first, so what remains is the most flexible need. Units beyond the
    requirements are ignored.

    Returns
    -------
    list[Requirement]
        The unmet requirements in table order, each with the number of units still missing; empty
        when the incident has everything it needs.
    """
    requirements = [*table[IncidentType(incident_type)], *extra]
    # One slot per unit needed; narrower slots first so they get first pick of the assigned units.
    slots = [i for i, req in enumerate(requirements) for _ in range(req.count)]
    slots.sort(key=lambda i: len(requirements[i].unit_types))
    units = [UnitType(t) for t in assigned_unit_types]
    unit_of_slot: dict[int, int] = {}
    slot_of_unit: dict[int, int] = {}

    def augment(slot: int, seen: set[int]) -> bool:
        # Kuhn's augmenting path: matched slots stay matched, so earlier (narrower) slots keep priority.
        for unit, unit_type in enumerate(units):
            if unit in seen or unit_type not in requirements[slots[slot]].unit_types:
                continue
            seen.add(unit)
            if unit not in slot_of_unit or augment(slot_of_unit[unit], seen):
                slot_of_unit[unit] = slot
                unit_of_slot[slot] = unit
                return True
        return False

    for slot in range(len(slots)):
        augment(slot, set())
    missing = [0] * len(requirements)
    for slot, req_index in enumerate(slots):
        if slot not in unit_of_slot:
            missing[req_index] += 1
    return [
        Requirement(unit_types=req.unit_types, count=n)
        for req, n in zip(requirements, missing, strict=True)
        if n > 0
    ]
