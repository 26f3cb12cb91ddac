"""API bodies of the dispatch work on an incident: recommendations, assignments, the timeline, notes
and the requirements a dispatcher adds (issue 11). Shared types live in :mod:`siaga.api.schemas`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from dispatch_geo.domain.incidents import IncidentStatus
from dispatch_geo.domain.units import UnitType
from siaga.api.schemas import MessageOut, StorableText, Strict

# --- recommendations, assignments, timeline -----------------------------------------------------------


class RecommendationRequest(Strict):
    k: int | None = Field(default=None, ge=1, le=50, description="units per requirement")
    unit_types: list[UnitType] | None = Field(
        default=None, min_length=1, description="rank one unit of these types instead of the needs table"
    )
    routes: Literal["first", "all"] = Field(
        default="first",
        description="'first': only the first unit of each list carries its route (the others: "
        "GET /incidents/{incident_id}/routes/{unit_id}); 'all': every ranked unit's route",
    )


class RankedOut(BaseModel):
    unit_id: str
    unit_type: str
    eta_s: float
    distance_m: float
    distance_to_road_m: float
    fix_age_s: float
    stale: bool
    route: dict[str, Any] | None = Field(
        description="GeoJSON LineString, [lon, lat]; null when not unpacked (routes on demand: "
        "GET /incidents/{incident_id}/routes/{unit_id})"
    )


class UnitRouteOut(BaseModel):
    incident_id: int
    unit_id: str
    eta_s: float
    distance_m: float
    fix_age_s: float
    stale: bool = Field(description="the unit's last fix is older than the stale limit")
    route: dict[str, Any] = Field(description="GeoJSON LineString, [lon, lat], from the unit's last fix")
    schematic: bool
    label: str
    label_code: str = Field(description="`graph_schematic` (the stand-in warning) or `graph_osm`")


class ExcludedOut(BaseModel):
    unit_id: str
    reason: str
    detail: str
    reason_code: str = Field(default="", description="message code of the reason (same as `reason`)")
    params: dict[str, Any] = Field(default_factory=dict, description="parameters of `reason_code`")


class RequirementOut(BaseModel):
    requirement: str
    label_code: str = Field(default="requirement", description="message code of `requirement`")
    params: dict[str, Any] = Field(default_factory=dict, description="{count, unit_types}")
    unit_types: list[str]
    count: int
    ranked: list[RankedOut]
    stale: list[RankedOut]
    excluded: list[ExcludedOut]
    warnings: list[str]
    warning_codes: list[MessageOut] = Field(default_factory=list, description="`warnings` as codes")
    incident_snap_distance_m: float


class RecommendationOut(BaseModel):
    incident_id: int
    audit_id: int
    computed_at: datetime
    groups: list[RequirementOut]
    notes: list[str]
    note_codes: list[MessageOut] = Field(default_factory=list, description="`notes` as codes")
    schematic: bool
    label: str
    label_code: str = Field(
        default="", description="`graph_schematic` (the stand-in warning) or `graph_osm` (attribution)"
    )


class AssignmentCreate(Strict):
    unit_id: StorableText = Field(min_length=1, max_length=32)


class AssignmentOut(BaseModel):
    id: int
    incident_id: int
    unit_id: str
    assigned_at: datetime
    assigned_by: str
    released_at: datetime | None
    destination_facility_id: str | None = Field(
        default=None, description="where the unit took the patient (kept after the release)"
    )


class AssignmentCreated(AssignmentOut):
    incident_status: IncidentStatus
    was_offered: bool
    audit_id: int


class TimelineEntryOut(BaseModel):
    at: datetime
    kind: str
    by: str
    summary: str
    summary_code: str = Field(default="", description="message code of `summary`")
    params: dict[str, Any] = Field(default_factory=dict, description="parameters of `summary_code`")
    unit_id: str | None
    detail: dict[str, Any]


class TimelineOut(BaseModel):
    incident_id: int
    entries: list[TimelineEntryOut]


# --- call workflow (issue 11): notes ------------------------------------------------------------------


class NoteCreate(Strict):
    text: StorableText = Field(min_length=1, max_length=2000, description="what the dispatcher wants kept")


class NoteOut(BaseModel):
    id: int
    incident_id: int
    at: datetime
    by: str
    text: str


# --- call workflow (issue 11): requirements added by the dispatcher -------------------------------------


class RequirementCreate(Strict):
    unit_types: list[UnitType] = Field(
        min_length=1, max_length=len(UnitType), description="any of these types fills the requirement"
    )
    count: int = Field(ge=1, le=5, description="units needed")
