"""Request and response bodies of the HTTP API (pydantic v2).

Inputs are checked here, field by field, so a bad request gets a 422 naming each problem; checks that
need the database or the map (outside Siak, unknown station) happen in the services and map to 422 as
well. Every time is timezone-aware UTC (ISO 8601 with ``Z``); the console shows WIB.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Path, Query
from fastapi.responses import JSONResponse
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from dispatch_geo.domain.facilities import FacilityKind
from dispatch_geo.domain.fleet_csv import CALL_SIGN_PATTERN, STATION_ID_PATTERN
from dispatch_geo.domain.incidents import (
    CancelReason,
    CloseReason,
    IncidentStatus,
    IncidentType,
    parse_priority,
)
from dispatch_geo.domain.units import Agency, Availability, UnitStatus, UnitType

DB_BIGINT_MAX = 2**63 - 1
"""Largest value of a BIGINT id column (PostgreSQL; SQLite's INTEGER holds the same)."""

IncidentId = Annotated[
    int, Path(ge=1, le=DB_BIGINT_MAX, description="incident id (a positive 64-bit integer)")
]
"""The ``{incident_id}`` of every incident route: out of range is a 422 naming the field, not a 500."""


class GeoJSONResponse(JSONResponse):
    """A GeoJSON document (RFC 7946), so the OpenAPI document names its media type."""

    media_type = "application/geo+json"


GEOJSON_OK: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "a GeoJSON FeatureCollection (RFC 7946), coordinates [lon, lat]",
        "content": {
            "application/geo+json": {
                "schema": {
                    "type": "object",
                    "required": ["type", "features"],
                    "properties": {
                        "type": {"type": "string", "enum": ["FeatureCollection"]},
                        "features": {"type": "array", "items": {"type": "object"}},
                    },
                }
            }
        },
    }
}
"""``responses=`` of the routes that answer GeoJSON (alone, or with ``format=geojson``)."""


def _storable_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters (\\u0000): the database cannot store them")
    return value


def _storable_optional(value: str | None) -> str | None:
    return None if value is None else _storable_text(value)


NO_NUL_PATTERN = r"^[^\u0000]*$"

StorableText = Annotated[
    str, AfterValidator(_storable_text), Field(json_schema_extra={"pattern": NO_NUL_PATTERN})
]
"""Text that PostgreSQL can store: no NUL character (pydantic already refuses lone surrogates). Give
each field a ``max_length`` no greater than its column's."""

UnitIdPath = Annotated[
    str,
    Path(min_length=1, max_length=32, description="call sign", json_schema_extra={"pattern": NO_NUL_PATTERN}),
    AfterValidator(_storable_text),
]
"""The ``{unit_id}`` of the unit routes: no NUL (a 500 on PostgreSQL), no longer than the column."""

StationIdQuery = Annotated[
    str | None,
    Query(
        min_length=1, max_length=32, description="station id", json_schema_extra={"pattern": NO_NUL_PATTERN}
    ),
    AfterValidator(_storable_optional),
]

Lon = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False, description="longitude, WGS84 degrees")]
Lat = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False, description="latitude, WGS84 degrees")]


def _priority(value: object) -> int:
    return int(parse_priority(value))


PriorityValue = Annotated[
    int,
    BeforeValidator(_priority),
    Field(description="1 most urgent, 2, or 3", json_schema_extra={"minimum": 1, "maximum": 3}),
]


FACILITY_ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
FacilityIdValue = Annotated[
    str, Field(min_length=1, max_length=32, pattern=FACILITY_ID_PATTERN, description="facility id (slug)")
]
FacilityIdPath = Annotated[
    str,
    Path(min_length=1, max_length=32, pattern=FACILITY_ID_PATTERN, description="facility id (slug)"),
]
FacilityLon = Annotated[
    float, Field(ge=100.0, le=104.0, allow_inf_nan=False, description="longitude (Siak and neighbours)")
]
FacilityLat = Annotated[
    float, Field(ge=-1.0, le=2.5, allow_inf_nan=False, description="latitude (Siak and neighbours)")
]


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
    device_id: StorableText | None = Field(default=None, min_length=1, max_length=32)


class UnitStatusUpdate(Strict):
    status: UnitStatus
    expected_status: UnitStatus | None = Field(
        default=None,
        description="the status the caller saw; if the unit has moved on meanwhile, 409 "
        "`unit_status_changed` and nothing changes (optimistic concurrency)",
    )
    expected_incident_id: int | None = Field(
        default=None,
        ge=0,
        le=2**63 - 1,
        description="the incident the caller saw the unit working (0: none); if it works another one now, "
        "409 `unit_reassigned` and nothing changes",
    )
    destination_facility_id: FacilityIdValue | None = Field(
        default=None,
        description="with `transporting` only: the hospital or puskesmas the patient is taken to (GET "
        "/facilities?kind=hospital&from_unit=...); stored with the unit's assignment. Another status: "
        "422 `destination_needs_transporting`; unknown: 404",
    )


class PositionReport(Strict):
    lon: Lon
    lat: Lat
    fix_time: AwareDatetime | None = Field(default=None, description="when the GPS took the fix; default now")
    speed_kph: float | None = Field(default=None, ge=0, le=400)
    course_deg: float | None = Field(default=None, ge=0, le=360)


class DestinationOut(BaseModel):
    id: str
    name: str
    kind: FacilityKind
    approximate: bool
    eta_min: float | None = Field(description="road minutes from the unit's last position (None: no route)")
    distance_km: float | None


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
    next_statuses: list[UnitStatus] = Field(
        default_factory=list,
        description="statuses POST /units/{id}/status accepts now, in lifecycle order (never "
        "`dispatched`: only an assignment dispatches a unit)",
    )
    destination: DestinationOut | None = Field(
        default=None, description="where the unit takes its patient (from `transporting` until released)"
    )


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


class FacilityOut(BaseModel):
    id: str
    name: str
    kind: FacilityKind
    location: Point
    approximate: bool = Field(description="a stand-in position: show it as approximate")
    source: str
    note: str
    active: bool
    eta_min: float | None = Field(default=None, description="with from_unit: road minutes from that unit")
    distance_km: float | None = None


class FacilityCreate(Strict):
    id: FacilityIdValue
    name: StorableText = Field(min_length=1, max_length=120)
    kind: FacilityKind
    lon: FacilityLon
    lat: FacilityLat
    approximate: bool
    source: StorableText = Field(min_length=1, max_length=500, description="where the position comes from")
    note: StorableText = Field(default="", max_length=2000)
    active: bool = True


class FacilityPatch(Strict):
    name: StorableText | None = Field(default=None, min_length=1, max_length=120)
    kind: FacilityKind | None = None
    lon: FacilityLon | None = Field(default=None, description="with lat")
    lat: FacilityLat | None = Field(default=None, description="with lon")
    approximate: bool | None = None
    source: StorableText | None = Field(default=None, min_length=1, max_length=500)
    note: StorableText | None = Field(default=None, max_length=2000)
    active: bool | None = None


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
    place: StorableText | None = Field(
        default=None, min_length=2, max_length=120, description="desa/kecamatan name instead of lon/lat"
    )
    place_kode: str | None = Field(
        default=None,
        min_length=1,
        max_length=20,
        description="kode of a desa or kecamatan from /places instead of lon/lat; wins over `place`",
    )
    caller_phone: str | None = Field(default=None, pattern=r"^\+?[0-9][0-9 \-]{2,30}$", max_length=32)
    description: StorableText = Field(default="", max_length=4000)
    address: StorableText = Field(default="", max_length=500)
    landmark: StorableText = Field(
        default="", max_length=200, description="patokan: what the caller sees nearby (mosque, bridge...)"
    )
    caller_name: StorableText | None = Field(
        default=None,
        min_length=1,
        max_length=120,
        description="the caller's name; caller identity, like caller_phone (null for planners)",
    )
    victims: int | None = Field(default=None, ge=0, le=999, description="number of victims, if known")
    call_received_at: AwareDatetime | None = Field(
        default=None,
        description="when the call-taker started the form (not in the future, at most 24 h ago); "
        "default: when the incident is created",
    )

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
    description: StorableText | None = Field(default=None, max_length=4000)
    priority: PriorityValue | None = None

    lon: Lon | None = Field(default=None, description="new location (with lat): correct where it is")
    lat: Lat | None = None
    place_kode: str | None = Field(
        default=None,
        min_length=1,
        max_length=20,
        pattern=r"^[0-9]+(\.[0-9]+)*$",
        description="new location as a desa or kecamatan kode from /places (instead of lon/lat)",
    )

    @model_validator(mode="after")
    def _something(self) -> IncidentUpdate:
        moved = self.lon is not None or self.lat is not None or self.place_kode is not None
        if self.description is None and self.priority is None and not moved:
            raise ValueError("nothing to update: give description, priority and/or a new location")
        if (self.lon is None) != (self.lat is None):
            missing = "lat" if self.lat is None else "lon"
            raise ValueError(f"{missing} is missing: give both lon and lat, or a place_kode")
        if self.lon is not None and self.place_kode is not None:
            raise ValueError("give the new location as lon and lat or as a place_kode, not both")
        return self


class IncidentFinish(Strict):
    note: StorableText = Field(default="", max_length=1000)
    reason: CloseReason | CancelReason | None = Field(
        default=None,
        description="close: resolved, transported, handed_over, false_alarm, no_patient_found, other; "
        "cancel: duplicate, false_alarm, caller_cancelled, resolved_before_arrival, other",
    )


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
    landmark: str = Field(description="patokan")
    caller_name: str | None = Field(
        description="the caller's name; null for the planner role (caller identity, like caller_phone)"
    )
    victims: int | None
    call_received_at: datetime | None = Field(description="when the call-taker started the form")
    desa: Place
    kecamatan: Place
    created_at: datetime
    created_by: str
    closed_at: datetime | None
    assigned_units: list[str]
    outstanding: list[str] = Field(description="requirements not yet met, e.g. '1 × ambulance'")
    outstanding_needs: list[NeedOut] = Field(
        default_factory=list,
        description="the same requirements as `outstanding`, structured, with a message code",
    )


class IncidentCreated(IncidentOut):
    location_source: str = Field(description="'coordinates' or 'place'")
    place_match: dict[str, Any] | None
    inside_boundary: bool = Field(description="False when within the buffer just outside the regency")


# --- what an incident still needs -------------------------------------------------------------------


class NeedOut(BaseModel):
    unit_types: list[UnitType]
    count: int
    label: str = Field(description="English, e.g. '1 × police_car or police_motorbike'")
    label_code: str = Field(description="message code of the label: 'requirement'")
    params: dict[str, Any] = Field(description="{count, unit_types}")


# --- call workflow (issue 11): history filters -----------------------------------------------------------


def _utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("the time is out of range once converted to UTC") from None


QueryTime = Annotated[AwareDatetime, AfterValidator(_utc)]
"""An aware time from a query string, as UTC (one that cannot be converted is a 422, not a 500)."""

QueryText = Annotated[str, AfterValidator(_storable_text)]
"""Search text from a query string: no NUL (PostgreSQL cannot compare it)."""


# --- call workflow (issue 11): messages as codes ---------------------------------------------------------


class MessageOut(BaseModel):
    code: str = Field(description="stable message code (docs/dispatch.md, Message codes)")
    params: dict[str, Any]
    text: str = Field(description="the same message in English, for machines and logs")


class LocateOut(BaseModel):
    """Where a candidate incident point is, before the incident is created or moved."""

    lon: float
    lat: float
    desa: Place
    kecamatan: Place
    inside: bool = Field(description="true when the point lies in a desa of the regency")
    outside_distance_m: float = Field(description="distance from the nearest desa; 0 when inside")
    road_distance_m: float = Field(description="distance to the nearest road of the routing graph")
    warnings: list[MessageOut] = Field(
        description="`far_from_road` {distance_m, limit_m} beyond SIAGA_FAR_FROM_ROAD_M"
    )
