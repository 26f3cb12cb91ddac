"""MEXCLP: closed-form expected coverage, the solver against enumeration, and busy fractions."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from dispatch_geo.coverage.busy import DEFAULT_BUSY_FRACTION, BusySource, busy_fraction
from dispatch_geo.coverage.mexclp import (
    evaluate_units,
    expected_coverage,
    solve_mexclp,
    units_in_reach,
)
from dispatch_geo.errors import InputError

INF = np.inf


def test_one_point_with_n_units_is_covered_with_probability_one_minus_q_to_the_n() -> None:
    for n in range(5):
        assert expected_coverage([n], [1000.0], 0.3) == pytest.approx(1000.0 * (1 - 0.3**n))


def test_with_no_busy_units_expected_coverage_is_plain_coverage() -> None:
    cost = np.array([[100.0, INF], [INF, 200.0], [INF, INF]])
    solution = evaluate_units(cost, [10.0, 20.0, 30.0], 300.0, [1, 1], 0.0)
    assert solution.expected_weight == pytest.approx(30.0)
    assert solution.covered_weight == pytest.approx(30.0)


def test_a_second_unit_at_the_same_post_raises_expected_but_not_plain_coverage() -> None:
    cost = np.array([[100.0]])
    one = evaluate_units(cost, [100.0], 300.0, [1], 0.2)
    two = evaluate_units(cost, [100.0], 300.0, [2], 0.2)
    assert one.covered_weight == two.covered_weight == 100.0
    assert one.expected_weight == pytest.approx(80.0)
    assert two.expected_weight == pytest.approx(96.0)


def test_bad_busy_fraction_is_refused_with_its_code() -> None:
    with pytest.raises(InputError) as caught:
        expected_coverage([1], [1.0], 1.2)
    assert caught.value.code == "busy_fraction_out_of_range"


def _enumerate_best(cost: np.ndarray, w: np.ndarray, radius: float, p: int, q: float) -> float:
    best = -1.0
    for combo in itertools.combinations_with_replacement(range(cost.shape[1]), p):
        x = np.bincount(np.asarray(combo), minlength=cost.shape[1])
        best = max(best, expected_coverage(units_in_reach(cost, radius, x), w, q))
    return best


@pytest.mark.parametrize("q", [0.0, 0.2, 0.5, 0.8])
@pytest.mark.parametrize("p", [1, 2, 3, 4])
def test_solver_matches_enumeration_on_a_small_instance(p: int, q: float) -> None:
    rng = np.random.default_rng(7)
    cost = rng.uniform(0, 900, size=(9, 6))
    w = rng.uniform(100, 5000, size=9)
    solution = solve_mexclp(cost, w, 480.0, p, q)
    assert int(solution.units.sum()) == p
    assert solution.expected_weight == pytest.approx(_enumerate_best(cost, w, 480.0, p, q), rel=1e-6)


def test_busy_units_make_the_solver_double_up_where_people_are() -> None:
    # a big town reachable from site 0 only, a small village from site 1 only
    cost = np.array([[100.0, INF], [INF, 100.0]])
    w = np.array([10000.0, 500.0])
    spread = solve_mexclp(cost, w, 300.0, 2, 0.0)
    assert spread.units.tolist() == [1, 1]  # units always free: cover both
    doubled = solve_mexclp(cost, w, 300.0, 2, 0.5)
    # busy half the time: a second unit in town (+2,500 expected) beats the village (+250)
    assert doubled.units.tolist() == [2, 0]
    assert doubled.expected_weight == pytest.approx(10000 * 0.75)


def test_fixed_units_stay() -> None:
    cost = np.array([[100.0, INF], [INF, 100.0]])
    solution = solve_mexclp(cost, [10000.0, 500.0], 300.0, 2, 0.5, fixed=[0, 1])
    assert solution.units.tolist() == [1, 1]


def test_bad_solver_input_lists_every_problem() -> None:
    with pytest.raises(InputError) as caught:
        solve_mexclp(np.zeros((2, 2)), [1.0], 300.0, 0, 0.1)
    text = str(caught.value)
    assert "1 weights for 2 demand rows" in text
    assert "p must be at least 1" in text


T0 = datetime(2026, 11, 1, tzinfo=UTC)


def test_busy_fraction_from_history_is_assigned_over_on_duty_hours() -> None:
    # 2 units over 10 days = 480 unit-hours; 24 assignments of 2 h = 48 h → 0.1
    intervals = [(T0 + timedelta(hours=10 * i), T0 + timedelta(hours=10 * i + 2)) for i in range(24)]
    busy = busy_fraction(intervals, n_units=2, since=T0, until=T0 + timedelta(days=10))
    assert busy.source == BusySource.HISTORY
    assert busy.q == pytest.approx(0.1)
    assert busy.assignments == 24


def test_assignments_are_clipped_to_the_period_and_open_ones_run_to_its_end() -> None:
    end = T0 + timedelta(days=1)
    intervals = [(T0 - timedelta(hours=5), T0 + timedelta(hours=1)), (end - timedelta(hours=3), None)]
    busy = busy_fraction(intervals, n_units=1, since=T0, until=end, min_assignments=1)
    assert busy.unit_hours_assigned == pytest.approx(4.0)
    assert busy.q == pytest.approx(4.0 / 24.0)


def test_thin_history_falls_back_to_the_assumed_default() -> None:
    intervals = [(T0, T0 + timedelta(hours=12))]
    busy = busy_fraction(intervals, n_units=1, since=T0, until=T0 + timedelta(days=1))
    assert busy.source == BusySource.ASSUMED
    assert busy.q == DEFAULT_BUSY_FRACTION
    assert busy.measured == pytest.approx(0.5)  # shown, but not used


def test_an_empty_period_is_refused() -> None:
    with pytest.raises(InputError):
        busy_fraction([], n_units=1, since=T0, until=T0)
