"""Request bodies of the planning (what-if) endpoints, validated to what the database can hold."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from dispatch_geo.coverage.mexclp import MAX_BUSY_FRACTION
from dispatch_geo.coverage.whatif import MAX_POSTS, MAX_UNITS_PER_POST, PlannedPost
from dispatch_geo.storage.planning_models import SCENARIO_NAME_LENGTH
from siaga.api.schemas import Lat, Lon, StorableText

Service = Literal["ambulance", "fire", "police"]
BusyFractionValue = Annotated[
    float, Field(ge=0, le=MAX_BUSY_FRACTION, allow_inf_nan=False, description="share of time a unit is busy")
]


def _not_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


class PostIn(BaseModel):
    """A post of a scenario: an existing one (its station id) or one the planner added."""

    model_config = ConfigDict(extra="forbid")

    id: Annotated[StorableText, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    name: Annotated[StorableText, Field(min_length=1, max_length=120), AfterValidator(_not_blank)]
    lon: Lon
    lat: Lat
    units: int = Field(1, ge=0, le=MAX_UNITS_PER_POST, description="units at the post (0: it serves nobody)")

    def planned(self) -> PlannedPost:
        return PlannedPost(self.id, self.name, self.lon, self.lat, self.units)


class ScenarioIn(BaseModel):
    """Posts to evaluate, and the busy fraction of their units."""

    model_config = ConfigDict(extra="forbid")

    posts: list[PostIn] = Field(max_length=MAX_POSTS)
    busy_fraction: BusyFractionValue = 0.1


class SuggestIn(ScenarioIn):
    """Where to put ``add_units`` more units to gain the most expected coverage (MEXCLP)."""

    add_units: int = Field(1, ge=1, le=5)


class ScenarioSave(ScenarioIn):
    """A scenario to keep under a name."""

    name: Annotated[
        StorableText, Field(min_length=1, max_length=SCENARIO_NAME_LENGTH), AfterValidator(_not_blank)
    ]
    service: Service
    busy_source: Literal["history", "assumed", "given"] = "assumed"
