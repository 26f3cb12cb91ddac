"""Road closures (banjir): the roads closed, why, until when, who closed and who lifted them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

``road_closures.edges`` holds the closed roads as OSM node-id pairs (valid across graph rebuilds),
``area`` the polygon drawn (GeoJSON) when the closure was drawn as an area. Rows are never deleted:
``lifted_at``/``lifted_by`` record the lifting, so the table is the audit trail.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from dispatch_geo.storage.types import UtcDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def _json() -> Any:
    return sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "road_closures",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("edges", _json(), nullable=False, comment="[[u_osmid, v_osmid], ...] closed"),
        sa.Column("area", _json(), nullable=True, comment="GeoJSON polygon drawn, if any"),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("lifted_at", UtcDateTime(), nullable=True),
        sa.Column("lifted_by", sa.String(32), nullable=True),
        sa.CheckConstraint("expires_at > created_at", name="expires_after_created"),
    )
    op.create_index("ix_road_closures_expires_at", "road_closures", ["expires_at"])


def downgrade() -> None:
    op.drop_table("road_closures")
