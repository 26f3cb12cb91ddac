"""Arrivals proposed by position (dispatch_geo.dispatch.crew): a unit that stays within the radius of
its target for the dwell time is proposed on scene / at hospital; passing by or leaving is not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dispatch_geo.dispatch.crew import arrival_proposal, inside_since
from dispatch_geo.domain.units import UnitStatus
from dispatch_geo.domain.values import LonLat

SCENE = LonLat(102.07, 0.79)
T0 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
M = 1 / 111_320  # one metre of latitude in degrees


def track(*points: tuple[int, float]) -> list[tuple[datetime, LonLat]]:
    """(seconds after T0, metres north of the scene) → fixes, oldest first."""
    return [(T0 + timedelta(seconds=s), LonLat(SCENE.lon, SCENE.lat + north * M)) for s, north in points]


def test_staying_inside_for_the_dwell_time_proposes_the_arrival() -> None:
    fixes = track((0, 900), (10, 400), (20, 120), (30, 60), (45, 40))
    assert inside_since(fixes, SCENE, 150) == T0 + timedelta(seconds=20)
    proposal = arrival_proposal(UnitStatus.EN_ROUTE, fixes, SCENE, radius_m=150, dwell_s=20)
    assert proposal is not None
    assert proposal.status is UnitStatus.ON_SCENE
    assert proposal.inside_s == 25
    hospital = arrival_proposal(UnitStatus.TRANSPORTING, fixes, SCENE, radius_m=150, dwell_s=20)
    assert hospital is not None
    assert hospital.status is UnitStatus.AT_HOSPITAL


def test_passing_by_leaving_or_another_status_proposes_nothing() -> None:
    passing = track((0, 400), (10, 100), (20, 300))
    assert arrival_proposal(UnitStatus.EN_ROUTE, passing, SCENE, radius_m=150, dwell_s=20) is None
    brief = track((0, 400), (10, 100), (20, 50))
    assert arrival_proposal(UnitStatus.EN_ROUTE, brief, SCENE, radius_m=150, dwell_s=20) is None
    inside = track((0, 50), (40, 20))
    assert arrival_proposal(UnitStatus.ON_SCENE, inside, SCENE, radius_m=150, dwell_s=20) is None
    assert arrival_proposal(UnitStatus.EN_ROUTE, [], SCENE, radius_m=150, dwell_s=20) is None
