"""Shift slots (pure): parsing the configured times and proposing the shift that contains a moment."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dispatch_geo.domain.shifts import parse_shift_times, propose_shift
from dispatch_geo.domain.values import WIB
from dispatch_geo.errors import InputError

SIAK = parse_shift_times("07:00-15:00,15:00-23:00,23:00-07:00")


@pytest.mark.parametrize(
    ("wib", "name", "start", "end"),
    [
        (datetime(2026, 11, 30, 7, 0, tzinfo=WIB), "07-15", (30, 7), (30, 15)),
        (datetime(2026, 11, 30, 14, 59, tzinfo=WIB), "07-15", (30, 7), (30, 15)),
        (datetime(2026, 11, 30, 15, 0, tzinfo=WIB), "15-23", (30, 15), (30, 23)),
        (datetime(2026, 11, 30, 23, 30, tzinfo=WIB), "23-07", (30, 23), (1, 7)),
        (datetime(2026, 12, 1, 2, 0, tzinfo=WIB), "23-07", (30, 23), (1, 7)),
    ],
)
def test_the_slot_of_a_moment_in_wib(
    wib: datetime, name: str, start: tuple[int, int], end: tuple[int, int]
) -> None:
    proposed = propose_shift(SIAK, wib.astimezone(UTC))
    assert proposed.name == name
    assert (proposed.start.astimezone(WIB).day, proposed.start.astimezone(WIB).hour) == start
    assert (proposed.end.astimezone(WIB).day, proposed.end.astimezone(WIB).hour) == end


# hypothesis takes naive bounds and adds the zone itself
FROM, UNTIL = datetime(2020, 1, 1), datetime(2035, 1, 1)  # noqa: DTZ001


@given(st.datetimes(min_value=FROM, max_value=UNTIL, timezones=st.just(UTC)))
def test_every_moment_lies_in_its_proposed_shift(at: datetime) -> None:
    proposed = propose_shift(SIAK, at)
    assert proposed.start <= at < proposed.end
    assert (proposed.end - proposed.start).total_seconds() == 8 * 3600


def test_a_gap_between_slots_still_gives_a_shift_up_to_the_next_one() -> None:
    slots = parse_shift_times("08:00-16:00")
    proposed = propose_shift(slots, datetime(2026, 11, 30, 20, 0, tzinfo=WIB))
    assert proposed.end == datetime(2026, 12, 1, 8, 0, tzinfo=WIB)
    assert proposed.start < proposed.end


def test_bad_shift_times_are_named_all_at_once() -> None:
    with pytest.raises(InputError) as caught:
        parse_shift_times("07:00-15:00, 25:00-23:00, pagi, 09:00-09:00")
    message = str(caught.value)
    assert "25:00" in message
    assert "'pagi' is not HH:MM-HH:MM" in message
    assert "starts and ends at the same time" in message
