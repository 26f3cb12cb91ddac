"""Each unit's device health: app, battery, clock offset, fixes rejected today and the last rejection.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30

``device_health`` has one row per unit, written by the ingest workers about once a second (what each saw
since its last flush is added, so counts add up across workers and survive restarts). Fixes accepted
today are counted from ``position_fixes``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dispatch_geo.storage.types import UtcDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "device_health",
        sa.Column(
            "unit_id",
            sa.String(32),
            sa.ForeignKey("units.id", name="fk_device_health_unit_id_units", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("device_id", sa.String(32), nullable=False),
        sa.Column("app", sa.String(32), nullable=False, comment="protocol: owntracks, traccar, native, api"),
        sa.Column("last_message_at", UtcDateTime(), nullable=False, comment="server time of the last one"),
        sa.Column("battery_pct", sa.Float(), nullable=True),
        sa.Column("battery_at", UtcDateTime(), nullable=True),
        sa.Column(
            "clock_ahead_s",
            sa.Float(),
            nullable=True,
            comment="fix time minus server receive time of the newest message (> 0: device clock ahead)",
        ),
        sa.Column("day", sa.Date(), nullable=False, comment="WIB day the rejection count is for"),
        sa.Column("rejected_today", sa.BigInteger(), nullable=False),
        sa.Column("last_rejection_reason", sa.String(32), nullable=True),
        sa.Column("last_rejection_at", UtcDateTime(), nullable=True),
        sa.CheckConstraint(
            "battery_pct IS NULL OR (battery_pct >= 0 AND battery_pct <= 100)", name="battery_range"
        ),
        sa.CheckConstraint("rejected_today >= 0", name="rejected_not_negative"),
    )


def downgrade() -> None:
    op.drop_table("device_health")
