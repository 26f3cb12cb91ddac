"""Fleet state: last known position = newest fix time, late fixes are history, stale units by fix age."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dispatch_geo.domain.values import LonLat
from dispatch_geo.errors import InputError
from tracking.fix import FixSource, PositionFix
from tracking.state import DEFAULT_STALE_AFTER_S, FleetState, Outcome, stale_units, update

T0 = datetime(2024, 6, 1, tzinfo=UTC)


def make_fix(
    offset_s: float,
    device_id: str = "damkar/unit01",
    unit_id: str | None = "DAMKAR-01",
    lat: float | None = None,
) -> PositionFix:
    fix_time = T0 + timedelta(seconds=offset_s)
    return PositionFix(
        device_id=device_id,
        unit_id=unit_id,
        position=LonLat(lon=102.0, lat=lat if lat is not None else 0.7 + offset_s * 1e-6),
        fix_time=fix_time,
        received_at=fix_time + timedelta(seconds=2),
        source=FixSource.OWNTRACKS,
    )


def test_first_fix_is_new_then_newer_fixes_update() -> None:
    state, outcome = update(FleetState(), make_fix(0))
    assert outcome == Outcome.NEW
    state, outcome = update(state, make_fix(10))
    assert outcome == Outcome.UPDATED
    last = state.last_fix("DAMKAR-01")
    assert last is not None
    assert last.fix_time == T0 + timedelta(seconds=10)


def test_a_late_fix_does_not_move_the_unit() -> None:
    state, _ = update(FleetState(), make_fix(60))
    after, outcome = update(state, make_fix(30))
    assert outcome == Outcome.LATE
    assert after is state
    last = after.last_fix("DAMKAR-01")
    assert last is not None
    assert last.fix_time == T0 + timedelta(seconds=60)


def test_a_redelivered_fix_is_a_duplicate_and_a_same_time_other_place_is_late() -> None:
    state, _ = update(FleetState(), make_fix(0))
    assert update(state, make_fix(0))[1] == Outcome.DUPLICATE
    assert update(state, make_fix(0, lat=0.9))[1] == Outcome.LATE


def test_updates_never_change_an_earlier_state() -> None:
    empty = FleetState()
    one, _ = update(empty, make_fix(0))
    two, _ = update(one, make_fix(5))
    assert len(empty) == 0
    last_of_one = one.last_fix("DAMKAR-01")
    assert last_of_one is not None
    assert last_of_one.fix_time == T0
    assert len(two) == 1
    with pytest.raises(TypeError):
        two.fixes()["X"] = make_fix(0)  # type: ignore[index]


def test_units_are_keyed_by_unit_id_or_else_device_id() -> None:
    state, _ = update(FleetState(), make_fix(0, device_id="psc119/hp02", unit_id=None))
    state, _ = update(state, make_fix(0, device_id="damkar/unit01", unit_id="DAMKAR-01"))
    assert state.units() == ["DAMKAR-01", "psc119/hp02"]
    assert "psc119/hp02" in state
    assert list(state) == state.units()


def test_a_device_moved_to_another_unit_reports_for_that_unit() -> None:
    state, _ = update(FleetState(), make_fix(0, unit_id="AMB-01"))
    moved = dataclasses.replace(make_fix(10), unit_id="AMB-02")
    state, outcome = update(state, moved)
    assert outcome == Outcome.NEW
    assert state.units() == ["AMB-01", "AMB-02"]


@given(st.permutations(list(range(12))), st.lists(st.integers(0, 11), max_size=6))
def test_out_of_order_and_repeated_fixes_leave_the_newest_as_last_known(
    order: list[int], repeats: list[int]
) -> None:
    sequence = [make_fix(i * 7.5) for i in order] + [make_fix(i * 7.5) for i in repeats]
    state = FleetState()
    outcomes = []
    for fix in sequence:
        state, outcome = update(state, fix)
        outcomes.append(outcome)
    last = state.last_fix("DAMKAR-01")
    assert last is not None
    assert last.fix_time == max(f.fix_time for f in sequence)
    assert outcomes[0] == Outcome.NEW
    assert outcomes.count(Outcome.NEW) == 1
    # Every fix that became the last known was newer than all before it.
    newest = sequence[0].fix_time
    for fix, outcome in zip(sequence[1:], outcomes[1:], strict=True):
        assert (outcome == Outcome.UPDATED) == (fix.fix_time > newest)
        newest = max(newest, fix.fix_time)


@given(st.lists(st.tuples(st.sampled_from(["A", "B", "C"]), st.integers(0, 1000)), max_size=40))
def test_each_unit_keeps_its_own_newest_fix(reports: list[tuple[str, int]]) -> None:
    state = FleetState()
    for unit, offset in reports:
        state, _ = update(state, make_fix(offset, device_id=f"dev/{unit}", unit_id=unit))
    for unit in ("A", "B", "C"):
        offsets = [o for u, o in reports if u == unit]
        last = state.last_fix(unit)
        if offsets:
            assert last is not None
            assert last.fix_time == T0 + timedelta(seconds=max(offsets))
        else:
            assert last is None


def test_units_whose_last_fix_is_too_old_are_stale_oldest_first() -> None:
    state = FleetState()
    for unit, age_s in (("fresh", 30), ("old", 600), ("older", 3600), ("edge", DEFAULT_STALE_AFTER_S)):
        state, _ = update(state, make_fix(-age_s, device_id=f"dev/{unit}", unit_id=unit))
    stale = stale_units(state, now=T0)
    assert [s.unit_key for s in stale] == ["older", "old"]
    assert [s.age_s for s in stale] == [3600, 600]
    assert stale[0].last_fix.unit_id == "older"
    assert [s.unit_key for s in stale_units(state, now=T0, max_age_s=10)] == ["older", "old", "edge", "fresh"]


def test_a_late_fix_does_not_make_a_stale_unit_fresh() -> None:
    state, _ = update(FleetState(), make_fix(-900))
    state, outcome = update(state, make_fix(-1800))
    assert outcome == Outcome.LATE
    assert [s.unit_key for s in stale_units(state, now=T0)] == ["DAMKAR-01"]


def test_a_fix_from_the_future_is_not_stale() -> None:
    state, _ = update(FleetState(), make_fix(60))
    assert stale_units(state, now=T0) == []


def test_stale_units_needs_an_aware_now_and_a_sane_threshold() -> None:
    with pytest.raises(InputError):
        stale_units(FleetState(), now=datetime(2024, 6, 1))  # noqa: DTZ001
    with pytest.raises(InputError):
        stale_units(FleetState(), now=T0, max_age_s=-1)
