"""Request and response bodies of the road-closure routes (kept apart from ``schemas.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import AwareDatetime, BaseModel, Field

from dispatch_geo.dispatch.closures import MAX_POINTS
from dispatch_geo.storage.closure_models import REASON_LENGTH
from siaga.api.schemas import DB_BIGINT_MAX, Lat, Lon, StorableText, Strict

ClosureId = Annotated[int, Path(ge=1, le=DB_BIGINT_MAX, description="road closure id")]

Position = Annotated[list[Annotated[float, Field(allow_inf_nan=False)]], Field(min_length=2, max_length=2)]
Ring = Annotated[list[Position], Field(min_length=4, max_length=2000)]


class AreaIn(Strict):
    """A GeoJSON Polygon ([lon, lat] positions; the first ring is the outline)."""

    type: Literal["Polygon"]
    coordinates: Annotated[list[Ring], Field(min_length=1, max_length=20)]


class ClosurePoint(Strict):
    lon: Lon
    lat: Lat


class ClosureCreate(Strict):
    """Close the roads at clicked ``points`` (each snapped to its nearest road) or inside ``area``."""

    reason: Annotated[StorableText, Field(min_length=1, max_length=REASON_LENGTH)]
    expires_at: AwareDatetime = Field(description="when the closure ends by itself (at most 30 days ahead)")
    points: Annotated[list[ClosurePoint], Field(max_length=MAX_POINTS)] | None = None
    area: AreaIn | None = None


class ClosureOut(BaseModel):
    id: int
    reason: str
    created_at: datetime
    created_by: str
    expires_at: datetime
    lifted_at: datetime | None
    lifted_by: str | None
    active: bool
    roads: int = Field(description="directed road edges closed (a two-way road counts twice)")
    lines: list[list[list[float]]] = Field(
        description="each closed road once, [[lon, lat], ...], for the map"
    )
    area: dict[str, Any] | None = Field(description="the GeoJSON polygon drawn, if any")
    schematic: bool
    label: str


class ClosureList(BaseModel):
    closures: list[ClosureOut]
    mode: Literal["active", "all"]
