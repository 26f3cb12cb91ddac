"""Leaving the scene (dispatch_geo.dispatch.geofence.left_at): noticed at the first fix outside the
radius after the last one inside; not while still inside, and not for a unit never seen inside."""

from __future__ import annotations

from datetime import timedelta

from dispatch_geo.dispatch.geofence import left_at
from tests.unit.test_crew_geofence import SCENE, T0, track


def test_the_first_fix_outside_after_the_last_inside_is_when_the_unit_left() -> None:
    fixes = track((0, 40), (20, 60), (40, 300), (60, 900))
    assert left_at(fixes, SCENE, 150) == T0 + timedelta(seconds=40)


def test_a_unit_still_inside_has_not_left() -> None:
    assert left_at(track((0, 400), (20, 60)), SCENE, 150) is None


def test_a_unit_never_seen_inside_has_not_left_the_scene() -> None:
    assert left_at(track((0, 900), (20, 400)), SCENE, 150) is None
    assert left_at([], SCENE, 150) is None


def test_back_inside_then_out_again_counts_from_the_latest_exit() -> None:
    fixes = track((0, 40), (20, 300), (40, 50), (60, 200))
    assert left_at(fixes, SCENE, 150) == T0 + timedelta(seconds=60)
