"""What a simulated crew does next, from what its crew page shows (pure: values in, a step out).

The demo's crews read ``GET /api/v1/crew/assignment`` as the phone page does and act like a shift:
dispatched → report en route and drive to the incident → on arrival report on scene → stay a while →
an ambulance takes the patient to the nearest hospital (transporting, at hospital, another stay), any
other unit clears → report returning and drive back to the post → at the post report available and
patrol near it again. The driving is done by :class:`tracking.simulator.FleetSimulator`; the reports
go through the crew API (``siaga.demo_crews``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dispatch_geo.domain.values import LonLat


@dataclass
class CrewMemory:
    """What one simulated crew remembers between two looks at its page."""

    driving_to: LonLat | None = None
    dwell_until_s: float | None = None


@dataclass(frozen=True)
class CrewStep:
    """What to do now: report a status (with extra body fields), drive somewhere, or patrol again."""

    report: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    drive_to: LonLat | None = None
    patrol: bool = False


def _target(view: dict[str, Any]) -> LonLat | None:
    target = view.get("target")
    if not target:
        return None
    return LonLat(float(target["location"]["lon"]), float(target["location"]["lat"]))


def _go(memory: CrewMemory, place: LonLat | None, *, arrived: bool, then: str) -> CrewStep:
    """Drive to ``place``; once there, report ``then``."""
    if place is None:
        return CrewStep()
    if memory.driving_to != place:
        return CrewStep(drive_to=place)
    return CrewStep(report=then) if arrived else CrewStep()


def _stay(memory: CrewMemory, now_s: float, dwell_s: float) -> bool:
    """True once the crew has stayed ``dwell_s`` (starting the stay on the first look)."""
    if memory.dwell_until_s is None:
        memory.dwell_until_s = now_s + dwell_s
    if now_s < memory.dwell_until_s:
        return False
    memory.dwell_until_s = None
    return True


def next_step(
    view: dict[str, Any], memory: CrewMemory, *, arrived: bool, now_s: float, dwell_s: float, home: LonLat
) -> CrewStep:
    """The crew's next step; ``arrived`` is whether the vehicle reached the end of its route."""
    status = view["unit_status"]
    if status == "dispatched":
        return CrewStep(report="en_route", drive_to=_target(view))
    if status == "en_route":
        return _go(memory, _target(view), arrived=arrived, then="on_scene")
    if status == "transporting":
        return _go(memory, _target(view), arrived=arrived, then="at_hospital")
    if status in ("on_scene", "at_hospital"):
        if not _stay(memory, now_s, dwell_s):
            return CrewStep()
        hospitals = view.get("hospitals") or []
        if status == "on_scene" and "transporting" in view["next_statuses"] and hospitals:
            return CrewStep(report="transporting", extra={"destination_facility_id": hospitals[0]["id"]})
        return CrewStep(report="returning", drive_to=home)
    if status == "returning":
        return _go(memory, home, arrived=arrived, then="available")
    if memory.driving_to is not None:  # available (or out of service): back to patrolling
        return CrewStep(patrol=True)
    return CrewStep()
