"""A simulated crew's decisions (tracking.crew_sim): pure, one look at its page at a time."""

from __future__ import annotations

from typing import Any

from dispatch_geo.domain.values import LonLat
from tracking.crew_sim import CrewMemory, next_step

HOME = LonLat(102.05, 0.80)
SCENE = LonLat(102.07, 0.79)


def view(status: str, *, next_statuses: tuple[str, ...] = (), hospitals: bool = False) -> dict[str, Any]:
    return {
        "unit_status": status,
        "next_statuses": list(next_statuses),
        "target": {"location": {"lon": SCENE.lon, "lat": SCENE.lat}},
        "hospitals": [{"id": "rsud-tengku-rafian"}] if hospitals else [],
    }


def test_a_shift_step_by_step() -> None:
    memory = CrewMemory()
    step = next_step(view("dispatched"), memory, arrived=True, now_s=0, dwell_s=5, home=HOME)
    assert (step.report, step.drive_to) == ("en_route", SCENE)
    memory.driving_to = SCENE
    assert next_step(view("en_route"), memory, arrived=False, now_s=1, dwell_s=5, home=HOME).report is None
    assert (
        next_step(view("en_route"), memory, arrived=True, now_s=2, dwell_s=5, home=HOME).report == "on_scene"
    )

    scene = view("on_scene", next_statuses=("transporting", "returning"), hospitals=True)
    assert next_step(scene, memory, arrived=True, now_s=3, dwell_s=5, home=HOME).report is None  # stays
    going = next_step(scene, memory, arrived=True, now_s=8, dwell_s=5, home=HOME)
    assert going.report == "transporting"
    assert going.extra == {"destination_facility_id": "rsud-tengku-rafian"}

    next_step(view("at_hospital"), memory, arrived=True, now_s=9, dwell_s=5, home=HOME)
    back = next_step(view("at_hospital"), memory, arrived=True, now_s=14, dwell_s=5, home=HOME)
    assert (back.report, back.drive_to) == ("returning", HOME)
    memory.driving_to = HOME
    idle = {"unit_status": "returning", "next_statuses": [], "target": None, "hospitals": []}
    assert next_step(idle, memory, arrived=True, now_s=20, dwell_s=5, home=HOME).report == "available"
    free = {**idle, "unit_status": "available"}
    assert next_step(free, memory, arrived=True, now_s=21, dwell_s=5, home=HOME).patrol


def test_a_crew_that_cannot_transport_clears_and_goes_home() -> None:
    memory = CrewMemory()
    scene = view("on_scene", next_statuses=("returning", "available"))
    next_step(scene, memory, arrived=True, now_s=0, dwell_s=1, home=HOME)
    step = next_step(scene, memory, arrived=True, now_s=2, dwell_s=1, home=HOME)
    assert (step.report, step.drive_to) == ("returning", HOME)


def test_a_moved_incident_sends_the_vehicle_to_the_new_place() -> None:
    memory = CrewMemory(driving_to=LonLat(101.9, 0.7))
    step = next_step(view("en_route"), memory, arrived=True, now_s=0, dwell_s=1, home=HOME)
    assert (step.report, step.drive_to) == (None, SCENE)
