"""API tokens (hashed, with roles) and the incident event log.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02

``api_tokens`` holds the SHA-256 hash of every API token, never the token. ``incident_events`` records
the creation, lifecycle status changes and edits of incidents (who and when), for the timeline.
Enum values are frozen here, as in 0001.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from dispatch_geo.storage.types import UtcDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

ROLES = ("dispatcher", "planner", "admin", "device")
EVENT_KINDS = ("created", "status", "updated")
INCIDENT_STATUSES = ("new", "dispatched", "on_scene", "closed", "cancelled")


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _big_pk() -> sa.Column[int]:
    return sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True)


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        _big_pk(),
        sa.Column("name", sa.String(32), nullable=False, comment="shown in the audit trail"),
        sa.Column("role", _enum(ROLES, "role"), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("token_prefix", sa.String(12), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False, comment="well-known development token"),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.UniqueConstraint("name", name="uq_api_tokens_name"),
        sa.UniqueConstraint("token_sha256", name="uq_api_tokens_token_sha256"),
    )
    op.create_table(
        "incident_events",
        _big_pk(),
        sa.Column(
            "incident_id", sa.BigInteger(), sa.ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("kind", _enum(EVENT_KINDS, "kind"), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("by", sa.String(32), nullable=False),
        sa.Column("from_status", _enum(INCIDENT_STATUSES, "from_status"), nullable=True),
        sa.Column("to_status", _enum(INCIDENT_STATUSES, "to_status"), nullable=True),
        sa.Column("detail", _json(), nullable=False, comment="changed fields, old and new values"),
    )
    op.create_index("ix_incident_events_incident_id_at", "incident_events", ["incident_id", "at"])


def downgrade() -> None:
    op.drop_table("incident_events")
    op.drop_table("api_tokens")
