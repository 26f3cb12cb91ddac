"""Table of road closures (banjir — floods — and other blocked roads): what, why, until when, who.

A closure holds the roads it closes as pairs of OSM node ids (``[[u, v], ...]``, each direction its own
pair), which stay valid when the graph is rebuilt as long as the road is still there, and, when it was
drawn as an area, that polygon (GeoJSON). Closures are never deleted: lifting one records who lifted it
and when, so the table is its own audit trail.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from dispatch_geo.storage.models import ID_LENGTH, Base, BigIntPK, JsonDocument
from dispatch_geo.storage.types import UtcDateTime

REASON_LENGTH = 200


class RoadClosureRow(Base):
    """One road closure."""

    __tablename__ = "road_closures"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    reason: Mapped[str] = mapped_column(String(REASON_LENGTH))
    edges: Mapped[list[list[int]]] = mapped_column(JsonDocument, comment="[[u_osmid, v_osmid], ...] closed")
    area: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument, comment="GeoJSON polygon drawn, if any")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(ID_LENGTH))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    lifted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    lifted_by: Mapped[str | None] = mapped_column(String(ID_LENGTH))

    __table_args__ = (
        CheckConstraint("expires_at > created_at", name="expires_after_created"),
        Index("ix_road_closures_expires_at", "expires_at"),
    )
