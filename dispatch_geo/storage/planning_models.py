"""Table of the planners' what-if scenarios: a named set of posts with their units, and its figures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Float, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dispatch_geo.storage.models import ID_LENGTH, Base, BigIntPK, JsonDocument
from dispatch_geo.storage.types import UtcDateTime

SCENARIO_NAME_LENGTH = 120
SCENARIO_SERVICES = ("ambulance", "fire", "police")


class PlanningScenarioRow(Base):
    """A saved what-if scenario of one service (``posts``: id, name, lon, lat, units of each post)."""

    __tablename__ = "planning_scenarios"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    name: Mapped[str] = mapped_column(String(SCENARIO_NAME_LENGTH))
    service: Mapped[str] = mapped_column(String(16))
    posts: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument, comment="[{id, name, lon, lat, units}]")
    busy_fraction: Mapped[float] = mapped_column(Float)
    busy_source: Mapped[str] = mapped_column(String(16), comment="history, assumed or given")
    figures: Mapped[dict[str, Any]] = mapped_column(JsonDocument, comment="headline figures when saved")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(ID_LENGTH))

    __table_args__ = (
        UniqueConstraint("service", "name"),
        CheckConstraint("service IN ('ambulance', 'fire', 'police')", name="service_known"),
        CheckConstraint("busy_fraction >= 0 AND busy_fraction <= 0.95", name="busy_fraction_range"),
    )
