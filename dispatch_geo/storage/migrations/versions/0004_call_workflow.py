"""One call from intake to close: intake fields, notes, and requirements added by the dispatcher.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

``incidents`` gains the intake form's fields: ``landmark`` (patokan), ``caller_name`` (caller identity,
like ``caller_phone``), ``victims`` and ``call_received_at`` (when the call-taker started the form).
``incident_notes`` holds the notes a dispatcher adds at any time (shown in the timeline).
``incident_requirements`` holds the units a dispatcher asks for beyond the incident type's table (an
ambulance and the police for a fire), with who asked and when. Columns are added without table
rebuilds, so SQLite keeps its existing CHECK constraints.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from dispatch_geo.storage.types import UtcDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def _big_pk() -> sa.Column[int]:
    return sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True)


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(JSONB(), "postgresql")


def _incident_fk() -> sa.Column[int]:
    return sa.Column(
        "incident_id", sa.BigInteger(), sa.ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    op.add_column(
        "incidents",
        sa.Column("landmark", sa.String(200), nullable=False, server_default="", comment="patokan"),
    )
    op.add_column("incidents", sa.Column("caller_name", sa.String(120), nullable=True))
    op.add_column("incidents", sa.Column("victims", sa.SmallInteger(), nullable=True))
    op.add_column(
        "incidents",
        sa.Column("call_received_at", UtcDateTime(), nullable=True, comment="when the call-taker began"),
    )
    op.create_table(
        "incident_notes",
        _big_pk(),
        _incident_fk(),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("by", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
    )
    op.create_index("ix_incident_notes_incident_id_at", "incident_notes", ["incident_id", "at"])
    op.create_table(
        "incident_requirements",
        _big_pk(),
        _incident_fk(),
        sa.Column("unit_types", _json(), nullable=False, comment='acceptable unit types, e.g. ["ambulance"]'),
        sa.Column("count", sa.SmallInteger(), nullable=False),
        sa.Column("added_at", UtcDateTime(), nullable=False),
        sa.Column("added_by", sa.String(32), nullable=False),
        sa.CheckConstraint("count BETWEEN 1 AND 50", name="count_range"),
    )
    op.create_index(
        "ix_incident_requirements_incident_id", "incident_requirements", ["incident_id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("incident_requirements")
    op.drop_table("incident_notes")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("call_received_at")
        batch.drop_column("victims")
        batch.drop_column("caller_name")
        batch.drop_column("landmark")
