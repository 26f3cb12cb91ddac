"""Bodies of the crew endpoints (the unit's own phone: its assignment, its status reports)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from dispatch_geo.domain.incidents import IncidentStatus, IncidentType
from dispatch_geo.domain.units import UnitStatus, UnitType
from siaga.api.schemas import Point, UnitStatusUpdate


class CrewRoute(BaseModel):
    eta_min: float = Field(description="road travel time from the unit's last fix, minutes")
    distance_km: float
    geometry: dict[str, Any] = Field(description="GeoJSON LineString [lon, lat]; SCHEMATIC when the graph is")


class CrewTarget(BaseModel):
    """Where the crew drives now: the incident, or the hospital it takes the patient to."""

    kind: str = Field(description="incident | facility")
    id: str
    name: str
    location: Point
    approximate: bool = False
    navigation: dict[str, str] = Field(description="geo: URI, Google Maps and OsmAnd links to the target")


class CrewHospital(BaseModel):
    id: str
    name: str
    kind: str
    approximate: bool
    eta_min: float | None
    distance_km: float | None


class CrewIncident(BaseModel):
    incident_id: int
    incident_type: IncidentType
    priority: int
    incident_status: IncidentStatus
    location: Point
    desa: str | None
    kecamatan: str | None
    address: str
    landmark: str
    description: str
    victims: int | None
    caller_phone: str | None = Field(description="null unless the centre lets crews call back the caller")
    assigned_at: datetime


class CrewProposal(BaseModel):
    """The unit has stayed near its target: the crew page proposes this arrival (one tap)."""

    status: UnitStatus
    inside_s: float = Field(description="how long its fixes have stayed within radius_m of the target")
    radius_m: float


class CrewOut(BaseModel):
    """Everything the crew page shows; unchanged answers share an ETag (poll with If-None-Match)."""

    login: str = Field(description="the device (or device token) the page is logged in as")
    unit_id: str
    unit_type: UnitType
    unit_status: UnitStatus
    status_changed_at: datetime
    position: Point | None
    last_fix_time: datetime | None
    next_statuses: list[UnitStatus] = Field(description="the buttons: legal next statuses a crew reports")
    incident: CrewIncident | None = None
    target: CrewTarget | None = None
    route: CrewRoute | None = None
    proposal: CrewProposal | None = None
    hospitals: list[CrewHospital] = Field(
        default_factory=list,
        description="where the patient may go, nearest first (when transporting is next)",
    )
    schematic: bool
    label: str
    poll_interval_s: float


class CrewStatusIn(UnitStatusUpdate):
    """The console's status change, plus the confirmation of an arrival far from the place."""

    confirm_far: bool = Field(
        default=False,
        description="report an arrival although the unit's last fix is far from the place (flagged in "
        "the incident's timeline); without it such an arrival is refused with 409 `arrival_far`",
    )
