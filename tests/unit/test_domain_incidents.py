"""Incident lifecycle, priority validation and the units each incident type needs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dispatch_geo.domain.incidents import (
    INCIDENT_TRANSITIONS,
    REQUIRED_UNITS,
    IncidentStatus,
    IncidentType,
    Priority,
    Requirement,
    incident_transition,
    outstanding_needs,
    parse_priority,
)
from dispatch_geo.domain.units import UnitType
from dispatch_geo.errors import InputError, InvalidTransition

A = UnitType.AMBULANCE
E = UnitType.FIRE_ENGINE
T = UnitType.WATER_TANKER
PC = UnitType.POLICE_CAR
PM = UnitType.POLICE_MOTORBIKE
R = UnitType.RESCUE
statuses = st.sampled_from(list(IncidentStatus))


@given(current=statuses, new=statuses)
def test_incident_transition_succeeds_exactly_when_the_table_allows_it(
    current: IncidentStatus, new: IncidentStatus
) -> None:
    if new in INCIDENT_TRANSITIONS[current]:
        assert incident_transition(current, new) is new
    else:
        with pytest.raises(InvalidTransition) as excinfo:
            incident_transition(current, new)
        message = str(excinfo.value)
        assert f"from {current.value} to {new.value}" in message
        for allowed in INCIDENT_TRANSITIONS[current]:
            assert allowed.value in message


def test_lifecycle_and_final_statuses() -> None:
    status = IncidentStatus.NEW
    for step in ("dispatched", "on_scene", "closed"):
        status = incident_transition(status, IncidentStatus(step))
    assert status is IncidentStatus.CLOSED
    with pytest.raises(InvalidTransition, match="allowed from closed: none"):
        incident_transition(IncidentStatus.CLOSED, IncidentStatus.NEW)
    assert incident_transition(IncidentStatus.NEW, IncidentStatus.CANCELLED) is IncidentStatus.CANCELLED


@pytest.mark.parametrize(("value", "expected"), [(1, Priority.IMMEDIATE), ("2", Priority.URGENT), (3, 3)])
def test_priority_accepts_one_to_three(value: object, expected: int) -> None:
    assert parse_priority(value) == expected


@pytest.mark.parametrize("value", [0, 4, -1, "high", "", None, True, 1.5])
def test_priority_refuses_everything_else(value: object) -> None:
    with pytest.raises(InputError, match=r"expected 1 \(most urgent\), 2 or 3"):
        parse_priority(value)


def test_the_issue_incident_types_all_have_requirements() -> None:
    names = {"fire", "medical", "traffic_accident", "crime", "flood", "other"}
    assert names <= {t.value for t in IncidentType}
    assert set(REQUIRED_UNITS) == set(IncidentType)


@pytest.mark.parametrize(
    ("incident_type", "assigned", "missing"),
    [
        (IncidentType.MEDICAL, [], [("ambulance", 1)]),
        (IncidentType.MEDICAL, [A], []),
        (IncidentType.TRAFFIC_ACCIDENT, [], [("ambulance", 1), ("police_car or police_motorbike", 1)]),
        (IncidentType.TRAFFIC_ACCIDENT, [PM], [("ambulance", 1)]),
        (IncidentType.TRAFFIC_ACCIDENT, [A, PC], []),
        (IncidentType.FIRE, [E], [("fire_engine", 1)]),
        (IncidentType.FIRE, [T, E], [("fire_engine", 1)]),
        (IncidentType.FIRE, [E, E, E], []),
        (IncidentType.CRIME, [A], [("police_car or police_motorbike", 1)]),
        (IncidentType.FLOOD, [A], [("rescue", 1)]),
        (IncidentType.FOREST_FIRE, [T], [("fire_engine", 1)]),
        (IncidentType.OTHER, [], []),
    ],
)
def test_outstanding_needs(
    incident_type: IncidentType, assigned: list[UnitType], missing: list[tuple[str, int]]
) -> None:
    needs = outstanding_needs(incident_type, assigned)
    assert [(" or ".join(sorted(n.unit_types)), n.count) for n in needs] == missing


def test_overlapping_requirements_leave_the_most_flexible_need_open() -> None:
    table = {IncidentType.FIRE: (Requirement(frozenset({E}), 1), Requirement(frozenset({E, T}), 1))}
    # The one engine fills the engine-only slot, so what is still wanted is "engine or tanker".
    assert outstanding_needs(IncidentType.FIRE, [E], table=table) == [Requirement(frozenset({E, T}), 1)]
    # A tanker first, then an engine: both slots are filled whatever the order.
    assert outstanding_needs(IncidentType.FIRE, [T, E], table=table) == []
    assert outstanding_needs(IncidentType.FIRE, [T], table=table) == [Requirement(frozenset({E}), 1)]


@given(
    assigned=st.lists(st.sampled_from(list(UnitType)), max_size=6),
    incident_type=st.sampled_from(list(IncidentType)),
)
def test_needs_never_grow_when_a_unit_is_added(assigned: list[UnitType], incident_type: IncidentType) -> None:
    before = sum(n.count for n in outstanding_needs(incident_type, assigned))
    for extra in UnitType:
        after = sum(n.count for n in outstanding_needs(incident_type, [*assigned, extra]))
        assert before - 1 <= after <= before


def test_requirement_validation() -> None:
    with pytest.raises(InputError, match="at least 1"):
        Requirement(frozenset({A}), 0)
    with pytest.raises(InputError, match="at least one acceptable unit type"):
        Requirement(frozenset(), 1)
    assert Requirement(frozenset({PM, PC}), 1).describe() == "1 × police_car or police_motorbike"


def test_added_requirements_follow_the_table_and_are_filled_like_it() -> None:
    police = Requirement(unit_types=frozenset({UnitType.POLICE_CAR, UnitType.POLICE_MOTORBIKE}), count=1)
    ambulance = Requirement(unit_types=frozenset({UnitType.AMBULANCE}), count=1)
    missing = outstanding_needs(IncidentType.FIRE, [UnitType.FIRE_ENGINE], extra=[police, ambulance])
    assert [n.describe() for n in missing] == [
        "1 × fire_engine",
        "1 × police_car or police_motorbike",
        "1 × ambulance",
    ]
    assert missing[1].label_params() == {"count": 1, "unit_types": ["police_car", "police_motorbike"]}
    filled = [UnitType.FIRE_ENGINE, UnitType.FIRE_ENGINE, UnitType.POLICE_MOTORBIKE, UnitType.AMBULANCE]
    assert outstanding_needs(IncidentType.FIRE, filled, extra=[police, ambulance]) == []
    # an added requirement of the table's own type is a slot of its own
    engine = Requirement(unit_types=frozenset({UnitType.FIRE_ENGINE}), count=1)
    assert [n.count for n in outstanding_needs(IncidentType.FIRE, filled[:2], extra=[engine])] == [1]
