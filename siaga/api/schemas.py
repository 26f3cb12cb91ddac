"""Request and response bodies of the HTTP API (pydantic v2).

Inputs are checked here, field by field, so a bad request gets a 422 naming each problem; checks that
need the database or the map (outside Siak, unknown station) happen in the services and map to 422 as
well. Every time is timezone-aware UTC (ISO 8601 with ``Z``); the console shows WIB.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from dispatch_geo.domain.fleet_csv import CALL_SIGN_PATTERN, STATION_ID_PATTERN
from dispatch_geo.domain.incidents import IncidentStatus, IncidentType, parse_priority
from dispatch_geo.domain.units import Agency, Availability, UnitStatus, UnitType

Lon = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False, description="longitude, WGS84 degrees")]
Lat = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False, description="latitude, WGS84 degrees")]


def _priority(value: object) -> int:
    return int(parse_priority(value))


PriorityValue = Annotated[int, BeforeValidator(_priority), Field(description="1 most urgent, 2, or 3")]


class Strict(BaseModel):
    """Refuses unknown fields, so a typo is an error rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


class Point(BaseModel):
    lon: float
    lat: float


class Place(BaseModel):
    kode: str | None
    nama: str | None


# --- units ------------------------------------------------------------------------------------------


class UnitCreate(Strict):
    id: str = Field(
        pattern=CALL_SIGN_PATTERN.pattern, max_length=32, description="call sign, e.g. AMB-SIAK-04"
    )
    unit_type: UnitType
    station_id: str = Field(pattern=STATION_ID_PATTERN.pattern, max_length=32)
    agency: Agency | None = Field(default=None, description="default: the unit type's usual agency")
    device_id: str | None = Field(default=None, min_length=1, max_length=32)


class UnitStatusUpdate(Strict):
    status: UnitStatus


class PositionReport(Strict):
    lon: Lon
    lat: Lat
    fix_time: AwareDatetime | None = Field(default=None, description="when the GPS took the fix; default now")
    speed_kph: float | None = Field(default=None, ge=0, le=400)
    course_deg: float | None = Field(default=None, ge=0, le=360)


class UnitOut(BaseModel):
    id: str
    unit_type: UnitType
    agency: Agency
    station_id: str
    status: UnitStatus
    availability: Availability
    status_changed_at: datetime
    has_device: bool = Field(description="a tracker or phone is paired (its id: GET /devices, admin)")
    position: Point | None
    last_fix_time: datetime | None
    fix_age_s: float | None
    stale: bool | None = Field(description="position older than the stale limit (None: no position)")


class UnitStatusOut(BaseModel):
    unit: UnitOut
    from_status: UnitStatus
    to_status: UnitStatus
    changed_at: datetime
    changed_by: str
    incident_id: int | None
    assignment_released: bool
    incident_status: IncidentStatus | None


class PositionOut(BaseModel):
    stored: bool = Field(description="False when a newer fix was already stored (late or replayed fix)")
    unit: UnitOut


class StationOut(BaseModel):
    id: str
    name: str
    agency: Agency
    location: Point
    approximate: bool
    note: str


# --- incidents --------------------------------------------------------------------------------------


class IncidentCreate(Strict):
    incident_type: IncidentType
    priority: PriorityValue
    lon: Lon | None = None
    lat: Lat | None = None
    place: str | None = Field(
        default=None, min_length=2, max_length=120, description="desa/kecamatan name instead of lon/lat"
    )
    place_kode: str | None = Field(
        default=None,
        min_length=1,
        max_length=20,
        description="kode of a desa or kecamatan from /places instead of lon/lat; wins over `place`",
    )
    caller_phone: str | None = Field(default=None, pattern=r"^\+?[0-9][0-9 \-]{2,30}$", max_length=32)
    description: str = Field(default="", max_length=4000)
    address: str = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _one_location(self) -> IncidentCreate:
        if (self.lon is None) != (self.lat is None):
            missing = "lat" if self.lat is None else "lon"
            raise ValueError(f"{missing} is missing: give both lon and lat, or a place name")
        if self.lon is None and self.place is None and self.place_kode is None:
            raise ValueError("the location is missing: give lon and lat, or a place name")
        if self.lon is not None and (self.place is not None or self.place_kode is not None):
            raise ValueError("give the location as lon and lat or as a place name, not both")
        return self


class IncidentUpdate(Strict):
    description: str | None = Field(default=None, max_length=4000)
    priority: PriorityValue | None = None

    @model_validator(mode="after")
    def _something(self) -> IncidentUpdate:
        if self.description is None and self.priority is None:
            raise ValueError("nothing to update: give description and/or priority")
        return self


class IncidentFinish(Strict):
    note: str = Field(default="", max_length=1000)


class IncidentOut(BaseModel):
    id: int
    incident_type: IncidentType
    priority: int
    status: IncidentStatus
    location: Point
    address: str
    caller_phone: str | None = Field(
        description="the caller's number; null for the planner role (caller identity is shown to "
        "dispatchers and admins only)"
    )
    description: str
    desa: Place
    kecamatan: Place
    created_at: datetime
    created_by: str
    closed_at: datetime | None
    assigned_units: list[str]
    outstanding: list[str] = Field(description="requirements not yet met, e.g. '1 × ambulance'")


class IncidentCreated(IncidentOut):
    location_source: str = Field(description="'coordinates' or 'place'")
    place_match: dict[str, Any] | None
    inside_boundary: bool = Field(description="False when within the buffer just outside the regency")


# --- recommendations, assignments, timeline -----------------------------------------------------------


class RecommendationRequest(Strict):
    k: int | None = Field(default=None, ge=1, le=50, description="units per requirement")
    unit_types: list[UnitType] | None = Field(
        default=None, min_length=1, description="rank one unit of these types instead of the needs table"
    )


class RankedOut(BaseModel):
    unit_id: str
    unit_type: str
    eta_s: float
    distance_m: float
    distance_to_road_m: float
    fix_age_s: float
    stale: bool
    route: dict[str, Any] = Field(description="GeoJSON LineString, [lon, lat]")


class ExcludedOut(BaseModel):
    unit_id: str
    reason: str
    detail: str


class RequirementOut(BaseModel):
    requirement: str
    unit_types: list[str]
    count: int
    ranked: list[RankedOut]
    stale: list[RankedOut]
    excluded: list[ExcludedOut]
    warnings: list[str]
    incident_snap_distance_m: float


class RecommendationOut(BaseModel):
    incident_id: int
    audit_id: int
    computed_at: datetime
    groups: list[RequirementOut]
    notes: list[str]
    schematic: bool
    label: str


class AssignmentCreate(Strict):
    unit_id: str = Field(min_length=1, max_length=32)


class AssignmentOut(BaseModel):
    id: int
    incident_id: int
    unit_id: str
    assigned_at: datetime
    assigned_by: str
    released_at: datetime | None


class AssignmentCreated(AssignmentOut):
    incident_status: IncidentStatus
    was_offered: bool
    audit_id: int


class TimelineEntryOut(BaseModel):
    at: datetime
    kind: str
    by: str
    summary: str
    unit_id: str | None
    detail: dict[str, Any]


class TimelineOut(BaseModel):
    incident_id: int
    entries: list[TimelineEntryOut]
