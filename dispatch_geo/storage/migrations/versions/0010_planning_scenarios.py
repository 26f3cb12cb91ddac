"""The planners' saved what-if scenarios.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30

``planning_scenarios`` keeps a named set of posts (id, name, lon, lat, units) per service, the busy
fraction it was evaluated with (and where that came from: history, assumed or given) and its headline
figures at saving time, so scenarios can be listed and compared side by side; the figures are
recomputed from the posts when a scenario is opened or exported.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from dispatch_geo.storage.types import UtcDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "planning_scenarios",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("service", sa.String(16), nullable=False),
        sa.Column("posts", _json(), nullable=False, comment="[{id, name, lon, lat, units}]"),
        sa.Column("busy_fraction", sa.Float(), nullable=False),
        sa.Column("busy_source", sa.String(16), nullable=False, comment="history, assumed or given"),
        sa.Column("figures", _json(), nullable=False, comment="headline figures when saved"),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.UniqueConstraint("service", "name", name="uq_planning_scenarios_service_name"),
        sa.CheckConstraint("service IN ('ambulance', 'fire', 'police')", name="service_known"),
        sa.CheckConstraint("busy_fraction >= 0 AND busy_fraction <= 0.95", name="busy_fraction_range"),
    )


def downgrade() -> None:
    op.drop_table("planning_scenarios")
