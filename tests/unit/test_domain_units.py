"""Unit status model: the transition table is the single rule, and its errors say what is allowed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dispatch_geo.domain.units import (
    AGENCIES_FOR_TYPE,
    AVAILABILITY,
    DEFAULT_AGENCY,
    PATIENT_TRANSPORT_STATUSES,
    UNIT_TRANSITIONS,
    Agency,
    Availability,
    StatusChange,
    Unit,
    UnitStatus,
    UnitType,
    allowed_next,
    change_status,
    transition,
)
from dispatch_geo.errors import ConflictError, InputError, InvalidTransition

NOW = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)
statuses = st.sampled_from(list(UnitStatus))
unit_types = st.sampled_from(list(UnitType))


def _table_allows(unit_type: UnitType, current: UnitStatus, new: UnitStatus) -> bool:
    in_table = new in UNIT_TRANSITIONS[current]
    ambulance_only = new in PATIENT_TRANSPORT_STATUSES and unit_type is not UnitType.AMBULANCE
    return in_table and not ambulance_only


@given(unit_type=unit_types, current=statuses, new=statuses)
def test_transition_succeeds_exactly_when_the_table_allows_it(
    unit_type: UnitType, current: UnitStatus, new: UnitStatus
) -> None:
    if _table_allows(unit_type, current, new):
        assert transition(unit_type, current, new) is new
    else:
        with pytest.raises(InvalidTransition) as excinfo:
            transition(unit_type, current, new)
        message = str(excinfo.value)
        assert f"from {current.value} to {new.value}" in message
        for allowed in allowed_next(unit_type, current):
            assert allowed.value in message


def test_every_status_has_a_row_and_an_availability_class() -> None:
    assert set(UNIT_TRANSITIONS) == set(UnitStatus)
    assert set(AVAILABILITY) == set(UnitStatus)
    assert all(UnitStatus.OUT_OF_SERVICE in UNIT_TRANSITIONS[s] for s in UnitStatus if s != "out_of_service")
    assert UNIT_TRANSITIONS[UnitStatus.OUT_OF_SERVICE] == {UnitStatus.AVAILABLE}


def test_a_dispatched_unit_cannot_be_dispatched_again() -> None:
    with pytest.raises(
        InvalidTransition, match="allowed from dispatched: available, en_route, out_of_service"
    ):
        transition(UnitType.AMBULANCE, UnitStatus.DISPATCHED, UnitStatus.DISPATCHED)


def test_only_ambulances_transport_patients() -> None:
    assert (
        transition(UnitType.AMBULANCE, UnitStatus.ON_SCENE, UnitStatus.TRANSPORTING)
        is UnitStatus.TRANSPORTING
    )
    with pytest.raises(InvalidTransition, match="a fire_engine cannot go from on_scene to transporting"):
        transition(UnitType.FIRE_ENGINE, UnitStatus.ON_SCENE, UnitStatus.TRANSPORTING)


def test_invalid_transition_is_a_conflict_and_a_value_error() -> None:
    with pytest.raises(ConflictError):
        transition(UnitType.RESCUE, UnitStatus.OUT_OF_SERVICE, UnitStatus.DISPATCHED)
    with pytest.raises(ValueError, match="allowed from out_of_service: available"):
        transition(UnitType.RESCUE, UnitStatus.OUT_OF_SERVICE, UnitStatus.DISPATCHED)


def test_returning_units_count_as_available_and_can_be_redispatched() -> None:
    assert AVAILABILITY[UnitStatus.RETURNING] is Availability.AVAILABLE
    assert AVAILABILITY[UnitStatus.AT_HOSPITAL] is Availability.COMMITTED
    assert AVAILABILITY[UnitStatus.OUT_OF_SERVICE] is Availability.UNAVAILABLE
    assert (
        transition(UnitType.POLICE_CAR, UnitStatus.RETURNING, UnitStatus.DISPATCHED) is UnitStatus.DISPATCHED
    )


def test_full_ambulance_cycle_produces_an_audit_trail() -> None:
    unit = Unit(
        id="AMB-SIAK-01", unit_type=UnitType.AMBULANCE, agency=Agency.PSC_119, station_id="psc119-siak"
    )
    trail = []
    for status in (
        "dispatched",
        "en_route",
        "on_scene",
        "transporting",
        "at_hospital",
        "returning",
        "available",
    ):
        unit, change = change_status(unit, UnitStatus(status), at=NOW, by="operator-1")
        trail.append((change.from_status.value, change.to_status.value))
    assert unit.status is UnitStatus.AVAILABLE
    assert trail[0] == ("available", "dispatched")
    assert trail[-1] == ("returning", "available")


def test_status_change_requires_an_aware_time_and_an_author() -> None:
    with pytest.raises(InputError, match="no timezone"):
        StatusChange("AMB-SIAK-01", UnitStatus.AVAILABLE, UnitStatus.DISPATCHED, datetime(2025, 3, 1), "op")  # noqa: DTZ001
    with pytest.raises(InputError, match="'by' must name"):
        StatusChange("AMB-SIAK-01", UnitStatus.AVAILABLE, UnitStatus.DISPATCHED, NOW, " ")


def test_default_agencies_are_allowed_for_their_types() -> None:
    for unit_type in UnitType:
        assert DEFAULT_AGENCY[unit_type] in AGENCIES_FOR_TYPE[unit_type]
    with pytest.raises(InputError, match="a police_car cannot belong to agency damkar"):
        Unit(id="POL-SIAK-09", unit_type=UnitType.POLICE_CAR, agency=Agency.DAMKAR, station_id="damkar-siak")
