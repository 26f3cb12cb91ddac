"""Positions on demand (issue 13): ask the phones of stale available units for a fix before ranking.

``POST /units/position-requests`` sends OwnTracks ``reportLocation`` to every available unit (of the
given types) whose position is stale or missing and whose paired device is an OwnTracks app instance
(``login/device``); the answer lists who was asked, who could not be (and why) and how long to wait
before asking for the ranking again. The console's "asking for position…" step is not wired yet.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field

from dispatch_geo.domain.units import Availability, UnitType, availability
from dispatch_geo.storage import fleet_repo
from siaga.api.deps import DispatcherDep, SessionDep, StateDep, now_utc
from siaga.position_requests import BrokerUnavailableError, send_report_location
from tracking.commands import owntracks_cmd_topic

router = APIRouter(tags=["units"])

POSITION_WAIT_S = 10.0
"""How long a client waits for the answers before it ranks again (the bounded wait)."""


class PositionRequestIn(BaseModel):
    model_config = {"extra": "forbid"}

    unit_types: list[UnitType] | None = Field(default=None, max_length=6, description="default: every type")


class Skipped(BaseModel):
    unit_id: str
    reason: str = Field(description="no_device | no_remote_commands")


class PositionRequestOut(BaseModel):
    asked: list[str] = Field(description="units whose app was sent reportLocation")
    skipped: list[Skipped]
    wait_s: float = Field(description="rank again after this long; most answers arrive within seconds")


@router.post(
    "/units/position-requests",
    response_model=PositionRequestOut,
    summary="Ask stale available units' OwnTracks apps for their position now (dispatcher)",
    responses={503: {"description": "`broker_unavailable`: the MQTT broker did not take the commands"}},
)
def request_positions(
    body: PositionRequestIn, session: SessionDep, state: StateDep, _: DispatcherDep
) -> PositionRequestOut:
    now = now_utc()
    stale_s = state.geo.stale_after_s
    asked: dict[str, str] = {}
    skipped = []
    for unit in fleet_repo.list_units(session, unit_type=body.unit_types):
        if availability(unit.status) != Availability.AVAILABLE:
            continue
        if unit.last_fix_time is not None and (now - unit.last_fix_time).total_seconds() <= stale_s:
            continue
        topic = None if unit.device_id is None else owntracks_cmd_topic(unit.device_id)
        if topic is None:
            skipped.append(
                Skipped(
                    unit_id=unit.id, reason="no_device" if unit.device_id is None else "no_remote_commands"
                )
            )
        else:
            asked[unit.id] = topic
    try:
        send_report_location(state.settings, asked.values())
    except BrokerUnavailableError as exc:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, str(exc), headers={"Retry-After": "5"}
        ) from None
    return PositionRequestOut(asked=sorted(asked), skipped=skipped, wait_s=POSITION_WAIT_S)
