"""Response-time standards used as coverage thresholds, per service (see REFERENCE.md §3).

Coverage is measured on *travel* time (post to scene). Where a standard is a *response* time (call to
acting on scene), the preparation allowance (dispatch, turnout) is subtracted, and both are configurable.

ambulance
    480 s travel: NFPA 1710, ALS ambulance travel time (the usual "8 minutes", a 90th-percentile target).
    PSC 119 (Permenkes 19/2016) sets no numeric national target.
fire
    Permendagri 114/2018: response ≤ 15 min from the report to acting on scene (an average). The default
    preparation allowance is 300 s (Kepmen PU 11/KPTS/2000: 5 min dispatch/preparation), so 600 s of
    travel. Kepmen PU also reserves 5 min for set-up on scene, which leaves only 300 s of travel: pass
    ``fire_preparation_s=600`` for that stricter reading.
police
    No Indonesian numeric standard was found; 900 s of travel is a placeholder to be set by Polres Siak.
"""

from __future__ import annotations

from dataclasses import dataclass

from dispatch_geo.errors import InputError

SERVICES: tuple[str, ...] = ("ambulance", "fire", "police")

AMBULANCE_TRAVEL_S = 480.0
"""NFPA 1710: ALS ambulance travel time, 480 s."""
FIRE_RESPONSE_S = 900.0
"""Permendagri 114/2018: 15 minutes from report to acting on scene."""
FIRE_PREPARATION_S = 300.0
"""Kepmen PU 11/KPTS/2000: 5 minutes dispatch and preparation."""
POLICE_TRAVEL_S = 900.0
"""Placeholder (no national numeric standard found)."""

UNIT_TYPES_FOR_SERVICE: dict[str, frozenset[str]] = {
    "ambulance": frozenset({"ambulance"}),
    "fire": frozenset({"fire_engine"}),
    "police": frozenset({"police_car", "police_motorbike"}),
}
"""Which unit types make a post count for a service (see dispatch_geo.domain.units.UnitType)."""


@dataclass(frozen=True)
class ServiceStandard:
    """The travel-time threshold of one service and where it comes from."""

    service: str
    travel_time_s: float
    response_time_s: float | None
    preparation_s: float
    source: str

    @property
    def travel_time_min(self) -> float:
        return self.travel_time_s / 60.0

    def describe(self) -> str:
        text = f"{self.service}: travel ≤ {self.travel_time_min:g} min"
        if self.response_time_s is not None:
            text += (
                f" (response {self.response_time_s / 60:g} min − preparation {self.preparation_s / 60:g} min)"
            )
        return f"{text}; {self.source}"


def service_standard(
    service: str,
    *,
    ambulance_travel_s: float = AMBULANCE_TRAVEL_S,
    fire_response_s: float = FIRE_RESPONSE_S,
    fire_preparation_s: float = FIRE_PREPARATION_S,
    police_travel_s: float = POLICE_TRAVEL_S,
) -> ServiceStandard:
    """The standard for ``service`` (``ambulance``, ``fire`` or ``police``) with the given overrides."""
    if service == "ambulance":
        standard = ServiceStandard(
            service, ambulance_travel_s, None, 0.0, "NFPA 1710 ALS ambulance travel time (480 s default)"
        )
    elif service == "fire":
        standard = ServiceStandard(
            service,
            fire_response_s - fire_preparation_s,
            fire_response_s,
            fire_preparation_s,
            "Permendagri 114/2018 response time; preparation allowance per Kepmen PU 11/KPTS/2000",
        )
    elif service == "police":
        standard = ServiceStandard(
            service, police_travel_s, None, 0.0, "placeholder: no national numeric standard found"
        )
    else:
        raise InputError(f"unknown service {service!r}; expected one of {', '.join(SERVICES)}")
    if not standard.travel_time_s > 0:
        raise InputError(
            f"{service}: the travel-time threshold must be positive, got {standard.travel_time_s} s "
            "(is the preparation allowance longer than the response time?)"
        )
    return standard
